"""Backup and restore of the whole installation: database plus uploaded files.

One backup is one ``.tar.gz`` archive holding, in this order:

``manifest.json``
    format, creation time, database vendor, app version (read first, so a
    mismatching archive is refused before anything is unpacked);
``database.dump`` or ``database.sqlite3``
    ``pg_dump --format=custom`` for PostgreSQL, a consistent copy made with
    sqlite3's backup API for SQLite;
``media/``
    everything below ``MEDIA_ROOT``.

Large files are streamed (``pg_dump`` writes to a file, tarfile copies in
blocks), never read into memory as a whole.
"""

import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import tomllib
import zlib
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone

FORMAT_VERSION = 1
MANIFEST_NAME = "manifest.json"
MEDIA_NAME = "media"
DATABASE_NAMES = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}
ARCHIVE_PREFIX = "integration-backup-"
ARCHIVE_SUFFIX = ".tar.gz"

# Django's PostgreSQL OPTIONS that libpq also reads from the environment.
LIBPQ_OPTION_ENV = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "service": "PGSERVICE",
    "passfile": "PGPASSFILE",
}


class BackupError(Exception):
    """A backup or restore that cannot be done; the message is meant for the operator."""


@dataclass(frozen=True)
class Manifest:
    created_at: datetime
    database_vendor: str
    app_version: str
    format: int = FORMAT_VERSION

    @property
    def database_name(self) -> str:
        return DATABASE_NAMES[self.database_vendor]

    def to_json(self) -> bytes:
        data = {
            "format": self.format,
            "created_at": self.created_at.isoformat(),
            "database_vendor": self.database_vendor,
            "app_version": self.app_version,
        }
        return json.dumps(data, indent=2).encode()

    @classmethod
    def from_json(cls, raw: bytes) -> "Manifest":
        try:
            data = json.loads(raw)
            manifest = cls(
                format=int(data["format"]),
                created_at=datetime.fromisoformat(data["created_at"]),
                database_vendor=str(data["database_vendor"]),
                app_version=str(data["app_version"]),
            )
        except (ValueError, KeyError, TypeError) as error:
            raise BackupError(f"The manifest of the archive is unreadable: {error!r}") from error
        if manifest.format > FORMAT_VERSION:
            raise BackupError(
                f"The archive has format {manifest.format}; this version reads up to "
                f"{FORMAT_VERSION}. Restore it with a newer version of the app."
            )
        if manifest.database_vendor not in DATABASE_NAMES:
            raise BackupError(f"The archive holds an unknown database: {manifest.database_vendor}.")
        return manifest


@dataclass(frozen=True)
class BackupResult:
    path: Path
    manifest: Manifest
    media_files: int
    size: int


def app_version() -> str:
    """The project version from pyproject.toml (the project is not installed as a package)."""
    try:
        with (settings.BASE_DIR / "pyproject.toml").open("rb") as file:
            return tomllib.load(file)["project"]["version"]
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return "unknown"


def database_vendor() -> str:
    """The vendor of the default database, refusing those backups do not support."""
    vendor = connections[DEFAULT_DB_ALIAS].vendor
    if vendor not in DATABASE_NAMES:
        raise BackupError(f"Backups support PostgreSQL and SQLite only, not {vendor}.")
    return vendor


# =============================================================================
# BACKUP
# =============================================================================
def backup_create(*, target_dir: Path) -> BackupResult:
    """Write one timestamped archive of database and media into ``target_dir``.

    The archive is written under a temporary name and renamed when complete, so
    a crashed run never leaves a half archive that looks finished. It holds all
    personal data of the installation, so only the owner may read it.
    """
    manifest = Manifest(
        created_at=timezone.now(), database_vendor=database_vendor(), app_version=app_version()
    )
    media_root = Path(settings.MEDIA_ROOT)
    if target_dir.resolve().is_relative_to(media_root.resolve()):
        raise BackupError(f"{target_dir} lies inside MEDIA_ROOT; choose a folder outside it.")
    target_dir.mkdir(parents=True, exist_ok=True)
    stamp = manifest.created_at.strftime("%Y%m%d-%H%M%S")
    path = target_dir / f"{ARCHIVE_PREFIX}{stamp}{ARCHIVE_SUFFIX}"
    if path.exists():
        raise BackupError(f"{path} exists already; try again in a second.")
    partial = path.with_name(path.name + ".partial")

    try:
        with tempfile.TemporaryDirectory(prefix="integration-backup-") as work_dir:
            dump = Path(work_dir) / manifest.database_name
            _database_dump(vendor=manifest.database_vendor, target=dump)
            # O_EXCL and mode 0600 from the start: no moment where others may read it.
            fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as tar:
                info = tarfile.TarInfo(MANIFEST_NAME)
                body = manifest.to_json()
                info.size = len(body)
                info.mtime = int(manifest.created_at.timestamp())
                info.mode = 0o600
                tar.addfile(info, io.BytesIO(body))
                tar.add(dump, arcname=manifest.database_name)
                media_files = _add_media(tar, media_root)
        partial.rename(path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return BackupResult(
        path=path, manifest=manifest, media_files=media_files, size=path.stat().st_size
    )


def _add_media(tar: tarfile.TarFile, media_root: Path) -> int:
    """Add MEDIA_ROOT as ``media/``; return the number of files."""
    if not media_root.is_dir():
        info = tarfile.TarInfo(MEDIA_NAME)
        info.type = tarfile.DIRTYPE
        info.mode = 0o755
        tar.addfile(info)
        return 0
    tar.add(media_root, arcname=MEDIA_NAME)
    return sum(1 for item in media_root.rglob("*") if item.is_file())


def _database_dump(*, vendor: str, target: Path) -> None:
    if vendor == "postgresql":
        _run_pg_tool(
            "pg_dump", ["--format=custom", f"--file={target}"], action="Dumping the database"
        )
    else:
        connection = connections[DEFAULT_DB_ALIAS]
        connection.ensure_connection()
        # The backup API copies page by page under SQLite's own locking, so the
        # copy is consistent even while the app writes. Django's own connection
        # also reaches an in-memory database (the test suite's).
        with closing(sqlite3.connect(target)) as copy:
            connection.connection.backup(copy)


# =============================================================================
# RESTORE
# =============================================================================
def backup_inspect(*, archive: Path) -> Manifest:
    """Read an archive's manifest and check that it fits this installation.

    Only the first member is read, so a wrong archive is refused at once; a
    corrupt body shows up in ``backup_restore``, before anything is replaced.
    """
    if not archive.is_file():
        raise BackupError(f"{archive} does not exist or is not a file.")
    try:
        with tarfile.open(archive, mode="r:gz") as tar:
            first = tar.next()
            if first is None or first.name != MANIFEST_NAME or not first.isfile():
                raise BackupError(f"{archive} is not a backup of this app: no {MANIFEST_NAME}.")
            reader = tar.extractfile(first)
            raw = reader.read() if reader else b""
    except (tarfile.TarError, EOFError, zlib.error, OSError) as error:
        raise BackupError(f"{archive} is not a readable backup archive: {error}") from error
    manifest = Manifest.from_json(raw)
    vendor = database_vendor()
    if manifest.database_vendor != vendor:
        raise BackupError(
            f"The archive holds a {manifest.database_vendor} database, but this installation "
            f"uses {vendor}. Restore it into an installation with the same database."
        )
    return manifest


def backup_restore(*, archive: Path) -> Manifest:
    """Replace the database and MEDIA_ROOT's content with the archive's.

    The archive is unpacked completely before anything is touched, so a corrupt
    or truncated one changes nothing. PostgreSQL restores in one transaction;
    the media files are swapped in after the database succeeded. Stop the web,
    worker and beat processes first: open connections block the restore.
    """
    manifest = backup_inspect(archive=archive)
    with tempfile.TemporaryDirectory(prefix="integration-restore-") as work_dir:
        staging = Path(work_dir)
        _extract(archive=archive, manifest=manifest, staging=staging)
        _database_restore(vendor=manifest.database_vendor, source=staging / manifest.database_name)
        try:
            _media_replace(source=staging / MEDIA_NAME, media_root=Path(settings.MEDIA_ROOT))
        except OSError as error:
            raise BackupError(
                f"The database was restored, but replacing the media files failed: {error}. "
                "Fix the cause and run the restore again."
            ) from error
    return manifest


def _extract(*, archive: Path, manifest: Manifest, staging: Path) -> None:
    allowed = {MANIFEST_NAME, manifest.database_name, MEDIA_NAME}
    try:
        with tarfile.open(archive, mode="r:gz") as tar:
            for member in tar:
                if member.name.split("/", 1)[0] not in allowed:
                    raise BackupError(f"{archive} holds an unexpected file: {member.name}")
                # The "data" filter refuses absolute paths, "..", devices and
                # links pointing outside the target.
                tar.extract(member, staging, filter="data")
    except (tarfile.TarError, EOFError, zlib.error, OSError) as error:
        raise BackupError(
            f"{archive} is corrupt or truncated: {error}. Nothing was changed."
        ) from error
    if not (staging / manifest.database_name).is_file():
        raise BackupError(f"{archive} has no {manifest.database_name}. Nothing was changed.")
    (staging / MEDIA_NAME).mkdir(exist_ok=True)


def _database_restore(*, vendor: str, source: Path) -> None:
    connection = connections[DEFAULT_DB_ALIAS]
    if vendor == "postgresql":
        _postgresql_restore(dump=source)
    else:
        connection.close()  # a no-op for in-memory databases, which must stay open
        connection.ensure_connection()
        try:
            with closing(sqlite3.connect(source)) as backup:
                (check,) = backup.execute("PRAGMA quick_check").fetchone()
                if check != "ok":
                    raise BackupError(f"The database copy in the archive is damaged: {check}")
                backup.backup(connection.connection)
        except sqlite3.DatabaseError as error:
            raise BackupError(f"Restoring the database failed (sqlite3): {error}") from error
        # Start afresh: the schema may differ from the one the connection cached.
        connection.close()


def _postgresql_restore(*, dump: Path) -> None:
    """Replace all tables with the dump's, in one transaction.

    ``pg_restore --clean`` drops only the objects in the dump. After an update,
    tables of the newer version would survive an older backup and break the next
    migrate, so every current table is dropped first, in the same transaction as
    the restore: psql runs the DROP and pg_restore's script between one BEGIN and
    COMMIT and rolls back on the first error. The script goes through a file, not
    a pipe, so a pg_restore that dies halfway cannot leave psql a truncated one.
    """
    script = dump.with_suffix(".sql")
    _run_pg_tool(
        "pg_restore",
        ["--clean", "--if-exists", "--no-owner", "--no-privileges", f"--file={script}", str(dump)],
        action="Reading the database dump",
        connect=False,
    )
    connection = connections[DEFAULT_DB_ALIAS]
    with connection.cursor() as cursor:
        tables = [
            info.name
            for info in connection.introspection.get_table_list(cursor)
            if info.type == "t"
        ]
    # Our own idle connection must not hold locks the DROPs wait for.
    connection.close()
    drop = ""
    if tables:
        drop = "DROP TABLE IF EXISTS {} CASCADE".format(
            ", ".join(connection.ops.quote_name(name) for name in tables)
        )
    _run_pg_tool(
        "psql",
        [
            "--no-psqlrc",
            "--quiet",
            "--set=ON_ERROR_STOP=1",
            "--single-transaction",
            *([f"--command={drop}"] if drop else []),
            f"--file={script}",
        ],
        action="Restoring the database",
    )


def _media_replace(*, source: Path, media_root: Path) -> None:
    """Replace MEDIA_ROOT's content, keeping the folder itself (it may be a mounted volume)."""
    media_root.mkdir(parents=True, exist_ok=True)
    for item in media_root.iterdir():
        if item.is_dir() and not item.is_symlink():
            shutil.rmtree(item)
        else:
            item.unlink()
    for item in source.iterdir():
        shutil.move(item, media_root / item.name)


# =============================================================================
# POSTGRESQL TOOLS
# =============================================================================
def _run_pg_tool(tool: str, arguments: list[str], *, action: str, connect: bool = True) -> None:
    """Run a PostgreSQL client tool, connected to the default database; raise on failure."""
    executable = shutil.which(tool)
    if executable is None:
        raise BackupError(
            f"{tool} not found: install the PostgreSQL client tools (Debian: postgresql-client)."
        )
    db = connections[DEFAULT_DB_ALIAS].settings_dict
    command = [executable, *arguments]
    if connect:
        command += ["--no-password", f"--dbname={db['NAME']}"]
        if db.get("HOST"):
            command.append(f"--host={db['HOST']}")
        if db.get("PORT"):
            command.append(f"--port={db['PORT']}")
        if db.get("USER"):
            command.append(f"--username={db['USER']}")

    # The password goes through the environment, never the command line (ps shows that).
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    for option, variable in LIBPQ_OPTION_ENV.items():
        if db.get("OPTIONS", {}).get(option):
            env[variable] = str(db["OPTIONS"][option])

    # No shell; the executable is an absolute path and the arguments come from settings.
    result = subprocess.run(  # noqa: S603
        command,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,  # psql's command tags; dumps go to --file
        stderr=subprocess.PIPE,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        detail = result.stderr.strip()[-2000:] or f"exit code {result.returncode}"
        raise BackupError(f"{action} failed ({tool}): {detail}")
