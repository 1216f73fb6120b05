"""A private PostgreSQL and a private Redis, started on free ports in a temporary folder, for
the tests (and the soak benchmark) that stop, kill or restart a service: the machine's
shared PostgreSQL and Redis are never restarted under other tests.

PostgreSQL refuses to run as root, so when the tests run as root the cluster belongs to the
``postgres`` system user (``runuser``). Nothing here is docpipe code: plain ``initdb``,
``pg_ctl`` and ``redis-server``.
"""
from __future__ import annotations

import glob
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(predicate, timeout: float, what: str) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return
        time.sleep(0.1)
    raise TimeoutError(f"timed out waiting for {what}")


def _pg_bin() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    if not found:
        raise FileNotFoundError("PostgreSQL server binaries (initdb, pg_ctl) are not installed")
    return Path(found[-1]).parent


class PrivatePostgres:
    """One throw-away cluster: ``start()``, ``stop(mode)`` (smart, fast or immediate),
    ``start()`` again on the same data (a restart), ``close()`` to stop and remove it."""

    def __init__(self, *, max_connections: int = 100, root: str | None = None):
        self.port, self.bin = free_port(), _pg_bin()
        self.folder = Path(tempfile.mkdtemp(prefix="docpipe-pg-", dir=root))
        self.data, self.log = self.folder / "data", self.folder / "postgres.log"
        self.max_connections = max_connections
        self._user = "postgres" if os.geteuid() == 0 else None
        if self._user:
            shutil.chown(self.folder, self._user)
            self.folder.chmod(0o700)
        self._run([str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust",
                   "--no-sync", "-E", "UTF8", "--locale=C.UTF-8"])

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, argv: list[str], check: bool = True) -> subprocess.CompletedProcess:
        if self._user:
            argv = ["runuser", "-u", self._user, "--", *argv]
        out = subprocess.run(argv, capture_output=True, text=True, timeout=120)
        if check and out.returncode != 0:
            raise RuntimeError(f"{' '.join(argv)} failed: {out.stdout}{out.stderr}")
        return out

    def start(self) -> None:
        options = (f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off "
                   f"-c max_connections={self.max_connections} -c superuser_reserved_connections=3")
        self._run([str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-o", options,
                   "-w", "-t", "60", "start"])

    def stop(self, mode: str = "fast") -> None:
        self._run([str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop"])

    def sql(self, statement: str) -> str:
        out = subprocess.run(["psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-d", "postgres",
                              "-At", "-v", "ON_ERROR_STOP=1", "-c", statement],
                             capture_output=True, text=True, timeout=60)
        if out.returncode != 0:
            raise RuntimeError(f"psql failed: {out.stderr}")
        return out.stdout.strip()

    def close(self) -> None:
        self._run([str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop"], check=False)
        shutil.rmtree(self.folder, ignore_errors=True)


class PrivateRedis:
    """One throw-away Redis with the append-only file on (as RELIABILITY.md asks of the
    broker): ``start()``, ``stop()`` (SHUTDOWN, the AOF kept) or ``kill()`` (SIGKILL), then
    ``start()`` again on the same folder."""

    def __init__(self, *, root: str | None = None):
        self.port = free_port()
        self.folder = Path(tempfile.mkdtemp(prefix="docpipe-redis-", dir=root))
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self):
        import redis

        return redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=5)

    def _answers(self) -> bool:
        try:
            return bool(self.client().ping())
        except Exception:
            return False

    def start(self) -> None:
        log = open(self.folder / "redis.log", "a")
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.folder),
             "--appendonly", "yes", "--appendfsync", "always", "--save", "", "--maxmemory-policy", "noeviction",
             "--protected-mode", "no"], stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        _wait(self._answers, 30, f"redis on port {self.port}")

    def stop(self) -> None:
        try:
            self.client().shutdown()
        except Exception:  # the connection closes as the server exits
            pass
        self.proc.wait(timeout=30)

    def kill(self) -> None:
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=30)

    def close(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.kill()
        shutil.rmtree(self.folder, ignore_errors=True)
