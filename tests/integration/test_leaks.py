"""RELIABILITY.md case 31: a canary string from a document never appears in Redis, in the
logs or in leftover temp files, yet it does reach the record (PostgreSQL), so the test cannot
pass by finding nothing anywhere. A plain-text contract and a PDF (canary in the body text and
in the title and subject) go through a real worker logging at DEBUG, with its own TMPDIR."""
from __future__ import annotations

import os
import signal
import textwrap
import time
import uuid
from pathlib import Path

import pytest
import redis
from sqlalchemy import select

from docpipe.store.db import session_scope
from docpipe.store.models import Document, FindingRecord, Page, Summary
from tests.integration.conftest import canary_forms, contract_text, redis_values

pytestmark = [pytest.mark.model, pytest.mark.timeout(1200)]


def _with_canary(text: str, canary: str) -> str:
    """The canary in the governing-law sentence (the one candidate, so always a finding and a
    brief source) and in a payment clause."""
    text = text.replace("laws of the State of Texas.", f"laws of the State of Texas (file {canary}).")
    return text + f"\nThe Buyer shall pay a monthly fee of $4,200 quoting reference {canary}.\n"


def _write_pdf(path: Path, text: str, title: str, subject: str) -> None:
    from reportlab.lib.pagesizes import letter
    from reportlab.pdfgen import canvas

    pdf = canvas.Canvas(str(path), pagesize=letter, pageCompression=0)  # a stray copy shows it
    pdf.setTitle(title)
    pdf.setSubject(subject)
    pdf.setFont("Helvetica", 9)  # 100 characters a line: each canary sentence on one line
    y = 740
    for line in (row for para in text.split("\n\n") for row in [*textwrap.wrap(para, 100), ""]):
        pdf.drawString(54, y, line)
        y -= 14
        if y < 60:
            pdf.showPage()
            pdf.setFont("Helvetica", 9)
            y = 740
    pdf.save()


def _files(root: Path, skip: tuple[Path, ...]) -> dict[str, bytes]:
    return {str(p): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and not p.is_symlink() and not any(p.is_relative_to(s) for s in skip)}


def _leaks(blobs: dict[str, bytes], canaries: dict[str, str]) -> list[str]:
    found = []
    for where, data in blobs.items():
        for name, canary in canaries.items():
            raw, *encoded = canary_forms(canary)
            if raw in data.lower() or any(form in data for form in encoded):
                found.append(f"{name} canary in {where}")
    return found


def test_canary_reaches_the_record_and_nowhere_else(fleet, tmp_path):
    canaries = {name: f"CANARY{name.upper()}{uuid.uuid4().hex[:10].upper()}"
                for name in ("txt", "pdf", "title", "subject")}
    folder, tmpdir = tmp_path / "in", tmp_path / "tmp"
    folder.mkdir()
    tmpdir.mkdir()
    (folder / "contract.txt").write_text(_with_canary(contract_text(21, sections=2), canaries["txt"]))
    pdf = folder / "contract.pdf"
    _write_pdf(pdf, _with_canary(contract_text(22, sections=2), canaries["pdf"]),
               title=f"Supply Agreement {canaries['title']}", subject=f"Confidential {canaries['subject']}")
    assert len(_leaks({"pdf": pdf.read_bytes()}, canaries)) == 3  # a stray copy of it would be caught

    worker = fleet.worker(loglevel="DEBUG", TMPDIR=str(tmpdir), DOCPIPE_BRIEF_POINTS="8")  # the law is in the brief
    out = fleet.cli("ingest", str(folder), TMPDIR=str(tmpdir))
    assert out.returncode == 0, out.stderr
    client = redis.Redis.from_url(fleet.settings.broker_url)
    leaks, keys, end = [], set(), time.monotonic() + 900
    while not (len(docs := fleet.docs()) == 2 and all(d.status in ("done", "failed") for d in docs)):
        assert time.monotonic() < end, fleet.logs()
        snapshot = redis_values(client)  # sampled throughout: messages only live while in flight
        keys |= set(snapshot)
        leaks += _leaks(snapshot, canaries)
        time.sleep(0.5)
    assert [d.status for d in fleet.docs()] == ["done", "done"], fleet.logs()

    with session_scope(fleet.settings.resolved_database_url) as s:  # the record carries it
        pages = "\n".join(s.scalars(select(Page.text)))
        quotes = "\n".join(s.scalars(select(FindingRecord.quote)))
        briefs = repr(list(s.scalars(select(Summary.brief))))
        meta = repr([d.meta for d in s.scalars(select(Document))])
    for name in ("txt", "pdf"):
        assert canaries[name] in pages and canaries[name] in quotes and canaries[name] in briefs, name
    assert canaries["title"] in meta and canaries["subject"] in meta

    skip = (folder, fleet.settings.objects_dir)  # the inputs and the content-addressed originals
    leaks += _leaks({**redis_values(client), **_files(tmp_path, skip)}, canaries)  # worker alive
    os.killpg(worker.pid, signal.SIGTERM)
    worker.wait(timeout=60)
    files = _files(tmp_path, skip)  # after a clean shutdown: logs flushed, leftovers stay
    files["ingest output"] = (out.stdout + out.stderr).encode()
    leaks += _leaks(files, canaries)
    log = next(text for name, text in files.items() if Path(name).name.startswith("worker-"))
    assert b"DEBUG" in log and b"succeeded" in log  # the scan read a real log at DEBUG
    assert any("_kombu.binding" in key for key in keys)  # and a real Redis db
    assert sorted(set(leaks)) == []
