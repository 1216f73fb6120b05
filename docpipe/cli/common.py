"""What every command group shares: its settings and caller, and how it talks."""
from __future__ import annotations

import click

from docpipe.services.caller import LOCAL_OPERATOR, Caller
from docpipe.settings import Settings, load_settings


def settings() -> Settings:
    """Settings from the environment; a bad value stops the command with exit 2."""
    return load_settings()


def caller() -> Caller:
    """The CLI on the server host acts as the local operator (every matter, admin)."""
    return LOCAL_OPERATOR


def say(message: str) -> None:
    """Progress and per-file outcomes go to stderr; results to stdout."""
    click.echo(message, err=True)
