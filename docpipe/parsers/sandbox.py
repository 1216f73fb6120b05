"""Parse untrusted files in a child process with CPU, memory and wall-clock limits
(RELIABILITY cases 15 and 16): a reference loop, a decompression bomb or a native crash in
pdfium, lxml or python-docx costs one child, never the worker.

Children come from a multiprocessing *forkserver* that has already imported the parsers
(pypdfium2, pypdf, unstructured's partitioners and a blank spaCy pipeline), so a child starts
in milliseconds instead of re-importing for seconds. Each child sets RLIMIT_CPU, RLIMIT_AS
and RLIMIT_CORE=0 (a crash leaves no core file with document text in it), runs
:func:`docpipe.parsers.guards.check_file` and then :func:`registry.parse_file`, and sends back
the ParsedDocument or the InputError (class, code, message, data).

Outcomes in the parent:
- the document, or the child's InputError re-raised with its code;
- the wall clock or RLIMIT_CPU (SIGXCPU) ran out -> InputError ``parse_timeout``;
- MemoryError in the child -> ``parse_memory``;
- the child died by a signal or exited without an answer -> ``parse_crashed``;
- any other exception inside a parser -> ``parse_failed`` (the file made a parser fail;
  the traceback is logged here and kept in the error's data).
"""
from __future__ import annotations

import io
import logging
import multiprocessing
import os
import signal
import threading
import time
import traceback
from multiprocessing import context, forkserver, popen_forkserver, process, reduction, spawn, util
from multiprocessing.connection import Connection
from pathlib import Path

from docpipe import errors
from docpipe.domain import ParsedDocument
from docpipe.parsers.base import ParserContext

log = logging.getLogger(__name__)

CPU_SECONDS = 60
MEMORY_MB = 2048
WALL_SECONDS = 120
_DEFAULT_TARGET = "docpipe.parsers.registry:parse_file"
_WARM_ENV = "_DOCPIPE_SANDBOX_WARM"  # set only while the forkserver starts
_PRELOAD = ["docpipe.parsers.sandbox"]
_start_lock = threading.Lock()
_started = False


def parse_in_child(path: Path, ctx: ParserContext, *, cpu_seconds: int = CPU_SECONDS,
                   memory_mb: int = MEMORY_MB, wall_seconds: int = WALL_SECONDS,
                   _target: str = _DEFAULT_TARGET) -> ParsedDocument:
    """Guard-check and parse ``path`` in a limited child process; see the module doc.
    ``memory_mb`` caps the child's whole address space (the preloaded parsers take about
    400 MB of it). ``_target`` ("module:function") is for tests only."""
    mp = _context()
    receiver, sender = mp.Pipe(duplex=False)
    limits = (cpu_seconds, memory_mb)
    child = _ParseProcess(target=_child_main, args=(sender, Path(path), ctx, limits, _target),
                       name="docpipe-parse", daemon=True)
    child.start()
    sender.close()
    try:
        answer = _wait(child, receiver, wall_seconds)
    finally:
        receiver.close()
        child.join(1)
        if child.exitcode is None:
            child.kill()
            child.join(5)
        if child.exitcode is not None:
            child.close()
    return _outcome(answer, path, limits, wall_seconds)


def start_sandbox() -> None:
    """Start (and warm) this process's forkserver now, so the first document does not wait
    for it (about 5-8 s on 2 busy cores); parse_in_child does it on first use anyway."""
    _context()


# ---------------------------------------------------------------- parent side

class _Popen(popen_forkserver.Popen):
    """multiprocessing's forkserver Popen, minus the main module: a stock child re-runs
    the parent's ``__main__`` script (so any unguarded script, benchmark or notebook would
    run again in every parse child); ours only unpickles its target. (CPython 3.11's
    ``_launch`` with the preparation data filtered.)"""

    def _launch(self, process_obj):
        prep_data = {k: v for k, v in spawn.get_preparation_data(process_obj._name).items()
                     if k not in ("init_main_from_path", "init_main_from_name")}
        # inside a Celery (billiard) pool child the authkey is billiard's own string type,
        # which refuses to be pickled by the stdlib: hand the child plain stdlib ones
        prep_data["authkey"] = bytes(prep_data["authkey"])
        process_obj._config["authkey"] = process.AuthenticationString(bytes(process_obj._config["authkey"]))
        buf = io.BytesIO()
        context.set_spawning_popen(self)
        try:
            reduction.dump(prep_data, buf)
            reduction.dump(process_obj, buf)
        finally:
            context.set_spawning_popen(None)
        self.sentinel, w = forkserver.connect_to_new_process(self._fds)
        _parent_w = os.dup(w)
        self.finalizer = util.Finalize(self, util.close_fds, (_parent_w, self.sentinel))
        with open(w, "wb", closefd=True) as f:
            f.write(buf.getbuffer())
        self.pid = forkserver.read_signed(self.sentinel)


class _ParseProcess(context.ForkServerProcess):
    @staticmethod
    def _Popen(process_obj):
        return _Popen(process_obj)


def _context():
    """The forkserver context, started once per process with the parsers preloaded."""
    global _started
    mp = multiprocessing.get_context("forkserver")
    with _start_lock:
        if not _started:
            mp.set_forkserver_preload(_PRELOAD)
            os.environ[_WARM_ENV] = "1"
            try:
                forkserver.ensure_running()
            finally:
                os.environ.pop(_WARM_ENV, None)
            _started = True
    return mp


def _forget_forkserver() -> None:
    """After os.fork() (a Celery prefork pool child, say): the inherited forkserver is not
    this process's child, and the stdlib's ensure_running() would fail on waitpid. Drop it;
    this process starts its own on first use. (The parent's keeps serving the parent.)"""
    global _started, _start_lock
    _started, _start_lock = False, threading.Lock()
    server = forkserver._forkserver
    if server._forkserver_pid is None:
        return
    if server._forkserver_alive_fd is not None:
        os.close(server._forkserver_alive_fd)
    server._forkserver_address = server._forkserver_alive_fd = server._forkserver_pid = None
    server._lock = threading.Lock()


os.register_at_fork(after_in_child=_forget_forkserver)


def _wait(child, receiver: Connection, wall_seconds: float) -> tuple:
    deadline = time.monotonic() + wall_seconds
    if not receiver.poll(wall_seconds):
        return ("timeout",)
    try:
        answer = receiver.recv()
    except (EOFError, OSError):
        child.join(max(0.1, min(5.0, deadline - time.monotonic())))
        return ("died", child.exitcode)
    return answer


def _outcome(answer: tuple, path: Path, limits: tuple[int, int], wall_seconds: int) -> ParsedDocument:
    cpu_seconds, memory_mb = limits
    status = answer[0]
    if status == "ok":
        return answer[1]
    if status == "input_error":
        return _raise_input_error(*answer[1:])
    if status == "timeout":
        raise errors.InputError(f"parsing took longer than {wall_seconds} s and was stopped",
                                code=errors.PARSE_TIMEOUT, limit_s=wall_seconds)
    if status == "memory":
        raise errors.InputError(f"parsing needed more than its {memory_mb} MB memory limit and "
                                "was stopped", code=errors.PARSE_MEMORY, limit_mb=memory_mb)
    if status == "exception":
        name, message, trace = answer[1:]
        # frames only: an exception's message may quote the document, and logs must not
        log.error("parser failed on stored file %s: %s at %s", path.name, name, trace)
        raise errors.InputError(f"the parser failed on this file: {name}: {message}",
                                code=errors.PARSE_FAILED, exception=name, frames=trace)
    exitcode = answer[1]
    if exitcode is not None and exitcode < 0 and -exitcode == signal.SIGXCPU:
        raise errors.InputError(f"parsing used more than {cpu_seconds} s of CPU and was stopped",
                                code=errors.PARSE_TIMEOUT, limit_cpu_s=cpu_seconds)
    raise errors.InputError(f"the parser crashed on this file ({_describe_exit(exitcode)}; "
                            f"memory limit {memory_mb} MB)", code=errors.PARSE_CRASHED, exitcode=exitcode)


def _describe_exit(exitcode: int | None) -> str:
    if exitcode is None:
        return "no exit status"
    if exitcode < 0:
        try:
            return f"killed by {signal.Signals(-exitcode).name}"
        except ValueError:
            return f"killed by signal {-exitcode}"
    return f"exit status {exitcode} without an answer"


def _raise_input_error(class_name: str, code: str, message: str, data: dict):
    cls = getattr(errors, class_name, None)
    if not (isinstance(cls, type) and issubclass(cls, errors.InputError)):
        cls = errors.InputError
    raise cls(message, code=code, **data)


# ---------------------------------------------------------------- child side

def _child_main(sender: Connection, path: Path, ctx: ParserContext, limits: tuple[int, int],
                target: str) -> None:
    try:
        _apply_limits(*limits)
        answer = _run(path, ctx, target)
    except MemoryError:
        answer = ("memory",)
    except Exception as exc:  # noqa: BLE001 - setting the limits failed: say so, do not crash
        answer = ("exception", type(exc).__name__, str(exc)[:300], _frames(exc))
    try:
        sender.send(answer)
    except MemoryError:
        sender.send(("memory",))
    except Exception as exc:  # noqa: BLE001 - an unpicklable result: say so, do not hang
        sender.send(("exception", type(exc).__name__, f"cannot send the result: {exc}"[:300], ""))
    finally:
        sender.close()


def _apply_limits(cpu_seconds: int, memory_mb: int) -> None:
    import resource

    def limit(which: int, soft: int, hard: int) -> None:
        _, current_hard = resource.getrlimit(which)  # a limit can only be lowered
        if current_hard != resource.RLIM_INFINITY:
            soft, hard = min(soft, current_hard), min(hard, current_hard)
        resource.setrlimit(which, (soft, hard))

    limit(resource.RLIMIT_CORE, 0, 0)  # no core file with document text in it
    limit(resource.RLIMIT_CPU, cpu_seconds, cpu_seconds + 5)  # SIGXCPU, then SIGKILL
    limit(resource.RLIMIT_AS, memory_mb << 20, memory_mb << 20)


def _run(path: Path, ctx: ParserContext, target: str) -> tuple:
    from docpipe.parsers.guards import check_file

    try:
        check_file(path, ctx)
        return ("ok", _resolve(target)(path, ctx))
    except errors.InputError as exc:
        return ("input_error", type(exc).__name__, exc.code, str(exc), _plain(exc.data))
    except MemoryError:
        return ("memory",)
    except RecursionError as exc:
        return ("exception", "RecursionError", "nesting too deep (a reference loop?)", _frames(exc))
    except Exception as exc:  # noqa: BLE001 - reported to the parent as parse_failed
        return ("exception", type(exc).__name__, str(exc)[:300], _frames(exc))


def _frames(exc: BaseException) -> str:
    """Where it failed, innermost last, without the message (which may quote the file)."""
    frames = traceback.extract_tb(exc.__traceback__)[-8:]
    return " <- ".join(f"{Path(f.filename).name}:{f.lineno} {f.name}" for f in reversed(frames))


def _resolve(target: str):
    import importlib

    module, _, name = target.partition(":")
    return getattr(importlib.import_module(module), name)


def _plain(data: dict) -> dict:
    """Error data that pickles and means the same in the parent (JSON values; str else)."""
    import json

    def plain(value):
        try:
            json.dumps(value)
            return value
        except (TypeError, ValueError):
            return str(value)

    return {key: plain(value) for key, value in data.items()}


def _warm() -> None:
    """In the forkserver only: import what every child would import, once."""
    import pypdf  # noqa: F401
    import pypdfium2  # noqa: F401

    from docpipe.parsers import guards, registry  # noqa: F401
    from docpipe.parsers.office import _blank_english_pipeline, offline_unstructured

    offline_unstructured()
    import unstructured.partition.docx  # noqa: F401
    import unstructured.partition.email  # noqa: F401
    import unstructured.partition.html  # noqa: F401
    import unstructured.partition.md  # noqa: F401

    _blank_english_pipeline()
    from langdetect.detector_factory import init_factory

    init_factory()  # unstructured detects languages per partition: 1-2 s to load profiles


if os.environ.pop(_WARM_ENV, None) == "1":  # imported as the forkserver's preload
    try:
        _warm()
    except Exception:  # noqa: BLE001 - a cold child is slower, not wrong
        log.exception("docpipe: parse sandbox warm-up failed; children import on demand")
