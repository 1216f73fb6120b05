"""Write a small seed corpus for fuzz_parse.py: one valid file of each format the registry
knows, prefixed with the byte that makes the harness claim its extension.

    .venv/bin/python fuzz/make_seeds.py /tmp/docpipe-fuzz-corpus
"""
from __future__ import annotations

import io
import sys
import zipfile
from email.message import EmailMessage
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fuzz_parse import EXTENSIONS  # noqa: E402

CONTRACT = ("SUPPLY AGREEMENT\n\nThis Agreement is made on May 2, 2022 between Acme Inc. and "
            "Beta LLC.\n\n1. Governing Law. The laws of the State of Texas govern it.\n")


def pdf() -> bytes:
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pageCompression=1)
    for line, text in enumerate(CONTRACT.splitlines()):
        page.drawString(72, 720 - 14 * line, text)
    page.showPage()
    page.save()
    return buffer.getvalue()


def docx() -> bytes:
    import docx as python_docx

    document = python_docx.Document()
    for paragraph in CONTRACT.split("\n\n"):
        document.add_paragraph(paragraph)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def eml() -> bytes:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "a@example.org", "b@example.org", "Lease"
    message.set_content(CONTRACT)
    return message.as_bytes()


def small_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


SEEDS = {
    "pdf": (".pdf", pdf), "docx": (".docx", docx), "zip": (".docx", small_zip),
    "txt": (".txt", lambda: CONTRACT.encode()),
    "cp1252": (".txt", lambda: "The caf\u00e9\u2019s fee is \u20ac5.\n".encode("cp1252")),
    "sjis": (".txt", lambda: "\u5951\u7d04\u306f\u4e09\u5e74\u9593\u3067\u3059\u3002\n".encode("shift_jis")),
    "html": (".html", lambda: b"<!doctype html><html><body><h1>Lease</h1><p>Rent is $5.</p></body></html>"),
    "eml": (".eml", eml),
    "md": (".md", lambda: b"# Lease\n\n**Rent** is $5. See [terms](https://example.org).\n\n## Term\n"),
    "vtt": (".vtt", lambda: b"WEBVTT\n\n00:00:01.000 --> 00:00:03.000\n<v Alice>Hello there.\n\n"
                            b"00:00:03.000 --> 00:00:05.000\n<v Bob>Hi Alice.\n"),
    "srt": (".srt", lambda: b"1\n00:00:01,000 --> 00:00:03,000\nALICE: Hello there.\n\n"
                            b"2\n00:00:03,000 --> 00:00:05,000\nBOB: Hi Alice.\n"),
    "speakers": (".txt", lambda: b"ALICE: We sign today.\nBOB: Agreed.\nALICE: Good.\nBOB: Done.\n"),
}


def main(target: Path) -> None:
    target.mkdir(parents=True, exist_ok=True)
    for name, (extension, build) in SEEDS.items():
        (target / name).write_bytes(bytes([EXTENSIONS.index(extension)]) + build())
    print(f"{len(SEEDS)} seeds in {target}")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "fuzz/corpus"))
