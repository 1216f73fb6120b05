#!/usr/bin/env python3
"""Generate docpipe's sample documents, deterministically.

    .venv/bin/python samples/generate.py            # (re)write all samples
    .venv/bin/python samples/generate.py --check    # also verify counts, extracted text and determinism

Outputs, next to this file: short-nda.pdf (3 pages, text in _nda_content.py),
board-meeting-transcript.txt (one "Speaker: text" turn per line, _transcript_content.py) and
long-services-agreement.pdf (40-50 pages for `scripts/demo --long`, _contract_content.py).
Random choices use a fixed seed, and reportlab runs with invariant=1 (fixed creation date and
document ID), so the same reportlab version always writes the same bytes.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import re
import sys
import tempfile
from pathlib import Path
from xml.sax.saxutils import escape

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from reportlab import rl_config  # noqa: E402

rl_config.invariant = 1  # fixed /CreationDate and /ID -> byte-identical output

from reportlab.lib import colors  # noqa: E402
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT  # noqa: E402
from reportlab.lib.pagesizes import LETTER  # noqa: E402
from reportlab.lib.styles import ParagraphStyle  # noqa: E402
from reportlab.lib.units import inch  # noqa: E402
from reportlab.platypus import (  # noqa: E402
    BaseDocTemplate, CondPageBreak, Frame, KeepTogether, NextPageTemplate, PageBreak, PageTemplate, Paragraph,
    Spacer, Table, TableStyle,
)

import _contract_content as contract  # noqa: E402
import _nda_content as nda  # noqa: E402
import _transcript_content as tr  # noqa: E402

NDA_PDF, TRANSCRIPT_TXT, LONG_PDF = "short-nda.pdf", "board-meeting-transcript.txt", "long-services-agreement.pdf"
NDA_PAGES, TRANSCRIPT_TURNS, LONG_PAGES = (3, 4), (120, 200), (40, 50)

BODY = ParagraphStyle("body", fontName="Times-Roman", fontSize=11, leading=14.5, alignment=TA_JUSTIFY, spaceAfter=7)
SUB = ParagraphStyle("sub", parent=BODY, leftIndent=28, firstLineIndent=0, spaceAfter=4)
ARTICLE = ParagraphStyle("article", fontName="Helvetica-Bold", fontSize=11.5, leading=15, alignment=TA_CENTER,
                         spaceBefore=14, spaceAfter=9)
SCHEDULE = ParagraphStyle("schedule", parent=ARTICLE, fontSize=13, leading=17, spaceBefore=0, spaceAfter=12)
SUBHEAD = ParagraphStyle("subhead", parent=ARTICLE, fontSize=10.5, alignment=TA_LEFT, spaceBefore=8, spaceAfter=6,
                         keepWithNext=1)
TITLE = ParagraphStyle("title", fontName="Helvetica-Bold", fontSize=22, leading=28, alignment=TA_CENTER,
                       spaceAfter=18)
COVER = ParagraphStyle("cover", fontName="Times-Roman", fontSize=13, leading=18, alignment=TA_CENTER, spaceAfter=10)
CELL = ParagraphStyle("cell", fontName="Times-Roman", fontSize=9.5, leading=12, alignment=TA_LEFT)
CELL_HEAD = ParagraphStyle("cell_head", parent=CELL, fontName="Helvetica-Bold", fontSize=9)


class Para(Paragraph):
    """Paragraph with an optional PDF bookmark, outline=(level, title), kept on its first part when split."""

    def __init__(self, text, style, outline: tuple[int, str] | None = None, **kw):
        super().__init__(text, style, **kw)
        self.outline = outline

    def split(self, availWidth, availHeight):
        parts = super().split(availWidth, availHeight)
        for i, part in enumerate(parts):
            part.outline = self.outline if i == 0 else None
        return parts


def P(text: str, style: ParagraphStyle = BODY, outline: tuple[int, str] | None = None) -> Para:
    """Paragraph from plain text."""
    return Para(escape(text), style, outline)


def table(header: list[str], rows: list[list[str]], widths: list[float]) -> Table:
    t = Table([[P(h, CELL_HEAD) for h in header]] + [[P(c, CELL) for c in row] for row in rows],
              colWidths=[w * inch for w in widths], repeatRows=1, hAlign="LEFT")
    t.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.grey), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                           ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.88, 0.88, 0.88))]))
    return t


def signatures(parties: list[tuple[str, str, str]], date: str) -> KeepTogether:
    """Two-column signature block from [(party, name, title)]."""
    rows = [[party.upper() for party, _, _ in parties], ["By: ______________________________"] * 2,
            [f"Name: {name}" for _, name, _ in parties], [f"Title: {title}" for *_, title in parties],
            [f"Date: {date}"] * 2]
    data = [[Paragraph(escape(c), CELL_HEAD if i == 0 else BODY) for c in r] for i, r in enumerate(rows)]
    t = Table(data, colWidths=[3.25 * inch, 3.25 * inch], hAlign="LEFT")
    t.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("TOPPADDING", (0, 1), (-1, -1), 8)]))
    return KeepTogether([Spacer(1, 14), t])


class SampleDoc(BaseDocTemplate):
    """Letter pages, footer "<text> ... Page N" drawn after the body (text extraction yields it last).
    With cover=True page 1 is a cover without footer labelled "i", and later pages are labelled 1, 2, ..."""

    def __init__(self, buf, footer: str, cover: bool, **meta):
        super().__init__(buf, pagesize=LETTER, leftMargin=inch, rightMargin=inch, topMargin=inch, bottomMargin=inch,
                         invariant=1, pageCompression=1, creator="docpipe samples/generate.py", **meta)
        self.footer, self.cover = footer, cover
        frame = Frame(self.leftMargin, self.bottomMargin, self.width, self.height, id="main")
        body = PageTemplate("body", [frame], onPageEnd=self.draw_footer)
        self.addPageTemplates([PageTemplate("cover", [frame]), body] if cover else [body])

    def beforeDocument(self):
        self.bookmarks = 0
        if self.cover:
            self.canv.addPageLabel(0, "ROMAN_LOWER", 1)
            self.canv.addPageLabel(1, "ARABIC", 1)

    def draw_footer(self, canv, doc):
        canv.saveState()
        canv.setFont("Helvetica", 8)
        canv.drawString(self.leftMargin, 0.5 * inch, self.footer)
        canv.drawRightString(self.leftMargin + self.width, 0.5 * inch, f"Page {canv.getPageNumber() - self.cover}")
        canv.restoreState()

    def afterFlowable(self, flowable):
        if getattr(flowable, "outline", None):
            level, title = flowable.outline
            key, self.bookmarks = f"o{self.bookmarks}", self.bookmarks + 1
            self.canv.bookmarkPage(key)
            self.canv.addOutlineEntry(title, key, level=level, closed=level == 0)


def build_pdf(path: Path, story: list, footer: str, cover: bool = False, **meta) -> None:
    buf = io.BytesIO()
    SampleDoc(buf, footer, cover, **meta).build(story)
    path.write_bytes(buf.getvalue())


def nda_story() -> list:
    styles = {"title": ParagraphStyle("nda_title", parent=TITLE, fontSize=16, leading=20, spaceAfter=14),
              "subtitle": ParagraphStyle("nda_sub", parent=ARTICLE, spaceBefore=6, spaceAfter=6),
              "para": BODY, "sub": SUB}
    story = []
    for kind, text in nda.BLOCKS:
        if kind == "section":  # "1. Heading.|text": run-in bold heading
            head, body = text.split("|", 1)
            story.append(Paragraph(f"<b>{escape(head)}</b> {escape(body)}", BODY))
        elif kind == "sig":
            story.append(signatures(nda.SIGNATORIES, nda.EFFECTIVE_DATE))
        else:
            story.append(P(text, styles[kind]))
    return story


def long_story() -> list:
    c, sites = contract, contract.sites()
    (provider, *_), (customer, *_) = c.SIGNATORIES
    story = [Spacer(1, 1.6 * inch), P(c.TITLE, TITLE), Spacer(1, 0.3 * inch)]
    story += [P(line, COVER) for line in ("between", provider.upper(), "and", customer.upper(), "",
                                          "Dated as of March 1, 2024", f"Contract No. {c.CONTRACT_NO}")]
    story += [NextPageTemplate("body"), PageBreak(), P(c.TITLE, SCHEDULE, (0, "Master Services Agreement")),
              P(c.PREAMBLE), P(c.RECITAL)]
    for n, (title, sections) in enumerate(c.ARTICLES, 1):
        story += [CondPageBreak(1.2 * inch), P(f"ARTICLE {n}. {title.upper()}", ARTICLE, (0, f"Article {n}. {title}"))]
        for m, (head, text) in enumerate(sections, 1):
            story.append(Para(f"<b>{n}.{m} {escape(head)}.</b> {escape(text)}", BODY, (1, f"{n}.{m} {head}")))
    story += [P("IN WITNESS WHEREOF, the Parties have executed this Agreement as of the Effective Date."),
              signatures(c.SIGNATORIES, "March 1, 2024"), PageBreak(),
              P("SCHEDULE 1 - SITES", SCHEDULE, (0, "Schedule 1. Sites"))]
    for k, (heading, sentences, _) in enumerate(sites, 1):
        story.append(P(f"S1.{k} {heading}", SUBHEAD, (1, heading)))
        story += [P(" ".join(sentences[i:i + 4])) for i in range(0, len(sentences), 4)]
    fees = [[heading, f"${fee:,}"] for heading, _, fee in sites]
    story += [PageBreak(), P("SCHEDULE 2 - SERVICE LEVELS", SCHEDULE, (0, "Schedule 2. Service Levels")),
              table(["Service Level", "Target", "Service Credit"], c.SERVICE_LEVELS, [2.4, 2.0, 2.1]), Spacer(1, 10),
              P(c.CREDIT_CAP), P("SCHEDULE 3 - SITE FEES", SCHEDULE, (0, "Schedule 3. Site Fees")),
              table(["Site", "Site Fee per month"], fees + [["Total for all Sites",
                                                             f"${sum(fee for *_, fee in sites):,}"]], [4.5, 2.0])]
    return story


def build_transcript(path: Path) -> None:
    path.write_text("".join(f"{tr.SPEAKERS[k]}: {text}\n" for k, text in tr.TURNS), encoding="utf-8")


def generate(out_dir: Path) -> dict[str, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {name: out_dir / name for name in (NDA_PDF, TRANSCRIPT_TXT, LONG_PDF)}
    build_pdf(paths[NDA_PDF], nda_story(), "Mutual Non-Disclosure Agreement - Northwind / Cobalt Ridge",
              title="Mutual Non-Disclosure Agreement - Northwind Analytics, Inc. and Cobalt Ridge Software, Inc.",
              author="Northwind Analytics, Inc.")
    build_transcript(paths[TRANSCRIPT_TXT])
    build_pdf(paths[LONG_PDF], long_story(), f"Master Services Agreement - Contract No. {contract.CONTRACT_NO} - "
              "Confidential", cover=True, author="Northwind Analytics, Inc.", subject="Sample contract (fictional)",
              title="Master Services Agreement - Northwind Analytics, Inc. and Harbor Freight Logistics LLC")
    return paths


# --------------------------------------------------------------------------------------
# --check
# --------------------------------------------------------------------------------------

def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def pdf_text(path: Path) -> tuple[list[str], list[str]]:
    """(text of each page with whitespace collapsed, page labels) via pypdfium2."""
    import pypdfium2 as pdfium  # only needed for the checks

    pdf = pdfium.PdfDocument(str(path))
    return ([" ".join(pdf[i].get_textpage().get_text_bounded().split()) for i in range(len(pdf))],
            [pdf.get_page_label(i) for i in range(len(pdf))])


# Phrases that must survive PDF text extraction verbatim (whitespace collapsed).
LONG_PHRASES = [" ".join(contract.PREAMBLE.split()), "$45,000 per month", "net thirty (30) days",
                "automatically renew for successive one (1) year renewal terms unless either party gives ninety (90) "
                "days' written notice", "in no event shall either party's aggregate liability exceed the fees paid "
                "in the twelve (12) months preceding the event giving rise to the claim", "This Agreement shall be "
                "governed by and construed in accordance with the laws of the State of New York",
                "one hundred twenty (120) days' prior written notice", "Jonathan R. Meyers", "Elena Vasquez"]
NDA_PHRASES = ["Northwind Analytics, Inc., a Delaware corporation", "Cobalt Ridge Software, Inc., a California "
               "corporation", "January 15, 2024", "a term of two (2) years", "laws of the State of California",
               "thirty (30) days' prior written notice", "injunctive relief"]


def check_count(what: str, n: int, bounds: tuple[int, int]) -> None:
    assert bounds[0] <= n <= bounds[1], f"{what}: {n}, want {bounds[0]}-{bounds[1]}"


def check(paths: dict[str, Path]) -> None:
    """Counts, extracted text, page labels and footers, unique sentences; then a second run for determinism."""
    texts, labels = pdf_text(paths[LONG_PDF])
    missing = [p for p in LONG_PHRASES if p not in " ".join(texts)]
    assert not missing, f"long contract text is missing {missing}"
    assert labels[:3] == ["i", "1", "2"] and labels[-1] == str(len(labels) - 1), (labels[:3], labels[-1])
    assert all(t.endswith(f"Page {label}") for t, label in zip(texts[1:], labels[1:])), "footer page numbers"
    sentences = [s for _, ss, _ in contract.sites() for s in ss]
    sentences += re.split(r"(?<=\.) (?=[A-Z])", " ".join(t for _, secs in contract.ARTICLES for _, t in secs))
    assert len(set(sentences)) == len(sentences), "a sentence repeats in the long contract"
    check_count("long contract pages", len(texts), LONG_PAGES)
    texts, _ = pdf_text(paths[NDA_PDF])
    missing = [p for p in NDA_PHRASES if p not in " ".join(texts)]
    assert not missing, f"NDA text is missing {missing}"
    check_count("NDA pages", len(texts), NDA_PAGES)
    transcript = paths[TRANSCRIPT_TXT].read_text(encoding="utf-8")
    missing = [s for s in tr.ACTION_ITEMS + tr.DECISIONS if s not in transcript]
    assert not missing, f"transcript is missing {missing}"
    assert all(line.split(": ", 1)[0] in tr.SPEAKERS.values() for line in transcript.splitlines())
    check_count("transcript turns", len(transcript.splitlines()), TRANSCRIPT_TURNS)
    with tempfile.TemporaryDirectory() as tmp:
        again = generate(Path(tmp))
        changed = [name for name, p in paths.items() if sha256(p) != sha256(again[name])]
    assert not changed, f"not deterministic: {changed}"
    print("checks passed: page and turn counts, extracted text, page labels and footers, unique sentences, "
          "determinism")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=HERE, help="output directory (default: samples/)")
    ap.add_argument("--check", action="store_true", help="verify counts, text and determinism")
    args = ap.parse_args(argv)
    paths = generate(args.out)
    for name, p in paths.items():
        print(f"{name}: {p.stat().st_size:,} bytes, sha256 {sha256(p)}")
    if args.check:
        check(paths)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
