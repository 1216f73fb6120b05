"""E-mail (RFC 822 messages) through unstructured; attachments are not read."""
from __future__ import annotations

import re
from pathlib import Path

from docpipe.domain import ParsedDocument
from docpipe.parsers.base import ParserContext
from docpipe.parsers.content import head_text, normalise_newlines
from docpipe.parsers.office import corrupt, elements_to_document, extension_bonus, offline_unstructured

_EMAIL_HEADER = re.compile(r"^([A-Za-z][A-Za-z0-9\-]*):[ \t]")
_EMAIL_KEYS = frozenset({"from", "to", "cc", "subject", "date", "message-id", "mime-version",
                         "received", "return-path", "content-type", "reply-to", "sender"})


class EmailParser:
    """RFC 822 messages. The header block must name at least two well-known fields."""

    name = "eml"

    def score(self, head: bytes, ctx: ParserContext) -> float:
        text = head_text(head)
        if text is None:
            return 0.0
        block = normalise_newlines(text).lstrip().split("\n\n", 1)[0].split("\n")
        names = [m[1].lower() for m in map(_EMAIL_HEADER.match, block) if m]
        continued = sum(1 for line in block if line[:1] in (" ", "\t"))
        if len(names) + continued < len(block) or len(set(names) & _EMAIL_KEYS) < 2:
            return 0.0
        return 0.9 + extension_bonus(ctx, (".eml",))

    def parse(self, path: Path, ctx: ParserContext) -> ParsedDocument:
        offline_unstructured()
        from unstructured.partition.email import partition_email

        try:
            elements = partition_email(filename=str(path), process_attachments=False)
        except (ValueError, LookupError, UnicodeError) as exc:  # bad headers, unknown charset
            raise corrupt("e-mail", exc) from exc
        return elements_to_document(elements, self.name, _email_metadata(elements))


def _email_metadata(elements) -> dict:
    found: dict = {}
    for element in elements[:1]:
        meta = element.metadata
        for name, attr in (("subject", "subject"), ("from", "sent_from"), ("to", "sent_to"),
                           ("date", "last_modified")):
            value = getattr(meta, attr, None)
            if value:
                found[name] = ", ".join(value) if isinstance(value, list) else str(value)
    if "subject" in found:
        found["title"] = found["subject"]
    return found
