from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "integration.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from django.contrib.auth.models import Group, Permission
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from . import permissions, services
        from .models import User

        # Cached permission sets go stale when memberships or rights change.
        for through in (User.groups.through, User.user_permissions.through):
            m2m_changed.connect(permissions.invalidate_on_m2m_change, sender=through)
        m2m_changed.connect(permissions.invalidate_on_m2m_change, sender=Group.permissions.through)
        # Deleting a group or a permission cascades without m2m signals.
        for model in (Group, Permission):
            post_delete.connect(permissions.invalidate_on_delete, sender=model)
        post_save.connect(permissions.invalidate_on_user_save, sender=User)
        post_delete.connect(permissions.invalidate_on_user_save, sender=User)

        # Groups hold permissions of every app, so they are brought in line
        # after each migration run rather than in one app's data migration.
        post_migrate.connect(services.roles_sync_after_migrate, dispatch_uid="core_roles_sync")
