"""A PostgreSQL primary and its streaming replica on free 127.0.0.1 ports, from the Debian
PostgreSQL packages (``/usr/lib/postgresql/<version>/bin``), in a temporary directory: the
read replica tests run against a real hot standby. PostgreSQL refuses to run as root, so the
binaries run as the ``postgres`` user when the tests run as root.
"""

from __future__ import annotations

import asyncio
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import asyncpg

INSTALL_HINT = (
    "the read replica tests need PostgreSQL's server binaries (initdb, pg_ctl, pg_basebackup)"
    " in /usr/lib/postgresql/<version>/bin: apt-get install postgresql"
)
SETTINGS = {
    "listen_addresses": "'127.0.0.1'",
    "wal_level": "replica",
    "max_wal_senders": "4",
    "hot_standby": "on",
    "fsync": "off",  # a throwaway cluster: nothing to keep through a crash
    "full_page_writes": "off",
    "max_connections": "60",
    "shared_buffers": "32MB",
}


CATCH_UP_SECONDS = 30


@dataclass(frozen=True)
class Cluster:
    """A superuser URL of each server, and how to stop the replica."""

    primary: str
    replica: str
    replica_dir: Path
    bin_dir: Path

    def stop_replica(self) -> None:
        _as_postgres(
            self.bin_dir / "pg_ctl", "-D", str(self.replica_dir), "-m", "immediate", "-w", "stop"
        )


def server_bin_dir() -> Path:
    """The newest Debian PostgreSQL with pg_basebackup; the test fails, saying so, without."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_basebackup"), key=_version)
    if not found:
        raise AssertionError(INSTALL_HINT)
    return Path(found[-1]).parent


def _version(path: str) -> float:
    try:
        return float(Path(path).parts[4])
    except (IndexError, ValueError):
        return 0.0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _as_postgres(*command: str | Path | int, check: bool = True) -> None:
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    done = subprocess.run(
        [*prefix, *map(str, command)], capture_output=True, text=True, timeout=120, check=False
    )
    if check and done.returncode != 0:
        raise AssertionError(f"{Path(str(command[0])).name} failed: {done.stderr or done.stdout}")


@contextmanager
def streaming_replica() -> Iterator[Cluster]:
    """Start a primary and a replica streaming from it; stop both and remove them at exit."""
    bin_dir = server_bin_dir()
    root = Path(tempfile.mkdtemp(prefix="chapters-replica-"))
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    primary_dir, replica_dir = root / "primary", root / "replica"
    primary_port, replica_port = _free_port(), _free_port()
    started: list[Path] = []
    try:
        _as_postgres(
            bin_dir / "initdb", "-D", primary_dir, "-U", "postgres", "--auth=trust",
            "-E", "UTF8", "--no-sync",
        )  # fmt: skip
        options = " ".join(f"-c {k}={v}" for k, v in SETTINGS.items())
        _start(bin_dir, primary_dir, primary_port, root, options)
        started.append(primary_dir)
        _as_postgres(
            bin_dir / "pg_basebackup", "-h", "127.0.0.1", "-p", primary_port, "-U", "postgres",
            "-D", replica_dir, "-R", "-X", "stream", "--no-sync", "-c", "fast",
        )  # fmt: skip
        _start(bin_dir, replica_dir, replica_port, root, options)
        started.append(replica_dir)
        yield Cluster(
            primary=f"postgresql://postgres@127.0.0.1:{primary_port}/postgres",
            replica=f"postgresql://postgres@127.0.0.1:{replica_port}/postgres",
            replica_dir=replica_dir,
            bin_dir=bin_dir,
        )
    finally:
        for data_dir in reversed(started):
            _as_postgres(bin_dir / "pg_ctl", "-D", data_dir, "-m", "immediate", "stop", check=False)
        shutil.rmtree(root, ignore_errors=True)


def _start(bin_dir: Path, data_dir: Path, port: int, socket_dir: Path, options: str) -> None:
    _as_postgres(
        bin_dir / "pg_ctl", "-D", data_dir, "-l", data_dir.parent / f"{data_dir.name}.log",
        "-w", "-t", "60", "-o", f"-p {port} -c unix_socket_directories='{socket_dir}' {options}",
        "start",
    )  # fmt: skip


async def caught_up(primary: str, replica: str) -> None:
    """Wait until the replica has replayed everything the primary has written so far."""
    source = await asyncpg.connect(primary)
    try:
        target = await source.fetchval("SELECT pg_current_wal_insert_lsn()::text")
    finally:
        await source.close()
    standby = await asyncpg.connect(replica)
    try:
        deadline = time.monotonic() + CATCH_UP_SECONDS
        while await standby.fetchval("SELECT pg_last_wal_replay_lsn() < $1::text::pg_lsn", target):
            assert time.monotonic() < deadline, "the replica did not catch up"
            await asyncio.sleep(0.05)
    finally:
        await standby.close()
