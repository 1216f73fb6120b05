"""The brief: a few plain sentences, each restating one verified finding (or a conflict)
and cited. The model writes each sentence; code checks it against its fact and falls back
to a template of the fact when it does not match."""
from __future__ import annotations

import re
from collections.abc import Sequence

from pydantic import Field, create_model

from docpipe.analysis import prompts
from docpipe.analysis.fields import clip
from docpipe.analysis.findings import citation_for
from docpipe.analysis.passes import validated
from docpipe.analysis.verify import verify_citation
from docpipe.domain import DocumentKind, Finding, Span, Unit
from docpipe.errors import ModelError
from docpipe.llm.engine import Engine, Generation

# What a contract brief covers, in order, and how many points each: who, what each party
# owes, the main risks, then the terms a lawyer asks about first.
CONTRACT_BRIEF = (("parties", 1), ("key_obligations", 3), ("risks", 2), ("governing_law", 1),
                  ("expiration_date", 1), ("term_and_renewal", 1), ("termination", 1), ("payment", 1),
                  ("cap_on_liability", 1), ("liability", 1))
TRANSCRIPT_BRIEF = (("topics", 2), ("decisions", 2), ("action_items", 2), ("open_questions", 1),
                    ("key_statements", 1))


def brief_sources(findings: Sequence[Finding], opening: Sequence[tuple[Unit, Span]],
                  limit: int = 8, kind: DocumentKind = DocumentKind.CONTRACT,
                  disputed: Sequence[str] = ()) -> list[Finding]:
    """What the brief restates: verified findings only (fail closed), by the kind's plan; the
    obligations one per party; never one side of a conflict (``disputed`` fields: the brief
    states the conflict instead). Falls back to the document's opening lines when nothing
    verified was found."""
    plan = CONTRACT_BRIEF if kind is DocumentKind.CONTRACT else TRANSCRIPT_BRIEF
    picked: list[Finding] = []
    for field, count in plan:
        if field in disputed:
            continue
        owners: set[str] = set()
        for f in (f for f in findings if f.field == field and f.verified):
            if count <= 0:
                break
            owner = (f.extra or {}).get("party")
            if owner and owner in owners:
                continue  # one obligation per party first
            owners.add(owner or f"#{id(f)}")
            picked.append(f)
            count -= 1
    if not picked:
        for unit, span in opening:
            cite = citation_for(unit, span)
            picked.append(Finding(field="opening", value=clip(unit.text), citation=cite,
                                  verified=verify_citation([span], cite)))
    return picked[:limit]


def conflict_points(conflicts: Sequence[dict], findings: Sequence[Finding], spans: Sequence[Span]) -> list[dict]:
    """One brief point per conflict, said plainly, cited at the first value's place."""
    out = []
    for c in conflicts:
        fields = c["field"].split("/")
        involved = [f for f in findings if f.field in fields and f.normalized in c["values"]]
        if not involved:
            continue
        where = "; ".join(f"{f.normalized} ({f.citation.locator()})" for f in involved[:4])
        label = " / ".join(x.replace("_", " ") for x in fields)
        out.append({"text": f"Conflict in {label}: {where}. {c.get('reason', '').capitalize()}. Check both places.",
                    "by": "code", "field": c["field"], "citation": involved[0].citation,
                    "verified": verify_citation(spans, involved[0].citation)})
    return out



_NUMBER = re.compile(r"\d[\d,.]*")
_WORD = re.compile(r"[a-z]{4,}")
_ECHO = re.compile(r"\bTASK\b|DOCUMENT|<<<|>>>|\bsentence for\b", re.I)


def supported(sentence: str, finding: Finding) -> bool:
    """Code checks the model's prose: every number in it appears in the source, most of its
    words come from the quote or value, and it does not echo the instructions."""
    source = f"{finding.field.replace('_', ' ')} {finding.value} {finding.citation.quote}".lower()
    tokens = sentence.lower().split()
    trigrams = [tuple(tokens[i:i + 3]) for i in range(len(tokens) - 2)]
    if _ECHO.search(sentence) or len(tokens) < 4 or len(set(trigrams)) < len(trigrams):
        return False  # instruction echo, too short, or the model looping
    if any(n.strip(".,") not in source for n in _NUMBER.findall(sentence)):
        return False
    words = _WORD.findall(sentence.lower())
    return bool(words) and sum(w in source for w in words) / len(words) >= 0.6


def template_point(finding: Finding) -> str:
    label = finding.field.replace("_", " ").capitalize()
    extra = finding.extra or {}
    if extra.get("party") and finding.field == "key_obligations":
        return f"Obligation of {extra['party']}: {clip(finding.citation.quote, 200)}"
    if extra.get("owner") or extra.get("due"):
        who = f" (owner: {extra['owner']}" + (f", due {extra['due']})" if extra.get("due") else ")")
        return f"{label}: {clip(finding.citation.quote, 200)}{who}"
    return f"{label}: {clip(finding.value, 200).rstrip('.')}."


def run_brief(engine: Engine, kind: DocumentKind, sources: Sequence[Finding],
              spans: Sequence[Span]) -> tuple[list[dict], list[Generation]]:
    """One plain sentence per source fact, each from its own short prompt (a small model
    follows one short instruction far better than a list). A sentence code cannot match to
    its fact is replaced by a plain template of the fact, and the point says which it is."""
    model = create_model("Point", sentence=(str, Field(min_length=8, max_length=200)))
    schema = {"type": "object", "properties": {"sentence": {"type": "string", "minLength": 8,
                                                            "maxLength": 200}},
              "required": ["sentence"], "additionalProperties": False}
    points, gens = [], []
    for finding in sources:
        user = prompts.brief_prompt(kind.value, finding.field.replace("_", " "),
                                    f"{finding.value} \"{clip(finding.citation.quote, 300)}\"")
        gen = engine.complete_json(engine.format_chat(prompts.SYSTEM, user), schema, max_tokens=72)
        gens.append(gen)
        try:
            sentence = " ".join(validated(gen, model, "brief point").sentence.split())
        except ModelError:
            sentence = ""
        by = "model" if sentence and supported(sentence, finding) else "code"
        points.append({"text": sentence if by == "model" else template_point(finding), "by": by,
                       "field": finding.field, "citation": finding.citation,
                       "verified": finding.verified and verify_citation(spans, finding.citation)})
    return points, gens
