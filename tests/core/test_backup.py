import io
import json
import os
import stat
import tarfile
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from integration.core import backup
from integration.core.backup import ARCHIVE_SUFFIX, DATABASE_NAMES
from integration.core.models import FieldOfAction, User

from .factories import FieldOfActionFactory, UserFactory

pytestmark = pytest.mark.django_db

PDF_BYTES = b"%PDF-1.7\n" + bytes(range(256)) * 64


@pytest.fixture
def media_root(settings, tmp_path: Path) -> Path:
    root = tmp_path / "media"
    (root / "documents").mkdir(parents=True)
    settings.MEDIA_ROOT = root
    return root


@pytest.fixture
def sqlite_required(db):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite variant; PostgreSQL has its own test below")


def _write_archive(path: Path, members: dict[str, bytes]) -> Path:
    """A hand-made archive, members written in the given order."""
    with tarfile.open(path, "w:gz") as tar:
        for name, body in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(body)
            tar.addfile(info, io.BytesIO(body))
    return path


def _manifest(vendor: str) -> bytes:
    return json.dumps(
        {
            "format": 1,
            "created_at": "2025-01-01T03:00:00+00:00",
            "database_vendor": vendor,
            "app_version": "0.1.0",
        }
    ).encode()


def _backup(tmp_path: Path) -> Path:
    call_command("backup", str(tmp_path / "backups"), stdout=io.StringIO())
    (archive,) = (tmp_path / "backups").iterdir()
    return archive


def _assert_backup_restore_reproduces_data(tmp_path: Path, media_root: Path) -> None:
    kept = FieldOfActionFactory(name="Sprache und Bildung", description="Kitas, Schulen")
    deleted = FieldOfActionFactory(name="Arbeit und Ausbildung")
    user = UserFactory(username="koordination", email="koordination@wiesenbrueck.example")
    user_pk = user.pk
    upload = media_root / "documents" / "protokoll.pdf"
    upload.write_bytes(PDF_BYTES)
    before = sorted(FieldOfAction.objects.values_list("pk", "name", "description", "position"))

    archive = _backup(tmp_path)

    assert archive.name.endswith(ARCHIVE_SUFFIX)
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        manifest = json.load(tar.extractfile("manifest.json"))
    assert names[0] == "manifest.json"
    assert DATABASE_NAMES[connection.vendor] in names
    assert "media/documents/protokoll.pdf" in names
    assert manifest["database_vendor"] == connection.vendor
    assert manifest["app_version"] == "0.1.0"
    assert manifest["created_at"]

    # Change everything the backup holds.
    kept.name = "Umbenannt"
    kept.save()
    deleted.delete()
    user.delete()
    FieldOfActionFactory(name="Nach der Sicherung")
    upload.unlink()
    (media_root / "spaeter.txt").write_text("nach der Sicherung hochgeladen")
    # A table of a newer version (after an update) must not survive an older backup.
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE core_newer (id integer PRIMARY KEY)")

    call_command("restore", str(archive), interactive=False, stdout=io.StringIO())

    after = sorted(FieldOfAction.objects.values_list("pk", "name", "description", "position"))
    assert after == before
    restored_user = User.objects.get(pk=user_pk)
    assert restored_user.email == "koordination@wiesenbrueck.example"
    assert restored_user.check_password("geheim-123")
    assert upload.read_bytes() == PDF_BYTES
    assert not (media_root / "spaeter.txt").exists()
    with connection.cursor() as cursor:
        assert "core_newer" not in connection.introspection.table_names(cursor)
    # The app keeps working on the restored database.
    FieldOfActionFactory(name="Nach der Wiederherstellung")
    assert FieldOfAction.objects.count() == len(before) + 1


def test_backup_restore_on_sqlite_reproduces_rows_and_files(
    sqlite_required, transactional_db, tmp_path, media_root
):
    _assert_backup_restore_reproduces_data(tmp_path, media_root)


def test_backup_restore_on_postgresql_reproduces_rows_and_files(
    postgres_required, transactional_db, tmp_path, media_root
):
    # pg_dump and pg_restore are separate processes: the rows must be committed.
    _assert_backup_restore_reproduces_data(tmp_path, media_root)


def test_restore_on_postgresql_failing_midway_changes_nothing(
    postgres_required, transactional_db, tmp_path, media_root, monkeypatch
):
    FieldOfActionFactory(name="Wohnen")
    archive = _backup(tmp_path)
    FieldOfActionFactory(name="Nach der Sicherung")
    (media_root / "bleibt.txt").write_text("unverändert")
    run_pg_tool = backup._run_pg_tool

    def failing_at_the_end(tool, arguments, **kwargs):
        # After the DROP and the whole script: only the transaction can undo them.
        if tool == "psql":
            arguments = [*arguments, "--command=SELECT 1/0"]
        run_pg_tool(tool, arguments, **kwargs)

    monkeypatch.setattr(backup, "_run_pg_tool", failing_at_the_end)

    with pytest.raises(CommandError, match=r"Restoring the database failed.*division by zero"):
        call_command("restore", str(archive), interactive=False)

    assert set(FieldOfAction.objects.values_list("name", flat=True)) == {
        "Wohnen",
        "Nach der Sicherung",
    }
    assert (media_root / "bleibt.txt").read_text() == "unverändert"


def test_backup_without_media_root_writes_empty_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "missing"
    with tarfile.open(_backup(tmp_path)) as tar:
        assert tar.getmember("media").isdir()


def test_backup_refuses_target_inside_media_root(media_root):
    with pytest.raises(CommandError, match="inside MEDIA_ROOT"):
        call_command("backup", str(media_root / "backups"))


def test_restore_refuses_archive_of_other_database_vendor(tmp_path, media_root):
    FieldOfActionFactory(name="Wohnen")
    (media_root / "bleibt.txt").write_text("unverändert")
    other = "postgresql" if connection.vendor == "sqlite" else "sqlite"
    archive = _write_archive(
        tmp_path / "other.tar.gz",
        {"manifest.json": _manifest(other), DATABASE_NAMES[other]: b"not used"},
    )

    with pytest.raises(CommandError, match=rf"holds a {other} database.*uses {connection.vendor}"):
        call_command("restore", str(archive), interactive=False)

    assert FieldOfAction.objects.filter(name="Wohnen").exists()
    assert (media_root / "bleibt.txt").read_text() == "unverändert"


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        ("truncate", "corrupt or truncated"),
        ("garbage", "not a readable backup archive"),
        ("no_manifest", "no manifest.json"),
        ("bad_manifest", "manifest of the archive is unreadable"),
        ("foreign_member", "unexpected file: ../etc/passwd"),
    ],
)
def test_restore_refuses_corrupt_archive_without_changes(tmp_path, media_root, damage, message):
    FieldOfActionFactory(name="Wohnen")
    (media_root / "bleibt.txt").write_text("unverändert")
    vendor = connection.vendor
    members = {
        "manifest.json": _manifest(vendor),
        DATABASE_NAMES[vendor]: b"dump",
        "media/documents/gross.bin": os.urandom(256 * 1024),
    }
    if damage == "no_manifest":
        del members["manifest.json"]
    elif damage == "bad_manifest":
        members["manifest.json"] = b"{not json"
    elif damage == "foreign_member":
        members["../etc/passwd"] = b"root"
    archive = _write_archive(tmp_path / "backup.tar.gz", members)
    if damage == "truncate":
        os.truncate(archive, archive.stat().st_size // 2)
    elif damage == "garbage":
        archive.write_bytes(b"this is no archive" * 100)

    with pytest.raises(CommandError, match=message):
        call_command("restore", str(archive), interactive=False)

    assert FieldOfAction.objects.filter(name="Wohnen").exists()
    assert sorted(p.name for p in media_root.iterdir()) == ["bleibt.txt", "documents"]
    assert (media_root / "bleibt.txt").read_text() == "unverändert"


def test_restore_refuses_unreadable_database_dump_without_changes(
    transactional_db, tmp_path, media_root
):
    FieldOfActionFactory(name="Wohnen")
    (media_root / "bleibt.txt").write_text("unverändert")
    vendor = connection.vendor
    archive = _write_archive(
        tmp_path / "backup.tar.gz",
        {
            "manifest.json": _manifest(vendor),
            DATABASE_NAMES[vendor]: b"no database at all" * 1000,
            "media/neu.txt": b"aus der Sicherung",
        },
    )

    with pytest.raises(CommandError, match="database"):
        call_command("restore", str(archive), interactive=False)

    assert FieldOfAction.objects.filter(name="Wohnen").exists()
    assert sorted(p.name for p in media_root.iterdir()) == ["bleibt.txt", "documents"]


def test_restore_missing_archive_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="does not exist"):
        call_command("restore", str(tmp_path / "nowhere.tar.gz"), interactive=False)


def test_restore_asks_and_cancels_unless_yes(tmp_path, media_root, monkeypatch):
    FieldOfActionFactory(name="Wohnen")
    vendor = connection.vendor
    archive = _write_archive(
        tmp_path / "backup.tar.gz",
        {"manifest.json": _manifest(vendor), DATABASE_NAMES[vendor]: b"dump"},
    )
    prompts = []
    monkeypatch.setattr("builtins.input", lambda prompt: prompts.append(prompt) or "no")

    with pytest.raises(CommandError, match="cancelled"):
        call_command("restore", str(archive), stdout=io.StringIO())

    assert "Type 'yes'" in prompts[0]
    assert FieldOfAction.objects.filter(name="Wohnen").exists()
