from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from integration.core.discovery import app_modules


class Command(BaseCommand):
    help = "Fill the database with the fictional town of Wiesenbrück (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            type=int,
            default=1,
            help="Create N times the network, concept and committee data (for benchmarks).",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Allow seeding while DEBUG is off (demo logins have a published password).",
        )

    def handle(self, *args, scale: int, force: bool, **options):
        if scale < 1:
            raise CommandError("--scale must be at least 1.")
        if not settings.DEBUG and not force:
            raise CommandError(
                "DEBUG is off: demo data creates logins with a known password. "
                "Use --force only on a throwaway database."
            )
        summary = {}
        for config, module in app_modules("demo"):
            summary[config.label] = module.seed(scale=scale, stdout=self.stdout)
            self.stdout.write(f"Seeded {config.verbose_name}.")
        core = summary["core"]
        self.stdout.write("")
        self.stdout.write(
            self.style.SUCCESS(f"Demo logins (password for all: {core['password']}):")
        )
        for username, role in core["logins"]:
            self.stdout.write(f"  {username:<14} {role}")
