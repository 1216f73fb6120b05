#!/usr/bin/env python3
"""Generate docpipe's sample documents, deterministically.

    .venv/bin/python samples/generate.py            # (re)write all samples
    .venv/bin/python samples/generate.py --check    # also verify determinism + text extraction

Outputs (next to this file):
  master-services-agreement.pdf   long commercial contract (85-95 pages)
  short-nda.pdf                   3-4 page mutual NDA
  board-meeting-transcript.txt    ~45 minute board meeting, one "Speaker: text" turn per line
  expected_facts.json             the values tests may assert on (parties, dates, law, ...)

Determinism: every random choice comes from random.Random seeded with a constant, no
clock, environment or hash-order dependent data is used, and reportlab runs with
invariant=1 (fixed creation date and document ID), so two runs produce identical bytes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import io
import json
import random
import sys
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
    BaseDocTemplate,
    CondPageBreak,
    Frame,
    KeepTogether,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.tableofcontents import TableOfContents  # noqa: E402

import _msa_content as msa  # noqa: E402
import _nda_content as nda  # noqa: E402
import _transcript_content as tr  # noqa: E402
from _msa_grammar import ClauseWriter  # noqa: E402

MSA_SEED = 20240301
MSA_PDF = "master-services-agreement.pdf"
NDA_PDF = "short-nda.pdf"
TRANSCRIPT_TXT = "board-meeting-transcript.txt"
FACTS_JSON = "expected_facts.json"

MSA_PAGE_RANGE = (85, 95)
NDA_PAGE_RANGE = (3, 4)
TRANSCRIPT_TURN_RANGE = (120, 200)

# --------------------------------------------------------------------------------------
# Styles
# --------------------------------------------------------------------------------------

BODY = ParagraphStyle("body", fontName="Times-Roman", fontSize=11, leading=14.5,
                      alignment=TA_JUSTIFY, spaceAfter=7)
SUB = ParagraphStyle("sub", parent=BODY, leftIndent=28, firstLineIndent=0, spaceAfter=4)
DEF = ParagraphStyle("def", parent=BODY, leftIndent=18, spaceAfter=5)
ARTICLE = ParagraphStyle("article", fontName="Helvetica-Bold", fontSize=11.5, leading=15,
                         alignment=TA_CENTER, spaceBefore=14, spaceAfter=9)
EXHIBIT = ParagraphStyle("exhibit", fontName="Helvetica-Bold", fontSize=13, leading=17,
                         alignment=TA_CENTER, spaceBefore=0, spaceAfter=4)
EXHIBIT_SUB = ParagraphStyle("exhibit_sub", fontName="Helvetica-Bold", fontSize=11.5, leading=15,
                             alignment=TA_CENTER, spaceAfter=12)
SUBHEAD = ParagraphStyle("subhead", fontName="Helvetica-Bold", fontSize=10.5, leading=14,
                         alignment=TA_LEFT, spaceBefore=8, spaceAfter=6)
TITLE = ParagraphStyle("title", fontName="Helvetica-Bold", fontSize=22, leading=28,
                       alignment=TA_CENTER, spaceAfter=18)
COVER = ParagraphStyle("cover", fontName="Times-Roman", fontSize=13, leading=18,
                       alignment=TA_CENTER, spaceAfter=10)
COVER_BOLD = ParagraphStyle("cover_bold", parent=COVER, fontName="Times-Bold", fontSize=14)
CELL = ParagraphStyle("cell", fontName="Times-Roman", fontSize=9.5, leading=12, alignment=TA_LEFT)
CELL_HEAD = ParagraphStyle("cell_head", parent=CELL, fontName="Helvetica-Bold", fontSize=9)
TOC_HEAD = ParagraphStyle("toc_head", parent=ARTICLE, fontSize=13, spaceBefore=0, spaceAfter=10)
TOC_L0 = ParagraphStyle("toc0", fontName="Times-Roman", fontSize=10.5, leading=13.5, leftIndent=20,
                        firstLineIndent=-20, spaceAfter=0)


def P(text: str, style: ParagraphStyle = BODY) -> Paragraph:
    """Paragraph from plain text (escaped)."""
    return Paragraph(escape(text), style)


class HeadingPara(Paragraph):
    """Paragraph whose outline marker (see outlined()) survives a page split (kept on the first part)."""

    def split(self, availWidth, availHeight):
        parts = super().split(availWidth, availHeight)
        if parts and hasattr(self, "_outline"):
            parts[0]._outline = self._outline
        return parts


def run_in(number: str, heading: str, text: str, style: ParagraphStyle = BODY) -> Paragraph:
    """Contract-style paragraph with a bold run-in heading: '5.1 Fees. Customer shall ...'."""
    return HeadingPara(f"<b>{escape(number)} {escape(heading)}.</b> {escape(text)}", style)


def table(header: list[str], rows: list[list[str]], widths: list[float]) -> Table:
    data = [[Paragraph(escape(h), CELL_HEAD) for h in header]]
    data += [[Paragraph(escape(str(c)), CELL) for c in row] for row in rows]
    t = Table(data, colWidths=widths, repeatRows=1, hAlign="LEFT")
    t.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.5, colors.Color(0.45, 0.45, 0.45)),
        ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.88, 0.88, 0.88)),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
    ]))
    return t


def money(x: float) -> str:
    return f"${x:,.2f}" if x != int(x) else f"${int(x):,}"


def roman(n: int) -> str:
    out = ""
    for v, s in ((10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")):
        while n >= v:
            out += s
            n -= v
    return out


def long_date(d: dt.date) -> str:
    return f"{d.strftime('%B')} {d.day}, {d.year}"


# --------------------------------------------------------------------------------------
# MSA document template: cover (i), table of contents (ii..), body (1..)
# --------------------------------------------------------------------------------------

class MSADocTemplate(BaseDocTemplate):
    FOOTER_LEFT = "Master Services Agreement - Contract No. NWA-HFL-2024-017 - Confidential"

    def __init__(self, filename, **kw):
        super().__init__(filename, pagesize=LETTER, leftMargin=inch, rightMargin=inch,
                         topMargin=0.9 * inch, bottomMargin=0.9 * inch, invariant=1,
                         pageCompression=1, **kw)
        frame = Frame(self.leftMargin, self.bottomMargin, self.width, self.height, id="main")
        self.addPageTemplates([
            # footers are drawn in onPageEnd so they come after the body text in the content stream
            # (text extraction then yields body first, footer last)
            PageTemplate("cover", [frame]),
            PageTemplate("front", [frame], onPageEnd=self._on_front),
            PageTemplate("body", [frame], onPage=self._on_body_start, onPageEnd=self._on_body),
        ])
        self.body_start = None
        self.outline_keys = 0

    # multiBuild calls this before each pass
    def beforeDocument(self):
        self.body_start = None
        self.outline_keys = 0
        self.canv.addPageLabel(0, "ROMAN_LOWER", 1)  # front matter: i, ii, iii ...

    def _footer(self, canv, label: str):
        canv.saveState()
        canv.setFont("Helvetica", 8)
        canv.setFillColor(colors.Color(0.3, 0.3, 0.3))
        canv.drawString(self.leftMargin, 0.5 * inch, self.FOOTER_LEFT)
        canv.drawRightString(self.leftMargin + self.width, 0.5 * inch, f"Page {label}")
        canv.restoreState()

    def _on_front(self, canv, doc):
        self._footer(canv, roman(canv.getPageNumber()))  # the cover (label "i") prints no footer

    def _on_body_start(self, canv, doc):
        if self.body_start is None:
            self.body_start = canv.getPageNumber()
            canv.addPageLabel(self.body_start - 1, "ARABIC", 1)  # body: 1, 2, 3 ...

    def _on_body(self, canv, doc):
        self._footer(canv, str(self.body_label()))

    def body_label(self) -> int:
        return self.page - self.body_start + 1

    def afterFlowable(self, flowable):
        info = getattr(flowable, "_outline", None)
        if not info:
            return
        level, text, in_toc = info
        key = f"o{self.outline_keys}"
        self.outline_keys += 1
        self.canv.bookmarkPage(key)
        self.canv.addOutlineEntry(text, key, level=level, closed=level == 0)
        if in_toc and self.body_start is not None:
            self.notify("TOCEntry", (0, text, self.body_label(), key))


def outlined(flowable, level: int, text: str, in_toc: bool = False):
    flowable._outline = (level, text, in_toc)
    return flowable


class MSABuilder:
    """Builds the story (list of flowables) for the MSA."""

    def __init__(self):
        self.rng = random.Random(MSA_SEED)
        self.writer = ClauseWriter(self.rng)
        self.story: list = []
        self.sections: list[str] = []  # section numbers already emitted (for cross-references)

    # -- small helpers --------------------------------------------------------------------
    def add(self, *flowables):
        self.story.extend(flowables)

    def emit_paragraphs(self, number: str, heading: str, paras: list[str]):
        first = True
        for para in paras:
            if first:
                self.add(outlined(run_in(number, heading, para), 1, f"{number} {heading}"))
                first = False
            elif para.startswith("("):
                self.add(P(para, SUB))
            else:
                self.add(P(para))
        self.sections.append(number)

    # Sections of the body that generated text in each topic may cross-reference
    # ("Without limiting Section 9.2, ...") besides earlier sections of its own article/exhibit.
    TOPIC_XREFS = {
        "sla": ["2.3", "13.4"], "dpa": ["9.1", "9.3", "9.4"], "security": ["9.2", "9.3"],
        "transition": ["7.5", "9.5"], "integration": ["2.6"], "governance": ["2.7", "3.4", "3.5"],
        "sow": ["3.4", "3.5"], "fees": ["5.4", "5.6"],
    }

    def generated_sections(self, prefix: str, topic: str, start: int, count: int) -> int:
        # one RNG stream per article/exhibit, so tuning one part does not reshuffle the others
        self.writer.rng = random.Random(f"{MSA_SEED}:{prefix}:{topic}")
        exhibit = prefix[0].isalpha()
        n = start
        for _ in range(count):
            sec = f"{prefix}{n}"
            xrefs = [s for s in self.sections if s.startswith(prefix)] + self.TOPIC_XREFS.get(topic, [])
            got = self.writer.section(topic, sec, xrefs or [f"{prefix}1"],
                                      exclude_docref=f"Exhibit {prefix[0]}" if exhibit else None)
            if got is None:
                break
            heading, paras = got
            self.emit_paragraphs(sec, heading, paras)
            n += 1
        return n

    def article_heading(self, num: int, title: str):
        text = f"ARTICLE {num}. {title.upper()}"
        self.add(CondPageBreak(1.6 * inch),
                 outlined(Paragraph(escape(text), ARTICLE), 0, f"Article {num}. {title}", True))

    def exhibit_heading(self, letter: str, title: str):
        self.add(PageBreak(),
                 outlined(Paragraph(f"EXHIBIT {letter}", EXHIBIT), 0, f"Exhibit {letter}. {title}", True),
                 Paragraph(escape(title.upper()), EXHIBIT_SUB))

    def subhead(self, text: str, outline: bool = True):
        p = Paragraph(escape(text), SUBHEAD)
        self.add(outlined(p, 1, text) if outline else p)

    # -- front matter ------------------------------------------------------------------
    def cover(self):
        f = msa.FACTS
        self.add(Spacer(1, 1.4 * inch),
                 Paragraph("MASTER SERVICES AGREEMENT", TITLE),
                 Spacer(1, 0.3 * inch),
                 P("between", COVER),
                 P(f"{f['provider'].upper()}", COVER_BOLD),
                 P(f"({f['provider_desc']})", COVER),
                 P("and", COVER),
                 P(f"{f['customer'].upper()}", COVER_BOLD),
                 P(f"({f['customer_desc']})", COVER),
                 Spacer(1, 0.5 * inch),
                 P(f"Dated as of {f['effective_date']}", COVER),
                 P(f"Contract No. {f['contract_number']}", COVER),
                 Spacer(1, 1.6 * inch),
                 P("CONFIDENTIAL. This document contains confidential and proprietary information of the "
                   "Parties and may not be disclosed to any third party except as permitted by Article 8.",
                   ParagraphStyle("cover_note", parent=CELL, alignment=TA_CENTER, fontSize=9)),
                 NextPageTemplate("front"), PageBreak())

    def toc(self):
        toc = TableOfContents(dotsMinLevel=0)
        toc.levelStyles = [TOC_L0]
        toc.tableStyle = TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                                     ("LEFTPADDING", (0, 0), (-1, -1), 0),
                                     ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                                     ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                                     ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5)])
        self.add(Paragraph("TABLE OF CONTENTS", TOC_HEAD), toc, NextPageTemplate("body"), PageBreak())

    # -- body -----------------------------------------------------------------------------
    def preamble(self):
        self.add(outlined(Paragraph("MASTER SERVICES AGREEMENT", EXHIBIT), 0, "Master Services Agreement"),
                 Spacer(1, 10), P(msa.PREAMBLE), Paragraph("RECITALS", ARTICLE))
        for r in msa.RECITALS:
            self.add(P(r))

    def definitions(self):
        self.article_heading(1, "Definitions")
        self.add(run_in("1.1", "Defined Terms", "In this Agreement, the following capitalized terms have the "
                        "meanings set forth below. Other capitalized terms are defined where they first appear."))
        self.sections.append("1.1")
        for term, text in msa.DEFINITIONS:
            self.add(Paragraph(f"<b>\"{escape(term)}\"</b> {escape(text)}", DEF))
        self.add(run_in("1.2", "Interpretation", "References to Articles, Sections and Exhibits are to articles, "
                        "sections and exhibits of this Agreement. Words in the singular include the plural and vice "
                        "versa. References to a statute include that statute as amended or replaced from time to "
                        "time and any regulations made under it. References to days are to calendar days unless "
                        "Business Days are specified."))
        self.sections.append("1.2")

    def articles(self):
        for num, title, topic, n_gen, sections in msa.ARTICLES:
            self.article_heading(num, title)
            i = 1
            for heading, paras in sections:
                self.emit_paragraphs(f"{num}.{i}", heading, paras)
                i += 1
            if topic and n_gen:
                self.generated_sections(f"{num}.", topic, i, n_gen)

    def signatures(self):
        f = msa.FACTS
        self.add(Spacer(1, 10), P("IN WITNESS WHEREOF, the Parties have caused this Agreement to be executed by "
                                  "their duly authorized representatives as of the Effective Date."))
        (pn, pt), (cn, ct) = f["provider_signatory"], f["customer_signatory"]
        rows = [
            [f["provider"].upper(), f["customer"].upper()],
            ["By: /s/ " + pn, "By: /s/ " + cn],
            ["Name: " + pn, "Name: " + cn],
            ["Title: " + pt, "Title: " + ct],
            ["Date: " + f["effective_date"], "Date: " + f["effective_date"]],
        ]
        data = [[Paragraph(escape(c), CELL_HEAD if i == 0 else BODY) for c in r] for i, r in enumerate(rows)]
        t = Table(data, colWidths=[3.25 * inch, 3.25 * inch], hAlign="LEFT")
        t.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("TOPPADDING", (0, 1), (-1, -1), 6)]))
        self.add(KeepTogether([Spacer(1, 12), t]))

    # -- exhibits -----------------------------------------------------------------------
    def exhibit_sections(self, letter: str, topic: str, count: int, start: int = 1) -> int:
        return self.generated_sections(f"{letter}.", topic, start, count)

    def exhibit_a(self):
        self.exhibit_heading("A", "Statement of Work No. 1 - Platform Implementation")
        eff = dt.date(2024, 3, 1)
        self.add(P("This Statement of Work No. 1 (\"SOW 1\") is entered into under, and is governed by, the Master "
                   "Services Agreement between Northwind Analytics, Inc. (\"Provider\") and Harbor Freight Logistics "
                   "LLC (\"Customer\") dated as of March 1, 2024. Capitalized terms used but not defined in this SOW 1 "
                   "have the meanings given in the Agreement."))
        self.emit_paragraphs("A.1", "Project Overview", [
            "Customer operates forty-two (42) cross-dock, warehouse and drayage facilities and tenders approximately "
            "180,000 shipments per month to more than 300 motor carriers. Under this SOW 1, Provider shall implement "
            "the Platform for Customer's North American operations in three phases: Phase 1 (shipment visibility and "
            "carrier scorecards), Phase 2 (route optimization for drayage and regional linehaul) and Phase 3 (demand "
            "forecasting and capacity planning).",
            "The objectives of the implementation are to provide real-time visibility of all in-transit shipments, to "
            "reduce empty drayage miles by at least eight percent (8%) within twelve (12) months after Phase 2 go-live, "
            "and to give Customer's planning team a rolling thirteen (13) week forecast of lane-level volumes."])
        phases = [
            ("Phase 1", "Shipment visibility and carrier scorecards", 0, 120),
            ("Phase 2", "Route optimization (drayage and regional linehaul)", 90, 240),
            ("Phase 3", "Demand forecasting and capacity planning", 210, 330),
        ]
        rows = [[p, d, long_date(eff + dt.timedelta(days=s)), long_date(eff + dt.timedelta(days=e))]
                for p, d, s, e in phases]
        self.subhead("A.2 Phases and Schedule", outline=False)
        self.sections.append("A.2")
        self.add(table(["Phase", "Scope", "Planned Start", "Planned Go-Live"], rows,
                       [0.8 * inch, 2.9 * inch, 1.4 * inch, 1.4 * inch]))
        self.add(Spacer(1, 8))

        deliverables = [
            ("Project charter and integrated project plan", 1, "Approved by both executive sponsors"),
            ("Current-state process assessment", 1, "Covers all 42 facilities and validated by Customer operations leads"),
            ("Solution design document", 1, "Addresses every requirement in the requirements traceability matrix"),
            ("Carrier onboarding plan", 1, "Identifies integration method for each of Customer's top 150 carriers"),
            ("EDI 214 and API status integrations", 1, "Status messages from at least 90% of tendered loads received"),
            ("Shipment visibility dashboards", 1, "User acceptance test cases passed with no open Severity 1 or 2 defects"),
            ("Carrier scorecard configuration", 1, "On-time, tender acceptance and claims metrics reconcile to source data"),
            ("Phase 1 cutover and hypercare report", 1, "Thirty (30) days of stable operation after go-live"),
            ("Drayage network model", 2, "Model reproduces prior-quarter empty miles within 3%"),
            ("Route optimization configuration", 2, "Optimized plans generated for all drayage facilities within SLA"),
            ("TMS integration for dispatch", 2, "Plans transmitted to Customer's TMS with 99.5% message success rate"),
            ("Phase 2 training materials", 2, "Materials delivered for dispatchers and planners at each facility"),
            ("Phase 2 cutover and hypercare report", 2, "Thirty (30) days of stable operation after go-live"),
            ("Historical data migration", 3, "Twenty-four (24) months of shipment history loaded and reconciled"),
            ("Forecasting model calibration report", 3, "Back-test error within the thresholds agreed in the design"),
            ("Capacity planning workbench", 3, "User acceptance test cases passed with no open Severity 1 or 2 defects"),
            ("Operations runbook", 3, "Reviewed and approved by Customer's IT operations team"),
            ("Project closure report", 3, "Accepted by the steering committee"),
        ]
        phase_end = {1: 120, 2: 240, 3: 330}
        drows = []
        for i, (name, ph, crit) in enumerate(deliverables, 1):
            due = eff + dt.timedelta(days=phase_end[ph] - self.rng.randint(5, 60) if i % 6 else phase_end[ph])
            drows.append([f"D-{i:02d}", name, f"Phase {ph}", long_date(due), crit])
        self.subhead("A.3 Deliverables", outline=False)
        self.sections.append("A.3")
        self.add(P("Provider shall deliver the following Deliverables, each of which is subject to acceptance in "
                   "accordance with Section 3.5 of the Agreement."))
        self.add(table(["ID", "Deliverable", "Phase", "Due Date", "Acceptance Criteria"], drows,
                       [0.45 * inch, 1.9 * inch, 0.6 * inch, 1.15 * inch, 2.4 * inch]))
        self.add(Spacer(1, 8))

        self.subhead("A.4 Milestones and Milestone Payments", outline=False)
        self.sections.append("A.4")
        mrows = [
            ["M1", "Acceptance of the solution design document (D-03)", long_date(eff + dt.timedelta(days=45)), "$40,000"],
            ["M2", "Phase 1 go-live and acceptance of D-08", long_date(eff + dt.timedelta(days=150)), "$40,000"],
            ["M3", "Phase 2 go-live and acceptance of D-13", long_date(eff + dt.timedelta(days=270)), "$40,000"],
        ]
        self.add(P("The implementation fee of $120,000 set forth in Section 5.2 of the Agreement is payable in three (3) "
                   "milestone payments of $40,000 each upon acceptance of the following milestones. Phase 3 is included "
                   "in the Monthly Platform Fee and does not carry a separate milestone payment."))
        self.add(table(["Milestone", "Completion Event", "Target Date", "Payment"], mrows,
                       [0.8 * inch, 3.2 * inch, 1.5 * inch, 1.0 * inch]))
        self.add(Spacer(1, 8))

        raci_acts = [
            "Project governance and steering committee", "Project plan maintenance", "Requirements workshops",
            "Solution design", "Provision of source system extracts", "Carrier outreach and onboarding",
            "EDI mapping and testing", "API integration development", "Platform configuration",
            "Integration testing", "User acceptance testing", "Performance testing", "Training delivery",
            "Cutover planning", "Go/no-go decision", "Hypercare support", "Data migration and reconciliation",
            "Forecast model calibration", "Security review of integrations", "Operations runbook approval",
        ]
        raci = ["R", "A", "C", "I"]
        rrows = []
        for act in raci_acts:
            p, c = self.rng.sample(raci, 2)
            if "A" not in (p, c):
                c = "A" if act in ("Go/no-go decision", "User acceptance testing", "Operations runbook approval") else c
            rrows.append([act, p, c])
        self.subhead("A.5 Responsibility Matrix", outline=False)
        self.sections.append("A.5")
        self.add(P("In the following matrix, R means responsible for performing the activity, A means accountable for "
                   "its completion, C means consulted and I means informed."))
        self.add(table(["Activity", "Provider", "Customer"], rrows, [4.1 * inch, 1.2 * inch, 1.2 * inch]))
        self.add(Spacer(1, 8))
        self.exhibit_sections("A", "governance", 7, start=6)
        self.exhibit_sections("A", "sow", 2, start=13)

    def exhibit_b(self):
        self.exhibit_heading("B", "Service Level Agreement")
        self.add(P("This Exhibit B sets forth the Service Levels that Provider shall meet in providing the Services "
                   "and the Service Credits that apply if Provider fails to meet them. \"Availability\" means, for any "
                   "calendar month, the total number of minutes in the month minus the number of minutes of Downtime, "
                   "divided by the total number of minutes in the month, expressed as a percentage. \"Downtime\" means "
                   "any period during which the production Platform, or any material function of it, is unavailable to "
                   "Authorized Users, excluding scheduled maintenance performed in accordance with this Exhibit."))
        self.subhead("B.1 Availability and Service Credits", outline=False)
        self.sections.append("B.1")
        self.add(P("Provider shall ensure that the production Platform achieves Availability of at least 99.9% in each "
                   "calendar month. If Availability falls below 99.9%, Provider shall credit Customer the following "
                   "percentage of the Monthly Platform Fee for that month:"))
        self.add(table(["Monthly Availability", "Service Credit (% of Monthly Platform Fee)", "Credit on $45,000"],
                       [["99.9% or higher", "None", "$0"],
                        ["99.5% to less than 99.9%", "5%", "$2,250"],
                        ["99.0% to less than 99.5%", "10%", "$4,500"],
                        ["98.0% to less than 99.0%", "15%", "$6,750"],
                        ["Less than 98.0%", "25%", "$11,250"]],
                       [2.0 * inch, 2.7 * inch, 1.8 * inch]))
        self.add(Spacer(1, 8))
        self.subhead("B.2 Incident Severity and Response", outline=False)
        self.sections.append("B.2")
        self.add(table(["Severity", "Definition", "Response Time", "Resolution Target", "Coverage"], [
            ["Severity 1 (Critical)", "The Platform or a core module is unavailable or unusable for all or a "
             "substantial number of Authorized Users, or a Security Incident is in progress.", "30 minutes",
             "4 hours", "24 x 7"],
            ["Severity 2 (High)", "A material function is degraded or unavailable and no reasonable workaround "
             "exists, or shipment status updates are delayed by more than 60 minutes.", "1 hour", "8 hours", "24 x 7"],
            ["Severity 3 (Medium)", "A non-critical function is impaired or a reasonable workaround exists.",
             "4 Business Hours", "3 Business Days", "Business Hours"],
            ["Severity 4 (Low)", "A cosmetic issue, documentation error or request for information.",
             "1 Business Day", "Next scheduled release", "Business Hours"],
        ], [1.1 * inch, 2.6 * inch, 0.9 * inch, 1.0 * inch, 0.9 * inch]))
        self.add(Spacer(1, 8))
        self.subhead("B.3 Component Service Levels", outline=False)
        self.sections.append("B.3")
        comps = ["Shipment Visibility API", "Shipment Visibility Dashboards", "Route Optimization Engine",
                 "Carrier Scorecard Dashboards", "Demand Forecasting Module", "EDI Gateway (204/210/214/990)",
                 "TMS Dispatch Connector", "Data Warehouse Sync", "Reporting Portal", "Alerting and Notifications",
                 "Document Capture Service", "Customs Compliance Module", "Yard Management Integration",
                 "Mobile Driver Application"]
        crows = []
        for c in comps:
            avail = self.rng.choice(["99.9%", "99.9%", "99.95%", "99.5%"])
            rto = self.rng.choice(["2 hours", "4 hours", "4 hours", "8 hours"])
            rpo = self.rng.choice(["15 minutes", "1 hour", "1 hour", "4 hours"])
            lat = self.rng.choice(["300 ms", "500 ms", "800 ms", "2 seconds", "5 seconds"])
            crows.append([c, avail, lat, rto, rpo])
        self.add(P("In addition to the overall Availability Service Level, each Platform component shall meet the "
                   "following targets, measured monthly. Latency targets apply to the 95th percentile of requests."))
        self.add(table(["Component", "Availability", "Latency (p95)", "RTO", "RPO"], crows,
                       [2.4 * inch, 1.0 * inch, 1.1 * inch, 1.0 * inch, 1.0 * inch]))
        self.add(Spacer(1, 8))
        self.subhead("B.4 Worked Examples", outline=False)
        self.sections.append("B.4")
        self.add(P("The following examples illustrate the calculation of Availability and Service Credits. They are "
                   "illustrative only and do not modify the Service Levels."))
        minutes = {28: 40320, 29: 41760, 30: 43200, 31: 44640}
        months = [("April 2024", 30), ("May 2024", 31), ("June 2024", 30), ("July 2024", 31), ("August 2024", 31),
                  ("September 2024", 30), ("October 2024", 31), ("November 2024", 30)]
        for i, (m, days) in enumerate(months, 1):
            total = minutes[days]
            down = self.rng.choice([12, 38, 47, 95, 180, 260, 410, 520, 700, 940])
            av = (total - down) / total * 100
            pct = 0 if av >= 99.9 else 5 if av >= 99.5 else 10 if av >= 99.0 else 15 if av >= 98.0 else 25
            credit = 45000 * pct / 100
            text = (f"Example {i}. In {m}, which has {total:,} minutes, the Platform experiences {down} minutes of "
                    f"Downtime. Availability is ({total:,} - {down}) / {total:,} = {av:.3f}%. ")
            if pct:
                text += (f"Because Availability is below 99.9%, the Service Credit is {pct}% of the Monthly Platform "
                         f"Fee, or {money(credit)}, which Provider shall credit on the invoice issued in the following month.")
            else:
                text += "Because Availability is at or above 99.9%, no Service Credit is due for the month."
            self.add(P(text, SUB))
        self.exhibit_sections("B", "sla", 10, start=5)

    def exhibit_c(self):
        self.exhibit_heading("C", "Fee Schedule")
        self.add(P("This Exhibit C sets forth the Fees payable by Customer under the Agreement. All amounts are in "
                   "United States dollars and exclude applicable taxes."))
        self.subhead("C.1 Recurring Fees", outline=False)
        self.sections.append("C.1")
        self.add(table(["Fee Item", "Amount", "Billing", "Notes"], [
            ["Monthly Platform Fee", "$45,000 per month", "Monthly in advance",
             "Includes 250,000 shipments per month, 400 Authorized Users and standard support"],
            ["Additional non-production environment", "$3,500 per month", "Monthly in advance", "Optional"],
            ["Premium support uplift", "$6,000 per month", "Monthly in advance",
             "Named technical account manager and 15-minute Severity 1 response"],
            ["Additional Authorized Users", "$35 per user per month", "Monthly in arrears", "Above 400 users"],
        ], [1.7 * inch, 1.3 * inch, 1.3 * inch, 2.2 * inch]))
        self.add(Spacer(1, 8))
        self.subhead("C.2 Volume Fees", outline=False)
        self.sections.append("C.2")
        self.add(P("Shipments processed in a calendar month above the 250,000 shipments included in the Monthly "
                   "Platform Fee are charged in arrears at the following marginal rates:"))
        tiers = [(250_000, 500_000, 0.08), (500_000, 1_000_000, 0.06), (1_000_000, None, 0.045)]
        self.add(table(["Monthly Shipments", "Rate per Shipment"], [
            ["Up to 250,000", "Included"],
            ["250,001 to 500,000", "$0.08"],
            ["500,001 to 1,000,000", "$0.06"],
            ["More than 1,000,000", "$0.045"],
        ], [3.0 * inch, 3.0 * inch]))
        self.add(Spacer(1, 6))
        for i in range(1, 7):
            vol = self.rng.randrange(260_000, 1_150_000, 1_000)
            fee, parts = 0.0, []
            for lo, hi, rate in tiers:
                if vol > lo:
                    n = (min(vol, hi) if hi else vol) - lo
                    fee += n * rate
                    parts.append(f"{n:,} shipments at ${rate}")
            self.add(P(f"Example {i}. If Customer processes {vol:,} shipments in a month, the volume fee is "
                       f"{'; '.join(parts)}, for a total volume fee of {money(round(fee, 2))} in addition to the "
                       f"Monthly Platform Fee of $45,000.", SUB))
        self.subhead("C.3 Implementation Fee", outline=False)
        self.sections.append("C.3")
        self.add(P("The one-time implementation fee is $120,000, payable in three (3) milestone payments of $40,000 "
                   "each as set forth in Section A.4 of Exhibit A."))
        self.subhead("C.4 Professional Services Rate Card", outline=False)
        self.sections.append("C.4")
        self.add(P("Time-and-materials Services are charged at the blended rate of $275 per hour unless a Statement of "
                   "Work specifies role-based rates, in which case the following rates apply during the Initial Term:"))
        roles = [("Engagement Director", 325), ("Solution Architect", 295), ("Principal Data Scientist", 310),
                 ("Senior Data Scientist", 285), ("Data Engineer", 245), ("Integration Engineer", 235),
                 ("EDI Specialist", 215), ("Project Manager", 210), ("Business Analyst", 190),
                 ("Optimization Consultant", 265), ("QA Analyst", 165), ("Technical Writer", 140),
                 ("Trainer", 150), ("Support Engineer", 155), ("Security Consultant", 290)]
        self.add(table(["Role", "Hourly Rate", "Daily Rate (8 hours)"],
                       [[r, money(h), money(h * 8)] for r, h in roles], [3.0 * inch, 1.5 * inch, 2.0 * inch]))
        self.add(Spacer(1, 8))
        self.subhead("C.5 Invoice Schedule for the Initial Term", outline=False)
        self.sections.append("C.5")
        self.add(P("The following schedule sets out the Monthly Platform Fee invoices for the Initial Term. Each "
                   "invoice is issued on the first day of the month and is payable net thirty (30) days."))
        rows = []
        for k in range(36):
            y, m = 2024 + (2 + k) // 12, (2 + k) % 12 + 1
            issued = dt.date(y, m, 1)
            due = issued + dt.timedelta(days=30)
            rows.append([f"INV-{k + 1:03d}", issued.strftime("%B %Y"), long_date(issued), long_date(due), "$45,000"])
        self.add(table(["Invoice", "Service Month", "Issue Date", "Due Date", "Amount"], rows,
                       [0.9 * inch, 1.4 * inch, 1.5 * inch, 1.5 * inch, 1.2 * inch]))
        self.add(Spacer(1, 8))
        self.exhibit_sections("C", "fees", 2, start=6)

    def exhibit_d(self):
        self.exhibit_heading("D", "Data Processing Addendum")
        self.add(P("This Data Processing Addendum (the \"Addendum\") forms part of the Master Services Agreement between "
                   "Northwind Analytics, Inc. and Harbor Freight Logistics LLC dated as of March 1, 2024 and applies to "
                   "all processing of Personal Data by Provider on behalf of Customer. In the event of a conflict "
                   "between this Addendum and the Agreement with respect to the processing of Personal Data, this "
                   "Addendum shall prevail."))
        self.exhibit_sections("D", "dpa", 15)
        self.add(PageBreak())
        self.subhead("Annex 1 - Details of Processing")
        self.add(table(["Item", "Description"], [
            ["Subject matter", "Provision of the Platform and related Services under the Agreement."],
            ["Duration", "The Term and any transition period, plus the deletion period in Section 9.5."],
            ["Nature and purpose", "Hosting, storage, analysis and display of shipment and carrier data to provide "
             "shipment visibility, route optimization, carrier scorecards and demand forecasting."],
            ["Categories of data subjects", "Customer employees and contractors; carrier drivers and dispatchers; "
             "consignee and shipper contacts."],
            ["Categories of Personal Data", "Names, business contact details, driver identifiers, mobile device "
             "identifiers, vehicle location data, signatures on proof of delivery documents."],
            ["Sensitive data", "None. Customer shall not submit special categories of personal data."],
            ["Frequency of transfer", "Continuous."],
            ["Retention", "As instructed by Customer, and in any event no longer than the period in Section 9.5."],
        ], [1.8 * inch, 4.7 * inch]))
        self.add(Spacer(1, 8))
        self.subhead("Annex 2 - Technical and Organizational Measures")
        self.add(P("Provider shall implement the measures described in Exhibit E (Information Security Requirements), "
                   "which are incorporated into this Annex 2 by reference, together with the following measures:"))
        for i, line in enumerate([
            "pseudonymization of driver identifiers in analytics datasets where re-identification is not required;",
            "role-based access control with quarterly access reviews for all systems processing Personal Data;",
            "encryption of Personal Data in transit and at rest as described in Exhibit E;",
            "logging of all administrative access to production systems and review of those logs;",
            "documented procedures for responding to data subject requests within the timeframes required by law;",
            "privacy-by-design reviews for all new features that process Personal Data; and",
            "annual privacy training for all personnel with access to Personal Data.",
        ]):
            self.add(P(f"({'abcdefg'[i]}) {line}", SUB))
        self.subhead("Annex 3 - Approved Sub-processors")
        self.add(table(["Sub-processor", "Service", "Location", "Personal Data Processed"], [
            ["Amazon Web Services, Inc.", "Cloud hosting and storage", "United States (us-east-1, us-west-2)", "All categories"],
            ["Snowflake Inc.", "Data warehousing", "United States", "Shipment and carrier data"],
            ["Datadog, Inc.", "Infrastructure monitoring", "United States", "System logs, user identifiers"],
            ["Zendesk, Inc.", "Support ticketing", "United States", "Business contact details"],
            ["Twilio Inc.", "SMS and voice notifications", "United States", "Mobile numbers of drivers and contacts"],
            ["Northwind Analytics Canada ULC", "Follow-the-sun support", "Canada", "Business contact details, logs"],
        ], [1.9 * inch, 1.5 * inch, 1.5 * inch, 1.6 * inch]))

    def exhibit_e(self):
        self.exhibit_heading("E", "Information Security Requirements")
        self.add(P("This Exhibit E sets forth the minimum information security requirements that Provider shall meet in "
                   "providing the Services. Provider shall maintain compliance with these requirements throughout the "
                   "Term and shall notify Customer promptly if it becomes unable to comply with any requirement."))
        self.exhibit_sections("E", "security", 16)

    def exhibit_f(self):
        self.exhibit_heading("F", "Business Continuity and Exit")
        self.add(P("This Exhibit F describes Provider's obligations with respect to business continuity, disaster "
                   "recovery and the orderly transition of the Services upon expiration or termination of the Agreement."))
        self.exhibit_sections("F", "transition", 8)

    def exhibit_g(self):
        self.exhibit_heading("G", "Customer Facilities and Go-Live Waves")
        self.add(P("The Services shall be deployed to the following Customer facilities in the waves indicated. Customer "
                   "may add or remove facilities through the Change Control procedure."))
        cities = [("Newark", "NJ"), ("Elizabeth", "NJ"), ("Jersey City", "NJ"), ("Secaucus", "NJ"), ("Edison", "NJ"),
                  ("Bronx", "NY"), ("Brooklyn", "NY"), ("Queens", "NY"), ("Long Island City", "NY"), ("Albany", "NY"),
                  ("Buffalo", "NY"), ("Syracuse", "NY"), ("Philadelphia", "PA"), ("Allentown", "PA"),
                  ("Harrisburg", "PA"), ("Pittsburgh", "PA"), ("Baltimore", "MD"), ("Hagerstown", "MD"),
                  ("Wilmington", "DE"), ("Norfolk", "VA"), ("Richmond", "VA"), ("Charlotte", "NC"),
                  ("Greensboro", "NC"), ("Savannah", "GA"), ("Atlanta", "GA"), ("Jacksonville", "FL"),
                  ("Boston", "MA"), ("Worcester", "MA"), ("Providence", "RI"), ("Hartford", "CT"),
                  ("New Haven", "CT"), ("Columbus", "OH"), ("Cleveland", "OH"), ("Cincinnati", "OH"),
                  ("Indianapolis", "IN"), ("Louisville", "KY"), ("Chicago", "IL"), ("Joliet", "IL"),
                  ("Detroit", "MI"), ("Toronto", "ON"), ("Montreal", "QC"), ("Rotterdam", "NL")]
        kinds = ["Cross-dock", "Warehouse", "Drayage yard", "Warehouse", "Cross-dock"]
        streets = ["Port Street", "Industrial Avenue", "Commerce Drive", "Terminal Road", "Distribution Way",
                   "Harbor Boulevard", "Logistics Parkway", "Rail Yard Road", "Freight Lane", "Corporate Drive"]
        rows = []
        for i, (city, st) in enumerate(cities, 1):
            addr = f"{self.rng.randint(10, 9800)} {self.rng.choice(streets)}, {city}, {st}"
            wave = 1 if i <= 14 else 2 if i <= 30 else 3
            rows.append([f"HFL-{i:03d}", self.rng.choice(kinds), addr, f"Wave {wave}",
                         f"{self.rng.randrange(1200, 14000, 100):,}"])
        self.add(table(["Site ID", "Type", "Address", "Wave", "Monthly Shipments"], rows,
                       [0.8 * inch, 1.0 * inch, 2.9 * inch, 0.7 * inch, 1.1 * inch]))

    def exhibit_k(self):
        self.exhibit_heading("K", "Form of Change Order")
        self.add(P("Change Orders under Section 3.4 of the Agreement shall be substantially in the following form."))
        self.add(table(["Field", "Content"], [
            ["Change Order number", "CO-[number]"],
            ["Statement of Work", "[SOW number and title]"],
            ["Requested by", "[Party, name and title]"],
            ["Description of change", "[Detailed description of the change to the Services or Deliverables]"],
            ["Reason for change", "[Business reason]"],
            ["Impact on schedule", "[Changes to milestones and dates]"],
            ["Impact on Fees", "[Change to fixed fees or estimate, with supporting calculation]"],
            ["Impact on Service Levels", "[Any Service Level affected and proposed adjustment]"],
            ["Risks and dependencies", "[Risks introduced and Customer dependencies]"],
            ["Approvals", "[Signature blocks for both Parties' authorized representatives]"],
        ], [2.0 * inch, 4.5 * inch]))
        self.add(Spacer(1, 8))
        self.add(P("A Change Order becomes effective only when signed by both Parties. Until a Change Order is signed, "
                   "Provider shall continue to perform the Services in accordance with the existing Statement of Work."))

    def exhibit_h(self):
        self.exhibit_heading("H", "Integration Specifications")
        self.add(P("This Exhibit H describes the integrations between the Platform, Customer's systems and Customer's "
                   "carriers that Provider shall implement and maintain. Detailed mapping specifications shall be agreed "
                   "during the design phase of Statement of Work No. 1 and, once approved, form part of this Exhibit."))
        self.subhead("H.1 EDI Transaction Sets", outline=False)
        self.sections.append("H.1")
        self.add(table(["Transaction Set", "Name", "Direction", "Purpose", "Target Latency"], [
            ["204", "Motor Carrier Load Tender", "Outbound to carriers", "Tender loads selected in route plans", "5 minutes"],
            ["990", "Response to a Load Tender", "Inbound from carriers", "Record tender acceptance or rejection", "5 minutes"],
            ["214", "Transportation Carrier Shipment Status", "Inbound from carriers", "Shipment milestones and ETAs", "2 minutes"],
            ["210", "Motor Carrier Freight Invoice", "Inbound from carriers", "Freight audit and scorecard cost metrics", "1 hour"],
            ["997", "Functional Acknowledgment", "Both", "Acknowledge receipt of each transaction", "15 minutes"],
            ["856", "Advance Ship Notice", "Inbound from shippers", "Expected inbound volumes at facilities", "15 minutes"],
            ["940", "Warehouse Shipping Order", "Outbound to warehouses", "Outbound order release", "15 minutes"],
            ["945", "Warehouse Shipping Advice", "Inbound from warehouses", "Confirm shipment of outbound orders", "15 minutes"],
            ["315", "Status Details (Ocean)", "Inbound from ocean carriers", "Container milestones for drayage", "10 minutes"],
            ["322", "Terminal Operations Activity", "Inbound from terminals", "Gate-in and gate-out events", "10 minutes"],
        ], [0.9 * inch, 1.6 * inch, 1.2 * inch, 1.9 * inch, 0.9 * inch]))
        self.add(Spacer(1, 8))
        self.subhead("H.2 Application Programming Interfaces", outline=False)
        self.sections.append("H.2")
        apis = [("GET /v2/shipments", "Search shipments by reference, status, lane or date"),
                ("GET /v2/shipments/{id}", "Retrieve a shipment with its milestones and current ETA"),
                ("POST /v2/shipments", "Create shipments from Customer's TMS"),
                ("PATCH /v2/shipments/{id}", "Update shipment references or appointment times"),
                ("GET /v2/shipments/{id}/events", "List status events for a shipment"),
                ("POST /v2/webhooks", "Register a webhook for shipment events"),
                ("GET /v2/carriers", "List carriers with current scorecard metrics"),
                ("GET /v2/carriers/{id}/scorecard", "Retrieve a carrier scorecard for a period"),
                ("POST /v2/route-plans", "Request an optimized route plan for a facility and date"),
                ("GET /v2/route-plans/{id}", "Retrieve a route plan and its assignments"),
                ("GET /v2/forecasts/lanes", "Retrieve the rolling thirteen-week lane forecast"),
                ("POST /v2/documents", "Upload proof of delivery and customs documents"),
                ("GET /v2/facilities", "List facilities and their configuration"),
                ("GET /v2/exports/{id}", "Download a bulk export of Customer Data")]
        rows = [[ep, desc, f"{self.rng.choice([60, 120, 300, 600, 1200])} requests/minute"] for ep, desc in apis]
        self.add(table(["Endpoint", "Description", "Minimum Rate Limit"], rows, [2.2 * inch, 2.9 * inch, 1.4 * inch]))
        self.add(Spacer(1, 8))
        self.exhibit_sections("H", "integration", 10, start=3)

    def exhibit_i(self):
        self.exhibit_heading("I", "Reporting Requirements")
        self.add(P("Provider shall deliver the following reports to Customer at the frequencies indicated, through the "
                   "reporting portal or by email to the recipients designated by Customer. Reports shall be delivered "
                   "in PDF and in a machine-readable format (CSV or XLSX) unless otherwise agreed."))
        reports = [
            ("Service Level Report", "Monthly", "Performance against each Service Level, Service Credits, root causes", "Governance Committee"),
            ("Incident Summary", "Weekly", "Open and closed incidents by severity, ageing and trends", "IT Operations"),
            ("Security Incident Report", "Per incident", "Nature, scope, data affected, containment and remediation", "CISO, Legal"),
            ("Vulnerability Status", "Monthly", "Open vulnerabilities by severity and remediation dates", "CISO"),
            ("Carrier Performance", "Weekly", "On-time pickup and delivery, tender acceptance, status message compliance", "Transportation"),
            ("Empty Miles Report", "Monthly", "Empty drayage miles by facility against baseline", "Operations"),
            ("Forecast Accuracy", "Monthly", "Lane-level forecast error against actual volumes", "Planning"),
            ("Capacity Outlook", "Weekly", "Thirteen-week capacity requirements by region", "Planning"),
            ("Integration Health", "Daily", "Message volumes, failures, latency and rejected records", "IT Operations"),
            ("User Access Review", "Quarterly", "Authorized Users, roles and last login", "IT Security"),
            ("Volume and Billing", "Monthly", "Shipments processed, users, volume fees and invoice reconciliation", "Finance"),
            ("Project Status", "Bi-weekly", "Progress, milestones, risks, issues and decisions", "Steering Committee"),
            ("Change Request Log", "Monthly", "Open and closed change requests and Change Orders", "Governance Committee"),
            ("Subcontractor Report", "Quarterly", "Subcontractors engaged and any changes", "Procurement, Legal"),
            ("Business Continuity Test", "Annually", "Scope and results of disaster recovery tests", "CISO, IT Operations"),
            ("SOC 2 Type II Report", "Annually", "Independent assurance report and bridge letters", "CISO, Audit"),
            ("Customer Satisfaction Survey", "Semi-annually", "Survey results and improvement actions", "Governance Committee"),
            ("Innovation Roadmap", "Semi-annually", "Planned Platform releases and improvement proposals", "Executive Sponsors"),
        ]
        self.add(table(["Report", "Frequency", "Content", "Recipients"], [list(r) for r in reports],
                       [1.6 * inch, 0.9 * inch, 2.6 * inch, 1.4 * inch]))
        self.add(Spacer(1, 8))
        self.emit_paragraphs("I.1", "Report Quality", [
            "Provider shall ensure that each report is accurate and complete and is derived from the same measurement "
            "data used to calculate the Service Levels and Fees. If Customer identifies an error in a report, Provider "
            "shall deliver a corrected report within five (5) Business Days and, where the error affects any Service "
            "Credit or Fee, shall make the corresponding adjustment on the next invoice."])
        self.emit_paragraphs("I.2", "Changes to Reports", [
            "Customer may request reasonable changes to the content or format of any report through the Governance "
            "Committee. Changes that require no more than sixteen (16) hours of Provider effort per contract year shall "
            "be made at no additional charge; larger changes shall be handled through the Change Control procedure."])

    def exhibit_j(self):
        self.exhibit_heading("J", "Key Personnel and Governance")
        self.add(P("This Exhibit J identifies the key personnel of each Party and the governance bodies through which "
                   "the Parties shall manage the relationship under Section 2.7 of the Agreement."))
        self.subhead("J.1 Key Personnel", outline=False)
        self.sections.append("J.1")
        self.add(table(["Party", "Role", "Name", "Responsibilities"], [
            ["Provider", "Executive Sponsor", "Jonathan R. Meyers", "Overall accountability for the relationship"],
            ["Provider", "Client Partner", "Sarah Lindgren", "Commercial management and escalations"],
            ["Provider", "Delivery Director", "Marcus Oyelaran", "Delivery of all Statements of Work"],
            ["Provider", "Implementation Project Manager", "Hannah Cole", "Day-to-day management of SOW 1"],
            ["Provider", "Solution Architect", "Vikram Desai", "Solution design and integration architecture"],
            ["Provider", "Security Lead", "Priya Raman", "Information security and Security Incident response"],
            ["Provider", "Contracts Counsel", "David Okafor", "Contract administration and Change Orders"],
            ["Customer", "Executive Sponsor", "Elena Vasquez", "Overall accountability for the relationship"],
            ["Customer", "Program Director", "Robert Kaminski", "Business ownership of the implementation"],
            ["Customer", "IT Project Manager", "Aisha Mensah", "Customer systems, integrations and testing"],
            ["Customer", "Transportation Lead", "Luis Ortega", "Carrier onboarding and drayage operations"],
            ["Customer", "Information Security Officer", "Daniel Whitaker", "Security reviews and incident coordination"],
            ["Customer", "Chief Legal Officer", "Grace Holloway", "Legal notices and contract matters"],
        ], [0.8 * inch, 1.8 * inch, 1.4 * inch, 2.5 * inch]))
        self.add(Spacer(1, 8))
        self.subhead("J.2 Governance Bodies", outline=False)
        self.sections.append("J.2")
        self.add(table(["Body", "Members", "Frequency", "Purpose"], [
            ["Executive Review", "Executive Sponsors, Client Partner, Program Director", "Semi-annually",
             "Strategic direction, renewal planning, major escalations"],
            ["Governance Committee", "Two or more representatives of each Party", "Monthly during implementation, "
             "then quarterly", "Service Level performance, risks, changes, disputes"],
            ["Steering Committee", "Executive Sponsors and project managers", "Every two weeks during SOW 1",
             "Project progress, milestones, go/no-go decisions"],
            ["Operations Review", "Delivery Director, Transportation Lead, IT Project Manager", "Weekly",
             "Incidents, integration health, carrier performance"],
            ["Security Working Group", "Security Lead, Information Security Officer", "Monthly",
             "Vulnerabilities, audits, security changes"],
        ], [1.4 * inch, 2.0 * inch, 1.3 * inch, 1.8 * inch]))
        self.add(Spacer(1, 8))
        self.subhead("J.3 Escalation Path", outline=False)
        self.sections.append("J.3")
        self.add(table(["Level", "Provider", "Customer", "Time to Escalate"], [
            ["1", "Implementation Project Manager", "IT Project Manager", "Immediately"],
            ["2", "Delivery Director", "Program Director", "After 3 Business Days unresolved"],
            ["3", "Client Partner", "Executive Sponsor", "After a further 5 Business Days"],
            ["4", "Executive Sponsor", "Executive Sponsor", "In accordance with Section 17.1"],
        ], [0.6 * inch, 2.0 * inch, 2.0 * inch, 1.9 * inch]))
        self.add(Spacer(1, 8))
        self.emit_paragraphs("J.4", "Replacement of Key Personnel", [
            "Each Party shall notify the other promptly of any change to its key personnel and shall replace any key "
            "personnel who leave with individuals of comparable skill and experience. Provider's obligations with "
            "respect to its key personnel under Section 2.5 of the Agreement apply to the Provider personnel listed "
            "in Section J.1."])

    def build_story(self) -> list:
        self.cover()
        self.toc()
        self.preamble()
        self.definitions()
        self.articles()
        self.signatures()
        self.exhibit_a()
        self.exhibit_b()
        self.exhibit_c()
        self.exhibit_d()
        self.exhibit_e()
        self.exhibit_f()
        self.exhibit_g()
        self.exhibit_h()
        self.exhibit_i()
        self.exhibit_j()
        self.exhibit_k()
        return self.story


def build_msa(path: Path) -> int:
    story = MSABuilder().build_story()
    buf = io.BytesIO()
    doc = MSADocTemplate(buf, title="Master Services Agreement - Northwind Analytics, Inc. and Harbor Freight "
                              "Logistics LLC", author="Northwind Analytics, Inc.",
                         subject="Master Services Agreement dated as of March 1, 2024",
                         creator="docpipe samples/generate.py", keywords="contract, MSA, sample")
    doc.multiBuild(story)
    path.write_bytes(buf.getvalue())
    return doc.page


# --------------------------------------------------------------------------------------
# NDA
# --------------------------------------------------------------------------------------

def build_nda(path: Path) -> int:
    title = ParagraphStyle("nda_title", parent=TITLE, fontSize=16, leading=20, spaceAfter=14)
    sub_title = ParagraphStyle("nda_sub", parent=ARTICLE, spaceBefore=6, spaceAfter=6)
    story: list = []
    for kind, text in nda.BLOCKS:
        if kind == "title":
            story.append(Paragraph(escape(text), title))
        elif kind == "subtitle":
            story.append(Paragraph(escape(text), sub_title))
        elif kind == "para":
            story.append(P(text))
        elif kind == "section":
            head, body = text.split("|", 1)
            story.append(Paragraph(f"<b>{escape(head)}</b> {escape(body)}", BODY))
        elif kind == "sub":
            story.append(P(text, SUB))
        elif kind == "sig":
            sig = nda.FACTS["signatories"]
            a, b = nda.FACTS["party_a"], nda.FACTS["party_b"]
            rows = [[a.upper(), b.upper()],
                    ["By: ______________________________", "By: ______________________________"],
                    ["Name: " + sig[a][0], "Name: " + sig[b][0]],
                    ["Title: " + sig[a][1], "Title: " + sig[b][1]],
                    ["Date: " + nda.FACTS["effective_date"], "Date: " + nda.FACTS["effective_date"]]]
            data = [[Paragraph(escape(c), CELL_HEAD if i == 0 else BODY) for c in r] for i, r in enumerate(rows)]
            t = Table(data, colWidths=[3.25 * inch, 3.25 * inch], hAlign="LEFT")
            t.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("TOPPADDING", (0, 1), (-1, -1), 8)]))
            story.append(KeepTogether([Spacer(1, 14), t]))

    def footer(canv, doc):
        canv.saveState()
        canv.setFont("Helvetica", 8)
        canv.drawString(doc.leftMargin, 0.5 * inch, "Mutual Non-Disclosure Agreement - Northwind / Cobalt Ridge")
        canv.drawRightString(doc.leftMargin + doc.width, 0.5 * inch, f"Page {canv.getPageNumber()}")
        canv.restoreState()

    buf = io.BytesIO()
    doc = BaseDocTemplate(buf, pagesize=LETTER, leftMargin=inch, rightMargin=inch, topMargin=inch,
                          bottomMargin=inch, invariant=1, pageCompression=1,
                          title="Mutual Non-Disclosure Agreement - Northwind Analytics, Inc. and Cobalt Ridge "
                                "Software, Inc.", author="Northwind Analytics, Inc.",
                          creator="docpipe samples/generate.py")
    frame = Frame(doc.leftMargin, doc.bottomMargin, doc.width, doc.height, id="main")
    doc.addPageTemplates([PageTemplate("page", [frame], onPageEnd=footer)])
    doc.build(story)
    path.write_bytes(buf.getvalue())
    return doc.page


# --------------------------------------------------------------------------------------
# Transcript
# --------------------------------------------------------------------------------------

def build_transcript(path: Path) -> None:
    lines = [f"{tr.SPEAKERS[k]}: {text}" for k, text in tr.TURNS]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


# --------------------------------------------------------------------------------------
# Facts, checks, main
# --------------------------------------------------------------------------------------

def facts(msa_pages: int, nda_pages: int) -> dict:
    return {
        "master-services-agreement.pdf": msa.FACTS | {
            "pages": msa_pages,
            "page_labels": "cover i, table of contents ii, body 1, 2, ... (footer 'Page N' matches the label)",
        },
        "short-nda.pdf": nda.FACTS | {"pages": nda_pages},
        "board-meeting-transcript.txt": {
            "turns": len(tr.TURNS),
            "meeting": "Board of Directors of Northwind Analytics, Inc.",
            "date": "Tuesday, March 12, 2024",
            "participants": tr.ROLES,
            "decisions": tr.DECISIONS,
            "action_items": tr.ACTION_ITEMS,
            "open_questions": tr.OPEN_QUESTIONS,
            "next_meeting": "Tuesday, April 9, 2024",
        },
    }


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def generate(out_dir: Path) -> dict[str, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {name: out_dir / name for name in (MSA_PDF, NDA_PDF, TRANSCRIPT_TXT, FACTS_JSON)}
    msa_pages = build_msa(paths[MSA_PDF])
    nda_pages = build_nda(paths[NDA_PDF])
    build_transcript(paths[TRANSCRIPT_TXT])
    paths[FACTS_JSON].write_text(json.dumps(facts(msa_pages, nda_pages), indent=2, ensure_ascii=True) + "\n", encoding="utf-8")
    return paths


def pdf_pages(path: Path) -> int:
    import pypdfium2 as pdfium  # only needed for the checks

    pdf = pdfium.PdfDocument(str(path))
    try:
        return len(pdf)
    finally:
        pdf.close()


def pdf_text(path: Path) -> tuple[list[str], list[str]]:
    """(text of each page with whitespace collapsed, page labels) via pypdfium2."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(path))
    try:
        texts, labels = [], []
        for i in range(len(pdf)):
            page = pdf[i]
            tp = page.get_textpage()
            texts.append(" ".join(tp.get_text_bounded().split()))
            tp.close()
            page.close()
            labels.append(pdf.get_page_label(i))
        return texts, labels
    finally:
        pdf.close()


# Phrases that must survive PDF text extraction verbatim (whitespace collapsed).
MSA_PHRASES = [
    " ".join(msa.PREAMBLE.split()),
    "$45,000 per month", "$120,000", "$275 per hour", "net thirty (30) days",
    "one and one-half percent (1.5%) per month", "an initial term of three (3) years",
    "automatically renew for successive one (1) year renewal terms unless either party gives ninety (90) "
    "days' written notice",
    "in no event shall either party's aggregate liability exceed the fees paid in the twelve (12) months "
    "preceding the event giving rise to the claim",
    "This Agreement shall be governed by and construed in accordance with the laws of the State of New York",
    "one hundred twenty (120) days' prior written notice", "seventy-two (72) hours",
    "five (5) years after the expiration or termination", "$2,000,000 per occurrence",
    "Jonathan R. Meyers", "Elena Vasquez",
]
NDA_PHRASES = [
    "Northwind Analytics, Inc., a Delaware corporation", "Cobalt Ridge Software, Inc., a California corporation",
    "January 15, 2024", "a term of two (2) years", "laws of the State of California",
    "thirty (30) days' prior written notice", "injunctive relief",
]


def check(paths: dict[str, Path]) -> None:
    """Sanity checks on counts, sizes and extracted text, plus a second run to prove determinism."""
    import tempfile

    texts, labels = pdf_text(paths[MSA_PDF])
    full = " ".join(texts)
    for phrase in MSA_PHRASES:
        assert phrase in full, f"MSA text is missing {phrase!r}"
    assert labels[0] == "i" and labels[1] == "ii" and labels[2] == "1", labels[:4]
    assert texts[2].endswith("Page 1") and texts[-1].endswith(f"Page {labels[-1]}"), "footer page numbers"
    assert len(set(texts)) == len(texts), "MSA has identical pages"
    texts, _ = pdf_text(paths[NDA_PDF])
    full = " ".join(texts)
    for phrase in NDA_PHRASES:
        assert phrase in full, f"NDA text is missing {phrase!r}"
    transcript = paths[TRANSCRIPT_TXT].read_text(encoding="utf-8")
    for item in tr.ACTION_ITEMS:
        assert item["text"] in transcript, item
    for decision in tr.DECISIONS:
        assert decision in transcript, decision
    assert all(": " in ln and ln.split(": ", 1)[0] in tr.ROLES for ln in transcript.splitlines())

    n = pdf_pages(paths[MSA_PDF])
    assert MSA_PAGE_RANGE[0] <= n <= MSA_PAGE_RANGE[1], f"MSA has {n} pages, want {MSA_PAGE_RANGE}"
    n = pdf_pages(paths[NDA_PDF])
    assert NDA_PAGE_RANGE[0] <= n <= NDA_PAGE_RANGE[1], f"NDA has {n} pages, want {NDA_PAGE_RANGE}"
    turns = paths[TRANSCRIPT_TXT].read_text(encoding="utf-8").splitlines()
    assert TRANSCRIPT_TURN_RANGE[0] <= len(turns) <= TRANSCRIPT_TURN_RANGE[1], len(turns)
    assert paths[MSA_PDF].stat().st_size < 1_000_000
    with tempfile.TemporaryDirectory() as tmp:
        again = generate(Path(tmp))
        for name, p in paths.items():
            assert sha256(p) == sha256(again[name]), f"{name} is not deterministic"
    print("checks passed: page counts, turn count, size, determinism")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=HERE, help="output directory (default: samples/)")
    ap.add_argument("--check", action="store_true", help="verify page counts and determinism")
    args = ap.parse_args(argv)
    paths = generate(args.out)
    for name, p in paths.items():
        extra = f", {pdf_pages(p)} pages" if name.endswith(".pdf") else ""
        if name == TRANSCRIPT_TXT:
            extra = f", {len(p.read_text(encoding='utf-8').splitlines())} turns"
        print(f"{p.name}: {p.stat().st_size:,} bytes{extra}, sha256 {sha256(p)}")
    if args.check:
        check(paths)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
