"""Permission sets cached across requests.

Django's ModelBackend loads a user's permissions with two joined queries on
every request that checks one. Roles change rarely, so the set is kept in the
cache under a version number that every change of roles, groups or a user's
rights increments (see ``permissions_invalidate``).
"""

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache

VERSION_KEY = "core:permissions:version"


def _version() -> int:
    return cache.get_or_set(VERSION_KEY, 1, timeout=None)


def _key(user_id: int) -> str:
    return f"core:permissions:{_version()}:{user_id}"


def permissions_invalidate(*, user_id: int | None = None) -> None:
    """Forget the cached set of one user, or of everybody when ``user_id`` is None."""
    if user_id is not None:
        cache.delete(_key(user_id))
        return
    cache.add(VERSION_KEY, 1, timeout=None)
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # evicted between add and incr: a fresh version is as good
        cache.set(VERSION_KEY, 2, timeout=None)


class CachedPermissionBackend(ModelBackend):
    """ModelBackend whose ``get_all_permissions`` is served from the cache."""

    def get_all_permissions(self, user_obj, obj=None):
        timeout = settings.PERMISSION_CACHE_TIMEOUT
        if not timeout or not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return super().get_all_permissions(user_obj, obj=obj)
        if not hasattr(user_obj, "_perm_cache"):
            key = _key(user_obj.pk)
            permissions = cache.get(key)
            if permissions is None:
                permissions = super().get_all_permissions(user_obj)
                cache.set(key, permissions, timeout)
            user_obj._perm_cache = permissions
        return user_obj._perm_cache


def invalidate_on_m2m_change(sender, instance, action, reverse, model, pk_set, **kwargs) -> None:
    """Receiver for changes of group memberships and of granted permissions."""
    if action.startswith("post_"):
        permissions_invalidate()


def invalidate_on_user_save(sender, instance, **kwargs) -> None:
    """A user's activity or superuser flag changed the set: drop that user's entry."""
    permissions_invalidate(user_id=instance.pk)


def invalidate_on_delete(sender, instance, **kwargs) -> None:
    """A deleted group or permission changes the sets of everyone who had it."""
    permissions_invalidate()
