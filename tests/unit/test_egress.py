"""Egress (RELIABILITY cases 29 and 30): the in-process socket guard really fails a test that
reaches out, leaves loopback and PostgreSQL alone, and unstructured's telemetry opt-outs are
in the environment at the moment unstructured is first imported, in every process."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import docpipe  # noqa: F401
from docpipe.diagnostics import egress, guard
from docpipe.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
IN_CI = os.environ.get("CI", "").lower() == "true"
OPT_OUTS = ("DO_NOT_TRACK", "SCARF_NO_ANALYTICS", "UNSTRUCTURED_DISABLE_NOTICE", "HF_HUB_OFFLINE")
pytestmark = pytest.mark.timeout(180)


# ---------------------------------------------------------------- address classes

@pytest.mark.parametrize("host, loopback, private", [
    ("127.0.0.1", True, True), ("127.8.9.10", True, True), ("::1", True, True),
    ("[::1]", True, True), ("::ffff:127.0.0.1", True, True), ("localhost", True, True),
    ("LOCALHOST.", True, True), ("db.localhost", True, True), ("", True, True),
    ("10.255.255.1", False, True), ("192.168.1.5", False, True), ("172.16.0.9", False, True),
    ("fd00::5", False, True), ("169.254.1.1", False, True),
    ("8.8.8.8", False, False), ("2001:4860:4860::8888", False, False),
    ("example.com", False, False), ("localhost.example.com", False, False),
])
def test_address_classes(host, loopback, private):
    assert guard.is_loopback(host) is loopback
    assert guard.is_private(host) is private


def test_guard_restores_the_socket_module_and_nests():
    before = {name: getattr(socket, name) for name in ("getaddrinfo", "create_connection")}
    outer_had = "connect" in vars(socket.socket)  # the suite's plugin may have patched it
    with guard.SocketGuard() as outer:
        with guard.SocketGuard() as inner:
            with pytest.raises(guard.EgressBlocked, match="10.255.255.1:9"):
                socket.create_connection(("10.255.255.1", 9), timeout=1)
        with pytest.raises(socket.gaierror, match="example.com"):
            socket.getaddrinfo("example.com", 443)
    assert [a.target for a in inner.take()] == ["10.255.255.1:9"]
    assert [a.target for a in outer.take()] == ["10.255.255.1:9", "example.com"]
    assert ("connect" in vars(socket.socket)) is outer_had
    _drain_suite_guard()
    if not outer_had:
        assert {name: getattr(socket, name) for name in before} == before


def _drain_suite_guard() -> None:
    """The attempts above were refused by the inner guards and are expected: take them off
    the record of the suite-wide plugin (when it is loaded) so it does not fail this test."""
    plugin = sys.modules.get("tests.egress_guard")
    if plugin is not None:
        plugin._GUARD.take()


# ---------------------------------------------------------------- the plugin fails tests

GENERATED_TESTS = '''
import socket, threading, urllib.request
import pytest

def test_connect_private_address():
    s = socket.socket(); s.settimeout(2)
    s.connect(("10.255.255.1", 9))

def test_dns_lookup():
    socket.getaddrinfo("example.com", 443)

def test_swallowed_by_telemetry_style_code():
    try:
        urllib.request.urlopen("http://example.com/ping", timeout=1)
    except Exception:
        pass

def test_udp_sendto():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.sendto(b"x", ("10.255.255.1", 53))

def test_connect_in_a_thread():
    def reach():
        try:
            socket.create_connection(("93.184.216.34", 80), timeout=1)
        except OSError:
            pass
    t = threading.Thread(target=reach); t.start(); t.join()

def test_loopback_unix_and_localhost_are_fine():
    server = socket.socket(); server.bind(("127.0.0.1", 0)); server.listen(1)
    port = server.getsockname()[1]
    socket.create_connection(("127.0.0.1", port), timeout=2).close()
    socket.create_connection(("localhost", port), timeout=2).close()
    assert socket.getaddrinfo("localhost", port)
    assert socket.gethostbyname("localhost").startswith("127.")
    a, b = socket.socketpair(); a.sendall(b"ok"); assert b.recv(2) == b"ok"

@pytest.mark.allow_egress
def test_marked_allow_egress():
    s = socket.socket(); s.settimeout(0.2)
    s.connect_ex(("10.255.255.1", 9))
'''


def test_plugin_fails_each_test_that_reaches_out(tmp_path):
    (tmp_path / "test_generated.py").write_text(GENERATED_TESTS)
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    report = tmp_path / "report.xml"
    out = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "tests.egress_guard", "-p", "no:cacheprovider",
         "-q", f"--junitxml={report}", "--rootdir", str(tmp_path), str(tmp_path / "test_generated.py")],
        capture_output=True, text=True, cwd=ROOT, timeout=150,
        env={**os.environ, "PYTHONPATH": str(ROOT)})
    outcomes = _junit_outcomes(report)
    assert out.returncode == 1, out.stdout + out.stderr
    for name, needle in [("test_connect_private_address", "connect 10.255.255.1:9"),
                         ("test_dns_lookup", "lookup example.com"),
                         ("test_swallowed_by_telemetry_style_code", "connect example.com:80"),
                         ("test_udp_sendto", "sendto 10.255.255.1:53"),
                         ("test_connect_in_a_thread", "connect 93.184.216.34:80")]:
        assert outcomes[name][0] == "failed", (name, outcomes[name])
        assert needle in outcomes[name][1], (name, outcomes[name][1])
        assert "only loopback" in outcomes[name][1] or "network egress" in outcomes[name][1]
    assert outcomes["test_loopback_unix_and_localhost_are_fine"][0] == "passed", outcomes
    assert outcomes["test_marked_allow_egress"][0] == "passed", outcomes


def _junit_outcomes(report: Path) -> dict[str, tuple[str, str]]:
    outcomes = {}
    for case in ET.parse(report).getroot().iter("testcase"):
        failure = case.find("failure")
        if failure is None:
            failure = case.find("error")
        if failure is None:
            outcomes[case.get("name")] = ("passed", "")
        else:
            outcomes[case.get("name")] = ("failed", (failure.get("message") or "") + (failure.text or ""))
    return outcomes


# ---------------------------------------------------------------- PostgreSQL is unaffected

def test_psycopg_over_tcp_localhost_and_unix_socket_under_the_guard():
    import psycopg

    with guard.SocketGuard() as watch:
        try:
            for conninfo in ("host=127.0.0.1 dbname=test user=root",
                             "host=localhost dbname=test user=root",
                             "host=/var/run/postgresql dbname=test user=root"):
                with psycopg.connect(conninfo, connect_timeout=5) as conn:
                    assert conn.execute("select 1").fetchone() == (1,)
        except psycopg.OperationalError as exc:
            if IN_CI:
                pytest.fail(f"PostgreSQL unreachable in CI: {exc}")
            pytest.skip(f"PostgreSQL unreachable: {exc}")
    assert watch.take() == []


# ---------------------------------------------------------------- the self-test

def test_self_test_reports_all_clear_on_this_host(tmp_path):
    settings = Settings(data_dir=tmp_path / "data", database_url=None)
    checks = {name: (ok, detail) for name, ok, detail in egress.self_test(settings, analyse=False)}
    assert set(checks) == {"offline env", "proxy env", "database host", "broker host",
                           "api clients", "egress run"}
    assert all(ok for ok, _ in checks.values()), checks
    assert "no non-loopback connect or lookup" in checks["egress run"][1]
    assert ".docx (unstructured)" in checks["egress run"][1] and "tokenizer" in checks["egress run"][1]


@pytest.mark.parametrize("url, ok", [
    ("postgresql+psycopg://root@127.0.0.1:5432/test", True),
    ("postgresql+psycopg://root@/test?host=/var/run/postgresql", True),
    ("postgresql+psycopg://u:secret@10.1.2.3/db", True),
    ("postgresql+psycopg://u:secret@8.8.8.8/db", False),
    ("sqlite:////tmp/x.sqlite3", True),
])
def test_database_host_check(url, ok):
    name, passed, detail = egress._database_check(url)
    assert passed is ok, detail
    assert "secret" not in detail


def test_public_broker_fails_and_private_passes():
    assert egress._broker_check("redis://8.8.8.8:6379/0")[1] is False
    assert egress._broker_check("redis://192.168.10.2:6379/0")[1] is True
    assert egress._broker_check(None)[1] is True


def test_self_test_reports_a_lookup_it_sees(tmp_path):
    """In a subprocess, so that the suite's own guard does not see the refused lookup."""
    code = textwrap.dedent("""
        import socket
        from docpipe.diagnostics import egress
        egress._exercise = lambda settings, tmp, analyse: socket.getaddrinfo("telemetry.example.com", 443)
        name, ok, detail = egress._run_under_guard(None, analyse=False)
        print(ok, detail)
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert out.stdout.startswith("False"), out.stdout + out.stderr
    assert "lookup telemetry.example.com" in out.stdout


# ---------------------------------------------------------------- case 30: opt-outs before import

IMPORT_HOOK = '''
import json, os, sys

class _FirstImport:
    done = False

    def find_spec(self, name, path=None, target=None):
        if not self.done and (name == "unstructured" or name.startswith("unstructured.")):
            self.done = True
            keys = %(keys)r
            with open(os.environ["DOCPIPE_TEST_IMPORT_LOG"], "a") as log:
                log.write(json.dumps({"pid": os.getpid(), "argv": sys.argv[:3],
                                      "env": {k: os.environ.get(k) for k in keys},
                                      "docpipe": "docpipe" in sys.modules}) + "\\n")
        return None

sys.meta_path.insert(0, _FirstImport())
'''

ENTRY = '''
import sys
%(entry)s
from docpipe.pipeline.engines import use_engines
from tests.conftest import FakeEngine  # the fast stand-in for llama.cpp

engine = FakeEngine()
use_engines(lambda settings, stage: engine).__enter__()  # for the rest of this process
%(run)s
'''

CLI_RUN = '''
import docpipe.cli
try:
    docpipe.cli.main(["ingest", *sys.argv[1:]])
except SystemExit as exc:
    assert not exc.code, f"docpipe ingest exited {exc.code}"
'''

WORKER_RUN = '''
from docpipe.pipeline.intake import take_in
from docpipe.pipeline.stages import analyse_document
from docpipe.settings import Settings
from docpipe.store import documents
from docpipe.store.db import ensure_schema, session_scope

settings = Settings()
ensure_schema(settings.resolved_database_url, auto_upgrade=True)
for name in sys.argv[1:]:
    took = take_in(settings, __import__("pathlib").Path(name), matter="default")
    analyse_document(settings, took.document_id)
    with session_scope(settings.resolved_database_url) as s:
        doc = documents.get_document(s, document_id=took.document_id)
        assert doc.status == "done", (doc.error_code, doc.error_message)
'''


@pytest.mark.parametrize("entry, run", [
    ("import docpipe.cli  # the `docpipe` console script's import", CLI_RUN),
    ("import docpipe.pipeline.stages  # what a worker imports", WORKER_RUN),
], ids=["cli", "worker"])
def test_telemetry_opt_outs_are_set_when_unstructured_is_first_imported(tmp_path, entry, run):
    import docx

    hook_dir = tmp_path / "hook"
    hook_dir.mkdir()
    (hook_dir / "sitecustomize.py").write_text(IMPORT_HOOK % {"keys": OPT_OUTS})
    document = docx.Document()
    document.add_paragraph("This Agreement is governed by the laws of the State of New York.")
    document.save(tmp_path / "contract.docx")
    (tmp_path / "contract.html").write_text("<html><body><p>This Agreement is made on May 1, 2020."
                                            "</p></body></html>")
    log = tmp_path / "imports.jsonl"
    env = {**os.environ, "PYTHONPATH": f"{hook_dir}{os.pathsep}{ROOT}",
           "DOCPIPE_TEST_IMPORT_LOG": str(log), "DOCPIPE_DATA_DIR": str(tmp_path / "data"),
           # a hostile environment: empty or '0' values would turn telemetry back on
           "DO_NOT_TRACK": "", "SCARF_NO_ANALYTICS": "", "UNSTRUCTURED_DISABLE_NOTICE": "0",
           "HF_HUB_OFFLINE": "0"}
    env.pop("DOCPIPE_DATABASE_URL", None)
    script = ENTRY % {"entry": entry, "run": run}
    out = subprocess.run([sys.executable, "-c", script, str(tmp_path / "contract.docx"),
                          str(tmp_path / "contract.html")],
                         capture_output=True, text=True, cwd=ROOT, env=env, timeout=170)
    assert out.returncode == 0, out.stderr[-3000:]
    records = [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
    assert records, "unstructured was never imported: the DOCX was not parsed by it?"
    for record in records:
        assert record["env"] == {"DO_NOT_TRACK": "1", "SCARF_NO_ANALYTICS": "true",
                                 "UNSTRUCTURED_DISABLE_NOTICE": "1", "HF_HUB_OFFLINE": "1"}, record
