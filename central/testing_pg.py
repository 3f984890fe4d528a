"""A throwaway PostgreSQL server for tests and benchmarks, started from the Debian binaries.

    with ThrowawayPostgres() as pg:
        url = pg.create_database("central_test")

The cluster lives in a temporary directory, listens on 127.0.0.1 at a free port and on a unix socket
in that directory, trusts local connections, and is removed when stopped. PostgreSQL refuses to run
as root, so when this process is root the server runs as the ``postgres`` user via ``runuser``.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL server binaries here, or no way to run them; the message says which."""


def find_bin_dir() -> Path | None:
    override = os.environ.get("MOTCUA_PG_BIN")
    candidates = [override] if override else sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    for candidate in candidates:
        if candidate and (Path(candidate) / "initdb").exists() and (Path(candidate) / "pg_ctl").exists():
            return Path(candidate)
    return None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ThrowawayPostgres:
    def __init__(self, *, durable: bool = False, max_connections: int = 200):
        self.bin_dir = find_bin_dir()
        if self.bin_dir is None:
            raise PostgresUnavailable("PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin "
                                      "(install the Debian package postgresql)")
        self.durable = durable
        self.max_connections = max_connections
        self.root: Path | None = None
        self.port: int | None = None
        self._prefix: list[str] = []

    def _run_as(self) -> list[str]:
        if os.geteuid() != 0:
            return []
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            raise PostgresUnavailable("running as root and there is no postgres user to run the server as") from None
        runuser = shutil.which("runuser")
        if runuser is None:
            raise PostgresUnavailable("running as root and runuser is missing")
        return [runuser, "-u", "postgres", "--"]

    def _cmd(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run([*self._prefix, *args], check=check, capture_output=True, text=True, timeout=120)

    def start(self) -> "ThrowawayPostgres":
        self._prefix = self._run_as()
        self.root = Path(tempfile.mkdtemp(prefix="motcua-pg-"))
        if self._prefix:
            shutil.chown(self.root, "postgres", "postgres")
        data = self.root / "data"
        self.port = free_port()
        try:
            self._cmd(str(self.bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust",
                      "-E", "UTF8", "--locale=C", "--no-sync")
            options = [f"-p {self.port}", "-c listen_addresses=127.0.0.1", f"-k {self.root}",
                       f"-c max_connections={self.max_connections}", "-c shared_buffers=128MB"]
            if not self.durable:
                options += ["-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off"]
            self._cmd(str(self.bin_dir / "pg_ctl"), "-D", str(data), "-l", str(self.root / "server.log"),
                      "-o", " ".join(options), "-w", "-t", "60", "start")
        except subprocess.CalledProcessError as err:
            log = (self.root / "server.log")
            detail = (err.stderr or "").strip() or (log.read_text()[-2000:] if log.exists() else "")
            self.stop()
            raise PostgresUnavailable(f"PostgreSQL did not start: {detail}") from None
        return self

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres",
                             autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        if self.root is None:
            return
        data = self.root / "data"
        if (data / "postmaster.pid").exists():
            self._cmd(str(self.bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop", check=False)
        shutil.rmtree(self.root, ignore_errors=True)
        self.root = None

    def __enter__(self) -> "ThrowawayPostgres":
        return self.start()

    def __exit__(self, *_exc) -> None:
        self.stop()
