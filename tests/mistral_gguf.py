"""Mistral-shaped test GGUFs: the real tokenizer of each Mistral generation, random weights.

No Mistral weights can be fetched here, but Mistral's reference library ``mistral-common``
ships every tokenizer its open models use in its package data (``mistral_common/data``).
This module writes small GGUFs of the llama architecture (the one llama.cpp runs every
dense Mistral model as) that carry that REAL vocabulary, written exactly as llama.cpp's
converter (``convert_hf_to_gguf.py --mistral-format``, ``LlamaModel._set_vocab_mistral``)
writes it, the chat template the real models' GGUFs embed, and random weights, so the
plumbing (tokenizer, special tokens, chat template, model load) can be proven on a CPU.

Nothing is downloaded: mistral-common reads its bundled files, tiktoken is handed the Tekken
ranks directly. ``python -m tests.mistral_gguf --generation v3 --out DIR`` writes one.

Generations (:data:`GENERATIONS`)
    ``v1``         SentencePiece v1, 32000 tokens: Mistral-7B-Instruct v0.1/v0.2, Mixtral-8x7B.
                   ``[INST]``/``[/INST]`` are plain text here (no control tokens but <unk> <s> </s>).
    ``v3``         SentencePiece v3, 32768 tokens, control tokens [INST] [/INST] [TOOL_CALLS]
                   [AVAILABLE_TOOLS]...: Mistral-7B-Instruct v0.3, Mixtral-8x22B, Codestral 22B.
    ``v7``         SentencePiece v7, 32768 tokens, adds [SYSTEM_PROMPT] [/SYSTEM_PROMPT]:
                   Mistral-Large-Instruct-2411 (Pixtral-Large: the same plus image tokens).
    ``tekken``     Tekken (tiktoken BPE), 131072 tokens (1000 special + 130072 BPE),
                   instruct v3: Mistral-Nemo-Instruct-2407 (Pixtral-12B's text side).
                   GGUF: tokenizer.ggml.model "gpt2", tokenizer.ggml.pre "tekken" + merges.
    ``tekken-v7``  The same Tekken vocabulary with the v7 instruct format ([SYSTEM_PROMPT]):
                   Mistral-Small-24B-Instruct-2501 (Small 3). mistral-common ships no
                   Tekken file of version v7, so the reference tokenizer is Nemo's
                   ``tekken_240718.json`` re-labelled v7 (written once into the cache dir);
                   its special tokens 0-19 are mistral-common's defaults, the same ids
                   Small 3's own ``tekken.json`` lists ([SYSTEM_PROMPT]=17, [/SYSTEM_PROMPT]=18).

Not covered: ``v2`` (``mistral_instruct_tokenizer_240216``) is shipped too but no open-weight
model uses it (API models of 2402 only); the multimodal variants (``v7m1``, ``tekken_240911``)
differ only in image tokens, which llama.cpp's text path never sees. Later Tekken versions
(v11/v13, Magistral/Devstral) are not in mistral-common's package data. Every tokenizer
mistral-common ships CAN be carried by a GGUF that llama.cpp loads: SentencePiece as
``llama``, Tekken as ``gpt2`` + pre ``tekken`` (llama.cpp has had that pre-tokenizer since
mid-2024; llama-cpp-python 0.3.x has it).

Weights are random (numpy, fixed seed, std 0.02; norms 1), quantized with gguf-py's own numpy
quantizers (Q8_0 by default; 1-D norms stay F32); every block holds the same draw, so the
layer count costs disk, not build time. A file is cached by a name that encodes
generation, shape, quant, seed, template and :data:`FORMAT_VERSION`, under ``out_dir``, else
``$DOCPIPE_TEST_CACHE``, else ``~/.cache/docpipe-test-gguf``. GGUFs are never committed.

Sizes (Q8_0, the default shape: 2 layers, 4 heads, 2 KV heads, head dim 32, FFN 64): SPM
~10 MB, Tekken ~44 MB (the 131072 x 128 token_embd and output dominate; ``tie_output=True``
halves it). The 7B-like attention shape (:data:`SEVEN_B_LIKE`: 32 layers, 32 heads, 8 KV
heads, head dim 128, so n_embd 4096, FFN 64, the real vocabulary, output tied to
token_embd) cannot be small: the 32 x (4096x4096 q + o, 2 x 1024x4096 k v) attention
matrices alone are 1.37 G weights, ~1.6 GB in Q8_0 (~2.0 GB for Tekken). The preset
therefore defaults to TQ1_0 (ternary, 1.69 bits/weight), which gguf-py quantizes in numpy
and llama.cpp's CPU backend runs: v1/v3/v7 334 MB, built in ~4 s, mmapped in 0.1 s, 5
tokens in 0.4 s on one thread; Tekken 426 MB, ~16 s to build. (Run under ``nice`` with 2
threads beside another CPU-bound process, the same tokens took 20+ s: the tests use one
thread.) ``quant="Q8_0"`` gives the faithful but large file.

What llama.cpp does differently from mistral-common (proven in
tests/integration/test_mistral_gguf.py; llama-cpp-python 0.3.x)
    * Plain text (``tokenize(special=False)``) gives mistral-common's ids for every
      generation, leading spaces, digits, accents, emoji included, with one exception:
      llama.cpp's "tekken" pre-tokenizer regex has no \\p{M}, so after a combining mark
      (NFD text) punctuation is split from the next word ("-", "bar" vs "-bar"). NFC first.
    * Control tokens are single tokens with mistral-common's ids under ``special=True``.
    * SentencePiece (v1/v3/v7): llama.cpp puts the dummy-prefix space before EVERY text
      fragment that follows a special token. Text after a control token must therefore NOT
      start with a space: "[INST]" + content + "[/INST]" gives mistral-common's tokens; the
      HF templates of v0.3 / Large-2411 ("[INST] " + content, " " + answer) give one extra
      "▁" token after each control token. ``detokenize`` keeps that leading space
      (" The...") where mistral-common's ``decode`` drops it.
    * Tekken: the embedded Nemo / Small 3 templates render mistral-common's tokens exactly.
    * v1: the v0.1 template refuses a system message; mistral-common folds it into the FIRST
      user message (system + "\\n\\n" + user); v2/v3 put it in the LAST one, v7 in
      [SYSTEM_PROMPT]. One BOS: render with bos_token "" and let llama.cpp add it, or render
      "<s>" and tokenize with add_bos=False; both together give two.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

FORMAT_VERSION = 2  # bump when what build_gguf writes changes: old cache files are then ignored

# --------------------------------------------------------------------------- chat templates
# Copied verbatim from the models' Hugging Face tokenizer_config.json ``chat_template`` (which
# convert_hf_to_gguf.py copies into ``tokenizer.chat_template``), as found in llama.cpp's own
# tests/test-chat-template.cpp and models/templates/, and in public code that quotes them.

#: mistralai/Mistral-7B-Instruct-v0.1, the original template: no system role (raises
#: "Conversation roles must alternate user/assistant/user/assistant/..." when the first
#: message is a system message), "[INST] " + content + " [/INST]", eos + " " after answers.
MISTRAL_7B_V01 = (
    "{{ bos_token }}{% for message in messages %}{% if (message['role'] == 'user') != "
    "(loop.index0 % 2 == 0) %}{{ raise_exception('Conversation roles must alternate "
    "user/assistant/user/assistant/...') }}{% endif %}{% if message['role'] == 'user' %}"
    "{{ '[INST] ' + message['content'] + ' [/INST]' }}{% elif message['role'] == 'assistant' %}"
    "{{ message['content'] + eos_token + ' ' }}{% else %}{{ raise_exception('Only user and "
    "assistant roles are supported!') }}{% endif %}{% endfor %}"
)

#: mistralai/Mixtral-8x7B-Instruct-v0.1 and the original Mistral-7B-Instruct-v0.2: the same,
#: but nothing after eos_token.
MIXTRAL_8X7B_V01 = MISTRAL_7B_V01.replace("eos_token + ' ' }}", "eos_token}}")

#: mistralai/Mistral-7B-Instruct-v0.3 (also Mistral-Large-Instruct-2407, Mixtral-8x22B's
#: tool-use template): an optional first system message is glued to the LAST user message.
MISTRAL_7B_V03 = """\
{%- if messages[0]["role"] == "system" %}
    {%- set system_message = messages[0]["content"] %}
    {%- set loop_messages = messages[1:] %}
{%- else %}
    {%- set loop_messages = messages %}
{%- endif %}
{%- if not tools is defined %}
    {%- set tools = none %}
{%- endif %}
{%- set user_messages = loop_messages | selectattr("role", "equalto", "user") | list %}

{#- This block checks for alternating user/assistant messages, skipping tool calling messages #}
{%- set ns = namespace() %}
{%- set ns.index = 0 %}
{%- for message in loop_messages %}
    {%- if not (message.role == "tool" or message.role == "tool_results" or (message.tool_calls is defined and message.tool_calls is not none)) %}
        {%- if (message["role"] == "user") != (ns.index % 2 == 0) %}
            {{- raise_exception("After the optional system message, conversation roles must alternate user/assistant/user/assistant/...") }}
        {%- endif %}
        {%- set ns.index = ns.index + 1 %}
    {%- endif %}
{%- endfor %}

{{- bos_token }}
{%- for message in loop_messages %}
    {%- if message["role"] == "user" %}
        {%- if tools is not none and (message == user_messages[-1]) %}
            {{- "[AVAILABLE_TOOLS] [" }}
            {%- for tool in tools %}
                {%- set tool = tool.function %}
                {{- '{"type": "function", "function": {' }}
                {%- for key, val in tool.items() if key != "return" %}
                    {%- if val is string %}
                        {{- '"' + key + '": "' + val + '"' }}
                    {%- else %}
                        {{- '"' + key + '": ' + val|tojson }}
                    {%- endif %}
                    {%- if not loop.last %}
                        {{- ", " }}
                    {%- endif %}
                {%- endfor %}
                {{- "}}" }}
                {%- if not loop.last %}
                    {{- ", " }}
                {%- else %}
                    {{- "]" }}
                {%- endif %}
            {%- endfor %}
            {{- "[/AVAILABLE_TOOLS]" }}
            {%- endif %}
        {%- if loop.last and system_message is defined %}
            {{- "[INST] " + system_message + "\\n\\n" + message["content"] + "[/INST]" }}
        {%- else %}
            {{- "[INST] " + message["content"] + "[/INST]" }}
        {%- endif %}
    {%- elif message.tool_calls is defined and message.tool_calls is not none %}
        {{- "[TOOL_CALLS] [" }}
        {%- for tool_call in message.tool_calls %}
            {%- set out = tool_call.function|tojson %}
            {{- out[:-1] }}
            {%- if not tool_call.id is defined or tool_call.id|length != 9 %}
                {{- raise_exception("Tool call IDs should be alphanumeric strings with length 9!") }}
            {%- endif %}
            {{- ', "id": "' + tool_call.id + '"}' }}
            {%- if not loop.last %}
                {{- ", " }}
            {%- else %}
                {{- "]" + eos_token }}
            {%- endif %}
        {%- endfor %}
    {%- elif message["role"] == "assistant" %}
        {{- " " + message["content"]|trim + eos_token}}
    {%- elif message["role"] == "tool_results" or message["role"] == "tool" %}
        {%- if message.content is defined and message.content.content is defined %}
            {%- set content = message.content.content %}
        {%- else %}
            {%- set content = message.content %}
        {%- endif %}
        {{- '[TOOL_RESULTS] {"content": ' + content|string + ", " }}
        {%- if not message.tool_call_id is defined or message.tool_call_id|length != 9 %}
            {{- raise_exception("Tool call IDs should be alphanumeric strings with length 9!") }}
        {%- endif %}
        {{- '"call_id": "' + message.tool_call_id + '"}[/TOOL_RESULTS]' }}
    {%- else %}
        {{- raise_exception("Only user and assistant roles are supported, with the exception of an initial optional system message!") }}
    {%- endif %}
{%- endfor %}
"""

#: mistralai/Mistral-Large-Instruct-2411 (SentencePiece v7): [SYSTEM_PROMPT] wherever a
#: system message stands, with a space after each opening control token.
MISTRAL_LARGE_2411 = (
    "{{ bos_token }}{% for message in messages %}{% if message['role'] == 'user' %}"
    "{{ '[INST] ' + message['content'] + '[/INST]' }}{% elif message['role'] == 'system' %}"
    "{{ '[SYSTEM_PROMPT] ' + message['content'] + '[/SYSTEM_PROMPT]' }}"
    "{% elif message['role'] == 'assistant' %}{{ ' ' + message['content'] + eos_token }}"
    "{% else %}{{ raise_exception('Only user, system and assistant roles are supported!') }}"
    "{% endif %}{% endfor %}"
)

#: mistralai/Mistral-Nemo-Instruct-2407 (Tekken, instruct v3): like v0.3's but no spaces
#: ("[INST]" + content + "[/INST]"), the system message again glued to the last user message.
#: Derived from v0.3's by the six edits below; the result is character for character llama.cpp's
#: models/templates/mistralai-Mistral-Nemo-Instruct-2407.jinja (3945 characters).
MISTRAL_NEMO_2407 = (MISTRAL_7B_V03
                     .replace('"[AVAILABLE_TOOLS] ["', '"[AVAILABLE_TOOLS]["')
                     .replace('"[INST] " +', '"[INST]" +')
                     .replace("{%- elif message.tool_calls is defined and message.tool_calls is not none %}",
                              "{%- elif (message.tool_calls is defined and message.tool_calls is not none) %}")
                     .replace('"[TOOL_CALLS] ["', '"[TOOL_CALLS]["')
                     .replace('{{- " " + message["content"]|trim + eos_token}}', '{{- message["content"] + eos_token}}')
                     .replace("'[TOOL_RESULTS] {\"content\": '", "'[TOOL_RESULTS]{\"content\": '"))

#: mistralai/Mistral-Small-24B-Instruct-2501 (Tekken v7) as released: [SYSTEM_PROMPT] blocks
#: in place, no spaces. (A later revision adds a dated default system prompt via strftime_now.)
MISTRAL_SMALL_2501 = """\
{{- bos_token }}

{%- for message in messages %}
    {%- if message['role'] == 'user' %}
        {{- '[INST]' + message['content'] + '[/INST]' }}
    {%- elif message['role'] == 'system' %}
        {{- '[SYSTEM_PROMPT]' + message['content'] + '[/SYSTEM_PROMPT]' }}
    {%- elif message['role'] == 'assistant' %}
        {{- message['content'] + eos_token }}
    {%- else %}
        {{- raise_exception('Only user, system and assistant roles are supported!') }}
    {%- endif %}
{%- endfor %}"""

#: The templates by the Hugging Face repository that ships them.
CHAT_TEMPLATES: dict[str, str] = {
    "mistralai/Mistral-7B-Instruct-v0.1": MISTRAL_7B_V01,
    "mistralai/Mixtral-8x7B-Instruct-v0.1": MIXTRAL_8X7B_V01,
    "mistralai/Mistral-7B-Instruct-v0.3": MISTRAL_7B_V03,
    "mistralai/Mistral-Large-Instruct-2411": MISTRAL_LARGE_2411,
    "mistralai/Mistral-Nemo-Instruct-2407": MISTRAL_NEMO_2407,
    "mistralai/Mistral-Small-24B-Instruct-2501": MISTRAL_SMALL_2501,
}


# --------------------------------------------------------------------------- generations
@dataclass(frozen=True)
class Generation:
    name: str
    tokenizer_file: str      # in mistral_common/data
    kind: str                # "spm" or "tekken"
    n_vocab: int
    chat_template: str
    rope_freq_base: float
    control_tokens: tuple[str, ...]  # checked to be single tokens with mistral-common's ids
    models: str
    instruct_version: str | None = None  # overrides the file's version (tekken-v7)


_V3_CONTROL = ("<s>", "</s>", "[INST]", "[/INST]", "[TOOL_CALLS]", "[AVAILABLE_TOOLS]",
               "[/AVAILABLE_TOOLS]", "[TOOL_RESULTS]", "[/TOOL_RESULTS]")
_V7_CONTROL = _V3_CONTROL + ("[SYSTEM_PROMPT]", "[/SYSTEM_PROMPT]")

GENERATIONS: dict[str, Generation] = {g.name: g for g in (
    Generation("v1", "tokenizer.model.v1", "spm", 32000, MISTRAL_7B_V01, 10_000.0, ("<s>", "</s>"),
               "Mistral-7B-Instruct v0.1/v0.2, Mixtral-8x7B-Instruct"),
    Generation("v3", "mistral_instruct_tokenizer_240323.model.v3", "spm", 32768, MISTRAL_7B_V03, 1e6,
               _V3_CONTROL, "Mistral-7B-Instruct v0.3, Mixtral-8x22B-Instruct, Codestral-22B"),
    Generation("v7", "mistral_instruct_tokenizer_241114.model.v7", "spm", 32768, MISTRAL_LARGE_2411, 1e6,
               _V7_CONTROL, "Mistral-Large-Instruct-2411"),
    Generation("tekken", "tekken_240718.json", "tekken", 131072, MISTRAL_NEMO_2407, 1e6,
               _V7_CONTROL, "Mistral-Nemo-Instruct-2407, Pixtral-12B (text)"),
    Generation("tekken-v7", "tekken_240718.json", "tekken", 131072, MISTRAL_SMALL_2501, 1e8,
               _V7_CONTROL, "Mistral-Small-24B-Instruct-2501", instruct_version="v7"),
)}

#: The attention shape of Mistral 7B (32 layers, 32 heads, 8 KV heads, head dim 128, so
#: n_embd 4096) with a token-sized FFN and the real vocabulary; output tied to token_embd and
#: ternary weights to keep it near 300 MB (see the module docstring).
SEVEN_B_LIKE = dict(layers=32, heads=32, kv_heads=8, head_dim=128, ffn=64, tie_output=True, quant="TQ1_0")


def _generation(name: str) -> Generation:
    try:
        return GENERATIONS[name]
    except KeyError:
        raise ValueError(f"unknown generation {name!r}; known: {', '.join(GENERATIONS)}") from None


def data_dir() -> Path:
    """mistral-common's bundled tokenizer files."""
    import mistral_common

    return Path(mistral_common.__file__).parent / "data"


def cache_dir() -> Path:
    """``$DOCPIPE_TEST_CACHE``, else ``~/.cache/docpipe-test-gguf``, else (unwritable home)
    ``$TMPDIR/docpipe-test-gguf``."""
    path = Path(os.environ.get("DOCPIPE_TEST_CACHE") or Path.home() / ".cache" / "docpipe-test-gguf")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError:
        path = Path(tempfile.gettempdir()) / "docpipe-test-gguf"
        path.mkdir(parents=True, exist_ok=True)
    return path


def _tokenizer_path(gen: Generation) -> Path:
    src = data_dir() / gen.tokenizer_file
    if not src.is_file():
        raise FileNotFoundError(f"mistral-common has no {gen.tokenizer_file} in {src.parent}")
    if gen.instruct_version is None:
        return src
    # A copy labelled with the instruct version (from_file picks the instruct tokenizer and
    # the request normaliser by config.version); the name must hold "tekken" and end ".json".
    dst = cache_dir() / f"{src.stem}-{gen.instruct_version}.json"
    if not dst.exists():
        data = json.loads(src.read_text(encoding="utf-8"))
        data["config"]["version"] = gen.instruct_version
        tmp = dst.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(data), encoding="utf-8")
        os.replace(tmp, dst)
    return dst


_REFERENCE: dict[str, object] = {}


def mistral_tokenizer(generation: str):
    """mistral-common's ``MistralTokenizer`` for a generation: the reference encoding.

    ``.instruct_tokenizer.tokenizer.encode(text, bos=False, eos=False)`` for raw text,
    ``.encode_chat_completion(ChatCompletionRequest(...))`` for a whole chat."""
    if generation not in _REFERENCE:
        from mistral_common.tokens.tokenizers.mistral import MistralTokenizer

        _REFERENCE[generation] = MistralTokenizer.from_file(str(_tokenizer_path(_generation(generation))))
    return _REFERENCE[generation]


# --------------------------------------------------------------------------- the GGUF
def _converter_vocab(raw_tokenizer):
    """gguf-py's ``MistralVocab`` (the class convert_hf_to_gguf.py's ``_set_vocab_mistral``
    uses) around an already loaded mistral-common tokenizer, so the token list, token types
    and Tekken merges are produced by llama.cpp's own converter code."""
    from gguf.vocab import MistralTokenizerType, MistralVocab
    from mistral_common.tokens.tokenizers.tekken import Tekkenizer

    vocab = MistralVocab.__new__(MistralVocab)  # its __init__ only finds and loads the file
    vocab.tokenizer = raw_tokenizer
    vocab.tokenizer_type = (MistralTokenizerType.tekken if isinstance(raw_tokenizer, Tekkenizer)
                            else MistralTokenizerType.spm)
    vocab.vocab_size = raw_tokenizer.n_words
    return vocab


def _quantize(array: np.ndarray, quant: str):
    """(data, raw_dtype or None) for gguf-py; 1-D tensors stay F32 and a row length the
    block size does not divide falls back to F16, as llama.cpp's quantizer does."""
    from gguf import GGML_QUANT_SIZES, GGMLQuantizationType, quants

    qtype = GGMLQuantizationType[quant]
    if array.ndim == 1 or qtype == GGMLQuantizationType.F32:
        return array.astype(np.float32), None
    if qtype == GGMLQuantizationType.F16 or array.shape[-1] % GGML_QUANT_SIZES[qtype][0]:
        return array.astype(np.float16), None
    return quants.quantize(array, qtype), qtype


def gguf_name(generation: str, *, layers: int, heads: int, kv_heads: int, head_dim: int, embd: int,
              ffn: int, n_ctx_train: int, quant: str, seed: int, tie_output: bool, chat_template: str,
              name: str | None = None) -> str:
    tpl = hashlib.sha256(f"{chat_template}\0{name or ''}".encode()).hexdigest()[:8]
    return (f"mistral-{generation}-L{layers}-H{heads}-KV{kv_heads}-D{head_dim}-E{embd}-F{ffn}"
            f"-C{n_ctx_train}-{quant}-s{seed}{'-tied' if tie_output else ''}-t{tpl}-f{FORMAT_VERSION}.gguf")


def build_gguf(generation: str, out_dir: str | Path | None = None, *, layers: int = 2, heads: int = 4,
               kv_heads: int = 2, head_dim: int = 32, embd: int | None = None, ffn: int = 64,
               n_ctx_train: int = 32768, quant: str = "Q8_0", seed: int = 0, chat_template: str | None = None,
               tie_output: bool = False, name: str | None = None) -> Path:
    """Write (or reuse) a llama-architecture GGUF with ``generation``'s real tokenizer.

    ``embd`` defaults to ``heads * head_dim``; a different value (Mistral Nemo / Small 3:
    5120 with 32 x 128 heads) writes ``llama.attention.key_length``/``value_length``.
    ``quant``: any type gguf-py can quantize in numpy (Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, TQ1_0,
    TQ2_0) or F16/BF16/F32. ``tie_output`` leaves ``output.weight`` out (llama.cpp then uses
    token_embd for the logits). ``chat_template`` defaults to the generation's; pass ``""``
    to write none. Returns the path; an existing file of the same name is reused.
    """
    import gguf

    gen = _generation(generation)
    embd = embd or heads * head_dim
    template = gen.chat_template if chat_template is None else chat_template
    if heads % kv_heads:
        raise ValueError(f"heads ({heads}) must be a multiple of kv_heads ({kv_heads})")
    gguf.GGMLQuantizationType[quant]  # unknown names fail here, before any work
    out = Path(out_dir) if out_dir is not None else cache_dir()
    out.mkdir(parents=True, exist_ok=True)
    path = out / gguf_name(generation, layers=layers, heads=heads, kv_heads=kv_heads, head_dim=head_dim,
                           embd=embd, ffn=ffn, n_ctx_train=n_ctx_train, quant=quant, seed=seed,
                           tie_output=tie_output, chat_template=template, name=name)
    if path.exists():
        return path

    raw = mistral_tokenizer(generation).instruct_tokenizer.tokenizer
    vocab = _converter_vocab(raw)
    tokens, scores, toktypes = [], [], []
    for text, score, toktype in vocab.all_tokens():
        tokens.append(text)
        scores.append(score)
        toktypes.append(toktype)
    if len(tokens) != gen.n_vocab:
        raise AssertionError(f"{generation}: {len(tokens)} tokens, expected {gen.n_vocab}")

    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    writer = gguf.GGUFWriter(str(tmp), gguf.MODEL_ARCH_NAMES[gguf.MODEL_ARCH.LLAMA])
    writer.add_name(name or f"docpipe test {generation} ({gen.models})")
    writer.add_context_length(n_ctx_train)
    writer.add_embedding_length(embd)
    writer.add_block_count(layers)
    writer.add_feed_forward_length(ffn)
    writer.add_head_count(heads)
    writer.add_head_count_kv(kv_heads)
    if head_dim != embd // heads:
        writer.add_key_length(head_dim)
        writer.add_value_length(head_dim)
    writer.add_rope_dimension_count(head_dim)
    writer.add_rope_freq_base(gen.rope_freq_base)
    writer.add_layer_norm_rms_eps(1e-5)
    writer.add_vocab_size(gen.n_vocab)
    ftype = {"F32": gguf.LlamaFileType.ALL_F32, "F16": gguf.LlamaFileType.MOSTLY_F16,
             "BF16": gguf.LlamaFileType.MOSTLY_BF16}.get(quant) or getattr(gguf.LlamaFileType, f"MOSTLY_{quant}")
    writer.add_file_type(ftype)
    writer.add_quantization_version(gguf.GGML_QUANT_VERSION)

    # tokenizer: what LlamaModel._set_vocab_mistral writes
    writer.add_tokenizer_model(vocab.gguf_tokenizer_model)  # "llama" (SPM) or "gpt2" (Tekken)
    if gen.kind == "tekken":
        writer.add_tokenizer_pre("tekken")
        writer.add_token_merges(vocab.extract_vocab_merges_from_model())
    writer.add_bos_token_id(vocab.bos_id)
    writer.add_eos_token_id(vocab.eos_id)
    writer.add_unk_token_id(vocab.unk_id)
    writer.add_pad_token_id(vocab.pad_id)
    writer.add_token_list(tokens)
    writer.add_token_scores(scores)
    writer.add_token_types(toktypes)
    writer.add_add_bos_token(True)
    writer.add_add_eos_token(False)
    if template:
        writer.add_chat_template(template)

    rng = np.random.default_rng(seed)

    drawn: dict[str, tuple] = {}

    def tensor(tname: str, shape: tuple[int, ...], *, ones: bool = False) -> None:
        # numpy shape is (rows, cols) = (ne1, ne0): the reverse of llama.cpp's order.
        # Every block reuses block 0's draw (key: the name without "blk.N."): a 32-layer
        # file then costs one layer's random numbers and quantization, not 32.
        key = tname.split(".", 2)[-1] if tname.startswith("blk.") else tname
        if key not in drawn:
            data = (np.ones(shape, dtype=np.float32) if ones
                    else rng.standard_normal(shape, dtype=np.float32) * np.float32(0.02))
            drawn[key] = _quantize(data, quant)
        data, raw_dtype = drawn[key]
        writer.add_tensor(tname, data, raw_dtype=raw_dtype)

    q_dim, kv_dim = heads * head_dim, kv_heads * head_dim
    tensor("token_embd.weight", (gen.n_vocab, embd))
    tensor("output_norm.weight", (embd,), ones=True)
    if not tie_output:
        tensor("output.weight", (gen.n_vocab, embd))
    for i in range(layers):
        tensor(f"blk.{i}.attn_norm.weight", (embd,), ones=True)
        tensor(f"blk.{i}.attn_q.weight", (q_dim, embd))
        tensor(f"blk.{i}.attn_k.weight", (kv_dim, embd))
        tensor(f"blk.{i}.attn_v.weight", (kv_dim, embd))
        tensor(f"blk.{i}.attn_output.weight", (embd, q_dim))
        tensor(f"blk.{i}.ffn_norm.weight", (embd,), ones=True)
        tensor(f"blk.{i}.ffn_gate.weight", (ffn, embd))
        tensor(f"blk.{i}.ffn_up.weight", (ffn, embd))
        tensor(f"blk.{i}.ffn_down.weight", (embd, ffn))

    try:
        writer.write_header_to_file()
        writer.write_kv_data_to_file()
        writer.write_tensors_to_file()
        writer.close()
        os.replace(tmp, path)  # atomic: a parallel run sees no half-written file
    finally:
        tmp.unlink(missing_ok=True)
    return path


# --------------------------------------------------------------------------- command line
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.mistral_gguf", description=__doc__.split("\n\n")[0])
    parser.add_argument("--generation", choices=sorted(GENERATIONS), required=True)
    parser.add_argument("--out", type=Path, default=None, help="directory (default: the cache dir)")
    parser.add_argument("--preset", choices=["tiny", "7b-like"], default="tiny")
    parser.add_argument("--quant", default=None, help="default: Q8_0 (tiny), TQ1_0 (7b-like)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    shape = dict(SEVEN_B_LIKE) if args.preset == "7b-like" else {}
    if args.quant:
        shape["quant"] = args.quant
    path = build_gguf(args.generation, args.out, seed=args.seed, **shape)
    print(f"{path}\t{path.stat().st_size / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
