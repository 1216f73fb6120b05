"""The parse sandbox: a child process per parse with CPU, memory and wall limits, and the
cheap pre-parse guards. Faults are injected through ``_target`` (a "module:function" the
child runs instead of the registry), defined at the bottom of this module."""
from __future__ import annotations

import io
import os
import subprocess
import sys
import textwrap
import threading
import zipfile
from pathlib import Path

import pytest

import docpipe  # noqa: F401  (offline environment first)
from docpipe import errors
from docpipe.domain import ParsedDocument, Span
from docpipe.parsers import guards
from docpipe.parsers.base import ParserContext
from docpipe.parsers.registry import parse_file
from docpipe.parsers.sandbox import parse_in_child
from tests.conftest import corpus_file

ROOT = Path(__file__).resolve().parents[2]
HERE = "tests.unit.test_sandbox"
pytestmark = pytest.mark.timeout(120)
CONTRACT = ("SUPPLY AGREEMENT\n\nThis Supply Agreement is made on May 2, 2022 between Acme Inc. "
            "and Beta LLC.\n\n1. Term. Three years.\n")


@pytest.fixture
def text_file(tmp_path) -> Path:
    path = tmp_path / "contract.txt"
    path.write_text(CONTRACT, encoding="utf-8")
    return path


def ctx_for(path: Path) -> ParserContext:
    return ParserContext(extension=path.suffix.lower())


def make_pdf(text: str) -> bytes:
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    pdf.drawString(72, 720, text)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


# ---------------------------------------------------------------- normal files

def test_child_parse_equals_in_process_parse(tmp_path, text_file):
    import docx

    pdf = tmp_path / "contract.pdf"
    pdf.write_bytes(make_pdf("The Supplier shall deliver the goods."))
    document = docx.Document()
    document.add_paragraph("The Buyer shall pay within thirty days.")
    document.save(tmp_path / "contract.docx")
    for path in (text_file, pdf, tmp_path / "contract.docx"):
        assert parse_in_child(path, ctx_for(path)) == parse_file(path, ctx_for(path))


def test_child_input_error_comes_back_with_its_class_code_and_data(tmp_path):
    named_pdf = tmp_path / "notes.pdf"
    named_pdf.write_text("plain text pretending to be a PDF\n")
    with pytest.raises(errors.ContentMismatch) as caught:
        parse_in_child(named_pdf, ctx_for(named_pdf))
    assert caught.value.code == "content_mismatch"
    assert caught.value.data["claimed"] == ".pdf"
    with pytest.raises(errors.InputError) as caught:
        parse_in_child(named_pdf, ctx_for(named_pdf), _target=f"{HERE}:raise_too_large")
    assert caught.value.code == "too_large" and caught.value.data == {"pages": 9001}


def test_child_runs_with_limits_and_offline_environment(text_file):
    parsed = parse_in_child(text_file, ctx_for(text_file), cpu_seconds=7, memory_mb=1500,
                            _target=f"{HERE}:report_process")
    info = parsed.metadata
    assert info["pid"] != os.getpid()
    assert info["cpu"] == [7, 12]
    assert info["as"] == [1500 * 2**20] * 2
    assert info["core"] == [0, 0]
    assert info["env"]["DO_NOT_TRACK"] == "1" and info["env"]["HF_HUB_OFFLINE"] == "1"
    assert "_DOCPIPE_SANDBOX_WARM" not in info["env"]


# ---------------------------------------------------------------- faults: the parent survives

@pytest.mark.parametrize("target, limits, code, words", [
    ("segfault", {}, "parse_crashed", "SIGSEGV"),
    ("exit_silently", {}, "parse_crashed", "exit status 3"),
    ("spin", {"cpu_seconds": 1}, "parse_timeout", "1 s of CPU"),
    ("sleep", {"wall_seconds": 1}, "parse_timeout", "longer than 1 s"),
    ("hog_memory", {"memory_mb": 1024}, "parse_memory", "1024 MB"),
    ("hog_native_memory", {"memory_mb": 1024}, "parse_memory", "1024 MB"),
    ("bug", {}, "parse_failed", "KeyError"),
    ("recurse", {}, "parse_failed", "RecursionError"),
])
def test_a_failing_child_becomes_an_input_error(text_file, target, limits, code, words):
    with pytest.raises(errors.InputError) as caught:
        parse_in_child(text_file, ctx_for(text_file), _target=f"{HERE}:{target}", **limits)
    assert caught.value.code == code, caught.value
    assert words in str(caught.value)
    # the parent is unharmed and the next parse works
    assert parse_in_child(text_file, ctx_for(text_file)).spans[0].text == "SUPPLY AGREEMENT"


def test_parses_run_side_by_side(text_file):
    results, failures = [], []

    def one(target):
        try:
            results.append(parse_in_child(text_file, ctx_for(text_file), _target=target, cpu_seconds=2))
        except errors.InputError as exc:
            failures.append(exc.code)

    threads = [threading.Thread(target=one, args=(t,)) for t in
               ("docpipe.parsers.registry:parse_file", f"{HERE}:spin", "docpipe.parsers.registry:parse_file")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert failures == ["parse_timeout"] and len(results) == 2


def test_an_unguarded_script_is_not_rerun_in_the_child(tmp_path, text_file):
    """Stock forkserver/spawn children re-run the parent's __main__ script; ours must not."""
    marker = tmp_path / "runs.log"
    script = tmp_path / "script.py"
    script.write_text(textwrap.dedent(f"""
        from pathlib import Path
        with open({str(marker)!r}, "a") as log:
            log.write("run\\n")
        from docpipe.parsers.base import ParserContext
        from docpipe.parsers.sandbox import parse_in_child
        doc = parse_in_child(Path({str(text_file)!r}), ParserContext(extension=".txt"))
        print(doc.spans[0].text)
    """))
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, cwd=ROOT,
                         timeout=110)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "SUPPLY AGREEMENT"
    assert marker.read_text() == "run\n"


def test_a_forked_process_starts_its_own_forkserver(text_file):
    """A Celery prefork child is forked from a parent that may have parsed already: the
    inherited forkserver is not its child, yet parsing must work there too."""
    code = textwrap.dedent(f"""
        import os
        from pathlib import Path
        from docpipe.parsers.base import ParserContext
        from docpipe.parsers.sandbox import parse_in_child
        path, ctx = Path({str(text_file)!r}), ParserContext(extension=".txt")
        print("parent", parse_in_child(path, ctx).spans[0].text, flush=True)
        pid = os.fork()
        if pid == 0:
            try:
                print("child", parse_in_child(path, ctx).spans[0].text, flush=True)
            finally:
                os._exit(0)
        os.waitpid(pid, 0)
        print("parent", parse_in_child(path, ctx).spans[0].text, flush=True)
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                         timeout=110)
    assert out.stdout.split("\n")[:3] == ["parent SUPPLY AGREEMENT", "child SUPPLY AGREEMENT",
                                          "parent SUPPLY AGREEMENT"], out.stdout + out.stderr


# ---------------------------------------------------------------- guards: no false alarms

def test_guards_pass_ordinary_files(tmp_path, text_file):
    import docx

    document = docx.Document()
    for n in range(200):
        document.add_paragraph(f"Clause {n}. The parties agree to the terms set out here. " * 5)
    document.save(tmp_path / "long.docx")
    pdf = tmp_path / "one.pdf"
    pdf.write_bytes(make_pdf("An ordinary page."))
    for path in (text_file, tmp_path / "long.docx", pdf):
        guards.check_file(path, ctx_for(path))


def test_guards_pass_every_corpus_contract():
    pdfs = sorted(p for p in corpus_file("contracts").iterdir() if p.suffix.lower() == ".pdf")
    assert pdfs
    for path in pdfs:
        guards.check_file(path, ParserContext(extension=".pdf"))


def test_zip_guard_limits(tmp_path):
    ratio = tmp_path / "ratio.docx"
    with zipfile.ZipFile(ratio, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"\0" * (8 << 20))  # 8 MiB of zeros: ~1000:1
    with pytest.raises(errors.InputError, match=r"expands [\d,]+:1") as caught:
        guards.check_file(ratio, ParserContext(extension=".docx"))
    assert caught.value.code == "zip_bomb"
    many = tmp_path / "many.docx"
    with zipfile.ZipFile(many, "w") as archive:
        for n in range(guards.ZIP_MAX_ENTRIES + 1):
            archive.writestr(f"word/media/{n}.bin", b"")
    with pytest.raises(errors.InputError, match="10001 entries") as caught:
        guards.check_file(many, ParserContext(extension=".docx"))
    assert caught.value.code == "zip_bomb"


# ---------------------------------------------------------------- targets run in the child

def raise_too_large(path, ctx):
    raise errors.InputError("too many pages", code="too_large", pages=9001)


def report_process(path, ctx):
    import resource

    info = {"pid": os.getpid(), "env": dict(os.environ),
            "cpu": list(resource.getrlimit(resource.RLIMIT_CPU)),
            "as": list(resource.getrlimit(resource.RLIMIT_AS)),
            "core": list(resource.getrlimit(resource.RLIMIT_CORE))}
    return ParsedDocument(format="text", spans=(Span("x"),), metadata=info)


def segfault(path, ctx):
    import ctypes

    ctypes.string_at(0)


def exit_silently(path, ctx):
    os._exit(3)


def spin(path, ctx):
    while True:
        pass


def sleep(path, ctx):
    import time

    time.sleep(60)


def hog_memory(path, ctx):
    hoard = [bytearray(64 << 20) for _ in range(64)]  # 4 GiB
    return hoard


def hog_native_memory(path, ctx):
    import numpy

    return numpy.ones(1 << 31)  # 16 GiB


def bug(path, ctx):
    return {}["missing"]


def recurse(path, ctx):
    return recurse(path, ctx)
