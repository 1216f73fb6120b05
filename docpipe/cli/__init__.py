"""The `docpipe` command: one module per command group (``documents``, ``fleet``,
``admin``), each calling the service layer only. Errors become one clear line and an exit
code here, and only here (``docpipe.errors.exit_code``)."""
from docpipe.cli.main import main

__all__ = ["main"]
