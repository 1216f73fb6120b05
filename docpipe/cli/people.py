"""Users and matter membership: `docpipe user ...`, `docpipe matter ...`. The CLI on the
server host acts as the local operator (admin)."""
from __future__ import annotations

import click

from docpipe.cli.common import caller, say, settings
from docpipe.services import users
from docpipe.services.caller import Role


@click.group()
def user() -> None:
    """Users of the HTTP API and the web pages."""


@user.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--matter", "matters", multiple=True, help="a matter the user belongs to (repeatable)")
@click.option("--password", is_flag=True, help="also set a password for the web pages (asked for, twice)")
def user_add(name: str, role: str, matters: tuple[str, ...], password: bool) -> None:
    """Add a user; prints their new API key alone on stdout (it is shown only this once)."""
    secret = click.prompt("password", hide_input=True, confirmation_prompt=True, err=True) if password else None
    record, key = users.add_user(settings(), caller(), name, role=Role(role), matters=list(matters), password=secret)
    say(f"user {record.name} ({record.role}) added; matters: {', '.join(record.matters) or 'none'}")
    click.echo(key)


@user.command("list")
def user_list() -> None:
    """Users with their role, matters and whether they may sign in."""
    rows = users.list_users(settings(), caller())
    if not rows:
        click.echo("no users")
    for u in rows:
        state = "revoked" if u.revoked_at else ("password" if u.has_password else "key only")
        click.echo(f"{u.name:<24} {u.role:<9} {state:<9} {', '.join(u.matters) or '-'}")


@user.command("key")
@click.argument("name")
def user_key(name: str) -> None:
    """Issue another API key for NAME (printed alone on stdout, once)."""
    click.echo(users.new_key(settings(), caller(), name))


@user.command("password")
@click.argument("name")
def user_password(name: str) -> None:
    """Set NAME's password for the web pages (asked for, twice)."""
    secret = click.prompt("password", hide_input=True, confirmation_prompt=True, err=True)
    users.set_password(settings(), caller(), name, secret)
    say(f"password of {name} set")


@user.command("revoke")
@click.argument("name")
def user_revoke(name: str) -> None:
    """Revoke NAME: every key and session stops working at once; the record stays."""
    users.revoke_user(settings(), caller(), name)
    say(f"user {name} revoked")


@click.group()
def matter() -> None:
    """Matter membership: who sees which matter's documents."""


@matter.command("grant")
@click.argument("name")
@click.argument("matter_name")
def matter_grant(name: str, matter_name: str) -> None:
    """Let user NAME see MATTER_NAME."""
    record = users.grant(settings(), caller(), name, matter_name)
    click.echo(f"{record.name}: {', '.join(record.matters)}")


@matter.command("revoke")
@click.argument("name")
@click.argument("matter_name")
def matter_revoke(name: str, matter_name: str) -> None:
    """Take MATTER_NAME away from user NAME."""
    record = users.revoke_matter(settings(), caller(), name, matter_name)
    click.echo(f"{record.name}: {', '.join(record.matters) or 'no matters'}")


@matter.command("list")
def matter_list() -> None:
    """Every matter."""
    for name in users.matters(settings(), caller()):
        click.echo(name)


COMMANDS = (user, matter)
