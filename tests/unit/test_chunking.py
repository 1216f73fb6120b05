from docpipe.chunking import plan_chunks, split_chunk, split_units
from docpipe.domain import ParsedDocument, Span
from tests.conftest import FakeTokenizer

TOK = FakeTokenizer()


def _doc(pages: int, sentences: int = 30) -> ParsedDocument:
    spans = tuple(
        Span(text=" ".join(f"Page {p} sentence {i} says the party shall pay the fee." for i in range(sentences)),
             page=p) for p in range(1, pages + 1))
    return ParsedDocument(format="pdf", spans=spans, page_count=pages)


def test_units_never_cross_pages_and_stay_small():
    doc = _doc(3)
    units = split_units(doc, TOK.count, max_unit_tokens=40)
    assert all(u.tokens <= 40 for u in units)
    assert [u.id for u in units] == list(range(1, len(units) + 1))
    for u in units:
        assert u.text in doc.spans[u.span_index].text
    assert {u.span_index for u in units} == {0, 1, 2}


def test_chunks_respect_budget_and_keep_page_spans():
    doc = _doc(10)
    units = split_units(doc, TOK.count, max_unit_tokens=40)
    chunks = plan_chunks(units, doc.spans, budget=500, rendered_tokens=lambda u: u.tokens + 3)
    assert len(chunks) > 1
    assert all(c.tokens <= 500 for c in chunks)
    covered = [uid for c in chunks for uid in c.unit_ids]
    assert covered == [u.id for u in units]  # every unit once, in order: nothing dropped
    assert chunks[0].first_page == 1 and chunks[-1].last_page == 10
    for a, b in zip(chunks, chunks[1:]):
        assert a.last_page <= b.first_page


def test_whole_document_in_one_chunk_when_it_fits():
    doc = _doc(2, sentences=3)
    units = split_units(doc, TOK.count)
    chunks = plan_chunks(units, doc.spans, budget=10_000, rendered_tokens=lambda u: u.tokens)
    assert len(chunks) == 1


def test_split_chunk_halves():
    doc = _doc(4)
    units = split_units(doc, TOK.count, max_unit_tokens=40)
    [chunk] = plan_chunks(units, doc.spans, budget=100_000, rendered_tokens=lambda u: u.tokens)
    parts = split_chunk(chunk, {u.id: u for u in units}, doc.spans, lambda u: u.tokens)
    assert parts[0].unit_ids + parts[1].unit_ids == chunk.unit_ids


def test_a_chunk_cap_below_one_unit_fails_the_document_naming_the_setting():
    """DOCPIPE_CHUNK_TOKENS set below one unit's size: the document fails with over_context
    and a message naming the setting, not with an internal error."""
    import pytest

    from docpipe.errors import OVER_CONTEXT, DocpipeError

    doc = _doc(2)
    units = split_units(doc, TOK.count, max_unit_tokens=40)
    with pytest.raises(DocpipeError, match="DOCPIPE_CHUNK_TOKENS") as caught:
        plan_chunks(units, doc.spans, budget=10, rendered_tokens=lambda u: u.tokens + 3)
    assert caught.value.code == OVER_CONTEXT
