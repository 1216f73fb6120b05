"""Fail-closed checks (issue 4, item 5): values against their quotes, the retry with the
error shown to the model, cross-field checks, conflicts and per-category status."""
from __future__ import annotations

import json

from docpipe.analysis import checks
from docpipe.analysis.fields import SPECS, Candidate
from docpipe.analysis.findings import build_findings, category_status, conflicts
from docpipe.analysis.passes import map_requests, run_pass
from docpipe.domain import Citation, DocumentKind, Finding, Span, Unit
from docpipe.llm.engine import Generation
from tests.conftest import FakeEngine

DATED = "This Agreement is effective as of March 3, 2021 (the \"Effective Date\")."


def test_dates_must_parse_and_be_written_in_the_quote():
    assert checks.check_value("effective_date", "March 3, 2021", "2021-03-03", DATED) is None
    assert "does not contain the date" in checks.check_value("effective_date", "March 4, 2021", "2021-03-04", DATED)
    assert "does not parse" in checks.check_value("effective_date", "February 30, 2021", "2021-02-30", DATED)


def test_parties_must_appear_verbatim():
    quote = "by and between Acme Widgets, Inc., a Delaware corporation, and Blue River Foods LLC (\"Buyer\")"
    assert checks.check_value("parties", None, "Acme Widgets, Inc.; Blue River Foods LLC", quote) is None
    error = checks.check_value("parties", None, "Acme Widgets, Inc.; Blue River Food Co.", quote)
    assert error == "does not name 'Blue River Food Co.' verbatim"


def test_amounts_and_periods_must_match_their_quotes():
    quote = "liability shall not exceed $1,500,000 in the aggregate, for ninety (90) days"
    assert checks.check_value("cap_on_liability", "$1,500,000", "1500000.00 USD", quote) is None
    assert "amount" in checks.check_value("cap_on_liability", "$1,500,000", "150000.00 USD", quote)
    assert "amount" in checks.check_value("cap_on_liability", "$2,000,000", "2000000.00 USD", quote)
    assert checks.check_value("renewal_term", "ninety (90) days", "P90D", quote) is None
    assert "period" in checks.check_value("renewal_term", "ninety (90) days", "P9D", quote)


def test_a_required_field_without_a_value_fails():
    spec = SPECS["effective_date"]
    empty = Candidate(field="effective_date", unit_id=1, value="effective on signature", normalized=None, extra={})
    assert checks.check_pick(spec, empty, "This Agreement is effective on signature.") == "states no date"
    # a field that may lack a value (a termination clause) passes without one
    loose = Candidate(field="termination", unit_id=1, value="x", normalized=None, extra={})
    assert checks.check_pick(SPECS["termination"], loose, "Either party may terminate.") is None


def _finding(field, normalized, quote="q", verified=True):
    return Finding(field=field, value=normalized, normalized=normalized, citation=Citation(quote=quote, page=1),
                   verified=verified)


def test_effective_after_expiry_is_a_conflict_and_fails_both():
    found = [_finding("effective_date", "2024-06-01"), _finding("expiration_date", "2023-06-01"),
             _finding("governing_law", "State of Texas")]
    marked, disputes = checks.check_document(found)
    assert [f.verified for f in marked] == [False, False, True]
    assert "after the expiration date" in marked[0].extra["check"]
    assert disputes[0]["values"] == ["2024-06-01", "2023-06-01"]
    ok, none = checks.check_document([_finding("effective_date", "2020-01-01"), _finding("expiration_date", "2023-01-01")])
    assert none == [] and all(f.verified for f in ok)


def test_two_governing_laws_are_surfaced_not_hidden():
    found = [_finding("governing_law", "State of Texas"), _finding("governing_law", "State of New York")]
    assert conflicts(found)[0]["values"] == ["State of New York", "State of Texas"]


def test_category_status_keeps_absent_distinct_from_undeterminable():
    found = [_finding("governing_law", "State of Texas"), _finding("exclusivity", None, verified=False)]
    full = category_status(DocumentKind.CONTRACT, found, complete=True)
    assert full["governing_law"]["status"] == "present"
    assert full["exclusivity"]["status"] == "not_determinable"  # found, but not verified
    assert full["audit_rights"] == {"status": "absent", "findings": 0, "verified": 0, "cuad": "Audit Rights"}
    part = category_status(DocumentKind.CONTRACT, found, complete=False)
    assert part["audit_rights"]["status"] == "not_determinable"  # part of the document was not read
    assert sum(1 for c in full.values() if c.get("cuad")) == 41


class ScriptedEngine(FakeEngine):
    """Answers from a script, one answer per call, and keeps the prompts it was sent."""

    def __init__(self, answers):
        super().__init__(n_ctx=8192)
        self.answers = list(answers)

    def complete_json(self, prompt, schema, *, max_tokens):
        self.calls.append((prompt, schema))
        data = self.answers.pop(0)
        n = self.tokenizer.count_prompt(prompt)
        return Generation(text=json.dumps(data), data=data, finish_reason="stop", prompt_tokens=n,
                          evaluated_tokens=n, generated_tokens=5, seconds=0.01, prompt_ms=1, eval_ms=1)


def _contract_units():
    texts = ["SUPPLY AGREEMENT",
             "This Supply Agreement is effective as of the date both parties sign it.",
             DATED,
             "This Agreement is made by and between Acme Widgets, Inc., a Delaware corporation, and "
             "Blue River Foods LLC, a Texas limited liability company.",
             "This Agreement shall be governed by the laws of the State of Texas.",
             "The parties agree as follows."]
    spans = [Span(text=t, page=1) for t in texts]
    units = [Unit(id=i, span_index=i, text=t, tokens=len(t.split())) for i, t in enumerate(texts)]
    return units, spans


def test_a_failed_check_is_retried_once_with_the_error_shown():
    units, spans = _contract_units()
    core = next(r for r in map_requests(DocumentKind.CONTRACT, units, spans) if r.group == "core")
    first = {name: [ids[0]] for name, ids in
             ((n, [c.unit_id for c in cs]) for n, cs in core.candidates.items())}
    first["parties"] = [5]  # a sentence that names no party
    engine = ScriptedEngine([first, {"parties": [3]}])
    outcome = run_pass(engine, core)
    assert outcome.picks["parties"] == [3] and outcome.failed == {}
    assert outcome.retried == ["parties"]
    retry_prompt, retry_schema = engine.calls[1]
    assert "parties: S5 states no party names" in retry_prompt
    assert retry_prompt.startswith(engine.calls[0][0].split("TASK:")[0])  # same prefix: reused by llama.cpp
    assert retry_schema["properties"]["parties"]["items"]["enum"] == [3]  # S5 no longer offered


def test_a_check_failed_twice_is_kept_unverified():
    units, spans = _contract_units()
    core = next(r for r in map_requests(DocumentKind.CONTRACT, units, spans) if r.group == "core")
    first = {name: [cs[0].unit_id] for name, cs in core.candidates.items()}
    first["parties"] = [5]
    engine = ScriptedEngine([first, {"parties": []}])  # the model finds nothing better
    outcome = run_pass(engine, core)
    assert outcome.failed == {"parties": {5: "states no party names"}} and outcome.picks["parties"] == [5]
    findings = build_findings(DocumentKind.CONTRACT, [outcome.picks], [core.candidates],
                                      {u.id: u for u in units}, spans,
                                      [{f: {str(k): v for k, v in e.items()} for f, e in outcome.failed.items()}])
    named = next(f for f in findings if f.field == "parties")
    assert named.verified is False and named.extra["check"] == "S5 states no party names"
    law = next(f for f in findings if f.field == "governing_law")
    assert law.verified is True and law.normalized == "State of Texas"


def test_date_and_law_fields_are_offered_only_sentences_holding_a_value():
    units, spans = _contract_units()
    core = next(r for r in map_requests(DocumentKind.CONTRACT, units, spans) if r.group == "core")
    # S1 says "effective as of the date both parties sign it": no date, so it cannot be the answer
    assert [c.unit_id for c in core.candidates["effective_date"]] == [2]
    assert core.schema["properties"]["effective_date"]["items"]["enum"] == [2]
    assert [c.unit_id for c in core.candidates["governing_law"]] == [4]
    # a field whose answer need not hold a value is still offered the bare sentence
    assert 5 in [c.unit_id for c in core.candidates["parties"]]
