"""The socket guard shared by the test suite and `docpipe doctor --egress`.

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
import socket
import threading
import traceback
from collections.abc import Iterator
from dataclasses import dataclass

LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"})
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

def parse_ip(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
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
    address = parse_ip(host)
    return address is not None and address.is_loopback


def is_private(host: str) -> bool:
    """Loopback, RFC 1918, link-local or IPv6 unique-local: an address inside the network."""
    if is_loopback(host):
        return True
    address = parse_ip(host.strip("[]"))
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
            if name is not None and not is_loopback(name) and parse_ip(str(name)) is None:
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
