"""Hostile inputs (RELIABILITY cases 15-22, 25): every file is generated here; each ends,
within a time bound, in a clear error code and message from the parse sandbox, and where it
matters through the whole pipeline (fake model, SQLite) as a failed document with its reason
while the next document still runs."""
from __future__ import annotations

import functools
import io
import re
import struct
import time
import zipfile
import zlib
from pathlib import Path

import pytest

import docpipe  # noqa: F401
from docpipe import errors
from docpipe.pipeline.intake import display_name, iter_files, take_in
from docpipe.parsers.base import ParserContext
from docpipe.parsers.sandbox import parse_in_child
from docpipe.store.blobs import blob_path

pytestmark = pytest.mark.timeout(120)
FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"
CONTRACT = ("SUPPLY AGREEMENT\n\nThis Supply Agreement is made on May 2, 2022 between Acme Inc. "
            "(\"Supplier\") and Beta LLC (\"Buyer\").\n\n1. Governing Law. This Agreement is "
            "governed by the laws of the State of Texas.\n")


# ---------------------------------------------------------------- generators

def raw_pdf(objects: dict[int, bytes], *, trailer: bytes = b"", xref: bool = True) -> bytes:
    """A PDF written byte by byte, so that it can be as wrong as we like."""
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for num in sorted(objects):
        offsets[num] = out.tell()
        out.write(b"%d 0 obj\n%s\nendobj\n" % (num, objects[num]))
    start, size = out.tell(), max(objects) + 1
    if xref:
        out.write(b"xref\n0 %d\n0000000000 65535 f \n" % size)
        out.write(b"".join(b"%010d 00000 n \n" % offsets.get(n, 0) for n in range(1, size)))
    out.write(b"trailer\n<< /Size %d /Root 1 0 R %s>>\nstartxref\n%d\n%%%%EOF\n" % (size, trailer, start))
    return out.getvalue()


def flate(data: bytes, extra: bytes = b"", layers: int = 1) -> bytes:
    for _ in range(layers):
        data = zlib.compress(data, 9)
    names = b" ".join([b"/FlateDecode"] * layers)
    return b"<< /Length %d /Filter [%s] %s >>\nstream\n%s\nendstream" % (len(data), names, extra, data)


def one_page(text: bytes = b"Hello hostile world", *, media: bytes = b"[0 0 612 792]",
             content: bytes | None = None, layers: int = 1) -> dict[int, bytes]:
    content = content if content is not None else b"BT /F1 12 Tf 72 720 Td (%s) Tj ET" % text
    return {1: b"<< /Type /Catalog /Pages 2 0 R >>",
            2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            3: b"<< /Type /Page /Parent 2 0 R /MediaBox %s /Contents 4 0 R "
               b"/Resources << /Font << /F1 5 0 R >> >> >>" % media,
            4: flate(content, layers=layers), 5: FONT}


def reportlab_pdf(pages: list[str | None]) -> bytes:
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    for text in pages:
        if text:
            pdf.drawString(72, 720, text)
        else:
            pdf.rect(72, 72, 400, 600, fill=1)  # a "scan": marks, no text layer
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def docx_bytes(text: str = CONTRACT) -> bytes:
    import docx

    document = docx.Document()
    for paragraph in text.split("\n\n"):
        document.add_paragraph(paragraph.strip())
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def outcome(path: Path, **limits) -> str:
    """'ok' or 'code: message', from the sandbox, bounded in time."""
    started = time.monotonic()
    try:
        parse_in_child(path, ParserContext(extension=path.suffix.lower()), **limits)
        result = "ok"
    except errors.InputError as exc:
        result = f"{exc.code}: {exc}"
    assert time.monotonic() - started < 60, f"{path.name} took too long"
    return result


@pytest.fixture
def pipeline(sqlite_settings, fake_engine):
    """ingest(path, name=None) -> document view, through the whole pipeline (its parse stage
    in the sandbox) with the fake model."""
    from docpipe.pipeline.stages import analyse_document
    from docpipe.store.db import ensure_schema
    from tests.conftest import view_of

    ensure_schema(sqlite_settings.resolved_database_url, auto_upgrade=True)

    def ingest(path: Path, name: str | None = None) -> dict:
        took = take_in(sqlite_settings, path, matter="hostile", original_name=name)
        analyse_document(sqlite_settings, took.document_id)
        return view_of(sqlite_settings, took.document_id)

    ingest.settings = sqlite_settings
    return ingest


def assert_failed(view: dict, code: str) -> None:
    assert view["status"] == "failed", view
    assert view["error"]["code"] == code and view["error"]["message"], view["error"]


# ---------------------------------------------------------------- case 15: loops, broken xref

@functools.lru_cache(maxsize=1)
def _loops() -> dict[str, tuple[bytes, str]]:
    """name -> (bytes, expected outcome prefix). pdfium recovers what it can; what it cannot
    read is a corrupt_file; nothing hangs."""
    cases = {}
    objs = one_page()
    objs[2] = b"<< /Type /Pages /Kids [3 0 R 2 0 R] /Count 2 /Parent 2 0 R >>"
    cases["pages-kid-is-itself.pdf"] = (raw_pdf(objs), "corrupt_file: page 2 of the PDF cannot be read")
    objs = one_page()
    objs[1] = b"<< /Type /Catalog /Pages 2 0 R /Outlines 7 0 R >>"
    objs[7] = b"<< /Type /Outlines /First 8 0 R /Last 8 0 R /Count 2 >>"
    objs[8] = b"<< /Title (a) /Parent 7 0 R /Next 9 0 R /First 9 0 R >>"
    objs[9] = b"<< /Title (b) /Parent 8 0 R /Next 8 0 R /Prev 8 0 R /First 8 0 R >>"
    cases["outline-loop.pdf"] = (raw_pdf(objs), "ok")
    objs = one_page()
    objs[1] = b"<< /Type /Catalog /Pages 2 0 R /PageLabels 7 0 R >>"
    objs[7] = b"<< /Kids [7 0 R] >>"
    cases["page-labels-loop.pdf"] = (raw_pdf(objs), "ok")
    good = raw_pdf(one_page())
    startxref = int(good.rsplit(b"startxref\n", 1)[1].split(b"\n")[0])
    cases["xref-prev-loop.pdf"] = (raw_pdf(one_page(), trailer=b"/Prev %d " % startxref), "ok")
    cases["xref-wrong-offsets.pdf"] = (good.replace(b"0000000009 00000 n", b"0000099999 00000 n"), "ok")
    cases["no-xref.pdf"] = (raw_pdf(one_page(), xref=False), "ok")
    objs = one_page()
    objs[4] = b"<< /Length 4 0 R >>\nstream\nBT /F1 12 Tf 72 720 Td (Hello hostile world) Tj ET\nendstream"
    cases["length-refers-to-itself.pdf"] = (raw_pdf(objs), "ok")
    objs = one_page()
    objs[3] = objs[3].replace(b"/Contents 4 0 R", b"/Contents 6 0 R")
    objs[6] = b"6 0 R"
    cases["contents-refer-to-themselves.pdf"] = (raw_pdf(objs), "needs_ocr: no text layer")
    objs = one_page()
    objs[6] = b"[" * 200_000 + b"]" * 200_000
    cases["info-nested-200000-deep.pdf"] = (raw_pdf(objs, trailer=b"/Info 6 0 R "), "ok")
    return cases


@pytest.mark.parametrize("name", sorted(_loops()))
def test_case15_reference_loops_and_broken_xref_end_in_bounded_time(tmp_path, name):
    data, expected = _loops()[name]
    result = outcome(write(tmp_path, name, data), wall_seconds=30)
    assert result.startswith(expected), result


# ---------------------------------------------------------------- case 16: PDF bombs

def _image_bomb() -> bytes:
    objs = one_page(content=b"BT /F1 12 Tf 72 720 Td (bomb) Tj ET\nq 612 0 0 792 0 0 cm /Im1 Do Q")
    objs[3] = objs[3].replace(b"/F1 5 0 R >>", b"/F1 5 0 R >> /XObject << /Im1 6 0 R >>")
    objs[6] = flate(b"\xff" * 1000, b"/Type /XObject /Subtype /Image /Width 100000 /Height 100000 "
                                     b"/ColorSpace /DeviceGray /BitsPerComponent 8")
    return raw_pdf(objs)


_BOMB_TEXT = b"BT /F1 12 Tf 72 720 Td (bomb) Tj ET\n"
PDF_BOMBS = {  # name -> (builder, what the message says)
    "flate-300MB-of-spaces.pdf": (lambda: raw_pdf(one_page(content=_BOMB_TEXT + b" " * (300 << 20))),
                                  r"a stream at byte [\d,]+ inflates to over [\d,]+ bytes .*1 Flate"),
    "nested-flate-600MB.pdf": (lambda: raw_pdf(one_page(content=_BOMB_TEXT + b" " * (600 << 20), layers=2)),
                               r"from 1,\d\d\d \(2 Flate layer"),
    "page-14401-points.pdf": (lambda: raw_pdf(one_page(media=b"[0 0 14401 600]")),
                              r"page 1 is 14,401 x 600 points \(limit 14,400\)"),
    "image-100000x100000.pdf": (_image_bomb, r"an image of 100,000 x 100,000 pixels"),
}


@functools.lru_cache(maxsize=None)
def pdf_bomb(name: str) -> bytes:
    return PDF_BOMBS[name][0]()


@pytest.mark.parametrize("name", sorted(PDF_BOMBS))
def test_case16_pdf_bombs_are_rejected_before_parsing(tmp_path, name):
    data = pdf_bomb(name)
    assert len(data) < 2_000_000
    result = outcome(write(tmp_path, name, data))
    assert result.startswith("pdf_bomb: rejected as a PDF bomb: "), result
    assert re.search(PDF_BOMBS[name][1], result), result


def test_case16_too_many_pages_is_refused(tmp_path):
    path = write(tmp_path, "pages.pdf", reportlab_pdf([f"Page {n}" for n in range(12)]))
    with pytest.raises(errors.InputError, match="the PDF has 12 pages; the limit is 10") as caught:
        parse_in_child(path, ParserContext(extension=".pdf", max_pages=10))
    assert caught.value.code == "too_large"


def test_case16_a_bomb_the_guard_cannot_see_is_bounded_by_the_memory_limit(tmp_path):
    """Encrypted streams cannot be inflated by the guard; pdfium then meets the 1.2 GB
    bomb under a 700 MB address-space limit and the child dies, not the worker."""
    from pypdf import PdfReader, PdfWriter

    bomb = write(tmp_path, "bomb.pdf", pdf_bomb("nested-flate-600MB.pdf"))
    writer = PdfWriter(clone_from=PdfReader(bomb))
    writer.encrypt(user_password="", owner_password="owner", algorithm="AES-128")
    hidden = tmp_path / "encrypted-bomb.pdf"
    with hidden.open("wb") as handle:
        writer.write(handle)
    result = outcome(hidden, memory_mb=700)
    assert result.split(":")[0] in ("parse_crashed", "parse_memory"), result


def test_case16_pdf_bomb_fails_the_document_and_the_next_one_runs(tmp_path, pipeline):
    bomb = write(tmp_path, "bomb.pdf", pdf_bomb("nested-flate-600MB.pdf"))
    assert_failed(pipeline(bomb), "pdf_bomb")
    assert pipeline(write(tmp_path, "good.txt", CONTRACT.encode()))["status"] == "done"


# ---------------------------------------------------------------- case 17: ZIP / DOCX bombs

@pytest.fixture(scope="module")
def gigabyte_docx(tmp_path_factory) -> Path:
    """A DOCX whose word/document.xml is 1 GiB of zeros (about 1 MB compressed)."""
    path = tmp_path_factory.mktemp("bomb") / "gigabyte.docx"
    real = zipfile.ZipFile(io.BytesIO(docx_bytes()))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for info in real.infolist():
            if info.filename != "word/document.xml":
                archive.writestr(info.filename, real.read(info))
        with archive.open("word/document.xml", "w", force_zip64=True) as entry:
            block = bytes(1 << 20)
            for _ in range(1024):
                entry.write(block)
    return path


def overlapping_zip(copies: int = 200) -> bytes:
    """One 100 KB stored entry, listed ``copies`` times in the central directory."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("word/document.xml", bytes(range(256)) * 400)
    data = buffer.getvalue()
    cd_offset = struct.unpack("<I", data[-6:-2])[0]
    record = data[cd_offset:-22]
    name = b"word/document.xml"
    records = b"".join(record.replace(name, b"word/doc%05d.xml" % n) for n in range(copies))
    eocd = struct.pack("<4s4H2IH", b"PK\x05\x06", 0, 0, copies, copies, len(records), cd_offset, 0)
    return data[:cd_offset] + records + eocd


def test_case17_gigabyte_entry_is_rejected_before_parsing(gigabyte_docx):
    assert gigabyte_docx.stat().st_size < 8 << 20
    result = outcome(gigabyte_docx)
    assert result == ("zip_bomb: rejected as a ZIP bomb: entry 'word/document.xml' declares "
                      "1,073,741,824 bytes uncompressed (limit 536,870,912)"), result


@pytest.mark.parametrize("name, build, message", [
    ("ratio.docx", lambda: _zip({"word/document.xml": b"<w/>" + bytes(50 << 20)}),
     r"entry 'word/document.xml' expands [\d,]+:1 \([\d,]+ -> 52,428,804 bytes; limit 100:1\)"),
    ("entries.docx", lambda: _zip({f"word/media/{n}.png": b"" for n in range(10_001)}),
     r"10001 entries \(limit 10000\)"),
    ("overlap.docx", overlapping_zip, r"entries overlap: [\d,]+ compressed bytes in a [\d,]+-byte file"),
])
def test_case17_zip_bombs(tmp_path, name, build, message):
    result = outcome(write(tmp_path, name, build()))
    assert result.startswith("zip_bomb: rejected as a ZIP bomb: ") and re.search(message, result), result


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_case17_zip_bomb_fails_the_document_and_the_next_one_runs(tmp_path, pipeline, gigabyte_docx):
    assert_failed(pipeline(gigabyte_docx), "zip_bomb")
    assert pipeline(write(tmp_path, "good.docx", docx_bytes()))["status"] == "done"


# ---------------------------------------------------------------- case 18: encryption

def encrypted(user: str, owner: str) -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(reportlab_pdf(["Confidential term sheet."]))))
    writer.encrypt(user_password=user, owner_password=owner, algorithm="AES-256")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def test_case18_user_password_needs_password_owner_only_is_processed(tmp_path, pipeline):
    locked = write(tmp_path, "locked.pdf", encrypted("open-sesame", "owner"))
    owner_only = write(tmp_path, "owner-only.pdf", encrypted("", "owner"))
    assert outcome(locked).startswith("needs_password: the PDF is encrypted with a user password")
    parsed = parse_in_child(owner_only, ParserContext(extension=".pdf"))
    assert parsed.spans[0].text == "Confidential term sheet." and parsed.metadata["encrypted"] is True
    assert_failed(pipeline(locked), "needs_password")
    assert pipeline(owner_only)["status"] == "done"


# ---------------------------------------------------------------- case 19: scans

def test_case19_scan_without_text_layer_needs_ocr_never_an_empty_summary(tmp_path, pipeline):
    scan = write(tmp_path, "scan.pdf", reportlab_pdf([None, None, None]))
    assert outcome(scan) == "needs_ocr: no text layer on any of 3 pages; OCR is not enabled"
    view = pipeline(scan)
    assert_failed(view, "needs_ocr")
    assert not view.get("brief") and not view.get("findings")


# ---------------------------------------------------------------- case 20: legacy encodings

TRANSCRIPTS = {  # name -> (encoding, lines): one language each, as real transcripts are
    "cp1252": ("cp1252", ["THE COURT: Counsel, you may proceed \u2014 briefly.",
                          "MR. HALE: Thank you, Your Honor. The witness\u2019s statement says \u201cno\u201d.",
                          "THE COURT: Noted. Continue.",
                          "MR. HALE: The contract\u2019s term is \u201cfive years\u201d \u2013 not ten."]),
    "cp1252-euro": ("cp1252", ["MR. DUBOIS: The caf\u00e9\u2019s lease \u2014 \u201crenewed\u201d \u2014 costs \u20ac500.",
                               "MS. OKAFOR: Na\u00efve question: who pays the \u20ac75 fee?",
                               "MR. DUBOIS: The tenant pays \u2013 see clause 4.",
                               "MS. OKAFOR: Then we agree. Merci, monsieur."]),
    "latin-1-es": ("latin-1", ["SR. GARC\u00cdA: \u00bfY la cl\u00e1usula de rescisi\u00f3n? El se\u00f1or N\u00fa\u00f1ez firm\u00f3.",
                               "SRA. PE\u00d1A: S\u00ed, la cl\u00e1usula s\u00e9ptima permite la rescisi\u00f3n.",
                               "SR. GARC\u00cdA: \u00bfQui\u00e9n paga la indemnizaci\u00f3n en ese caso?",
                               "SRA. PE\u00d1A: La compa\u00f1\u00eda, seg\u00fan el art\u00edculo d\u00e9cimo."]),
    "latin-1-de": ("latin-1", ["FRAU M\u00dcLLER: Die Geb\u00fchr betr\u00e4gt f\u00fcnfhundert Euro pro Monat.",
                               "HERR K\u00d6HLER: Gilt die K\u00fcndigungsfrist auch f\u00fcr die Verl\u00e4ngerung?",
                               "FRAU M\u00dcLLER: Ja, sie gilt ab dem ersten M\u00e4rz f\u00fcr beide Parteien.",
                               "HERR K\u00d6HLER: Dann stimmen wir zu. Gr\u00fc\u00dfe an Frau Wei\u00df."]),
    "shift_jis": ("shift_jis", ["TANAKA: \u672c\u5951\u7d04\u306f\u6771\u4eac\u5730\u65b9\u88c1\u5224\u6240\u3092"
                  "\u5c02\u5c5e\u7684\u5408\u610f\u7ba1\u8f44\u88c1\u5224\u6240\u3068\u3059\u308b\u3002",
                  "SUZUKI: \u5951\u7d04\u671f\u9593\u306f\u4e09\u5e74\u9593\u3067\u3001\u81ea\u52d5"
                  "\u66f4\u65b0\u3055\u308c\u307e\u3059\u3002",
                  "TANAKA: \u652f\u6255\u3044\u306f\u6bce\u6708\u672b\u65e5\u307e\u3067\u306b"
                  "\u884c\u3046\u3082\u306e\u3068\u3057\u307e\u3059\u3002",
                  "SUZUKI: \u627f\u77e5\u3044\u305f\u3057\u307e\u3057\u305f\u3002"]),
}


@pytest.mark.parametrize("name", ["cp1252-euro",
                                  *sorted(set(TRANSCRIPTS) - {"cp1252-euro"})])
def test_case20_legacy_encoded_transcripts_decode_right(tmp_path, name):
    encoding, lines = TRANSCRIPTS[name]
    path = write(tmp_path, f"hearing-{name}.txt", "\r\n".join(lines * 3).encode(encoding))
    parsed = parse_in_child(path, ParserContext(extension=".txt"))
    assert parsed.format == "transcript"
    expected = [line.split(": ", 1) for line in lines * 3]
    assert [[s.speaker, s.text] for s in parsed.spans] == expected


# ---------------------------------------------------------------- case 21: hostile file names

HOSTILE_NAMES = ["../../../../etc/cron.d/docpipe-evil.txt", "/etc/passwd.txt", "evil\x00name.txt",
                 "\u00e9" * 148 + ".txt", "invoice\u202etxt.exe", "..\\..\\windows\\win.ini.txt",
                 "con.txt\n", "  .txt"]


def test_case21_hostile_names_are_metadata_only(tmp_path, pipeline):
    settings = pipeline.settings
    for number, name in enumerate(HOSTILE_NAMES):
        path = write(tmp_path, f"upload-{number}", f"{CONTRACT}\n{number}. Schedule {number}.\n".encode())
        view = pipeline(path, name)
        assert view["status"] == "done", (name, view["error"])
        assert view["name"] == display_name(name)
    from docpipe.services import documents
    from docpipe.services.caller import LOCAL_OPERATOR

    stored = [(doc.original_name, doc.sha256) for doc in documents.list_documents(settings, LOCAL_OPERATOR, matter="hostile")]
    assert [name for name, _ in stored] == [display_name(n) for n in HOSTILE_NAMES]
    assert "\\u0000" in stored[2][0] and "\\u202e" in stored[4][0] and "\x00" not in stored[2][0]
    assert len(HOSTILE_NAMES[3].encode()) == 300 and stored[3][0] == HOSTILE_NAMES[3]
    objects = settings.objects_dir
    files = sorted(p for p in objects.rglob("*") if p.is_file())
    assert files == sorted(blob_path(objects, _matter_id(objects), sha) for _, sha in stored)
    assert not Path("/etc/cron.d/docpipe-evil.txt").exists()
    assert {p.name for p in tmp_path.iterdir()} <= {"data"} | {f"upload-{n}" for n in range(len(HOSTILE_NAMES))}


def test_case21_hostile_names_on_disk_through_the_folder_scan(tmp_path, pipeline):
    """What the CLI and the batch folder do: iter_files, then take_in with the file's name."""
    folder = tmp_path / "drop"
    folder.mkdir()
    names = ["invoice\u202etxt.exe", "\u00e9" * 120 + ".txt", "-rf .txt", "$(reboot).txt"]
    for number, name in enumerate(names):
        (folder / name).write_text(f"{CONTRACT}\n{number}. Annex {number}.\n")
    settings = pipeline.settings
    taken = [take_in(settings, path, matter="drop") for path in iter_files([folder])]
    assert sorted(t.name for t in taken) == sorted(display_name(n) for n in names)
    assert all(blob_path(settings.objects_dir, _matter_id(settings.objects_dir), t.sha256).is_file() for t in taken)


def _matter_id(objects: Path) -> int:
    """The one matter folder (objects/m<id>) of a test that stores into one matter."""
    (folder,) = [p for p in objects.iterdir() if p.is_dir()]
    return int(folder.name[1:])


# ---------------------------------------------------------------- case 22: bytes vs extension

@pytest.mark.parametrize("name, data, looks_like", [
    ("report.pdf", b"<!DOCTYPE html><html><body><p>Not a PDF</p></body></html>", "HTML"),
    ("report2.pdf", _zip({"notes.txt": b"not a pdf"}), "a ZIP archive"),
    ("contract.pdf", docx_bytes(), "a DOCX document"),
    ("scan.docx", reportlab_pdf(["I am a PDF"]), "a PDF document"),
])
def test_case22_content_that_contradicts_the_extension(tmp_path, pipeline, name, data, looks_like):
    path = write(tmp_path, name, data)
    claimed = path.suffix
    assert outcome(path) == f"content_mismatch: file claims {claimed} but its content is {looks_like}"
    assert_failed(pipeline(path), "content_mismatch")


# ---------------------------------------------------------------- case 25: empty and truncated

def _truncated() -> dict[str, tuple[bytes, str]]:
    pdf = reportlab_pdf([f"Page {n}: the Supplier shall deliver the goods." for n in range(6)])
    docx = docx_bytes(CONTRACT * 20)
    return {
        "zero.pdf": (b"", "empty_file: empty file: 0 bytes"),
        "zero.docx": (b"", "empty_file: empty file: 0 bytes"),
        "zero.txt": (b"", "empty_file: empty file: 0 bytes"),
        "half.pdf": (pdf[: len(pdf) // 2], "corrupt_file: the PDF cannot be read: Failed to load document"),
        "no-trailer.pdf": (pdf[:-200], "corrupt_file: the PDF cannot be read"),
        "header-only.pdf": (b"%PDF-1.7\n", "corrupt_file: the PDF cannot be read"),
        "half.docx": (docx[: len(docx) // 2], "corrupt_file: the DOCX archive cannot be read"),
        "no-directory.docx": (docx[:-10], "corrupt_file: the DOCX archive cannot be read"),
        "signature-only.docx": (b"PK\x03\x04", "corrupt_file: the DOCX archive cannot be read"),
    }


def _damaged_docx(kind: str) -> bytes:
    """DOCX damage the fuzzer found escaping as zlib.error / NotImplementedError."""
    data = bytearray(docx_bytes(CONTRACT * 20))
    if kind == "deflate":
        start = data.index(b"word/document.xml") + len(b"word/document.xml")
        data[start + 40:start + 80] = bytes(range(40))  # garbage inside the deflate stream
    else:  # "version needed to extract" 13.3 in every central directory record
        at = data.find(b"PK\x01\x02")
        while at != -1:
            data[at + 6:at + 8] = struct.pack("<H", 133)
            at = data.find(b"PK\x01\x02", at + 4)
    return bytes(data)


@pytest.mark.parametrize("kind", ["deflate", "version"])
def test_case25_damaged_docx_is_corrupt_not_a_crash(tmp_path, kind):
    result = outcome(write(tmp_path, f"damaged-{kind}.docx", _damaged_docx(kind)))
    assert result.startswith("corrupt_file: the DOCX"), result


@pytest.mark.parametrize("name", sorted(_truncated()))
def test_case25_empty_and_truncated_files_fail_explicitly(tmp_path, pipeline, name):
    data, expected = _truncated()[name]
    path = write(tmp_path, name, data)
    assert outcome(path).startswith(expected)
    assert_failed(pipeline(path), expected.split(":")[0])
