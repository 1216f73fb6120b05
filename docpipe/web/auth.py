"""Who is asking. Programs send ``Authorization: Bearer KEY``; people sign in with a name and
password and get a signed, HttpOnly, SameSite=Strict session cookie that carries their user
id, when it was issued and a CSRF token. Every request looks the user up again, so a revoked
user's session stops at once. Failed sign-ins are limited per name and per address."""
from __future__ import annotations

import os
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path

from fastapi import Request
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from docpipe.errors import CSRF_FAILED, RATE_LIMITED, AccessDenied, DocpipeError, Unauthenticated
from docpipe.services import users
from docpipe.services.caller import Caller
from docpipe.settings import Settings

SESSION_COOKIE = "docpipe_session"
WINDOW_SECONDS = 15 * 60


def session_secret(settings: Settings) -> str:
    """DOCPIPE_SESSION_SECRET, else a random key made once and kept in data_dir (mode 600)."""
    if settings.session_secret:
        return settings.session_secret
    path = Path(settings.data_dir) / "session.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


@dataclass(frozen=True)
class Session:
    user_id: int
    csrf: str


class Sessions:
    def __init__(self, settings: Settings):
        self._signer = URLSafeTimedSerializer(session_secret(settings), salt="docpipe-session")
        self.max_age = int(settings.session_hours * 3600)

    def issue(self, user_id: int) -> tuple[str, Session]:
        session = Session(user_id=user_id, csrf=secrets.token_urlsafe(24))
        return self._signer.dumps({"u": user_id, "c": session.csrf}), session

    def read(self, cookie: str | None) -> Session | None:
        if not cookie:
            return None
        try:
            data = self._signer.loads(cookie, max_age=self.max_age)
        except (SignatureExpired, BadSignature):
            return None
        if not isinstance(data, dict) or not isinstance(data.get("u"), int) or not isinstance(data.get("c"), str):
            return None
        return Session(user_id=data["u"], csrf=data["c"])


class SignInLimiter:
    """At most ``attempts`` failed sign-ins per name and per client address in 15 minutes."""

    def __init__(self, attempts: int):
        self.attempts = attempts
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        q = self._failures.setdefault(key, deque())
        while q and now - q[0] > WINDOW_SECONDS:
            q.popleft()
        return q

    def check(self, *keys: str) -> None:
        now = time.monotonic()
        with self._lock:
            if any(len(self._recent(k, now)) >= self.attempts for k in keys):
                raise DocpipeError("too many failed sign-in attempts; wait 15 minutes", code=RATE_LIMITED)

    def failed(self, *keys: str) -> None:
        now = time.monotonic()
        with self._lock:
            for k in keys:
                self._recent(k, now).append(now)


def bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def api_caller(request: Request) -> Caller:
    """The caller of an API request: a Bearer key, or (for the pages' own fetches) a session."""
    settings: Settings = request.app.state.settings
    key = bearer(request)
    if key is not None:
        return users.by_key(settings, key)
    session = request.app.state.sessions.read(request.cookies.get(SESSION_COOKIE))
    if session is None:
        raise Unauthenticated("send Authorization: Bearer <API key>, or sign in")
    if request.method not in ("GET", "HEAD") and not same_token(request.headers.get("x-csrf-token"), session.csrf):
        raise DocpipeError("a request from the pages needs its CSRF token", code=CSRF_FAILED)
    return users.by_id(settings, session.user_id)


def page_session(request: Request) -> tuple[Caller, Session] | None:
    """The signed-in person of a page request, or None (the page then asks them to sign in)."""
    session = request.app.state.sessions.read(request.cookies.get(SESSION_COOKIE))
    if session is None:
        return None
    try:
        return users.by_id(request.app.state.settings, session.user_id), session
    except Unauthenticated:
        return None


def same_token(given: str | None, expected: str) -> bool:
    """Constant-time comparison that also takes a missing or non-ASCII token (as bytes)."""
    return bool(given) and secrets.compare_digest(given.encode("utf-8", "replace"), expected.encode())


def check_csrf(session: Session, token: str | None) -> None:
    if not same_token(token, session.csrf):
        raise DocpipeError("the form's CSRF token is missing or wrong; reload the page", code=CSRF_FAILED)


_FORWARDED = ("forwarded", "x-forwarded-for", "x-real-ip")


def loopback(request: Request) -> bool:
    """A request from this host itself. One relayed by a reverse proxy on this host (it
    carries a forwarding header) is not: the proxy's address says nothing of who asked."""
    if any(name in request.headers for name in _FORWARDED):
        return False
    host = request.client.host if request.client else ""
    return host in ("127.0.0.1", "::1", "localhost")


def require_admin_or_loopback(request: Request) -> None:
    """/metrics: an admin's key, or a request from this host."""
    if bearer(request) is None and loopback(request):
        return
    caller = api_caller(request)
    if caller.role != "admin":
        raise AccessDenied("metrics are for admins")
