"""The command group, and the one place where an error that stops a command is printed
and turned into its exit code."""
from __future__ import annotations

import logging
import sys

import click

from docpipe.cli import admin, documents, fleet, governance, people, serve
from docpipe.errors import EXIT_ERROR, INTERNAL_ERROR, DocpipeError, exit_code

log = logging.getLogger("docpipe.cli")


class DocpipeGroup(click.Group):
    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except DocpipeError as exc:
            click.echo(f"error [{exc.code}]: {exc}", err=True)
            sys.exit(exit_code(exc.code))
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException, SystemExit):
            raise
        except Exception as exc:  # a bug: one line for the user, the traceback in the log
            log.debug("unexpected error", exc_info=True)
            click.echo(f"error [{INTERNAL_ERROR}]: {type(exc).__name__}: {exc}", err=True)
            sys.exit(EXIT_ERROR)


@click.group(cls=DocpipeGroup)
@click.version_option(package_name="docpipe")
def main() -> None:
    """Self-hosted analysis of contracts and transcripts: cited, verified, stored."""


for module in (documents, fleet, admin, people, governance, serve):
    for command in module.COMMANDS:
        main.add_command(command)
