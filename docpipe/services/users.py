"""Users, API keys, passwords and matter membership; and who a request is.

An API key is 32 random bytes shown once (``docpipe user add`` prints it); the store keeps
its SHA-256. Passwords are hashed with argon2. A revoked user keeps their row, and none of
their keys or sessions works again.
"""
from __future__ import annotations

import hashlib
import secrets
from contextlib import contextmanager

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from docpipe.domain import AuditAction
from docpipe.errors import BAD_REQUEST, InputError, NotFound, Unauthenticated
from docpipe.services import audit
from docpipe.services.caller import Action, Caller, Role, require
from docpipe.services.operations import ready
from docpipe.settings import Settings
from docpipe.store import users
from docpipe.store.db import session_scope
from docpipe.store.records import UserRecord

KEY_PREFIX = "dpk_"
_hasher = PasswordHasher()
# verified against when the user does not exist, so a wrong name costs what a wrong password does
_DUMMY_HASH = _hasher.hash("docpipe: no such user")


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _new_key() -> tuple[str, str, str]:
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    return key, key_hash(key), key[:12]


def _check_name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > 200 or any(ch.isspace() and ch != " " for ch in name):
        raise InputError("a user name is 1-200 characters, no tabs or newlines", code=BAD_REQUEST)
    return name


def _check_password(password: str) -> str:
    if len(password) < 12:
        raise InputError("a password has at least 12 characters", code=BAD_REQUEST)
    return password


@contextmanager
def _administer(settings: Settings, caller: Caller):
    """An admin's unit of work on users: the role checked, the database ready, one session."""
    require(caller, Action.ADMINISTER)
    ready(settings)
    with session_scope(settings.resolved_database_url) as s:
        yield s


def caller_of(user: UserRecord) -> Caller:
    """What a user may see and do. An admin sees every matter, like the local operator."""
    role = Role(user.role)
    return Caller(name=user.name, role=role, user_id=user.id,
                  matters=None if role == Role.ADMIN else frozenset(user.matters))


def add_user(settings: Settings, caller: Caller, name: str, *, role: Role, matters: list[str],
             password: str | None = None) -> tuple[UserRecord, str]:
    """A new user and their first API key; the key is returned once and never stored."""
    require(caller, Action.ADMINISTER)
    ready(settings)
    hashed = _hasher.hash(_check_password(password)) if password is not None else None
    key, digest, prefix = _new_key()
    with session_scope(settings.resolved_database_url) as s:
        user = users.add_user(s, name=_check_name(name), role=Role(role), matters=matters,
                              password_hash=hashed, key_hash=digest, key_prefix=prefix)
        audit.record(s, caller, AuditAction.USER_ADDED, user=user.name, role=user.role, matters=list(user.matters),
                     password=password is not None, key=prefix)
    return user, key


def new_key(settings: Settings, caller: Caller, name: str) -> str:
    key, digest, prefix = _new_key()
    with _administer(settings, caller) as s:
        users.add_key(s, name=name, key_hash=digest, key_prefix=prefix)
        audit.record(s, caller, AuditAction.KEY_CREATED, user=name, key=prefix)
    return key


def set_password(settings: Settings, caller: Caller, name: str, password: str) -> None:
    with _administer(settings, caller) as s:
        users.set_password(s, name=name, password_hash=_hasher.hash(_check_password(password)))
        audit.record(s, caller, AuditAction.PASSWORD_SET, user=name)


def list_users(settings: Settings, caller: Caller) -> list[UserRecord]:
    with _administer(settings, caller) as s:
        return users.list_users(s)


def revoke_user(settings: Settings, caller: Caller, name: str) -> None:
    with _administer(settings, caller) as s:
        users.revoke_user(s, name=name)
        audit.record(s, caller, AuditAction.USER_REVOKED, user=name)


def grant(settings: Settings, caller: Caller, name: str, matter: str) -> UserRecord:
    with _administer(settings, caller) as s:
        user = users.grant(s, name=name, matter=matter)
        audit.record(s, caller, AuditAction.MATTER_GRANTED, matter=matter, user=name)
        return user


def revoke_matter(settings: Settings, caller: Caller, name: str, matter: str) -> UserRecord:
    with _administer(settings, caller) as s:
        user = users.revoke_matter(s, name=name, matter=matter)
        audit.record(s, caller, AuditAction.MATTER_REVOKED, matter=matter, user=name)
        return user


def matters(settings: Settings, caller: Caller) -> list[str]:
    """The matters the caller belongs to (all of them for an admin) that exist."""
    require(caller, Action.READ)
    ready(settings)
    with session_scope(settings.resolved_database_url) as s:
        return users.matter_names(s, matters=caller.matters)


def by_key(settings: Settings, key: str) -> Caller:
    """The caller an API key belongs to; Unauthenticated for no key, a wrong one, a revoked one."""
    ready(settings)
    if not key or not key.startswith(KEY_PREFIX):
        raise Unauthenticated("no valid API key")
    with session_scope(settings.resolved_database_url) as s:
        user = users.user_for_key(s, key_hash=key_hash(key))
    if user is None:
        raise Unauthenticated("no valid API key")
    return caller_of(user)


def by_password(settings: Settings, name: str, password: str) -> Caller:
    """Sign in with a name and password; the same answer for a wrong name and a wrong password."""
    ready(settings)
    with session_scope(settings.resolved_database_url) as s:
        found = users.password_hash(s, name=name)
    user, hashed = found if found else (None, None)
    try:
        _hasher.verify(hashed or _DUMMY_HASH, password)
        ok = user is not None and hashed is not None and user.revoked_at is None
    except (VerificationError, InvalidHashError):
        ok = False
    with session_scope(settings.resolved_database_url) as s:
        audit.record(s, name[:200], AuditAction.SIGN_IN if ok else AuditAction.SIGN_IN_FAILED)
    if not ok:
        raise Unauthenticated("wrong name or password")
    return caller_of(user)


def by_id(settings: Settings, user_id: int) -> Caller:
    """The caller behind a signed session: the user as they are now (revoked: Unauthenticated)."""
    ready(settings)
    with session_scope(settings.resolved_database_url) as s:
        try:
            user = users.get_user(s, user_id=user_id)
        except NotFound:
            user = None
    if user is None or user.revoked_at is not None:
        raise Unauthenticated("the session has ended; sign in again")
    return caller_of(user)
