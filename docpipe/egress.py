"""Egress: the socket guard shared by the test suite and `docpipe doctor --egress`.

:class:`SocketGuard` patches the Python socket layer (``socket.socket.connect``,
``connect_ex``, ``sendto``, ``socket.create_connection``, ``getaddrinfo``,
``gethostbyname(_ex)``, ``gethostbyaddr``) so that any connect or name lookup that is not
loopback (127.0.0.0/8, ::1, 'localhost') is recorded and refused with :class:`EgressBlocked`.
Unix sockets pass. Refusing is not enough on its own: telemetry code swallows exceptions, so
every attempt is also recorded and the caller (a test, the self-test) fails on the record.

What it cannot see: native code that calls connect(2) itself (libpq, llama.cpp, pdfium) and
other processes (the parse sandbox child, Celery workers). The network-namespace test
(tests/integration/test_netns.py) covers those.
"""
from __future__ import annotations

import contextlib
import ipaddress
import os
import socket
import tempfile
import threading
import traceback
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from docpipe import offline

Check = tuple[str, bool, str]
LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"})
PROXY_VARS = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "FTP_PROXY", "NO_PROXY")
_PATCHED = {  # (owner, attribute) -> wrapper factory name
    (socket.socket, "connect"): "_wrap_connect",
    (socket.socket, "connect_ex"): "_wrap_connect",
    (socket.socket, "sendto"): "_wrap_sendto",
    (socket, "create_connection"): "_wrap_create_connection",
    (socket, "getaddrinfo"): "_wrap_lookup",
    (socket, "gethostbyname"): "_wrap_lookup",
    (socket, "gethostbyname_ex"): "_wrap_lookup",
    (socket, "gethostbyaddr"): "_wrap_lookup",
}


class EgressBlocked(OSError):
    """A connect or lookup to a non-loopback address, refused by the guard."""


class EgressLookupBlocked(EgressBlocked, socket.gaierror):
    """A refused name lookup; a gaierror, so callers treat it as 'cannot resolve'."""


@dataclass(frozen=True)
class Attempt:
    kind: str  # connect, lookup, sendto
    target: str
    where: str  # the caller's file:line

    def __str__(self) -> str:
        return f"{self.kind} {self.target} (from {self.where})"


# ---------------------------------------------------------------- address classes

def _ip(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        address = ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def is_loopback(host: str | bytes | None) -> bool:
    """127.0.0.0/8, ::1, 'localhost' (and *.localhost). '' and None mean this host."""
    if host is None:
        return True
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    host = host.strip().strip("[]").rstrip(".").lower()
    if host in ("", "0.0.0.0", "::") or host in LOOPBACK_NAMES or host.endswith(".localhost"):
        return True
    address = _ip(host)
    return address is not None and address.is_loopback


def is_private(host: str) -> bool:
    """Loopback, RFC 1918, link-local or IPv6 unique-local: an address inside the network."""
    if is_loopback(host):
        return True
    address = _ip(host.strip("[]"))
    return address is not None and (address.is_private or address.is_link_local) \
        and not address.is_global


# ---------------------------------------------------------------- the guard

class _Dispatcher:
    """The one set of patches; several guards (the pytest plugin, a self-test) can be
    active at once and each records every attempt."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.guards: list[SocketGuard] = []
        self.originals: dict[tuple[object, str], tuple[bool, object]] = {}

    def activate(self, guard: SocketGuard) -> None:
        with self.lock:
            if not self.guards:
                self._patch()
            self.guards.append(guard)

    def deactivate(self, guard: SocketGuard) -> None:
        with self.lock:
            if guard in self.guards:
                self.guards.remove(guard)
            if not self.guards:
                self._unpatch()

    def _patch(self) -> None:
        for (owner, name), factory in _PATCHED.items():
            own = name in vars(owner)
            original = getattr(owner, name)
            self.originals[(owner, name)] = (own, original)
            setattr(owner, name, getattr(self, factory)(original))

    def _unpatch(self) -> None:
        for (owner, name), (own, original) in self.originals.items():
            if own:
                setattr(owner, name, original)
            else:
                delattr(owner, name)
        self.originals.clear()

    def refuse(self, kind: str, target: str, error: type[EgressBlocked]) -> None:
        attempt = Attempt(kind, target, _caller())
        with self.lock:
            guards = list(self.guards)
        for guard in guards:
            guard.record(attempt)
        if any(not g.permissive for g in guards):
            raise error(f"docpipe egress guard: {attempt}: only loopback is allowed")

    # Wrappers keep the original's signature loosely: (*args, **kwargs).
    def _wrap_connect(self, original):
        def connect(sock, address, *args, **kwargs):
            _check_socket_address(self, "connect", sock.family, address)
            return original(sock, address, *args, **kwargs)
        return connect

    def _wrap_sendto(self, original):
        def sendto(sock, data, *args):
            address = args[-1] if args else None
            if address is not None:
                _check_socket_address(self, "sendto", sock.family, address)
            return original(sock, data, *args)
        return sendto

    def _wrap_create_connection(self, original):
        def create_connection(address, *args, **kwargs):
            _check_socket_address(self, "connect", socket.AF_INET, address)
            return original(address, *args, **kwargs)
        return create_connection

    def _wrap_lookup(self, original):
        def lookup(host, *args, **kwargs):
            name = host.decode("ascii", "replace") if isinstance(host, bytes) else host
            if name is not None and not is_loopback(name) and _ip(str(name)) is None:
                self.refuse("lookup", str(name), EgressLookupBlocked)
            elif original.__name__ == "gethostbyaddr" and not is_loopback(name):
                self.refuse("lookup", f"reverse {name}", EgressLookupBlocked)
            return original(host, *args, **kwargs)
        return lookup


def _check_socket_address(dispatcher: _Dispatcher, kind: str, family: int, address) -> None:
    if family not in (socket.AF_INET, socket.AF_INET6) or not isinstance(address, tuple):
        return  # unix, netlink, ...: not the network
    host, port = address[0], address[1] if len(address) > 1 else None
    if not is_loopback(host):
        dispatcher.refuse(kind, f"{host}:{port}", EgressBlocked)


def _caller() -> str:
    here = (__file__, socket.__file__)
    for frame in reversed(traceback.extract_stack(limit=12)[:-2]):
        if frame.filename not in here:
            return f"{frame.filename}:{frame.lineno}"
    return "?"


_DISPATCHER = _Dispatcher()


class SocketGuard:
    """Records (and, unless permissive, refuses) non-loopback connects and lookups while
    installed. Use as a context manager or install()/uninstall()."""

    def __init__(self) -> None:
        self.permissive = False
        self._attempts: list[Attempt] = []
        self._lock = threading.Lock()

    def install(self) -> SocketGuard:
        _DISPATCHER.activate(self)
        return self

    def uninstall(self) -> None:
        _DISPATCHER.deactivate(self)

    def __enter__(self) -> SocketGuard:
        return self.install()

    def __exit__(self, *exc) -> None:
        self.uninstall()

    def record(self, attempt: Attempt) -> None:
        with self._lock:
            self._attempts.append(attempt)

    def take(self) -> list[Attempt]:
        """The attempts recorded so far, clearing the record."""
        with self._lock:
            taken, self._attempts = self._attempts, []
        return taken

    @contextlib.contextmanager
    def allowing(self, allowed: bool = True) -> Iterator[None]:
        """Record without refusing (the allow_egress marker)."""
        before, self.permissive = self.permissive, allowed
        try:
            yield
        finally:
            self.permissive = before


def describe(attempts: list[Attempt]) -> str:
    lines = [f"  {a}" for a in attempts[:20]]
    more = f"\n  ... and {len(attempts) - 20} more" if len(attempts) > 20 else ""
    return "\n".join(lines) + more


# ---------------------------------------------------------------- the self-test

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
    if _ip(host.strip("[]")) is not None:
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
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return "database host", True, "SQLite file (no network)"
    host = parsed.host or parsed.query.get("host")
    host = host[0] if isinstance(host, tuple) else host
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
        from docpipe.pipeline import engine_for

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
    from docpipe.intake import take_in
    from docpipe.pipeline import analyse_document
    from docpipe.store.db import ensure_schema, session_scope
    from docpipe.store.repository import get_document

    local = settings.model_copy(update={"data_dir": tmp / "data", "database_url": None})
    ensure_schema(local.resolved_database_url, auto_upgrade=True)
    took = take_in(local, path, matter="egress-self-test")
    analyse_document(local, took.document_id)
    with session_scope(local.resolved_database_url) as s:
        doc = get_document(s, document_id=took.document_id)
        status, error = doc.status, doc.error_message
    if status != "done":
        raise RuntimeError(f"the pipeline run ended {status}: {error}")
    return "a full pipeline run with the configured model on a temporary SQLite database"
