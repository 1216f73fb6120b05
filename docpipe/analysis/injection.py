"""Text in a document that reads as instructions to an AI model (prompt injection).

Document text is data: it is fenced in every prompt and the system prompt says so. On top
of that, code looks for sentences written to a model ("ignore all previous instructions",
"note to the AI system", "SYSTEM OVERRIDE", a forged fence) and

- withholds them from the model (the prompt shows a marker instead),
- never takes a field's value from them,
- reports each one, cited, as an alert: a legal team wants to know that a counterparty's
  document carries hidden instructions (white-on-white text is in the text layer too).

The source and the citations are untouched: quotes are verified against the real text.
"""
from __future__ import annotations

import re

_SUSPECT = re.compile(
    r"\b(ignore|disregard|forget|override)\b[^.\n]{0,40}\b(previous|prior|above|earlier|all|your|the)\b[^.\n]{0,30}"
    r"\b(instructions?|prompts?|rules|directions|format|schema)\b"
    r"|\b(note|message|instructions?) (to|for) (any|the|all) (AI|A\.I\.|assistant|model|language model|LLM|reader model)"
    r"|\bAI (model|system|assistant)s?\b"
    r"|\bsystem (override|prompt|message|instruction)s?\b"
    r"|\byou are now (a|an|the)\b|\b(you|assistant|model)\b[^.\n]{0,20}\bact as\b|^\W*act as an?\b"
    r"|\bnew instructions?\s*:"
    r"|\b(answer|reply|respond|output)\s+(only\s+)?(with|in)\b[^.\n]{0,40}\b(json|the words?|every)\b"
    r"|<<<|>>>|\bDOCUMENT>>>|<<<DOCUMENT\b|<\|im_(start|end)\|>",
    re.IGNORECASE | re.MULTILINE)
_SENTENCE = re.compile(r"[^.!?\n]*(?:[.!?]+|\n|$)")
WITHHELD = "[withheld: reads as instructions to an AI model]"


def _pieces(text: str) -> list[str]:
    return [m.group(0) for m in _SENTENCE.finditer(text) if m.group(0)]


def suspect_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each suspect sentence, stretched to the end of its line and, when
    that line does not end a sentence (the text was wrapped), over the next line too."""
    out = []
    for match in _SUSPECT.finditer(text):
        start = max(text.rfind(".", 0, match.start()), text.rfind("\n", 0, match.start())) + 1
        end = text.find("\n", match.end())
        end = len(text) if end < 0 else end
        if not text[:end].rstrip().endswith((".", "!", "?")) and end < len(text):
            following = text.find("\n", end + 1)
            end = len(text) if following < 0 else following
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(end, out[-1][1]))
        else:
            out.append((start, end))
    return out


def is_suspect(text: str) -> bool:
    return _SUSPECT.search(text) is not None


def _replace(text: str, marker: str) -> str:
    """The text with each suspect passage replaced by ``marker``."""
    spans = suspect_spans(text)
    if not spans:
        return text
    out, last = [], 0
    for start, end in spans:
        out += [text[last:start], marker]
        last = end
    out.append(text[last:])
    return "".join(out).strip()


def withhold(text: str) -> str:
    """The text as the model may see it: suspect passages replaced by a marker."""
    return _replace(text, f" {WITHHELD} ")


def clean(text: str) -> str:
    """The text code extracts values from: suspect passages removed."""
    return _replace(text, "")
