"""Users, their matters and their API keys. Only hashes are stored: the SHA-256 of an API
key, the argon2 hash of a password (computed by the service that receives it)."""
from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from docpipe.errors import USER_EXISTS, DocpipeError, NotFound
from docpipe.store.documents import _matter_row
from docpipe.store.models import ApiKey, Matter, Membership, User, utcnow
from docpipe.store.records import UserRecord, aware


def _user_row(session: Session, name: str) -> User:
    user = session.scalar(select(User).where(User.name == name))
    if user is None:
        raise NotFound(f"no user {name!r}")
    return user


def _record(session: Session, user: User) -> UserRecord:
    matters = session.scalars(select(Matter.name).join(Membership, Membership.matter_id == Matter.id)
                              .where(Membership.user_id == user.id).order_by(Matter.name)).all()
    return UserRecord(id=user.id, name=user.name, role=user.role, matters=tuple(matters),
                      has_password=user.password_hash is not None, revoked_at=aware(user.revoked_at),
                      created_at=aware(user.created_at))


def add_user(session: Session, *, name: str, role: str, matters: Collection[str],
             password_hash: str | None, key_hash: str, key_prefix: str) -> UserRecord:
    try:
        with session.begin_nested():
            user = User(name=name, role=role, password_hash=password_hash)
            session.add(user)
            session.flush()
    except IntegrityError:
        raise DocpipeError(f"a user named {name!r} already exists", code=USER_EXISTS) from None
    for matter in matters:
        session.add(Membership(user_id=user.id, matter_id=_matter_row(session, matter).id))
    session.add(ApiKey(user_id=user.id, key_hash=key_hash, prefix=key_prefix))
    session.flush()
    return _record(session, user)


def list_users(session: Session) -> list[UserRecord]:
    return [_record(session, u) for u in session.scalars(select(User).order_by(User.name)).all()]


def get_user(session: Session, *, name: str | None = None, user_id: int | None = None) -> UserRecord:
    user = _user_row(session, name) if name is not None else session.get(User, user_id)
    if user is None:
        raise NotFound(f"no user with id {user_id}")
    return _record(session, user)


def password_hash(session: Session, *, name: str) -> tuple[UserRecord, str | None] | None:
    """The user and their stored password hash, or None when there is no such user."""
    user = session.scalar(select(User).where(User.name == name))
    return (_record(session, user), user.password_hash) if user else None


def set_password(session: Session, *, name: str, password_hash: str | None) -> None:
    _user_row(session, name).password_hash = password_hash


def user_for_key(session: Session, *, key_hash: str) -> UserRecord | None:
    """The live user holding this key (None: no such key, the key or the user revoked)."""
    row = session.execute(select(User).join(ApiKey, ApiKey.user_id == User.id)
                          .where(ApiKey.key_hash == key_hash, ApiKey.revoked_at.is_(None),
                                 User.revoked_at.is_(None))).scalar()
    return _record(session, row) if row else None


def add_key(session: Session, *, name: str, key_hash: str, key_prefix: str) -> None:
    session.add(ApiKey(user_id=_user_row(session, name).id, key_hash=key_hash, prefix=key_prefix))


def revoke_user(session: Session, *, name: str) -> None:
    """The user can no longer sign in or use any key; their row stays for the record."""
    user = _user_row(session, name)
    now = utcnow()
    user.revoked_at = user.revoked_at or now
    for key in session.scalars(select(ApiKey).where(ApiKey.user_id == user.id, ApiKey.revoked_at.is_(None))):
        key.revoked_at = now


def grant(session: Session, *, name: str, matter: str) -> UserRecord:
    user = _user_row(session, name)
    matter_id = _matter_row(session, matter).id
    exists = session.scalar(select(Membership).where(Membership.user_id == user.id,
                                                     Membership.matter_id == matter_id))
    if exists is None:
        session.add(Membership(user_id=user.id, matter_id=matter_id))
        session.flush()
    return _record(session, user)


def revoke_matter(session: Session, *, name: str, matter: str) -> UserRecord:
    user = _user_row(session, name)
    for row in session.scalars(select(Membership).join(Matter, Matter.id == Membership.matter_id)
                               .where(Membership.user_id == user.id, Matter.name == matter)):
        session.delete(row)
    session.flush()
    return _record(session, user)


def matter_names(session: Session, *, matters: Collection[str] | None = None) -> list[str]:
    query = select(Matter.name).order_by(Matter.name)
    if matters is not None:
        query = query.where(Matter.name.in_(list(matters)))
    return list(session.scalars(query).all())
