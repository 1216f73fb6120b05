"""pytest plugin: no test may reach the network (RELIABILITY case 29, in-process half).

Registered in tests/conftest.py with ``pytest_plugins = ["tests.egress_guard"]`` (or
``-p tests.egress_guard``). From configure to the end of the session the socket layer is
guarded by :class:`docpipe.diagnostics.guard.SocketGuard`: a connect, ``sendto`` or DNS lookup to
anything but loopback (127.0.0.0/8, ::1, 'localhost'; unix sockets are fine) is refused
with ``EgressBlocked`` *and* fails the test that made it, naming the address, even when the
code under test swallowed the exception (telemetry code does).

A test that must reach the network carries ``@pytest.mark.allow_egress`` (there should be
none): its attempts go through and are not held against it.

Not seen here: native code that calls connect(2) itself (libpq under psycopg, llama.cpp,
pdfium) and other processes (the parse sandbox child, subprocess CLI runs, Celery
workers). psycopg to 127.0.0.1 or a unix socket is therefore unaffected. The
network-namespace test (tests/integration/test_netns.py) is what proves those.
"""
from __future__ import annotations

import pytest

from docpipe.diagnostics.guard import SocketGuard, describe

_GUARD = SocketGuard()
_OUTSIDE_TESTS: list = []


def pytest_configure(config) -> None:
    config.addinivalue_line("markers", "allow_egress: this test may reach non-loopback "
                                       "addresses (the egress guard records but does not fail it)")
    _GUARD.install()
    config.add_cleanup(_GUARD.uninstall)


def _guarded_phase(item, phase: str):
    _OUTSIDE_TESTS.extend(_GUARD.take())  # collection, other plugins: reported at the end
    allowed = item.get_closest_marker("allow_egress") is not None
    with _GUARD.allowing(allowed):
        try:
            result = yield
        except BaseException:
            attempts = _GUARD.take()
            if attempts and not allowed:
                pytest.fail(_message(item, phase, attempts), pytrace=False)
            raise
    attempts = _GUARD.take()
    if attempts and not allowed:
        pytest.fail(_message(item, phase, attempts), pytrace=False)
    return result


def _message(item, phase: str, attempts) -> str:
    return (f"network egress during {phase} of {item.nodeid}: {len(attempts)} non-loopback "
            f"connect/lookup attempt(s):\n{describe(attempts)}\n"
            "(docpipe must not reach the network; mark with allow_egress only with a reason)")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item):
    return (yield from _guarded_phase(item, "setup"))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    return (yield from _guarded_phase(item, "call"))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    return (yield from _guarded_phase(item, "teardown"))


def pytest_sessionfinish(session, exitstatus) -> None:
    _OUTSIDE_TESTS.extend(_GUARD.take())
    if _OUTSIDE_TESTS:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter) -> None:
    if _OUTSIDE_TESTS:
        terminalreporter.section("network egress outside tests", sep="!", red=True)
        terminalreporter.line(f"{len(_OUTSIDE_TESTS)} non-loopback connect/lookup attempt(s) "
                              f"outside any test (collection, plugins):\n{describe(_OUTSIDE_TESTS)}")
