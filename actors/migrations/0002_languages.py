"""The languages offered for people of the network (reference data, German names)."""

from django.db import migrations

from actors.languages import LANGUAGES


def add_languages(apps, schema_editor):
    Language = apps.get_model("actors", "Language")
    for code, name in LANGUAGES:
        Language.objects.get_or_create(code=code, defaults={"name": name})


class Migration(migrations.Migration):
    dependencies = [("actors", "0001_initial")]

    operations = [migrations.RunPython(add_languages, migrations.RunPython.noop)]
