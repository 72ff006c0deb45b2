import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from integration.core import services
from integration.core.demo import DEMO_LOGINS, DEMO_PASSWORD
from integration.core.models import FieldOfAction, User
from integration.core.roles import ROLE_PERMISSIONS, Role

pytestmark = pytest.mark.django_db


def test_roles_sync_creates_groups_with_their_permissions():
    groups = services.roles_sync()
    assert set(groups) == {"Koordination", "Verwaltung", "Gremienmitglied"}
    coordination = set(groups["Koordination"].permissions.values_list("codename", flat=True))
    assert {"add_fieldofaction", "change_fieldofaction", "view_user"} <= coordination
    assert not {"add_user", "change_user", "delete_user"} & coordination
    committee = set(groups["Gremienmitglied"].permissions.values_list("codename", flat=True))
    assert committee == {name.split(".")[1] for name in ROLE_PERMISSIONS[Role.COMMITTEE_MEMBER]}
    # Committee members read: no permission to change anything, and only the
    # meetings of public bodies and their own (minutes.selectors.access).
    assert {"view_dashboard", "view_measure", "view_meeting", "view_paper"} <= committee
    assert all(codename.startswith("view_") for codename in committee)
    assert "view_all_meetings" not in committee


def test_roles_sync_removes_permissions_granted_by_hand():
    group = services.roles_sync()["Gremienmitglied"]
    from django.contrib.auth.models import Permission

    group.permissions.add(Permission.objects.get(codename="delete_fieldofaction"))
    services.roles_sync()
    assert not group.permissions.filter(codename="delete_fieldofaction").exists()


def test_user_create_gives_role():
    services.roles_sync()
    user = services.user_create(username="ayse", password="x-y-z-123", role=Role.ADMINISTRATION)
    assert list(user.groups.values_list("name", flat=True)) == ["Verwaltung"]
    assert user.has_perm("core.view_fieldofaction")
    assert not user.has_perm("core.change_fieldofaction")


def test_fieldofaction_create_appends_at_end():
    first = services.fieldofaction_create(by=None, name="Gesundheit")
    second = services.fieldofaction_create(by=None, name="Wohnen")
    assert second.position > first.position


def test_seed_demo_is_idempotent_and_logins_work(capsys, settings):
    settings.DEBUG = True
    call_command("seed_demo")
    call_command("seed_demo")
    assert User.objects.count() == len(DEMO_LOGINS)
    assert FieldOfAction.objects.count() == 8
    out = capsys.readouterr().out
    assert DEMO_PASSWORD in out
    for username, role, *_ in DEMO_LOGINS:
        user = User.objects.get(username=username)
        assert user.check_password(DEMO_PASSWORD)
        assert user.groups.get() == Group.objects.get(name=role.value)
        assert username in out


def test_seed_demo_refuses_production_without_force(settings):
    from django.core.management.base import CommandError

    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("seed_demo")
    assert not User.objects.exists()
