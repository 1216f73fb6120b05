"""Document kind: the parser may know (transcript formats); otherwise code scores the text,
and only an unclear case is put to the model (see pipeline)."""
from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Literal

from pydantic import create_model

from docpipe.analysis import prompts
from docpipe.analysis.passes import validated
from docpipe.domain import DocumentKind, ParsedDocument, Span, Unit
from docpipe.llm.engine import Engine, Generation

_CONTRACT = re.compile(
    r"\b(agreement|hereby|hereinafter|hereto|witnesseth|in witness whereof|parties|party|shall|"
    r"governed by|indemnif|terminat)\b", re.I)
_TRANSCRIPT = re.compile(r"^\s*(?:[A-Z][\w .'\-]{0,40}|Q|A)[:.]\s", re.M)


def classify_by_code(doc: ParsedDocument) -> DocumentKind | None:
    """A confident answer, or None when the text does not say clearly."""
    if doc.kind_hint is not None:
        return doc.kind_hint
    sample = "\n".join(s.text for s in doc.spans)[:40_000]
    contract = len(_CONTRACT.findall(sample))
    transcript = len(_TRANSCRIPT.findall(sample))
    if contract >= 5 and contract >= 3 * transcript:
        return DocumentKind.CONTRACT
    if transcript >= 10 and transcript >= 3 * contract:
        return DocumentKind.TRANSCRIPT
    return None


def classify_with_model(engine: Engine, opening: Sequence[Unit], spans: Sequence[Span]) -> tuple[DocumentKind, Generation]:
    model = create_model("Kind", kind=(Literal["contract", "transcript"], ...))
    schema = {"type": "object", "properties": {"kind": {"enum": ["contract", "transcript"]}},
              "required": ["kind"], "additionalProperties": False}
    user = prompts.document_block("document", opening, spans) + prompts.classify_question()
    gen = engine.complete_json(engine.format_chat(prompts.SYSTEM, user), schema, max_tokens=16)
    return DocumentKind(validated(gen, model, "document kind").kind), gen
