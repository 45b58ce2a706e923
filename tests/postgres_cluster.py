"""A PostgreSQL server of a test's own (``initdb`` + ``pg_ctl``) on a free port.

Fault tests restart or stop it under running tasks; the machine's own PostgreSQL is never touched.
PostgreSQL refuses to run as root, so as root the cluster belongs to the ``postgres`` user.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from tests.processes import free_port


def _bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}")) or [shutil.which(name) or ""]
    if not found[-1]:
        raise RuntimeError(f"PostgreSQL's {name} is needed for this test (Debian: postgresql)")
    return found[-1]


class PostgresCluster:
    """initdb'd in a fresh directory; ``url`` names its ``postgres`` database (trust auth)."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"postgresql+psycopg2://postgres@127.0.0.1:{self.port}/postgres"
        self._dir = Path(tempfile.mkdtemp(prefix="taskhub-pg-"))
        self._data, self.log = self._dir / "data", self._dir / "server.log"
        if os.geteuid() == 0:
            shutil.chown(self._dir, "postgres", "postgres")
        self._as_owner(_bin("initdb"), "-D", str(self._data), "-U", "postgres", "--auth=trust",
                       "-E", "UTF8", "--no-sync")  # fmt: skip

    def _as_owner(self, *command: str) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        subprocess.run([*prefix, *command], check=True, capture_output=True, timeout=120)

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self._dir} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c full_page_writes=off"
        )
        self._pg_ctl("start", "-o", options, "-l", str(self.log))

    def stop(self) -> None:
        """Stop at once, as a crash or a failover would: every session is cut."""
        self._pg_ctl("stop", "-m", "immediate")

    def restart(self) -> None:
        self.stop()
        self.start()

    def _pg_ctl(self, action: str, *options: str) -> None:
        self._as_owner(_bin("pg_ctl"), action, "-D", str(self._data), "-w", "-t", "60", *options)

    def remove(self) -> None:
        with suppress(subprocess.CalledProcessError):  # already stopped
            self.stop()
        shutil.rmtree(self._dir, ignore_errors=True)


@contextmanager
def postgres_cluster() -> Iterator[PostgresCluster]:
    cluster = PostgresCluster()
    cluster.start()
    try:
        yield cluster
    finally:
        cluster.remove()
