"""The permission cache: fewer queries, and changes of roles take effect at once."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from integration.core import services
from integration.core.models import User

pytestmark = pytest.mark.django_db


def fresh(user):
    # A new instance, as each request loads one: no per-object cache.
    return User.objects.get(pk=user.pk)


def test_permissions_are_loaded_once_across_requests(coordinator, django_assert_num_queries):
    assert fresh(coordinator).has_perm("core.change_fieldofaction")
    with django_assert_num_queries(1):  # loading the user only
        assert fresh(coordinator).has_perm("core.change_fieldofaction")


def test_removing_a_role_takes_effect_on_next_request(django_app, coordinator):
    url = reverse("core:fieldofaction_create")
    assert django_app.get(url, user=coordinator).status_code == 200
    coordinator.groups.clear()
    assert django_app.get(url, user=coordinator, expect_errors=True).status_code == 403


def test_changing_a_groups_permissions_takes_effect(committee_member):
    assert not fresh(committee_member).has_perm("core.delete_fieldofaction")
    group = Group.objects.get(name="Gremienmitglied")
    group.permissions.add(Permission.objects.get(codename="delete_fieldofaction"))
    assert fresh(committee_member).has_perm("core.delete_fieldofaction")
    services.roles_sync()
    assert not fresh(committee_member).has_perm("core.delete_fieldofaction")


def test_deactivated_user_loses_permissions(coordinator):
    assert fresh(coordinator).has_perm("core.view_fieldofaction")
    coordinator.is_active = False
    coordinator.save()
    assert not fresh(coordinator).has_perm("core.view_fieldofaction")


def test_permission_cache_can_be_switched_off(coordinator, settings, django_assert_num_queries):
    settings.PERMISSION_CACHE_TIMEOUT = 0
    fresh(coordinator).has_perm("core.view_fieldofaction")
    with django_assert_num_queries(3):  # user, own permissions, group permissions
        fresh(coordinator).has_perm("core.view_fieldofaction")


def test_deleting_a_group_takes_effect(coordinator):
    assert fresh(coordinator).has_perm("core.change_fieldofaction")
    Group.objects.get(name="Koordination").delete()
    assert not fresh(coordinator).has_perm("core.change_fieldofaction")
