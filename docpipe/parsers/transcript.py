"""Transcripts: "Speaker: text" lines, WebVTT and SRT captions, and numbered deposition pages.

Every transcript span carries where it came from: a turn index with its speaker (and a
timestamp for captions), or a page and line number for depositions.
"""
from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from docpipe.domain import DocumentKind, ParsedDocument, Span
from docpipe.parsers.base import ParserContext
from docpipe.parsers.content import decode_text, head_text, normalise_newlines

# A turn: a capitalised speaker label of at most 100 characters, a colon, then the words.
# Wider than "^[A-Z][\w .'\-]{0,60}:\s" so that "John G. Roberts, Jr.:" and
# "The Chair (Hon. Anthony Rota (Nipissing, Lib.)):" are speakers too.
_TURN = re.compile(r"^(?P<speaker>[A-Z][^:\n]{0,100}?):(?:[ \t]+(?P<text>.*))?$")
_MAX_SPEAKER_WORDS = 12


def _read_text(path: Path) -> str:
    return normalise_newlines(decode_text(path.read_bytes())[0])


def _head_lines(head: bytes) -> list[str]:
    text = head_text(head)
    return [] if text is None else normalise_newlines(text).split("\n")


def _match_turn(line: str) -> tuple[str, str] | None:
    match = _TURN.match(line.strip())
    if not match:
        return None
    speaker = match["speaker"].strip()
    if len(speaker.split()) > _MAX_SPEAKER_WORDS:
        return None
    return speaker, (match["text"] or "").strip()


def _extension_bonus(ctx: ParserContext, extensions: tuple[str, ...]) -> float:
    return 0.05 if ctx.extension in extensions else 0.0


class SpeakerTranscriptParser:
    """One turn per line, "Speaker: text" (QMSum, Oyez). Lines before the first turn are a
    header (the Oyez case line): kept in metadata, never counted as turns. A later line
    without a speaker continues the turn before it."""

    name = "transcript"

    def score(self, head: bytes, ctx: ParserContext) -> float:
        lines = _head_lines(head)
        lines = [line for line in (lines[:-1] if len(lines) > 1 else lines) if line.strip()]  # last may be cut
        if len(lines) < 4:
            return 0.0
        body = lines[1:] if _match_turn(lines[0]) is None else lines  # one header line
        speakers = Counter(t[0] for t in map(_match_turn, body) if t is not None)
        matched = sum(speakers.values())
        fraction = matched / len(body)
        repeated = sum(1 for count in speakers.values() if count >= 2)
        # Contracts have "Section 1:" lines, but each label once and among prose lines.
        if fraction < 0.75 or repeated < 2 or len(speakers) > matched / 2:
            return 0.0
        return 0.5 + 0.4 * fraction + _extension_bonus(ctx, (".txt",))

    def parse(self, path: Path, ctx: ParserContext) -> ParsedDocument:
        header: list[str] = []
        turns: list[list[str]] = []  # [speaker, text]
        for line in _read_text(path).split("\n"):
            if not line.strip():
                continue
            turn = _match_turn(line)
            if turn is not None:
                turns.append(list(turn))
            elif turns:
                turns[-1][1] = f"{turns[-1][1]}\n{line.strip()}".strip()
            else:
                header.append(line.strip())
        spans = tuple(Span(text=text, turn=i, speaker=speaker) for i, (speaker, text) in enumerate(turns))
        return ParsedDocument(format=self.name, spans=spans, kind_hint=DocumentKind.TRANSCRIPT,
                              metadata=_transcript_metadata(header, spans))


def _transcript_metadata(header: list[str], spans: tuple[Span, ...]) -> dict:
    metadata: dict = {"speakers": list(dict.fromkeys(s.speaker for s in spans if s.speaker))}
    if header:
        metadata["title"] = header[0]
    if len(header) > 1:
        metadata["preamble"] = "\n".join(header[1:])
    return metadata


# ---- captions: WebVTT and SRT ---------------------------------------------------------

_TIME = r"(?:(\d{1,3}):)?(\d{1,2}):(\d{2})[.,](\d{1,3})"
_TIMING = re.compile(rf"^\s*{_TIME}\s*-->\s*{_TIME}")
_VOICE = re.compile(r"<v(?:\.[^\s>]*)?\s+([^>]+)>")
_TAG = re.compile(r"</?[^>]+>")
_SRT_START = re.compile(r"^\s*\d+\s*\n\s*" + _TIME + r"\s*-->", re.M)


def _clock(hours: str | None, minutes: str, seconds: str, millis: str) -> str:
    return f"{int(hours or 0):02d}:{int(minutes):02d}:{int(seconds):02d}.{int(millis.ljust(3, '0')):03d}"


def _cue_payload(lines: list[str]) -> tuple[str | None, str]:
    """Speaker from a <v Name> tag or a "Name:" prefix; text without markup."""
    raw = " ".join(line.strip() for line in lines if line.strip())
    voice = _VOICE.search(raw)
    speaker = voice[1].strip() if voice else None
    text = re.sub(r"\s+", " ", _TAG.sub("", raw)).strip()
    if speaker is None and (turn := _match_turn(text)) is not None and len(turn[0]) <= 40:
        speaker, text = turn
    return speaker, text


def _parse_cues(text: str) -> list[tuple[str, str | None, str]]:
    """(start, speaker, text) for each cue; blocks without a timing line are skipped
    (the WEBVTT header, NOTE, STYLE and REGION blocks)."""
    cues = []
    for block in re.split(r"\n[ \t]*\n", text):
        lines = block.strip("\n").split("\n")
        at = next((i for i, line in enumerate(lines) if _TIMING.match(line)), None)
        if at is None or lines[0].startswith(("NOTE", "STYLE", "REGION")):
            continue
        speaker, payload = _cue_payload(lines[at + 1:])
        if payload:
            cues.append((_clock(*_TIMING.match(lines[at]).groups()[:4]), speaker, payload))
    return cues


def _merge_cues(cues: list[tuple[str, str | None, str]]) -> tuple[Span, ...]:
    """Consecutive cues of one named speaker become one turn with the first cue's time."""
    turns: list[list] = []
    for start, speaker, text in cues:
        if turns and speaker is not None and turns[-1][1] == speaker:
            turns[-1][2] += " " + text
        else:
            turns.append([start, speaker, text])
    return tuple(Span(text=text, turn=i, speaker=speaker, timestamp=start)
                 for i, (start, speaker, text) in enumerate(turns))


class _CaptionParser:
    name = ""

    def parse(self, path: Path, ctx: ParserContext) -> ParsedDocument:
        spans = _merge_cues(_parse_cues(_read_text(path)))
        speakers = list(dict.fromkeys(s.speaker for s in spans if s.speaker))
        return ParsedDocument(format=self.name, spans=spans, kind_hint=DocumentKind.TRANSCRIPT,
                              metadata={"speakers": speakers})


class WebVttParser(_CaptionParser):
    name = "webvtt"

    def score(self, head: bytes, ctx: ParserContext) -> float:
        text = head_text(head)
        if text is None:
            return 0.0
        if text.lstrip("\ufeff").startswith("WEBVTT"):
            return 0.95
        timings = sum(1 for line in text.split("\n") if _TIMING.match(line) and "." in line.split("-->")[0])
        return (0.6 + _extension_bonus(ctx, (".vtt",))) if timings >= 2 else 0.0


class SrtParser(_CaptionParser):
    name = "srt"

    def score(self, head: bytes, ctx: ParserContext) -> float:
        text = head_text(head)
        if text is None:
            return 0.0
        text = normalise_newlines(text).lstrip("\ufeff")
        if _SRT_START.match(text):
            return 0.9
        timings = sum(1 for line in text.split("\n") if _TIMING.match(line) and "," in line.split("-->")[0])
        return (0.6 + _extension_bonus(ctx, (".srt",))) if timings >= 2 else 0.0


# ---- depositions: numbered lines on numbered pages ---------------------------------------

MAX_LINE = 25
_NUMBERED = re.compile(r"^\s*(\d{1,2})(?:\s+(.*))?$")
_BARE_NUMBER = re.compile(r"^\s*(\d{1,5})\s*$")
_PAGE_LINE = re.compile(r"^\s*page\s+(\d{1,5})(?:\s+of\s+\d+)?\s*$", re.I)
_RIGHT_NUMBER = re.compile(r"^\s{20,}(\d{1,5})\s*$")
_NAME = r"(?:MR|MS|MRS|DR)\.\s+[A-Z][A-Za-z'\-]+(?:\s[A-Z][A-Za-z'\-]+)?"
_LABEL = re.compile(rf"^({_NAME}|THE [A-Z]+(?: [A-Z]+)?):")
_QA = re.compile(r"^([QA])(?:[.:]\s|\s{2,}|\t)")
_EXAMINER = re.compile(rf"^(?:[A-Z\-]*EXAMINATION\s+)?BY\s+({_NAME}):?\s*$")


def _line_numbers(lines: list[str]) -> list[int]:
    numbers = (_NUMBERED.match(line) for line in lines)
    return [int(m[1]) for m in numbers if m and 1 <= int(m[1]) <= MAX_LINE]


class _DepositionReader:
    """Walks the lines once. A page ends at a form feed, at a page-number line ("Page 12",
    a far-right number, or a bare number just before line 1), or when numbering restarts."""

    def __init__(self) -> None:
        self.spans: list[Span] = []
        self.page, self.label, self.last_line, self.has_lines = 1, None, 0, False
        self.footers: bool | None = None  # page numbers printed below the lines?
        self.speaker: str | None = None
        self.examiner: str | None = None
        self.skipped = 0  # unnumbered lines: running headers, footers, reporter's notes

    def read(self, text: str) -> None:
        for sheet in text.split("\f"):
            self.break_page()
            lines = sheet.split("\n")
            for i, line in enumerate(lines):
                if line.strip():
                    self.read_line(line, _line_numbers(lines[i + 1:i + 3])[:1])

    @property
    def page_count(self) -> int:
        return self.page if self.has_lines else self.page - 1

    def break_page(self) -> None:
        if self.has_lines:
            self.page, self.label, self.last_line, self.has_lines = self.page + 1, None, 0, False

    def read_line(self, line: str, following: list[int]) -> None:
        marker = _PAGE_LINE.match(line) or _RIGHT_NUMBER.match(line)
        bare = _BARE_NUMBER.match(line)
        if marker is None and bare and following == [1]:
            number = int(bare[1])
            if number > MAX_LINE or not (self.has_lines and number == self.last_line + 1):
                marker = bare
        if marker is not None:
            return self.read_page_number(marker[1])
        numbered = _NUMBERED.match(line)
        if numbered and 1 <= int(numbered[1]) <= MAX_LINE:
            self.read_numbered(int(numbered[1]), numbered[2] or "")
        else:
            self.skipped += 1

    def read_page_number(self, label: str) -> None:
        if self.footers is None:  # decided by the first page number seen
            self.footers = self.has_lines and label == str(self.page)
        if not self.footers:
            self.break_page()
        self.label = label
        if self.footers:
            self.spans = [_relabel(s, label) if s.page == self.page else s for s in self.spans]

    def read_numbered(self, number: int, body: str) -> None:
        if self.has_lines and number <= self.last_line:
            self.break_page()
        self.last_line, self.has_lines = number, True
        if body.strip():
            self.follow_speaker(body.strip())
            self.spans.append(Span(text=" ".join(body.split()), page=self.page, line=number,
                                   page_label=self.label, speaker=self.speaker))

    def follow_speaker(self, body: str) -> None:
        if examiner := _EXAMINER.match(body):
            self.examiner, self.speaker = examiner[1], None
        elif qa := _QA.match(body):
            self.speaker = (self.examiner or "Q") if qa[1] == "Q" else "A"
        elif label := _LABEL.match(body):
            self.speaker = " ".join(label[1].split())


def _relabel(span: Span, label: str) -> Span:
    return Span(text=span.text, page=span.page, page_label=label, line=span.line, speaker=span.speaker)


class DepositionParser:
    """Court-reporter transcripts: lines numbered 1-25 on each page; cited as page:line."""

    name = "deposition"

    def score(self, head: bytes, ctx: ParserContext) -> float:
        text = head_text(head)
        if text is None:
            return 0.0
        lines = [line for line in normalise_newlines(text).replace("\f", "\n").split("\n") if line.strip()]
        numbers = _line_numbers(lines)
        if len(numbers) < 10 or len(numbers) < 0.6 * len(lines):
            return 0.0
        steps = list(zip(numbers, numbers[1:]))
        in_order = sum(1 for a, b in steps if b == a + 1 or (b == 1 and a > 1))
        return 0.88 if in_order >= 0.8 * len(steps) else 0.0

    def parse(self, path: Path, ctx: ParserContext) -> ParsedDocument:
        reader = _DepositionReader()
        reader.read(_read_text(path))
        spans = tuple(reader.spans)
        metadata = {"speakers": list(dict.fromkeys(s.speaker for s in spans if s.speaker)),
                    "unnumbered_lines_skipped": reader.skipped}
        return ParsedDocument(format=self.name, spans=spans, page_count=reader.page_count,
                              kind_hint=DocumentKind.TRANSCRIPT, metadata=metadata)
