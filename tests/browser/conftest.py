"""A real server and a real browser for the pages.

``docpipe serve`` runs in a subprocess on a free loopback port with its own data directory
(SQLite, no broker: uploads are analysed by the server's own thread with the bundled model).
Users are made with the real CLI (``docpipe user add ... --password``, the password on
stdin). The browser is Debian's chromium driven by Playwright (nothing is downloaded);
without it the tests skip, except under CI=true, where that fails them.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.conftest import IN_CI, ROOT

CHROMIUM = os.environ.get("DOCPIPE_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts" / "browser"
MATTER_A, MATTER_B = "matter-a", "matter-b"
PASSWORD = "correct horse battery staple"
START_SECONDS = 60


def _missing(reason: str):
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: the browser tests may not skip)")
    pytest.skip(reason)


@dataclass
class Server:
    base: str
    data_dir: Path
    log: Path
    process: subprocess.Popen
    keys: dict[str, str] = field(default_factory=dict)  # user name -> API key

    def url(self, path: str) -> str:
        return self.base + path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _docpipe() -> list[str]:
    script = Path(sys.executable).with_name("docpipe")
    return [str(script)] if script.exists() else [sys.executable, "-m", "docpipe.cli"]


def _env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("DOCPIPE_DATABASE_URL", "DOCPIPE_BROKER_URL", "DOCPIPE_SESSION_SECRET")}
    env["DOCPIPE_DATA_DIR"] = str(data_dir)
    return env


def add_user(data_dir: Path, name: str, matter: str, role: str = "uploader") -> str:
    """`docpipe user add NAME --role R --matter M --password`, the password typed twice; the key."""
    done = subprocess.run([*_docpipe(), "user", "add", name, "--role", role, "--matter", matter, "--password"],
                          input=f"{PASSWORD}\n{PASSWORD}\n", capture_output=True, text=True, env=_env(data_dir),
                          timeout=120, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    key = next((w for w in done.stdout.split() if w.startswith("dpk_")), None)
    assert key, done.stdout
    return key


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Server:
    data_dir = tmp_path_factory.mktemp("served")
    keys = {"alice": add_user(data_dir, "alice", MATTER_A), "bob": add_user(data_dir, "bob", MATTER_B)}
    port = _free_port()
    log = data_dir / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen([*_docpipe(), "serve", "--port", str(port), "--log-level", "warning"],
                                   stdout=out, stderr=subprocess.STDOUT, env=_env(data_dir), cwd=ROOT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + START_SECONDS
    while True:
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"docpipe serve did not start:\n{log.read_text()[-4000:]}")
        time.sleep(0.25)
    yield Server(base=base, data_dir=data_dir, log=log, process=process, keys=keys)
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    shutil.copy(log, ARTIFACTS / "serve.log") if ARTIFACTS.exists() else None


@pytest.fixture(scope="module")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("playwright is not installed (pip install -e '.[test]')")
    if not Path(CHROMIUM).exists():
        _missing(f"no chromium at {CHROMIUM} (apt-get install chromium, or set DOCPIPE_CHROMIUM)")
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"], headless=True)
        yield launched
        launched.close()
