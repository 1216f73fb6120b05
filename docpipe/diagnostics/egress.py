"""`docpipe doctor --egress`: proof on this host that docpipe works offline.

The configured database and broker are only looked at (their host classified), never
connected to or written; the parsers, the tokenizer (and with ``--full`` the whole
pipeline) run in this process under the socket guard (``docpipe.diagnostics.guard``).
"""
from __future__ import annotations

import os
import socket
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

from docpipe import offline
from docpipe.diagnostics.guard import SocketGuard, describe, parse_ip, is_loopback, is_private
from docpipe.domain import DocumentStatus
from docpipe.store.db import database_host

Check = tuple[str, bool, str]
PROXY_VARS = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "FTP_PROXY", "NO_PROXY")


def _offline_check() -> Check:
    env = offline.report()
    wrong = [k for k, v in env.items() if v != offline.OFFLINE_ENV[k]]
    detail = ", ".join(f"{k}={v}" for k, v in env.items())
    return "offline env", not wrong, detail if not wrong else f"not set: {', '.join(wrong)}; {detail}"


def _proxy_check() -> Check:
    found = {k: v for k in PROXY_VARS for k2 in (k, k.lower()) if (v := os.environ.get(k2))}
    if not found:
        return "proxy env", True, "no proxy variables set"
    shown = ", ".join(f"{k}={_redact(v)}" for k, v in found.items())
    return "proxy env", True, f"WARNING: set (docpipe makes no HTTP calls; check why): {shown}"


def _redact(url: str) -> str:
    parts = urlsplit(url)
    return url.replace(f"{parts.username}:{parts.password}@", "***@") if parts.password else url


def host_is_internal(host: str | None) -> tuple[bool, str]:
    """(internal?, how we know). A name is resolved; every address must be private."""
    if not host or host.startswith("/"):
        return True, "unix socket" if host else "local"
    if is_private(host):
        return True, "private address" if not is_loopback(host) else "loopback"
    if parse_ip(host.strip("[]")) is not None:
        return False, "PUBLIC address"
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except OSError as exc:
        return False, f"cannot resolve: {exc}"
    public = sorted(a for a in addresses if not is_private(a))
    if public:
        return False, f"resolves to PUBLIC {', '.join(public)}"
    return True, f"resolves to {', '.join(sorted(addresses))} (private)"


def _database_check(url: str) -> Check:
    sqlite, host = database_host(url)
    if sqlite:
        return "database host", True, "SQLite file (no network)"
    ok, how = host_is_internal(host)
    return "database host", ok, f"{host or '(default socket)'}: {how}"


def _broker_check(url: str | None) -> Check:
    if not url:
        return "broker host", True, "no broker configured (inline execution)"
    host = urlsplit(url).hostname
    ok, how = host_is_internal(host)
    return "broker host", ok, f"{host or '(default)'}: {how}"


def _client_packages_check() -> Check:
    import importlib.util

    found = [name for name in ("llm", "openai") if importlib.util.find_spec(name) is not None]
    if not found:
        return "api clients", True, "'llm' and 'openai' are not installed"
    return "api clients", True, f"WARNING: installed, not needed: {', '.join(found)} (remove them)"


def self_test(settings, *, analyse: bool = False) -> list[Check]:
    """Everything `docpipe doctor --egress` reports, as (name, ok, detail) rows.

    The last check installs the socket guard and parses a tiny generated text contract and
    DOCX in this process (so unstructured, the known telemeter, runs under the guard), loads
    the configured model and counts tokens with its tokenizer. With ``analyse`` it also runs
    the text through the whole pipeline with that model on a throw-away SQLite database:
    minutes with SmolLM2 on a busy 2-core host, so it is opt-in (e.g. `--egress --full`).
    Then it reports any non-loopback connect or lookup it saw. The configured database and
    broker are only looked at (their host classified), never connected to or written."""
    broker = getattr(settings, "broker_url", None) or os.environ.get("DOCPIPE_BROKER_URL")
    checks = [_offline_check(), _proxy_check(), _database_check(settings.resolved_database_url),
              _broker_check(broker), _client_packages_check()]
    return [*checks, _run_under_guard(settings, analyse=analyse)]


_SAMPLE = ("SERVICES AGREEMENT\n\nThis Services Agreement is made on March 1, 2024 between "
           "Northwind Traders Ltd. (\"Client\") and Contoso Services LLC (\"Provider\").\n\n"
           "1. Fees. Client shall pay Provider $4,000 per month.\n\n"
           "2. Governing Law. This Agreement is governed by the laws of the State of New York.\n")


def _run_under_guard(settings, *, analyse: bool) -> Check:
    guard = SocketGuard()
    with tempfile.TemporaryDirectory(prefix="docpipe-egress-") as tmp, guard:
        try:
            did = _exercise(settings, Path(tmp), analyse=analyse)
        except Exception as exc:  # noqa: BLE001 - reported as a failed check, in one line
            attempts = guard.take()
            return "egress run", False, (f"{type(exc).__name__}: {exc}"
                                         + (f"; attempts:\n{describe(attempts)}" if attempts else ""))
    attempts = guard.take()
    if attempts:
        return "egress run", False, f"non-loopback network use during {did}:\n{describe(attempts)}"
    return "egress run", True, (f"no non-loopback connect or lookup during {did} "
                                "(in-process only: native code and subprocesses are not seen)")


def _exercise(settings, tmp: Path, *, analyse: bool) -> str:
    from docpipe.parsers.base import ParserContext
    from docpipe.parsers.registry import parse_file

    text, docx = tmp / "contract.txt", tmp / "contract.docx"
    text.write_text(_SAMPLE, encoding="utf-8")
    _write_docx(docx)
    for path in (text, docx):
        parse_file(path, ParserContext(extension=path.suffix))
    if not analyse:
        from docpipe.pipeline.engines import engine_for

        tokens = engine_for(settings, "map").tokenizer.count(_SAMPLE)
        return f"parse of a .txt and a .docx (unstructured), tokenizer ({tokens} tokens)"
    return "parse of a .txt and a .docx (unstructured), " + _analyse(settings, tmp, text)


def _write_docx(path: Path) -> None:
    import docx

    document = docx.Document()
    for paragraph in _SAMPLE.split("\n\n"):
        document.add_paragraph(paragraph.strip())
    document.save(str(path))


def _analyse(settings, tmp: Path, path: Path) -> str:
    from docpipe.pipeline.intake import take_in
    from docpipe.pipeline.stages import analyse_document
    from docpipe.store import documents
    from docpipe.store.db import ensure_schema, session_scope

    local = settings.model_copy(update={"data_dir": tmp / "data", "database_url": None})
    ensure_schema(local.resolved_database_url, auto_upgrade=True)
    took = take_in(local, path, matter="egress-self-test")
    analyse_document(local, took.document_id)
    with session_scope(local.resolved_database_url) as s:
        doc = documents.get_document(s, document_id=took.document_id)
        status, error = doc.status, doc.error_message
    if status != DocumentStatus.DONE:
        raise RuntimeError(f"the pipeline run ended {status}: {error}")
    return "a full pipeline run with the configured model on a temporary SQLite database"
