from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "integration.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from . import services

        # Groups hold permissions of every app, so they are brought in line
        # after each migration run rather than in one app's data migration.
        post_migrate.connect(services.roles_sync_after_migrate, dispatch_uid="core_roles_sync")
