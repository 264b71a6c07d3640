"""`pavilion backup …`: pgBackRest's stanza `pavilion`, from the configuration in
$PAVILION_BACKUP_DIR/pgbackrest.conf (deploy/backup.sh writes it for `make run`; on
another host, the operator's own with the same stanza). pgBackRest runs as the owner of
that file (the PostgreSQL user) when we are root. docs/operations.md is the runbook."""

import configparser
import json
import os
import pwd
import shutil
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pavilion_core.config import env_str

STANZA = "pavilion"
KINDS = ("full", "diff", "incr")


class BackupError(Exception):
    """What the operator is told; nothing was changed."""


@dataclass(frozen=True)
class Backup:
    label: str
    kind: str  # full, diff (since the last full), incr (since the last backup)
    started: datetime
    stopped: datetime  # restorable from here on (with the WAL archived since)
    wal_start: str
    wal_stop: str
    size: int  # of the database
    stored: int  # in the repository (compressed, only what changed)


@dataclass(frozen=True)
class Catalogue:
    backups: list[Backup]  # oldest first
    wal_min: str | None  # the archived WAL segments
    wal_max: str | None


@dataclass(frozen=True)
class Repository:
    config: Path

    @classmethod
    def from_env(cls) -> "Repository":
        folder = env_str("PAVILION_BACKUP_DIR", "")
        if not folder:
            raise BackupError(
                "PAVILION_BACKUP_DIR is not set: the directory whose pgbackrest.conf"
                " configures the stanza (deploy/postgres.sh prints it when PAVILION_BACKUP=1)"
            )
        config = Path(folder) / "pgbackrest.conf"
        if not config.is_file():
            raise BackupError(f"no {config}: start PostgreSQL with PAVILION_BACKUP=1 first")
        return cls(config)

    @property
    def data_dir(self) -> Path:
        parser = configparser.ConfigParser(interpolation=None)
        parser.read(self.config)
        if not parser.has_option(STANZA, "pg1-path"):
            raise BackupError(f"{self.config} has no pg1-path in [{STANZA}]")
        return Path(parser.get(STANZA, "pg1-path"))

    @property
    def stream(self) -> Path:
        """pg_receivewal's directory beside the configuration (deploy/backup.sh), if any."""
        return self.config.parent / "wal"

    def pgbackrest(self, *args: str) -> str:
        """pgbackrest COMMAND … on the stanza; its output, or its error as BackupError."""
        command = ["pgbackrest", f"--config={self.config}", f"--stanza={STANZA}", *args]
        owner = self.config.stat().st_uid
        if os.geteuid() == 0 and owner != 0:
            command = ["runuser", "-u", pwd.getpwuid(owner).pw_name, "--", *command]
        try:
            done = subprocess.run(command, capture_output=True, text=True, check=False)
        except FileNotFoundError:
            raise BackupError("pgbackrest is not installed (deploy/system-deps.sh)") from None
        if done.returncode != 0:
            raise BackupError(f"pgbackrest {args[0]}: {(done.stderr or done.stdout).strip()}")
        return done.stdout


def catalogue(repo: Repository) -> Catalogue:
    [stanza] = json.loads(repo.pgbackrest("info", "--output=json"))
    archives = stanza["archive"]
    return Catalogue(
        backups=[_backup(b) for b in stanza["backup"]],
        wal_min=min((a["min"] for a in archives if a["min"]), default=None),
        wal_max=max((a["max"] for a in archives if a["max"]), default=None),
    )


def _backup(b: dict[str, Any]) -> Backup:
    return Backup(
        label=b["label"],
        kind=b["type"],
        started=datetime.fromtimestamp(b["timestamp"]["start"], UTC),
        stopped=datetime.fromtimestamp(b["timestamp"]["stop"], UTC),
        wal_start=b["archive"]["start"],
        wal_stop=b["archive"]["stop"],
        size=b["info"]["size"],
        stored=b["info"]["repository"]["delta"],
    )


def run(repo: Repository, kind: str) -> Backup:
    """A base backup of the running server (then expire what the retention drops)."""
    if kind not in KINDS:
        raise BackupError(f"no backup type {kind!r}: one of {', '.join(KINDS)}")
    repo.pgbackrest("backup", f"--type={kind}")
    found = catalogue(repo)
    if found.wal_max is not None:
        _prune_stream(repo.stream, found.wal_max)
    return found.backups[-1]


def _prune_stream(stream: Path, archived: str) -> None:
    """The streamed segments before the archive's last one go: the archive has them."""
    if stream.is_dir():
        for f in stream.iterdir():
            if _segment(f.name) and f.name[8:] < archived[8:]:
                f.unlink()


def _segment(name: str) -> bool:
    """A WAL segment's file name (timeline, log, segment: 24 hex digits)."""
    return len(name) == 24 and all(c in "0123456789ABCDEF" for c in name)


def restore(repo: Repository, to: datetime | None = None) -> Backup:
    """The data directory rebuilt from a base backup and the WAL archived and streamed
    since: to the last commit, or the last one at or before `to` (which must be
    timezone-aware and after the oldest backup ended). The server must be stopped; it
    replays the WAL when it starts next. Returns the backup restored from."""
    data = repo.data_dir
    pidfile = data / "postmaster.pid"
    if (pid := _postmaster(pidfile)) is not None:
        raise BackupError(
            f"PostgreSQL is running on {data} (pid {pid}): stop it first"
            " (deploy/postgres.sh stop, or stop make run)"
        )
    found = catalogue(repo)
    backups = found.backups
    if not backups:
        raise BackupError("the repository holds no backup: `pavilion backup run` first")
    args = ["restore"]
    chosen = backups[-1]
    if to is not None:
        if to.tzinfo is None:
            raise BackupError("--to needs a time zone, e.g. 2026-05-04T10:30:00+00:00")
        earlier = [b for b in backups if b.stopped <= to]
        if not earlier:
            raise BackupError(
                f"nothing to restore to {to.isoformat()}: the oldest backup ends at"
                f" {backups[0].stopped.isoformat()}"
            )
        chosen = earlier[-1]
        args += ["--type=time", f"--target={to.isoformat(sep=' ')}",
                 "--target-action=promote", f"--set={chosen.label}"]  # fmt: skip
    if data.exists() and any(data.iterdir()):
        args.append("--delta")  # only the files that differ are rewritten
    pidfile.unlink(missing_ok=True)  # a crash's (pgBackRest would take it for a server)
    repo.pgbackrest(*args)
    _take_stream(repo.stream, data / "pg_wal", found.wal_max)
    return chosen


def _take_stream(stream: Path, pg_wal: Path, archived: str | None) -> None:
    """The streamed segments from the archive's last one on (the current one under its
    .partial name) into the restored pg_wal, for the server to replay after the archive;
    then the stream is set aside (wal.<time>): what it holds past a point in time is a
    history the restored server leaves, and the receiver starts a new one."""
    if not stream.is_dir():
        return
    owner = pg_wal.stat()
    for f in sorted(stream.iterdir()):
        name = f.name.removesuffix(".partial")
        later = _segment(name) and (archived is None or name[8:] >= archived[8:])
        if later or name.endswith(".history"):
            shutil.copyfile(f, pg_wal / name)
            os.chown(pg_wal / name, owner.st_uid, owner.st_gid)
    stream.rename(stream.with_name(f"wal.{datetime.now(UTC):%Y%m%dT%H%M%SZ}"))


def _postmaster(pidfile: Path) -> int | None:
    """The pid in postmaster.pid if that process is a live postgres (not a crash's)."""
    try:
        pid = int(pidfile.read_text().split()[0])
        running = Path(f"/proc/{pid}/comm").read_text().strip() in ("postgres", "postmaster")
    except (OSError, ValueError, IndexError):
        return None
    return pid if running else None
