"""Chat formats: how a system and a user message become the token ids a model receives.

docpipe always sends one system message (the standing instructions) and one user message
(the document block and the question). Models differ in where the system text goes:

- ``mistral-v3`` / ``mistral-v7`` (a vocabulary with ``[INST]`` as a control token:
  Mistral-7B v0.3, Mixtral-8x22B, Nemo, Ministral, Small 3.x, Large): Mistral's own
  encoding, the one ``mistral-common`` produces, built here from the GGUF's vocabulary
  whatever template the GGUF embeds. v7 (Small 3.x, Large 2411, Magistral) gives the system
  text its own ``[SYSTEM_PROMPT]`` block; v3 (7B v0.3, Mixtral-8x22B, Nemo, Ministral 8B)
  opens the user message with it, followed by a blank line. A SentencePiece vocabulary
  says which by having ``[SYSTEM_PROMPT]`` or not; every Tekken vocabulary has it, so
  there the embedded Mistral template decides, then the model's name (Nemo, Ministral 8B
  and Pixtral 12B are v3), else v7. Control tokens are placed by id and every text is tokenized as
  plain text, so a document that contains "[INST]" cannot forge a turn. (The templates
  that v0.3 and Large 2411 GGUFs embed write "[INST] " + text: llama.cpp's SentencePiece
  tokenizer then puts an extra space token after each control token, which Mistral's
  encoding does not have.)
- ``mistral-v1`` (Mistral-7B v0.1/v0.2, Mixtral-8x7B: ``[INST]`` is plain text in their
  vocabulary): "[INST] system\\n\\nuser [/INST]" after the BOS, as mistral-common's v1
  encoding; chosen when the GGUF names a Mistral or Mixtral model or its template writes
  "[INST]".
- ``template``: the GGUF's own Jinja template, as before, for every other model; a template
  that refuses a system message (raises) gets the system text folded into the user message.
- ``chatml``: no template in the GGUF and no other clue.

``DOCPIPE_CHAT_FORMAT`` overrides the choice; ``docpipe doctor`` says which one a model got
and why.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from docpipe.errors import ConfigError

CHATML = (
    "{% for message in messages %}<|im_start|>{{ message['role'] }}\n{{ message['content'] }}"
    "<|im_end|>\n{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)
Tokenize = Callable[[str, bool, bool], list[int]]  # (text, add_bos, special) -> ids


@dataclass(frozen=True)
class ChatFormat:
    name: str  # mistral, mistral-v1, template, template (system folded), chatml
    reason: str  # why this one, for `docpipe doctor`
    template: str | None = None
    controls: tuple[tuple[str, int], ...] = ()  # control token -> id (mistral-v3, mistral-v7)
    fold_system: bool = False  # template: the system text opens the user message
    system_block: bool = False  # mistral-v7: [SYSTEM_PROMPT] system [/SYSTEM_PROMPT]

    def encode(self, tokenize: Tokenize, bos: int | None, system: str, user: str) -> list[int]:
        """The prompt's token ids, BOS first (once) where the model uses one."""
        if self.name in ("mistral-v3", "mistral-v7"):
            return _mistral_ids(dict(self.controls), self.system_block, tokenize, bos, system, user)
        if self.name == "mistral-v1":
            return _lead(bos) + tokenize(f"[INST] {system}\n\n{user} [/INST]", False, False)
        messages = ([{"role": "user", "content": f"{system}\n\n{user}"}] if self.fold_system else
                    [{"role": "system", "content": system}, {"role": "user", "content": user}])
        ids = tokenize(render(self.template or CHATML, messages), True, True)
        if bos is not None and ids[:2] == [bos, bos]:  # a template that writes "<s>" itself
            ids = ids[1:]
        return ids


def _lead(bos: int | None) -> list[int]:
    return [bos] if bos is not None else []


def _mistral_ids(controls: dict[str, int], system_block: bool, tokenize: Tokenize, bos: int | None,
                 system: str, user: str) -> list[int]:
    ids = _lead(bos)
    if system_block:
        ids += [controls["[SYSTEM_PROMPT]"], *tokenize(system, False, False), controls["[/SYSTEM_PROMPT]"]]
        text = user
    else:
        text = f"{system}\n\n{user}"
    return ids + [controls["[INST]"], *tokenize(text, False, False), controls["[/INST]"]]


def render(template: str, messages: list[dict]) -> str:
    """A Jinja chat template rendered with an empty BOS (llama.cpp adds the BOS token)."""
    from llama_cpp.llama_chat_format import Jinja2ChatFormatter

    return Jinja2ChatFormatter(template=template, eos_token="", bos_token="")(messages=messages).prompt


def _refuses_system(template: str) -> bool:
    try:
        render(template, [{"role": "system", "content": "s"}, {"role": "user", "content": "u"}])
    except Exception:  # noqa: BLE001 - jinja's raise_exception, or any error the template makes
        return True
    return False


# Tekken vocabularies carry [SYSTEM_PROMPT] in every version; these models use the v3 layout
# (system text opening the user message), the later ones (Small 3.x, Magistral, Devstral)
# the v7 block.
TEKKEN_V3_NAMES = ("nemo", "ministral-8b", "ministral 8b", "pixtral-12b", "pixtral 12b")


def _mistral_layout(metadata: dict[str, str], controls: dict[str, int], template: str | None,
                    name: str) -> tuple[bool, str]:
    """(system block?, why) for a vocabulary with [INST] as a control token."""
    if "[SYSTEM_PROMPT]" not in controls or "[/SYSTEM_PROMPT]" not in controls:
        return False, "no [SYSTEM_PROMPT] token (v3): system text opens the user message"
    if metadata.get("tokenizer.ggml.model", "llama") == "llama":
        return True, "SentencePiece with [SYSTEM_PROMPT] (v7): system text in its own block"
    if template and "[INST]" in template:
        block = "[SYSTEM_PROMPT]" in template
        return block, ("Tekken; the embedded Mistral template " + ("uses a [SYSTEM_PROMPT] block (v7)" if block
                       else "puts system text in the user message (v3)"))
    if any(key in name for key in TEKKEN_V3_NAMES):
        return False, "Tekken; a Nemo / Ministral-8B / Pixtral-12B model: system text opens the user message (v3)"
    return True, ("Tekken without a Mistral template: the v7 [SYSTEM_PROMPT] block of Small 3.x and later "
                  "(set DOCPIPE_CHAT_FORMAT=mistral-v3 for Nemo-era models)")


def choose_format(metadata: dict[str, str], control_id: Callable[[str], int | None],
                  requested: str = "auto") -> ChatFormat:
    """The chat format for a GGUF: from ``requested`` when it is not "auto", else from the
    vocabulary (``control_id(piece)``: the id of a control token, None when the piece is
    not one), the model's name and its embedded template."""
    template = metadata.get("tokenizer.chat_template")
    controls = {piece: control_id(piece) for piece in ("[INST]", "[/INST]", "[SYSTEM_PROMPT]", "[/SYSTEM_PROMPT]")}
    controls = {piece: token for piece, token in controls.items() if token is not None}
    has_inst = "[INST]" in controls and "[/INST]" in controls
    name = " ".join(metadata.get(k, "") for k in ("general.name", "general.basename")).lower()
    if requested in ("mistral-v3", "mistral-v7") and not has_inst:
        raise ConfigError(f"DOCPIPE_CHAT_FORMAT={requested}, but [INST] is not a control token of this model")
    if requested == "mistral-v7" and "[SYSTEM_PROMPT]" not in controls:
        raise ConfigError("DOCPIPE_CHAT_FORMAT=mistral-v7, but [SYSTEM_PROMPT] is not a token of this model")
    if requested in ("mistral-v3", "mistral-v7"):
        return ChatFormat(requested, f"DOCPIPE_CHAT_FORMAT={requested}", controls=tuple(controls.items()),
                          system_block=requested == "mistral-v7")
    if requested == "auto" and has_inst:
        block, why = _mistral_layout(metadata, controls, template, name)
        used = "the GGUF has no chat template" if not template else "the GGUF's own template is not used"
        return ChatFormat("mistral-v7" if block else "mistral-v3", f"[INST] is a control token: Mistral's "
                          f"reference encoding ({used}); {why}", controls=tuple(controls.items()), system_block=block)
    if requested == "auto" and ("mistral" in name or "mixtral" in name
                                or (template and "[INST]" in template and "<<SYS>>" not in template)):
        used = "the GGUF has no chat template" if not template else "the GGUF's own template is not used"
        return ChatFormat("mistral-v1", f"a Mistral v1 vocabulary ([INST] is text): Mistral's v1 reference "
                                        f"encoding ({used}), system text opening the user message")
    if requested == "mistral-v1":
        return ChatFormat("mistral-v1", "DOCPIPE_CHAT_FORMAT=mistral-v1")
    if requested == "chatml" or not template:
        return ChatFormat("chatml", "DOCPIPE_CHAT_FORMAT=chatml" if requested == "chatml" else
                          "no chat template in the GGUF", template=CHATML)
    if _refuses_system(template):
        return ChatFormat("template", "the GGUF's template refuses a system message: system text folded "
                                      "into the user message", template=template, fold_system=True)
    return ChatFormat("template", "the GGUF's chat template", template=template)
