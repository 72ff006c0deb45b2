from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from integration.core.backup import BackupError, backup_create


class Command(BaseCommand):
    help = "Write a timestamped archive of the database and the uploaded files into DIR."

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path, help="Folder for the archive (created).")

    def handle(self, *args, directory: Path, **options):
        try:
            result = backup_create(target_dir=directory)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Wrote {result.path} ({_megabytes(result.size)}): "
                f"{result.manifest.database_vendor} database, {result.media_files} media files."
            )
        )


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB" if size >= 100_000 else f"{size / 1000:.0f} kB"
