"""Transcript parsers: "Speaker: text", WebVTT, SRT and depositions (page:line).

Fixtures are generated in code; the corpus transcripts are covered in test_parsers.py.
"""
from __future__ import annotations

from pathlib import Path


import docpipe  # noqa: F401
from docpipe.domain import DocumentKind
from docpipe.parsers.base import ParserContext
from docpipe.parsers.registry import choose_parser, parse_file


def parse_text(tmp_path: Path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return parse_file(path, ParserContext(extension=path.suffix.lower()))


# ---- "Speaker: text" ----------------------------------------------------------------------

MEETING = """Acme v. Beta -- Settlement Conference - May 2, 2025
Judge Rivera: We are on the record in Acme versus Beta. Counsel, your appearances.
Ms. Chen: Laura Chen for Acme, Your Honor.
Mr. O'Neil: Patrick O'Neil for Beta.
Judge Rivera: Thank you. Where do things stand?
Ms. Chen: We exchanged drafts on Friday: the open point is the indemnity cap.
It remains at two million dollars.
Mr. O'Neil: We can accept that cap if the term ends in 2027.
Judge Rivera: Then let us put that on the record.
"""


def test_speaker_turns_with_header_and_continuation(tmp_path):
    doc = parse_text(tmp_path, "conference.txt", MEETING)
    assert doc.format == "transcript" and doc.kind_hint is DocumentKind.TRANSCRIPT
    assert doc.metadata["title"] == "Acme v. Beta -- Settlement Conference - May 2, 2025"
    assert doc.turn_count == 7 and doc.page_count is None
    assert [s.speaker for s in doc.spans[:3]] == ["Judge Rivera", "Ms. Chen", "Mr. O'Neil"]
    assert doc.spans[3].turn == 3 and doc.spans[3].text == "Thank you. Where do things stand?"
    assert doc.spans[4].text == ("We exchanged drafts on Friday: the open point is the indemnity cap.\n"
                                 "It remains at two million dollars.")
    assert doc.metadata["speakers"] == ["Judge Rivera", "Ms. Chen", "Mr. O'Neil"]


def test_one_off_labels_do_not_make_a_transcript():
    head = b"Note: draft only.\nParties: Acme and Beta.\nTerm: two years.\nFees: monthly.\nLaw: New York.\n"
    assert choose_parser(head, ParserContext(extension=".txt")).name == "text"


# ---- captions ------------------------------------------------------------------------------

VTT = """WEBVTT

NOTE exported from the hearing recorder

1
00:00:01.000 --> 00:00:04.000
<v Jane Doe>Good morning, everyone.

2
00:00:04.500 --> 00:00:06.000 align:start
<v Jane Doe>Let's begin with clause <b>4</b>.

00:01:02.250 --> 00:01:05.000
<v.loud John Roe>I object to clause 4.

04:10.000 --> 04:12.000
Jane Doe: Noted.
"""


def test_webvtt_turns_merge_one_speakers_cues(tmp_path):
    doc = parse_text(tmp_path, "hearing.vtt", VTT)
    assert doc.format == "webvtt" and doc.kind_hint is DocumentKind.TRANSCRIPT
    assert [(s.turn, s.speaker, s.timestamp, s.text) for s in doc.spans] == [
        (0, "Jane Doe", "00:00:01.000", "Good morning, everyone. Let's begin with clause 4."),
        (1, "John Roe", "00:01:02.250", "I object to clause 4."),
        (2, "Jane Doe", "00:04:10.000", "Noted."),
    ]


SRT = """1
00:00:01,000 --> 00:00:04,000
Jane Doe: Good morning.

2
00:00:05,000 --> 00:00:07,500
John Roe: The supplier missed
<i>three deliveries.</i>

3
00:00:08,000 --> 00:00:09,000
John Roe: In March.

4
00:00:10,000 --> 00:00:11,000
[inaudible]
"""


def test_srt_turns(tmp_path):
    doc = parse_text(tmp_path, "call.srt", SRT)
    assert doc.format == "srt"
    assert [(s.turn, s.speaker, s.timestamp, s.text) for s in doc.spans] == [
        (0, "Jane Doe", "00:00:01.000", "Good morning."),
        (1, "John Roe", "00:00:05.000", "The supplier missed three deliveries. In March."),
        (2, None, "00:00:10.000", "[inaudible]"),
    ]


def test_caption_formats_are_found_by_content_not_name():
    assert choose_parser(VTT.encode(), ParserContext(extension=".txt")).name == "webvtt"
    assert choose_parser(SRT.encode(), ParserContext(extension=".txt")).name == "srt"


# ---- depositions ---------------------------------------------------------------------------

def deposition(first_page: int = 12, pages: int = 3, *, form_feeds: bool = True) -> str:
    """A court-reporter layout: a right-aligned page number, then 25 numbered lines."""
    script = ["EXAMINATION", "BY MR. JONES:", "Q.  Please state your name for the record.",
              "A.  Mary Smith.", "Q.  Did you sign the supply agreement", "on March 3, 2021?",
              "MR. SMITH:  Objection, form.", "THE WITNESS:  I signed it that day.",
              "Q.  Who else was present?", "A.  Nobody else."]
    sheets = []
    for n in range(pages):
        header = f"{' ' * 60}{first_page + n}" if form_feeds else f"Page {first_page + n}"
        body = [f"{i:2d}   {script[(n * 25 + i - 1) % len(script)] if i <= 20 else ''}".rstrip()
                for i in range(1, 26)]
        footer = "        ACME COURT REPORTING  (212) 555-0100"
        sheets.append("\n".join([header, ""] + body + [footer]))
    return ("\f" if form_feeds else "\n").join(sheets) + "\n"


def test_deposition_page_line_and_speakers(tmp_path):
    doc = parse_text(tmp_path, "smith_depo.txt", deposition())
    assert doc.format == "deposition" and doc.kind_hint is DocumentKind.TRANSCRIPT
    assert doc.page_count == 3 and len(doc.spans) == 60  # lines 21-25 are blank on each page
    first = doc.spans[:10]
    assert [(s.page, s.page_label, s.line) for s in first[:2]] == [(1, "12", 1), (1, "12", 2)]
    assert [s.speaker for s in first] == [None, None, "MR. JONES", "A", "MR. JONES", "MR. JONES",
                                          "MR. SMITH", "THE WITNESS", "MR. JONES", "A"]
    assert first[2].text == "Q. Please state your name for the record."
    assert (doc.spans[-1].page, doc.spans[-1].page_label, doc.spans[-1].line) == (3, "14", 20)
    assert doc.metadata["unnumbered_lines_skipped"] == 3  # the reporter's footer, once a page


def test_deposition_without_form_feeds_uses_page_lines(tmp_path):
    doc = parse_text(tmp_path, "depo.txt", deposition(first_page=1, pages=2, form_feeds=False))
    assert doc.format == "deposition" and doc.page_count == 2
    assert sorted({(s.page, s.page_label) for s in doc.spans}) == [(1, "1"), (2, "2")]
    assert [s.line for s in doc.spans if s.page == 2][:3] == [1, 2, 3]


def test_deposition_numbering_restart_starts_a_page(tmp_path):
    lines = [f"{i:2d}   Line {i} of the first page." for i in range(1, 26)]
    lines += [f"{i:2d}   Line {i} of the second page." for i in range(1, 13)]
    doc = parse_text(tmp_path, "bare.txt", "\n".join(lines))
    assert doc.format == "deposition" and doc.page_count == 2
    assert (doc.spans[25].page, doc.spans[25].line, doc.spans[25].page_label) == (2, 1, None)
    assert doc.spans[25].text == "Line 1 of the second page."
