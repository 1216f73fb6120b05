"""The reader's pages: a page's text with the cited quotes located by offsets, and a PDF
page rendered (in the sandbox) with a quote highlighted; both behind the one access check."""
from __future__ import annotations

import io
from contextlib import contextmanager

import pytest
from PIL import Image

from docpipe.errors import DocpipeError, NotFound
from docpipe.services import documents, ingest, pages
from docpipe.services.caller import LOCAL_OPERATOR
from docpipe.services.page_render import RenderRequest, bounded_scale, locate
from tests.conftest import SAMPLES
from tests.web.conftest import MATTER_A, MATTER_B

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _squash(text: str) -> str:
    return " ".join(text.split())


def _image(data: bytes) -> Image.Image:
    assert data[:8] == PNG_SIGNATURE
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG"
    return image.convert("RGB")


def _yellow(image: Image.Image) -> int:
    """Pixels of the highlight colour over white paper (strong red and green, weak blue)."""
    data = image.tobytes()
    return sum(1 for i in range(0, len(data), 3) if data[i] > 200 and data[i + 1] > 180 and data[i + 2] < 170)


def test_locate_exact_then_whitespace_and_case_insensitive():
    text = "1. Term.  This Agreement\nEXPIRES on December 31, 2026."
    assert locate(text, "This Agreement") == (10, 24)
    start, end = locate(text, "this agreement expires on")
    assert text[start:end] == "This Agreement\nEXPIRES on"
    assert locate(text, "  december   31,\n2026. ") == (text.index("December"), len(text))
    assert locate(text, "renewal term") is None
    assert locate(text, "   ") is None


def test_render_scale_is_bounded_for_huge_or_broken_pages():
    req = RenderRequest(scale=1.5, max_side=3000, max_pixels=6_000_000)
    assert bounded_scale(612, 792, req) == 1.5
    huge = bounded_scale(14_400, 14_400, req)
    assert 14_400 * huge <= 3000 and (14_400 * huge) ** 2 <= 6_000_000
    with pytest.raises(Exception) as info:
        bounded_scale(0, 792, req)
    assert getattr(info.value, "code", None) == "corrupt_file"


def test_pdf_page_text_locates_every_cited_quote(door):
    r = door.client.get(f"/api/v1/documents/{door.pdf}/pages/1", headers=door.auth("analyst"))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["document_id"] == door.pdf and body["page"] == 1
    assert body["text"].startswith("MUTUAL NON-DISCLOSURE AGREEMENT")
    findings = documents.show(door.settings, LOCAL_OPERATOR, door.pdf)["findings"]
    on_page = {i for i, f in enumerate(findings) if f["citation"]["page"] == 1}
    assert body["quotes"] and {q["finding"] for q in body["quotes"]} == on_page
    for q in body["quotes"]:
        assert _squash(body["text"][q["start"]:q["end"]]) == _squash(q["quote"])
        assert q["field"] == findings[q["finding"]]["field"]
        assert q["quote"] == findings[q["finding"]]["citation"]["quote"]
    three = door.client.get(f"/api/v1/documents/{door.pdf}/pages/3", headers=door.auth("viewer")).json()
    assert "Governing Law" in three["text"] and any(q["field"] == "governing_law" for q in three["quotes"])


def test_text_document_is_one_page_with_its_quotes(door):
    r = door.client.get(f"/api/v1/documents/{door.docs[MATTER_A]}/pages/1", headers=door.auth("viewer"))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["text"].startswith("MASTER SUPPLY AGREEMENT")
    law = [q for q in body["quotes"] if q["field"] == "governing_law"]
    assert law and body["text"][law[0]["start"]:law[0]["end"]] == law[0]["quote"]
    missing = door.client.get(f"/api/v1/documents/{door.docs[MATTER_A]}/pages/2", headers=door.auth("viewer"))
    assert missing.status_code == 404 and missing.headers["content-type"] == "application/problem+json"


def test_transcript_page_is_the_turn(door):
    outcome = ingest.ingest_file(door.settings, LOCAL_OPERATOR, SAMPLES / "board-meeting-transcript.txt",
                                 matter=MATTER_A)
    assert outcome.status == "done", outcome
    findings = documents.show(door.settings, LOCAL_OPERATOR, outcome.document_id)["findings"]
    for index, finding in enumerate(findings):
        turn = finding["citation"]["turn"]
        body = pages.page_text(door.settings, LOCAL_OPERATOR, outcome.document_id, turn)  # turns count from 0
        assert body["page"] == turn
        cited = [q for q in body["quotes"] if q["finding"] == index]
        assert cited and body["text"][cited[0]["start"]:cited[0]["end"]] == finding["citation"]["quote"]
    later = next(f["citation"]["turn"] for f in findings if f["citation"]["turn"] >= 1)
    r = door.client.get(f"/api/v1/documents/{outcome.document_id}/pages/{later}", headers=door.auth("analyst"))
    assert r.status_code == 200 and r.json()["page"] == later
    assert door.client.get(f"/api/v1/documents/{outcome.document_id}/pages/100000",
                           headers=door.auth("analyst")).status_code == 404


def test_pdf_page_png_highlights_the_quote(door):
    url = f"/api/v1/documents/{door.pdf}/pages/1.png"
    who = door.auth("analyst")
    plain = door.client.get(url, headers=who)
    assert plain.status_code == 200, plain.text
    assert plain.headers["content-type"] == "image/png"
    image = _image(plain.content)
    assert 900 <= image.width <= 930 and 1170 <= image.height <= 1200  # US Letter at 1.5
    findings = documents.show(door.settings, LOCAL_OPERATOR, door.pdf)["findings"]
    index = next(i for i, f in enumerate(findings) if f["citation"]["page"] == 1)
    marked = door.client.get(url, headers=who, params={"finding": index})
    assert marked.status_code == 200
    highlighted = _image(marked.content)
    assert highlighted.size == image.size and marked.content != plain.content
    assert _yellow(highlighted) > _yellow(image) + 5_000  # several lines of text covered
    by_quote = door.client.get(url, headers=who, params={"quote": "Effective Date"})
    assert by_quote.status_code == 200 and 0 < _yellow(_image(by_quote.content)) - _yellow(image) < 5_000


def test_quote_not_on_the_page_renders_plain(door):
    url = f"/api/v1/documents/{door.pdf}/pages/2.png"
    who = door.auth("viewer")
    plain = door.client.get(url, headers=who)
    nowhere = door.client.get(url, headers=who, params={"quote": "no such words appear anywhere here"})
    assert nowhere.status_code == 200 and _yellow(_image(nowhere.content)) == _yellow(_image(plain.content))


def test_other_matter_and_non_pdf_are_not_found(door):
    other = door.auth("analyst", MATTER_B)
    for url in (f"/api/v1/documents/{door.pdf}/pages/1", f"/api/v1/documents/{door.pdf}/pages/1.png"):
        r = door.client.get(url, headers=other)
        assert r.status_code == 404 and r.headers["content-type"] == "application/problem+json", url
        assert r.json()["code"] == "not_found"
    text_png = door.client.get(f"/api/v1/documents/{door.docs[MATTER_A]}/pages/1.png", headers=door.auth("analyst"))
    assert text_png.status_code == 404 and text_png.headers["content-type"] == "application/problem+json"
    assert text_png.json()["detail"] == "no page image: not a PDF"
    for bad in ("pages/4.png", "pages/9"):
        assert door.client.get(f"/api/v1/documents/{door.pdf}/{bad}", headers=door.auth("analyst")).status_code == 404
    with pytest.raises(NotFound):  # the route itself refuses page 0 (422) before asking
        pages.page_png(door.settings, LOCAL_OPERATOR, door.pdf, 0)
    r = door.client.get(f"/api/v1/documents/{door.pdf}/pages/1.png", headers=door.auth("analyst"),
                        params={"finding": 999})
    assert r.status_code == 404
    assert door.client.get(f"/api/v1/documents/{door.pdf}/pages/1").status_code == 401


def test_a_pdf_that_fails_to_render_is_a_clear_error(door, tmp_path, monkeypatch):
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.7\n" + b"\x00garbage" * 64)

    @contextmanager
    def garbage(settings, document_id):
        yield broken

    monkeypatch.setattr(pages, "open_original", garbage)  # the stored original, damaged
    r = door.client.get(f"/api/v1/documents/{door.pdf}/pages/1.png", headers=door.auth("analyst"))
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"
    assert r.json()["code"] == "corrupt_file" and "could not be rendered" in r.json()["detail"]
    with pytest.raises(DocpipeError) as info:
        pages.page_png(door.settings, LOCAL_OPERATOR, door.pdf, 1)
    assert info.value.code == "corrupt_file"


def test_page_views_are_audited_without_text(door):
    from docpipe.services import audit

    quote = "Effective Date"
    door.client.get(f"/api/v1/documents/{door.pdf}/pages/2", headers=door.auth("analyst"))
    door.client.get(f"/api/v1/documents/{door.pdf}/pages/1.png", headers=door.auth("analyst"), params={"quote": quote})
    door.client.get(f"/api/v1/documents/{door.pdf}/pages/1", headers=door.auth("analyst", MATTER_B))  # not found
    seen = [e for e in audit.entries(door.settings, LOCAL_OPERATOR) if e.action == "view_page"]
    assert [(e.actor, e.document_id, e.detail["page"], e.detail["as"]) for e in seen] == [
        ("analyst-matter-a", door.pdf, 2, "text"), ("analyst-matter-a", door.pdf, 1, "image")]
    assert seen[1].detail.get("quote") is True and quote not in str([e.detail for e in seen])
    assert all(e.matter == MATTER_A for e in seen)
