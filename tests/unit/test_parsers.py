"""Parsers: the registry's choice by content, PDF, office formats and text decoding.

Every fixture is generated in code. Corpus tests read ../shared/corpus (or
$DOCPIPE_CORPUS_DIR) through tests.conftest.corpus_file: skipped when it is absent, failed in CI. Set DOCPIPE_REGENERATE_GOLDEN=1 to
print fresh golden fingerprints instead of comparing (CI never sets it).
"""
from __future__ import annotations

import email.policy
import hashlib
import io
import json
import os
import socket
from dataclasses import asdict
from email.message import EmailMessage
from pathlib import Path

import pytest

import docpipe  # noqa: F401  (sets the telemetry opt-outs before any third-party import)
from docpipe import errors
from docpipe.domain import DocumentKind
from docpipe.parsers.base import ParserContext
from docpipe.parsers.registry import choose_parser, parse_file

from tests.conftest import corpus_file  # noqa: E402  (the one place that finds the corpus)


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Parsing never reaches the network (unstructured's telemetry, spaCy model download)."""
    def refuse(*args, **kwargs):
        raise AssertionError(f"network access attempted: {args[1:] or kwargs}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def write(tmp_path: Path, name: str, data: bytes | str) -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def parse(path: Path):
    return parse_file(path, ParserContext(extension=path.suffix.lower()))


# ---- PDF fixtures ------------------------------------------------------------------------

def make_pdf(pages: list[str | None], title: str | None = None) -> bytes:
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    if title:
        pdf.setTitle(title)
    for text in pages:
        for i, line in enumerate((text or "").split("\n") if text else []):
            pdf.drawString(72, 780 - 14 * i, line)
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def rewrite_pdf(data: bytes, change) -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    change(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


THREE_PAGES = [f"Page {n} of the Supply Agreement.\nThe Supplier shall deliver the goods."
               for n in (1, 2, 3)]


def test_pdf_one_span_per_page_with_metadata(tmp_path):
    doc = parse(write(tmp_path, "supply.pdf", make_pdf(THREE_PAGES, title="Supply Agreement")))
    assert doc.format == "pdf" and doc.page_count == 3 and doc.kind_hint is None
    assert [s.page for s in doc.spans] == [1, 2, 3]
    assert doc.spans[1].text == "Page 2 of the Supply Agreement.\nThe Supplier shall deliver the goods."
    assert all(s.page_label is None for s in doc.spans)  # no /PageLabels in this PDF
    assert doc.metadata["title"] == "Supply Agreement"
    assert doc.metadata["encrypted"] is False


def test_pdf_page_labels_come_through(tmp_path):
    def label(writer):
        writer.set_page_label(0, 1, style="/r")
        writer.set_page_label(2, 3, style="/D", start=1)

    data = rewrite_pdf(make_pdf(["Cover", "Contents", "Recitals", "Terms"]), label)
    doc = parse(write(tmp_path, "labelled.pdf", data))
    assert [(s.page, s.page_label) for s in doc.spans] == [(1, "i"), (2, "ii"), (3, "1"), (4, "2")]


def test_pdf_without_text_layer_needs_ocr(tmp_path):
    with pytest.raises(errors.NeedsOcr, match="no text layer on any of 2 pages") as caught:
        parse(write(tmp_path, "scan.pdf", make_pdf([None, None])))
    assert caught.value.code == "needs_ocr"


def test_pdf_with_some_blank_pages_keeps_page_numbers(tmp_path):
    doc = parse(write(tmp_path, "mixed.pdf", make_pdf(["First page text", None, "Third page text"])))
    assert [(s.page, s.text) for s in doc.spans] == [(1, "First page text"), (2, ""), (3, "Third page text")]
    assert doc.metadata["pages_without_text"] == [2]


def test_pdf_with_user_password_needs_password(tmp_path):
    data = rewrite_pdf(make_pdf(THREE_PAGES), lambda w: w.encrypt(user_password="s3cret", owner_password="owner"))
    with pytest.raises(errors.NeedsPassword) as caught:
        parse(write(tmp_path, "locked.pdf", data))
    assert caught.value.code == "needs_password"


def test_pdf_with_owner_password_only_still_parses(tmp_path):
    data = rewrite_pdf(make_pdf(THREE_PAGES), lambda w: w.encrypt(user_password="", owner_password="owner"))
    doc = parse(write(tmp_path, "restricted.pdf", data))
    assert doc.page_count == 3 and doc.metadata["encrypted"] is True
    assert doc.spans[0].text.startswith("Page 1 of the Supply Agreement.")


def test_truncated_pdf_is_corrupt(tmp_path):
    data = make_pdf(THREE_PAGES)
    with pytest.raises(errors.CorruptFile, match="PDFium") as caught:
        parse(write(tmp_path, "cut.pdf", data[: len(data) // 2]))
    assert caught.value.code == "corrupt_file"


def test_pdf_text_normalisation():
    from docpipe.parsers.pdf import normalise_page_text

    raw = "Fees\u00a0\u00a0\u00a0\u00a0 due   \r\nnon\x02exclusive licence \r\n\r\n\r\n\r\nEnd"
    assert normalise_page_text(raw) == "Fees due\nnon-exclusive licence\n\nEnd"


def test_pdf_over_page_limit_is_refused(tmp_path):
    path = write(tmp_path, "long.pdf", make_pdf(THREE_PAGES))
    with pytest.raises(errors.InputError) as caught:
        parse_file(path, ParserContext(extension=".pdf", max_pages=2))
    assert caught.value.code == "too_large"


# ---- choosing by content -----------------------------------------------------------------

def test_zero_byte_file_is_empty(tmp_path):
    with pytest.raises(errors.EmptyFile, match="empty file: 0 bytes") as caught:
        parse(write(tmp_path, "nothing.pdf", b""))
    assert caught.value.code == "empty_file"


@pytest.mark.parametrize("name, data, looks_like", [
    ("notes.pdf", "These are plain notes, not a PDF.\n", "plain text"),
    ("page.pdf", "<!DOCTYPE html><html><body><p>Hello</p></body></html>", "HTML"),
    ("archive.pdf", b"PK\x03\x04" + b"\x00" * 60, "a ZIP archive"),
    ("letter.docx", "Dear Sir,\n\nThis is plain text.\n", "plain text"),
    ("contract.docx", make_pdf(["A PDF named .docx"]), "a PDF document"),
])
def test_content_that_contradicts_the_extension_is_a_mismatch(tmp_path, name, data, looks_like):
    claimed = Path(name).suffix
    with pytest.raises(errors.ContentMismatch, match=f"file claims \\{claimed} but its content is {looks_like}") as caught:
        parse(write(tmp_path, name, data))
    assert caught.value.code == "content_mismatch"


@pytest.mark.parametrize("name, data, looks_like", [
    ("image.png", b"\x89PNG\r\n\x1a\n" + bytes(range(256)), "a PNG image"),
    ("upload.bin", bytes(range(256)) * 8, "unrecognised binary data"),
    ("bundle.zip", b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + b"\x00" * 20 + b"data/x.csv", "a ZIP archive"),
    ("sheet.xlsx", b"PK\x03\x04\x14\x00" + b"\x00" * 24 + b"xl/workbook.xml", "an XLSX spreadsheet"),
])
def test_unknown_binary_is_unsupported(tmp_path, name, data, looks_like):
    with pytest.raises(errors.UnsupportedFormat, match=looks_like) as caught:
        parse(write(tmp_path, name, data))
    assert caught.value.code == "unsupported_format"


def test_zip_named_docx_without_word_document_is_a_mismatch(tmp_path):
    import zipfile

    path = tmp_path / "fake.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "not a word document")
    with pytest.raises(errors.ContentMismatch, match="without word/document.xml"):
        parse(path)


def test_binary_named_txt_is_undecodable_text(tmp_path):
    with pytest.raises(errors.InputError) as caught:
        parse(write(tmp_path, "notes.txt", bytes(range(256)) * 4))
    assert caught.value.code == "undecodable_text"


def test_a_pdf_is_a_pdf_whatever_its_name(tmp_path):
    doc = parse(write(tmp_path, "scan.txt", make_pdf(["Real PDF content"])))
    assert doc.format == "pdf" and doc.spans[0].text == "Real PDF content"


@pytest.mark.parametrize("extension, expected", [
    (".md", "markdown"), (".txt", "text"), ("", "text"), (".html", "text"),
])
def test_extension_only_breaks_ties_among_text_formats(extension, expected):
    head = b"Plain words in a first paragraph.\n\nAnd a second one.\n"
    assert choose_parser(head, ParserContext(extension=extension)).name == expected


def test_markdown_with_a_few_inline_tags_stays_markdown():
    head = b"# Terms<br>\n\nSee <b>clause 4</b> and [the schedule](schedule.md).\n"
    assert choose_parser(head, ParserContext(extension=".md")).name == "markdown"


def test_html_content_wins_over_a_txt_name():
    head = b"<!DOCTYPE html><html><body><p>Hi</p></body></html>"
    assert choose_parser(head, ParserContext(extension=".txt")).name == "html"


def test_contract_with_numbered_sections_is_not_a_transcript():
    head = "\n".join(["MASTER SUPPLY AGREEMENT", "Section 1: Definitions apply throughout.",
                      "The following terms have these meanings.", "Section 2: Term of two years.",
                      "Section 3: Fees are due monthly.", "Section 4: Notices go to the addresses below.",
                      "Section 5: Governing law is New York."]).encode()
    assert choose_parser(head, ParserContext(extension=".txt")).name == "text"


def test_document_without_text_is_no_text(tmp_path):
    with pytest.raises(errors.NoText) as caught:
        parse(write(tmp_path, "blank.txt", "\n\n   \n\n"))
    assert caught.value.code == "no_text"


# ---- office formats and text -------------------------------------------------------------

def make_docx(path: Path, *, rendered_page_break: bool = False) -> Path:
    import docx
    from docx.oxml import OxmlElement

    document = docx.Document()
    document.add_heading("Master Services Agreement", 0)
    document.add_paragraph("This Agreement is made between Acme Corp and Beta LLC.")
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "Annual fee", "$12,000"
    later = document.add_paragraph("The term is two years from the Effective Date.")
    if rendered_page_break:  # what Word saves where it laid out a new page
        later.runs[0]._r.insert(0, OxmlElement("w:lastRenderedPageBreak"))
    document.save(path)
    return path


def test_docx_one_span_per_element(tmp_path):
    doc = parse(make_docx(tmp_path / "msa.docx"))
    assert doc.format == "docx" and doc.page_count is None
    assert [s.text for s in doc.spans] == ["Master Services Agreement",
                                          "This Agreement is made between Acme Corp and Beta LLC.",
                                          "Annual fee $12,000", "The term is two years from the Effective Date."]
    assert all(s.page is None for s in doc.spans)


def test_docx_with_rendered_page_breaks_has_pages(tmp_path):
    doc = parse(make_docx(tmp_path / "msa.docx", rendered_page_break=True))
    assert doc.page_count == 2
    assert [s.page for s in doc.spans] == [1, 1, 1, 2]


@pytest.mark.parametrize("damage", ["bad_xml", "no_content_types"])
def test_damaged_docx_is_corrupt(tmp_path, damage):
    import zipfile

    with zipfile.ZipFile(make_docx(tmp_path / "good.docx")) as good:
        parts = {name: good.read(name) for name in good.namelist()}
    if damage == "bad_xml":
        parts["word/document.xml"] = b"<w:document><w:body><w:p>"
    else:
        del parts["[Content_Types].xml"]
    path = tmp_path / "damaged.docx"
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    with pytest.raises(errors.CorruptFile, match="the DOCX file cannot be read") as caught:
        parse(path)
    assert caught.value.code == "corrupt_file"


def test_html(tmp_path):
    html = ("<!DOCTYPE html><html><head><title>Notice</title><script>var x = 1;</script></head><body>"
            "<h1>Notice of Termination</h1><p>We terminate the agreement effective 1 May 2025.</p>"
            "<ul><li>Return all materials.</li><li>Pay outstanding fees.</li></ul></body></html>")
    doc = parse(write(tmp_path, "notice.html", html))
    assert doc.format == "html" and doc.page_count is None
    assert [s.text for s in doc.spans] == ["Notice of Termination", "We terminate the agreement effective 1 May 2025.",
                                          "Return all materials.", "Pay outstanding fees."]


@pytest.mark.parametrize("crlf", [False, True])
def test_email(tmp_path, crlf):
    message = EmailMessage()
    message["From"], message["To"] = "Alice Smith <alice@example.com>", "bob@example.com"
    message["Subject"], message["Date"] = "Renewal of the supply agreement", "Mon, 03 Mar 2025 10:00:00 +0000"
    message.set_content("Dear Bob,\n\nThe supply agreement renews on 1 June 2025 unless either party "
                        "gives notice.\n\nRegards,\nAlice\n")
    data = message.as_bytes(policy=email.policy.SMTP) if crlf else bytes(message)
    doc = parse(write(tmp_path, "renewal.eml", data))
    assert doc.format == "eml"
    assert "The supply agreement renews on 1 June 2025 unless either party gives notice." in [s.text for s in doc.spans]
    assert doc.metadata["subject"] == doc.metadata["title"] == "Renewal of the supply agreement"
    assert doc.metadata["from"] == "Alice Smith <alice@example.com>"
    assert doc.metadata["date"].startswith("2025-03-03")


def test_markdown(tmp_path):
    text = ("# Service Agreement\n\nThis **Agreement** is made between [Acme](https://acme.example) "
            "and Beta.\n\n## 1. Term\n\nThe term is *two* years.\n")
    doc = parse(write(tmp_path, "agreement.md", text))
    assert doc.format == "markdown" and doc.metadata["title"] == "Service Agreement"
    assert [s.text for s in doc.spans] == ["Service Agreement", "This Agreement is made between Acme and Beta.",
                                          "1. Term", "The term is two years."]


def test_plain_text_one_span_per_paragraph(tmp_path):
    doc = parse(write(tmp_path, "memo.txt", "First paragraph,\nwrapped.  \n\n\n  Second paragraph.\r\n\r\nThird."))
    assert doc.format == "text"
    assert [s.text for s in doc.spans] == ["First paragraph,\nwrapped.", "Second paragraph.", "Third."]


CP1252 = ("The Supplier’s “best efforts” obligation — fees of €1,000 per café visit; naïve "
          "reliance is excluded.\n\nThe Buyer’s rights … survive termination.\n")
SHIFT_JIS = ("本契約は、株式会社甲（以下「甲」という。）と株式会社乙（以下「乙」という。）との間で締結される。\n\n"
             "第１条（目的）甲は乙に対し、本製品の製造を委託し、乙はこれを受託する。\n")
LATIN_1 = ("Ceci est un contrat de fourniture entre la société Acme et la société Beta.\n\n"
           "Le prix est fixé à 1 000 euros. Les parties s'engagent à coopérer.\n")


@pytest.mark.parametrize("text, encoding", [(CP1252, "cp1252"), (SHIFT_JIS, "shift_jis"), (LATIN_1, "latin-1")])
def test_legacy_encodings_decode_right(tmp_path, text, encoding):
    doc = parse(write(tmp_path, "legacy.txt", text.encode(encoding)))
    assert [s.text for s in doc.spans] == [p.strip() for p in text.split("\n\n")]


def test_utf8_cut_inside_a_character_is_still_text():
    from docpipe.parsers.content import head_text

    data = ("é" * 40_000).encode("utf-8")[:65_535]  # the 64 KiB head ends mid-character
    assert head_text(data) == "é" * 32_767


def test_unstructured_is_kept_offline(tmp_path):
    from docpipe.parsers.office import offline_unstructured

    offline_unstructured()
    from unstructured.nlp import tokenize

    assert tokenize.sent_tokenize("One sentence here. And another one.") == ["One sentence here.", "And another one."]
    with pytest.raises(RuntimeError, match="refused"):
        tokenize._install_spacy_model()


# ---- the shared corpus -------------------------------------------------------------------

SONOS = "contracts/Sonos, Inc. - Manufacturing Agreement .PDF"
GOLDEN = {  # spans, characters, sha256 of the spans as JSON; DOCPIPE_REGENERATE_GOLDEN=1 prints new ones
    SONOS: "48 spans, 108627 chars, sha256 a934cb86b0374530",
    "transcripts/ES2008b.txt": "473 spans, 34330 chars, sha256 0f466c44070b3256",
    "transcripts/2021.21-328-t01.txt": "234 spans, 80353 chars, sha256 1c5a423773b8504f",
}


def fingerprint(doc) -> str:
    payload = json.dumps([asdict(s) for s in doc.spans], ensure_ascii=False, sort_keys=True)
    digest = hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]
    return f"{len(doc.spans)} spans, {sum(len(s.text) for s in doc.spans)} chars, sha256 {digest}"


def test_corpus_contract_pdf():
    doc = parse(corpus_file(SONOS))
    assert doc.format == "pdf" and doc.page_count == 48 and len(doc.spans) == 48
    assert "MANUFACTURING AGREEMENT" in doc.spans[0].text.upper()
    assert "\r" not in doc.text() and "\u00a0\u00a0" not in doc.text()


def test_corpus_meeting_transcript():
    doc = parse(corpus_file("transcripts", "ES2008b.txt"))
    assert doc.format == "transcript" and doc.kind_hint is DocumentKind.TRANSCRIPT
    assert doc.turn_count == len(doc.spans) == 473
    assert [s.turn for s in doc.spans] == list(range(473))
    assert doc.spans[0].speaker == "Project Manager" and doc.spans[1].speaker == "User Interface"
    assert doc.spans[1].text == "Yep ."
    assert set(doc.metadata["speakers"]) == {"Project Manager", "User Interface", "Industrial Designer", "Marketing"}


def test_corpus_oral_argument_header_is_not_a_turn():
    doc = parse(corpus_file("transcripts", "2021.21-328-t01.txt"))
    assert doc.format == "transcript" and doc.turn_count == 234
    assert doc.metadata["title"] == "Morgan v. Sundance, Inc. -- Oral Argument - March 21, 2022"
    assert doc.spans[0].speaker == "John G. Roberts, Jr."
    assert doc.spans[0].text.startswith("Justice Thomas is unable to be present today")
    assert all("Oral Argument - March 21" not in s.text for s in doc.spans)


@pytest.mark.parametrize("relative", sorted(GOLDEN))
def test_corpus_golden_fingerprints(relative):
    actual = fingerprint(parse(corpus_file(relative)))
    if os.environ.get("DOCPIPE_REGENERATE_GOLDEN") == "1":
        pytest.skip(f"regenerated: {relative!r}: {actual!r}")
    assert actual == GOLDEN[relative], f"parser output changed for {relative}; review, then regenerate"


def test_fuzz_finding_html_without_a_root_is_a_clear_error(tmp_path):
    """atheris found this input (fuzz/, 2026-11-23): unstructured raised AttributeError."""
    import base64

    from docpipe import errors as errs
    from docpipe.parsers.base import ParserContext
    from docpipe.parsers.registry import parse_file

    data = base64.b64decode("BDwhZG///2N0eXBlIGh0bWy+PGh0bWwub2N0eXBlbD4=")[1:]  # byte 0 picked .html
    path = tmp_path / "f.html"
    path.write_bytes(data)
    try:
        parse_file(path, ParserContext(extension=".html"))
    except errs.InputError as exc:
        assert exc.code in ("corrupt_file", "undecodable_text", "no_text")
