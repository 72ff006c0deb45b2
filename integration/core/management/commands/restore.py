from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone

from integration.core.backup import BackupError, app_version, backup_inspect, backup_restore


class Command(BaseCommand):
    help = (
        "Replace the database and the uploaded files with those of a backup archive. "
        "Stop web, worker and beat first."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path, help="Archive written by the backup command.")
        parser.add_argument(
            "--no-input",
            "--noinput",
            action="store_false",
            dest="interactive",
            help="Do not ask for confirmation.",
        )

    def handle(self, *args, archive: Path, interactive: bool, **options):
        try:
            manifest = backup_inspect(archive=archive)
        except BackupError as error:
            raise CommandError(str(error)) from error

        database = connections[DEFAULT_DB_ALIAS].settings_dict["NAME"]
        self.stdout.write(
            f"Backup from {timezone.localtime(manifest.created_at):%Y-%m-%d %H:%M %Z}, "
            f"app version {manifest.app_version}, {manifest.database_vendor} database."
        )
        if interactive:
            answer = input(
                f"This replaces ALL data in the database {database} and ALL files under "
                f"{settings.MEDIA_ROOT}.\nType 'yes' to continue: "
            )
            if answer.strip().lower() != "yes":
                raise CommandError("Restore cancelled; nothing was changed.")

        try:
            backup_restore(archive=archive)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(f"Restored database and media files from {archive}."))
        if manifest.app_version != app_version():
            self.stdout.write(
                self.style.WARNING(
                    f"The backup was made by version {manifest.app_version}, this is "
                    f"{app_version()}: run `manage.py migrate` before starting the app."
                )
            )
