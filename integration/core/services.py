"""Writes and rules of the core app: roles, users, fields of action."""

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import Max

from .models import FieldOfAction, User
from .roles import EXCLUDED_FROM_ALL, PROJECT_APPS, ROLE_PERMISSIONS, Role


def _permissions_for(codes: tuple[str, ...]) -> list[Permission]:
    if codes == ("*",):
        excluded = [code.split(".", 1) for code in EXCLUDED_FROM_ALL]
        everything = Permission.objects.filter(content_type__app_label__in=PROJECT_APPS)
        for app_label, codename in excluded:
            everything = everything.exclude(content_type__app_label=app_label, codename=codename)
        return list(everything)
    wanted = {tuple(code.split(".", 1)) for code in codes}
    candidates = Permission.objects.filter(
        content_type__app_label__in={app for app, _ in wanted},
        codename__in={codename for _, codename in wanted},
    ).select_related("content_type")
    return [p for p in candidates if (p.content_type.app_label, p.codename) in wanted]


@transaction.atomic
def roles_sync() -> dict[str, Group]:
    """Create the role groups and give each exactly the permissions of ``ROLE_PERMISSIONS``.

    Idempotent; runs after every ``migrate``. Permissions of apps not yet
    migrated are picked up on the next run.
    """
    groups = {}
    for role in Role:
        group, _created = Group.objects.get_or_create(name=role.value)
        group.permissions.set(_permissions_for(ROLE_PERMISSIONS[role]))
        groups[role.value] = group
    return groups


def roles_sync_after_migrate(sender, using="default", **kwargs) -> None:
    """post_migrate receiver; only the last app of a run matters, but each call is cheap."""
    if sender.label == "core" or sender.label in PROJECT_APPS:
        roles_sync()


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str | None,
    role: Role | None,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    is_superuser: bool = False,
) -> User:
    """Create a login with one role; ``password=None`` makes it usable only after a reset."""
    user = User(
        username=username,
        email=email,
        first_name=first_name,
        last_name=last_name,
        is_superuser=is_superuser,
        is_staff=is_superuser,
    )
    if password is None:
        user.set_unusable_password()
    else:
        user.set_password(password)
    user.full_clean()
    user.save()
    if role is not None:
        user.groups.set([Group.objects.get(name=role.value)])
    return user


def fieldofaction_create(*, by: User | None, name: str, description: str = "") -> FieldOfAction:
    """Add a field of action at the end of the list."""
    last = FieldOfAction.objects.aggregate(last=Max("position"))["last"]
    field = FieldOfAction(
        name=name, description=description, position=(last or 0) + 10, is_active=True
    )
    field.full_clean()
    field.save()
    return field


def fields_apply(instance, allowed: set[str], changes: dict) -> None:
    """Set ``changes`` on ``instance``; a field outside ``allowed`` is a programming error."""
    unknown = set(changes) - allowed
    if unknown:
        raise TypeError(f"Cannot set {sorted(unknown)} on {type(instance).__name__}")
    for key, value in changes.items():
        setattr(instance, key, value)


def fieldofaction_update(*, by: User, field: FieldOfAction, **changes) -> FieldOfAction:
    """Change name, description, position or archive state of a field of action."""
    fields_apply(field, {"name", "description", "position", "is_active"}, changes)
    field.full_clean()
    field.save()
    return field


def sessions_clear() -> int:
    """Delete expired sessions from the database; returns how many went."""
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted


def access_log_clean() -> int:
    """Delete login attempt records older than the retention period (DSGVO)."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django.conf import settings
    from django.utils import timezone

    cutoff = timezone.now() - timezone.timedelta(days=settings.ACCESS_LOG_RETENTION_DAYS)
    deleted = 0
    for model in (AccessAttempt, AccessFailureLog, AccessLog):
        deleted += model.objects.filter(attempt_time__lt=cutoff).delete()[0]
    return deleted


def password_reset_send(*, user_id: int) -> bool:
    """Mail an active user with a usable password a link to choose a new one.

    Returns False, sending nothing, for anyone else (the form already filtered,
    but the account may have changed since the request).
    """
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    from .emails import email_send

    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.has_usable_password() or not user.email:
        return False
    context = {
        "user": user,
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": default_token_generator.make_token(user),
    }
    email_send(template="registration/emails/password_reset", context=context, to=[user.email])
    return True


def rate_limit_reached(*, key: str, limit: int) -> bool:
    """Has ``key`` already counted more than ``limit`` events in its window? Counts nothing."""
    from django.core.cache import cache

    return (cache.get(f"core:rate:{key}") or 0) > limit


def rate_limit_hit(*, key: str, limit: int, window_seconds: int) -> bool:
    """Count one event for ``key``; True when more than ``limit`` fell into the window.

    A fixed window in the cache: good enough to stop floods, not an exact meter.
    """
    from django.core.cache import cache

    cache_key = f"core:rate:{key}"
    cache.add(cache_key, 0, timeout=window_seconds)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, timeout=window_seconds)
        count = 1
    return count > limit
