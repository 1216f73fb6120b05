"""Fuzz the intake + parse entry point: the pre-parse guards, then the parser registry, on a
file written from the fuzzer's bytes (what the sandbox child runs, minus the child).

Input layout: the first byte picks the claimed extension (EXTENSIONS[byte % n]), the rest is
the file. Expected outcomes are a ParsedDocument or a docpipe InputError; anything else
(an uncaught exception, a hang past -timeout, memory past -rss_limit_mb, a non-loopback
connect or DNS lookup) is a finding. See fuzz/README.md.

DOCPIPE_FUZZ_COLLECT=1: do not stop at the first unexpected exception; print each new kind
(exception type and innermost frame) once and go on, for a census of what breaks.
"""
from __future__ import annotations

import os
import sys
import tempfile
import traceback
from pathlib import Path

EXTENSIONS = ("", ".pdf", ".docx", ".txt", ".html", ".eml", ".md", ".vtt", ".srt")
COLLECT = os.environ.get("DOCPIPE_FUZZ_COLLECT") == "1"
SEEN: set[tuple[str, str]] = set()
WORKDIR: Path
GUARD = errors = guards = registry = ParserContext = describe = None  # set by load()


def load() -> None:
    """Import the code under test with coverage instrumentation (pdfium is native and is
    not instrumented; its crashes still show)."""
    global WORKDIR, GUARD, errors, guards, registry, ParserContext, describe
    import logging

    import atheris

    logging.disable(logging.WARNING)  # pypdf warns on every damaged object

    with atheris.instrument_imports(include=["docpipe", "pypdf", "docx", "charset_normalizer"]):
        import docpipe  # noqa: F401  (offline environment before unstructured)
        from docpipe import errors
        from docpipe.diagnostics.guard import SocketGuard, describe
        from docpipe.parsers import guards, registry
        from docpipe.parsers.base import ParserContext
    WORKDIR = Path(tempfile.mkdtemp(prefix="docpipe-fuzz-"))
    GUARD = SocketGuard().install()


def split_input(data: bytes) -> tuple[str, bytes]:
    if not data:
        return "", b""
    return EXTENSIONS[data[0] % len(EXTENSIONS)], data[1:]


def parse(data: bytes) -> None:
    extension, body = split_input(data)
    path = WORKDIR / f"input{extension}"
    path.write_bytes(body)
    ctx = ParserContext(extension=extension, max_pages=200, max_chars=2_000_000)
    try:
        guards.check_file(path, ctx)
        registry.parse_file(path, ctx)
    except errors.InputError:
        pass  # the expected way for a bad file to end


def TestOneInput(data: bytes) -> None:  # noqa: N802 - atheris' name
    try:
        parse(data)
    except Exception as exc:
        if not COLLECT:
            raise
        frame = traceback.extract_tb(exc.__traceback__)[-1]
        kind = (type(exc).__name__, f"{frame.filename}:{frame.lineno}")
        if kind not in SEEN:
            SEEN.add(kind)
            print(f"\nFINDING {len(SEEN)}: {kind[0]} at {kind[1]}: {str(exc)[:200]}", flush=True)
    attempts = GUARD.take()
    if attempts:
        raise RuntimeError(f"network egress while parsing:\n{describe(attempts)}")


def main() -> None:
    import atheris

    load()
    atheris.Setup(sys.argv, TestOneInput)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
