"""Egress, the out-of-process half (RELIABILITY case 29): the whole pipeline, end to end, in
a network namespace that has only loopback, with the real bundled model (SmolLM2) and the
real PostgreSQL reached through its unix socket.

`docpipe ingest` of a generated contract text and a DOCX (so unstructured runs), then
`docpipe show --format json`, all inside ``unshare --net``. What the in-process socket guard
cannot see (native code: libpq, llama.cpp, pdfium; child processes: the parse sandbox) is
covered here twice: nothing *can* leave (no route), and, where strace is available, every
connect/sendto of every process is recorded and none went to a non-loopback address (so
nothing even *tried*, which a namespace alone would hide).

The second test runs the FLEET inside such a namespace: a private PostgreSQL cluster (initdb
here, started inside with pg_ctl, as the ``postgres`` user when the tests run as root), a
Redis server and a ``docpipe worker`` process, all listening on or connecting to 127.0.0.1
of the namespace; ``docpipe ingest --wait`` queues one small contract through the broker,
the worker does the work, ``docpipe show --format json`` gives the result. strace follows
every process of the namespace (the servers included): the broker and the database were
reached over loopback and nothing tried any other address.

Where namespaces (or, for the fleet, the PostgreSQL server binaries, redis-server or
runuser) are not available, the tests are skipped with a loud reason (and a warning),
except under CI=true, where they fail.
"""
from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time
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


# --- the fleet in the namespace ----------------------------------------------------------

FLEET_ENV = {"DOCPIPE_N_CTX": "2048", "DOCPIPE_THREADS": "1", "DOCPIPE_BRIEF_POINTS": "3",
             "DOCPIPE_RECONCILE_GRACE": "5", "DOCPIPE_MAX_ATTEMPTS": "3"}  # as the `fleet` fixture


def _strace_prefix(trace: Path | None) -> str:
    """strace over every process of the namespace; with seccomp-bpf where it works, so that
    PostgreSQL and llama.cpp are stopped only on the traced calls, not on every syscall."""
    if trace is None:
        return ""
    base = "strace -f -qq -s 0 -e trace=connect,sendto,sendmsg"
    fast = subprocess.run(["strace", "-f", "--seccomp-bpf", "-qq", "-e", "trace=connect", "-o", "/dev/null", "true"],
                          capture_output=True, timeout=30).returncode == 0
    return f"{base} {'--seccomp-bpf ' if fast else ''}-o {shlex.quote(str(trace))} "


def _fleet_script(document: Path, out: Path, pg, redis_port: int, redis_dir: Path) -> str:
    """Inside the namespace: PostgreSQL, Redis and a worker up, the document ingested through
    the broker and followed until it ends, its view written out; everything stopped on exit."""
    q = shlex.quote
    docpipe = q(str(Path(sys.executable).parent / "docpipe"))
    pg_ctl = " ".join(q(a) for a in ["runuser", "-u", "postgres", "--", str(pg.bin / "pg_ctl"), "-D", str(pg.data)])
    pg_options = (f"-p {pg.port} -k {pg.folder} -c listen_addresses=127.0.0.1 -c fsync=off "
                  f"-c max_connections=50")
    redis_cli = f"redis-cli -h 127.0.0.1 -p {redis_port}"
    return "\n".join([
        "set -e",
        "cleanup() {",
        f"  if [ -f {q(str(out / 'worker.pid'))} ]; then kill -TERM $(cat {q(str(out / 'worker.pid'))}) 2>/dev/null || true; wait || true; fi",
        f"  {redis_cli} shutdown nosave >/dev/null 2>&1 || true",
        f"  {pg_ctl} -m fast -w -t 30 stop >/dev/null 2>&1 || true",
        "}",
        "trap cleanup EXIT",
        f"{pg_ctl} -l {q(str(pg.log))} -o {q(pg_options)} -w -t 60 start > /dev/null",
        f"head -1 {q(str(pg.data / 'postmaster.pid'))} > {q(str(out / 'postgres.pid'))}",
        f"redis-server --port {redis_port} --bind 127.0.0.1 --dir {q(str(redis_dir))} --appendonly yes "
        f"--save '' --maxmemory-policy noeviction --protected-mode no --daemonize yes "
        f"--pidfile {q(str(redis_dir / 'redis.pid'))} --logfile {q(str(redis_dir / 'redis.log'))}",
        f"for i in $(seq 100); do {redis_cli} ping >/dev/null 2>&1 && break; sleep 0.1; done",
        # migrate once, before the fleet starts (two processes auto-upgrading an empty
        # database at once race on CREATE TYPE/TABLE)
        f"{docpipe} db upgrade > /dev/null",
        f"{docpipe} worker --queues parse,llm --concurrency 1 > {q(str(out / 'worker.log'))} 2>&1 &",
        f"echo $! > {q(str(out / 'worker.pid'))}",
        f"timeout 150 {docpipe} ingest --wait {q(str(document))} 2> {q(str(out / 'ingest.err'))}",
        f"{docpipe} show 1 --format json > {q(str(out / 'show-1.json'))}",
    ])


def _stop_leftovers(out: Path, redis_dir: Path, pg) -> None:
    """From outside the namespace (same pid namespace): whatever the script left running."""
    for pidfile, sig in ((out / "worker.pid", signal.SIGKILL), (redis_dir / "redis.pid", signal.SIGKILL)):
        try:
            os.kill(int(pidfile.read_text().strip()), sig)
        except (OSError, ValueError):
            pass
    if pg is not None:
        pg.close()


def test_fleet_in_a_loopback_only_network_namespace(tmp_path):
    """RELIABILITY case 29, the fleet: broker, database and worker inside the namespace."""
    namespace = _namespace_command()
    if os.geteuid() != 0:  # under --map-root-user PostgreSQL would see uid 0 and refuse to start
        _loud_skip("the fleet in a namespace needs root (the cluster runs as `postgres` via runuser)")
    for tool in ("redis-server", "redis-cli", "runuser"):
        if shutil.which(tool) is None:
            _loud_skip(f"`{tool}` is not installed (needed for the fleet in the namespace)")
    from tests.services import PrivatePostgres, free_port

    try:
        pg = PrivatePostgres(max_connections=50)  # initdb only; started inside the namespace
    except (FileNotFoundError, RuntimeError) as exc:
        _loud_skip(f"no private PostgreSQL cluster: {exc}")
    out, redis_dir = tmp_path / "out", tmp_path / "redis"
    try:
        out.mkdir()
        redis_dir.mkdir()
        redis_port = free_port()
        document = tmp_path / "in" / "supply-agreement.txt"
        document.parent.mkdir()
        document.write_text(CONTRACT, encoding="utf-8")
        trace = out / "connect.trace" if shutil.which("strace") else None
        env = {**os.environ, **FLEET_ENV, "DOCPIPE_DATA_DIR": str(tmp_path / "data"),
               "DOCPIPE_DATABASE_URL": f"postgresql+psycopg://postgres@127.0.0.1:{pg.port}/postgres",
               "DOCPIPE_BROKER_URL": f"redis://127.0.0.1:{redis_port}/0"}
        for leaky in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy"):
            env.pop(leaky, None)
        probe = ("import socket\n"
                 "try:\n    socket.create_connection(('10.255.255.1', 9), timeout=3)\n"
                 "except OSError as exc:\n    print('outside unreachable:', exc.errno)\n")
        script = "\n".join([  # the probe's own attempt stays out of the trace
            "set -e", "ip link set lo up",
            f"{shlex.quote(sys.executable)} -c {shlex.quote(probe)} > {shlex.quote(str(out / 'probe.txt'))}",
            f"{_strace_prefix(trace)}sh -c {shlex.quote(_fleet_script(document, out, pg, redis_port, redis_dir))}"])
        command = [*namespace, "sh", "-c", script]
        started = time.monotonic()
        proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                                cwd=ROOT, start_new_session=True)
        try:
            stdout, stderr = proc.communicate(timeout=240)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            stdout, stderr = proc.communicate()
    finally:
        _stop_leftovers(out, redis_dir, pg)
    took = time.monotonic() - started
    print(f"fleet in the namespace: {took:.0f}s")

    def logs() -> str:
        files = ["ingest.err", "worker.log"]
        return "\n".join(f"--- {f}\n" + (out / f).read_text(errors="replace")[-4000:]
                         for f in files if (out / f).exists())

    assert proc.returncode == 0, f"rc {proc.returncode}\nstdout:\n{stdout[-2000:]}\nstderr:\n{stderr[-3000:]}\n{logs()}"
    assert (out / "probe.txt").read_text().strip() == "outside unreachable: 101"  # ENETUNREACH
    ingest = (out / "ingest.err").read_text()
    assert "queued" in ingest and "broker unreachable" not in ingest, ingest  # through the broker
    worker = (out / "worker.log").read_text()
    assert re.search(rf"Connected to redis://\S*127\.0\.0\.1:{redis_port}/0", worker), worker[-3000:]
    for task in ("docpipe.parse", "docpipe.map", "docpipe.reduce"):  # the worker did the work
        assert re.search(re.escape(task) + r"\[[0-9a-f-]+\] succeeded in", worker), (task, logs())
    view = json.loads((out / "show-1.json").read_text())
    assert view["name"] == "supply-agreement.txt"
    assert view["status"] == "done", (view["error"], logs())
    assert view["kind"] == "contract" and view["findings"], view
    if trace is None:
        warnings.warn("strace not installed: attempted connections inside the namespace not checked", stacklevel=1)
        return
    recorded = trace.read_text(errors="replace")
    assert recorded, "strace recorded nothing: was the trace taken?"
    for port, what in ((redis_port, "the broker"), (pg.port, "the database")):
        assert f"htons({port}), sin_addr=inet_addr(\"127.0.0.1\")" in recorded, f"no loopback connect to {what}"
    postmaster = (out / "postgres.pid").read_text().strip()
    assert re.search(rf"^{postmaster} ", recorded, re.M), "the PostgreSQL server was not traced"
    assert _non_loopback(trace) == [], "a process tried to reach the network:\n" + "\n".join(_non_loopback(trace))
