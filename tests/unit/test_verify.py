from docpipe.analysis.verify import normalize_text, verify_citation
from docpipe.domain import Citation, Span

SPANS = [
    Span(text="The Supplier shall deliver\nthe \u201cProducts\u201d on time.", page=1),
    Span(text="This Agreement is governed by the laws of Delaware.", page=2),
    Span(text="I think we agreed on the red case.", turn=0, speaker="Project Manager"),
]


def test_quote_found_at_cited_page_despite_line_break_and_curly_quotes():
    assert verify_citation(SPANS, Citation(quote='shall deliver the "Products" on time', page=1))


def test_quote_from_another_page_fails():
    assert not verify_citation(SPANS, Citation(quote="governed by the laws of Delaware", page=1))
    assert verify_citation(SPANS, Citation(quote="governed by the laws of Delaware", page=2))


def test_turn_citation_and_invented_quote():
    assert verify_citation(SPANS, Citation(quote="we agreed on the red case", turn=0))
    assert not verify_citation(SPANS, Citation(quote="we agreed on the blue case", turn=0))
    assert not verify_citation(SPANS, Citation(quote="a", page=1))  # too short to mean anything


def test_normalize_folds_dashes_and_hyphenation():
    assert normalize_text("agree-\nment \u2014 fee") == "agreement - fee"
