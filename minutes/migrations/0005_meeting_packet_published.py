import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("actors", "0007_person_login"),
        ("minutes", "0004_oparl_tombstone"),
    ]

    operations = [
        migrations.AddField(
            model_name="meeting",
            name="packet_published_at",
            field=models.DateTimeField(
                blank=True,
                editable=False,
                null=True,
                verbose_name="meeting packet published at",
            ),
        ),
        migrations.AddField(
            model_name="meeting",
            name="packet_mailed_fingerprint",
            field=models.CharField(
                blank=True,
                editable=False,
                max_length=64,
                verbose_name="meeting packet mailed for content",
            ),
        ),
        migrations.CreateModel(
            name="PacketMail",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated at")),
                ("fingerprint", models.CharField(editable=False, max_length=64, verbose_name="content")),
                ("is_update", models.BooleanField(default=False, verbose_name="update")),
                ("email", models.EmailField(max_length=254, verbose_name="email")),
                ("status", models.CharField(choices=[("queued", "Queued"), ("sending", "Sending"), ("sent", "Sent"), ("failed", "Failed"), ("cancelled", "Not sent")], default="queued", max_length=10, verbose_name="status")),
                ("due_at", models.DateTimeField(verbose_name="due at")),
                ("enqueued_at", models.DateTimeField(blank=True, editable=False, null=True)),
                ("sending_since", models.DateTimeField(blank=True, editable=False, null=True)),
                ("retry_after", models.DateTimeField(blank=True, null=True, verbose_name="next attempt")),
                ("attempts", models.PositiveSmallIntegerField(default=0, verbose_name="attempts")),
                ("sent_at", models.DateTimeField(blank=True, null=True, verbose_name="sent at")),
                ("failed_at", models.DateTimeField(blank=True, null=True, verbose_name="failed at")),
                ("error", models.TextField(blank=True, verbose_name="reason")),
                ("meeting", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="packet_mails", to="minutes.meeting", verbose_name="meeting")),
                ("person", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="packet_mails", to="actors.person", verbose_name="recipient")),
            ],
            options={
                "verbose_name": "meeting packet mail",
                "verbose_name_plural": "meeting packet mails",
                "ordering": ["due_at", "pk"],
                "indexes": [models.Index(fields=["status", "due_at"], name="minutes_packetmail_status_due")],
                "constraints": [models.UniqueConstraint(fields=("meeting", "person", "fingerprint"), name="minutes_packet_mail_once")],
            },
        ),
    ]
