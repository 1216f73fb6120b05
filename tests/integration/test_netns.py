"""Egress, the out-of-process half (RELIABILITY case 29): the whole pipeline, end to end, in
a network namespace that has only loopback, with the real bundled model (SmolLM2) and the
real PostgreSQL reached through its unix socket.

`docpipe ingest` of a generated contract text and a DOCX (so unstructured runs), then
`docpipe show --format json`, all inside ``unshare --net``. What the in-process socket guard
cannot see (native code: libpq, llama.cpp, pdfium; child processes: the parse sandbox) is
covered here twice: nothing *can* leave (no route), and, where strace is available, every
connect/sendto of every process is recorded and none went to a non-loopback address (so
nothing even *tried*, which a namespace alone would hide).

Where namespaces are not permitted, the test is skipped with a loud reason (and a warning),
except under CI=true, where it fails.
"""
from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import uuid
import warnings
from pathlib import Path

import pytest

from docpipe.diagnostics.guard import is_loopback
from tests.conftest import IN_CI

ROOT = Path(__file__).resolve().parents[2]
PG_SOCKET = os.environ.get("DOCPIPE_TEST_PG_SOCKET", "/var/run/postgresql")
pytestmark = [pytest.mark.model, pytest.mark.postgres, pytest.mark.timeout(1200)]
CONTRACT = """MASTER SUPPLY AGREEMENT

This Master Supply Agreement is entered into as of January 5, 2023 by and between Acme Widgets, Inc., a Delaware corporation ("Supplier"), and Blue River Foods LLC, a Texas limited liability company ("Buyer").

1. Term. The initial term of this Agreement is three (3) years.

2. Payment. Buyer shall pay Supplier $12,500 per month, net thirty (30) days from invoice.

3. Governing Law. This Agreement shall be governed by the laws of the State of Texas.
"""
LEASE = ["OFFICE LEASE",
         "This Office Lease is made on March 1, 2024 between Harbor Properties LLC (\"Landlord\") "
         "and Northwind Traders Ltd. (\"Tenant\").",
         "1. Rent. Tenant shall pay Landlord $8,000 per month.",
         "2. Governing Law. This Lease is governed by the laws of the State of New York."]
_INET = re.compile(r'sa_family=AF_INET6?, .*?(?:inet_addr\("([^"]+)"\)|inet_pton\(AF_INET6, "([^"]+)")')


def _loud_skip(reason: str) -> None:
    """Skip with a loud reason on a developer's machine; in CI the proof must run, so fail
    (RELIABILITY case 29)."""
    message = f"NETWORK-NAMESPACE EGRESS TEST NOT RUN: {reason}"
    if IN_CI:
        pytest.fail(message)
    warnings.warn(message, stacklevel=2)
    print(f"\n!!! {message}", file=sys.stderr)
    pytest.skip(message)


def _namespace_command() -> list[str]:
    unshare = shutil.which("unshare")
    if unshare is None:
        _loud_skip("`unshare` (util-linux) is not installed")
    base = [unshare, "--net"] if os.geteuid() == 0 else [unshare, "--net", "--map-root-user"]
    probe = subprocess.run([*base, "sh", "-c", "ip link set lo up && ip -o link show"],
                           capture_output=True, text=True, timeout=30)
    if probe.returncode != 0:
        _loud_skip(f"namespaces are not permitted here ({' '.join(base)}: {probe.stderr.strip()})")
    links = [line.split(":")[1].strip() for line in probe.stdout.splitlines()]
    assert links == ["lo"], f"the namespace should hold only loopback, found {links}"
    return base


@pytest.fixture
def pg_socket_url():
    """A fresh schema in the `test` database, reached through the unix socket."""
    import psycopg

    schema = f"dp_netns_{uuid.uuid4().hex[:10]}"
    conninfo = f"host={PG_SOCKET} dbname=test user=root"
    try:
        with psycopg.connect(conninfo, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'CREATE SCHEMA "{schema}"')
    except psycopg.OperationalError as exc:
        if IN_CI:
            pytest.fail(f"PostgreSQL unreachable through {PG_SOCKET} in CI: {exc}")
        _loud_skip(f"PostgreSQL unreachable through {PG_SOCKET}: {exc}")
    yield f"postgresql+psycopg://root@/test?host={PG_SOCKET}&options=-csearch_path%3D{schema}"
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def _inputs(folder: Path) -> list[Path]:
    import docx

    folder.mkdir()
    text = folder / "supply-agreement.txt"
    text.write_text(CONTRACT, encoding="utf-8")
    document = docx.Document()
    for paragraph in LEASE:
        document.add_paragraph(paragraph)
    document.save(folder / "office-lease.docx")
    return [text, folder / "office-lease.docx"]


def _script(files: list[Path], out: Path, trace: Path | None) -> str:
    docpipe = shlex.quote(str(Path(sys.executable).parent / "docpipe"))
    traced = f"strace -f -qq -s 0 -e trace=connect,sendto,sendmsg -o {shlex.quote(str(trace))} " if trace else ""
    probe = ("import socket\n"
             "try:\n    socket.create_connection(('10.255.255.1', 9), timeout=3)\n"
             "except OSError as exc:\n    print('outside unreachable:', exc.errno)\n")
    return "\n".join([
        "set -e",
        "ip link set lo up",
        f"{shlex.quote(sys.executable)} -c {shlex.quote(probe)} > {shlex.quote(str(out / 'probe.txt'))}",
        f"{traced}{docpipe} ingest {' '.join(shlex.quote(str(f)) for f in files)}",
        f"{docpipe} show 1 --format json > {shlex.quote(str(out / 'show-1.json'))}",
        f"{docpipe} show 2 --format json > {shlex.quote(str(out / 'show-2.json'))}",
    ])


def _non_loopback(trace: Path) -> list[str]:
    found = []
    for line in trace.read_text(errors="replace").splitlines():
        for v4, v6 in _INET.findall(line):
            if not is_loopback(v4 or v6):
                found.append(line.strip())
    return found


def test_full_pipeline_in_a_loopback_only_network_namespace(tmp_path, pg_socket_url):
    namespace = _namespace_command()
    files = _inputs(tmp_path / "in")
    out = tmp_path / "out"
    out.mkdir()
    trace = out / "connect.trace" if shutil.which("strace") else None
    env = {**os.environ, "DOCPIPE_DATA_DIR": str(tmp_path / "data"), "DOCPIPE_DATABASE_URL": pg_socket_url}
    for leaky in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
        env.pop(leaky, None)
    run = subprocess.run([*namespace, "sh", "-c", _script(files, out, trace)], capture_output=True,
                         text=True, env=env, cwd=ROOT, timeout=1100)
    assert run.returncode == 0, f"stdout:\n{run.stdout[-3000:]}\nstderr:\n{run.stderr[-5000:]}"
    assert (out / "probe.txt").read_text().strip() == "outside unreachable: 101"  # ENETUNREACH
    views = {name: json.loads((out / name).read_text()) for name in ("show-1.json", "show-2.json")}
    by_name = {v["name"]: v for v in views.values()}
    assert set(by_name) == {"supply-agreement.txt", "office-lease.docx"}
    for view in by_name.values():
        assert view["status"] == "done", view["error"]
        assert view["kind"] == "contract" and view["findings"], view
    assert by_name["office-lease.docx"]["format"] == "docx"  # parsed by unstructured
    if trace is None:
        warnings.warn("strace not installed: attempted connections inside the namespace not checked", stacklevel=1)
        return
    assert trace.stat().st_size > 0, "strace recorded nothing: was the trace taken?"
    assert "AF_UNIX" in trace.read_text() and PG_SOCKET in trace.read_text()
    assert _non_loopback(trace) == [], "a process tried to reach the network:\n" + "\n".join(_non_loopback(trace))
