"""Units and chunks. The only module that imports langchain_text_splitters.

A document's spans are cut into citable *units* (about a sentence, never across a page or
turn boundary), numbered across the whole document. Units are then packed into
token-bounded *chunks*; a chunk knows the pages and turns it covers, so coverage and
citations survive map-reduce.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence

from langchain_text_splitters import RecursiveCharacterTextSplitter

from docpipe.domain import Chunk, ParsedDocument, Span, Unit
from docpipe.errors import OVER_CONTEXT, DocpipeError

TokenCounter = Callable[[str], int]
UNIT_SEPARATORS = ["\n\n", "\n", ". ", "; ", "? ", "! ", ", ", " ", ""]
MAX_UNIT_TOKENS = 100


def split_units(doc: ParsedDocument, count_tokens: TokenCounter, *,
                max_unit_tokens: int = MAX_UNIT_TOKENS) -> list[Unit]:
    """Cut every span into units of at most ``max_unit_tokens`` (by the model's tokenizer)."""
    splitter = RecursiveCharacterTextSplitter(
        chunk_size=max_unit_tokens,
        chunk_overlap=0,
        length_function=count_tokens,
        separators=UNIT_SEPARATORS,
        keep_separator="end",
        strip_whitespace=True,
    )
    units: list[Unit] = []
    for span_index, span in enumerate(doc.spans):
        text = span.text.strip()
        if not text:
            continue
        tokens = count_tokens(text)
        pieces = [text] if tokens <= max_unit_tokens else splitter.split_text(text)
        for piece in pieces:
            piece = piece.strip()
            if piece:
                n = tokens if len(pieces) == 1 else count_tokens(piece)
                units.append(Unit(id=len(units) + 1, span_index=span_index, text=piece, tokens=n))
    return units


def _chunk_from(index: int, members: Sequence[Unit], spans: Sequence[Span],
                tokens: int) -> Chunk:
    pages = [spans[u.span_index].page for u in members if spans[u.span_index].page is not None]
    turns = [spans[u.span_index].turn for u in members if spans[u.span_index].turn is not None]
    return Chunk(
        index=index,
        unit_ids=tuple(u.id for u in members),
        tokens=tokens,
        first_page=min(pages) if pages else None,
        last_page=max(pages) if pages else None,
        first_turn=min(turns) if turns else None,
        last_turn=max(turns) if turns else None,
    )


def plan_chunks(units: Sequence[Unit], spans: Sequence[Span], *, budget: int,
                rendered_tokens: Callable[[Unit], int]) -> list[Chunk]:
    """Pack units in order into chunks of at most ``budget`` rendered tokens.

    ``rendered_tokens`` gives a unit's cost as the model sees it (with its number and
    speaker). Units are capped far below any sane budget; a chunk cap set below one unit
    fails the document (over_context) with the setting to change.
    """
    chunks: list[Chunk] = []
    members: list[Unit] = []
    used = 0
    for unit in units:
        cost = rendered_tokens(unit)
        if cost > budget:  # only a chunk cap set below one unit's size: say which setting
            raise DocpipeError(f"a chunk's budget of {budget} tokens is below one unit of the document "
                              f"(unit {unit.id} needs {cost}): raise DOCPIPE_CHUNK_TOKENS (0 or at least "
                              f"{2 * MAX_UNIT_TOKENS}) or DOCPIPE_N_CTX", code=OVER_CONTEXT)
        if members and used + cost > budget:
            chunks.append(_chunk_from(len(chunks), members, spans, used))
            members, used = [], 0
        members.append(unit)
        used += cost
    if members:
        chunks.append(_chunk_from(len(chunks), members, spans, used))
    return chunks


def split_chunk(chunk: Chunk, units_by_id: dict[int, Unit], spans: Sequence[Span],
                rendered_tokens: Callable[[Unit], int]) -> list[Chunk]:
    """Halve a chunk that turned out over budget (the exact prompt count is the judge)."""
    if len(chunk.unit_ids) < 2:
        raise ValueError(f"chunk {chunk.index} holds one unit and cannot be split")
    members = [units_by_id[i] for i in chunk.unit_ids]
    half = len(members) // 2
    out = []
    for part in (members[:half], members[half:]):
        out.append(_chunk_from(chunk.index, part, spans, sum(rendered_tokens(u) for u in part)))
    return out
