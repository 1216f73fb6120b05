"""Mistral GGUFs (real tokenizers from mistral-common, random weights) in llama-cpp-python.

Each generation's GGUF (tests/mistral_gguf.py) is checked against mistral-common, Mistral's
reference tokenizer: plain text must tokenize to the same ids, control tokens must be single
tokens with the same ids, and the chat template the real GGUFs embed is rendered the way
docpipe renders it (llama_cpp's Jinja2ChatFormatter) and compared with mistral-common's
``encode_chat_completion``. Where llama.cpp and mistral-common differ, the test states the
exact rule rather than a looser check. Files are cached (tests/mistral_gguf.cache_dir()).
"""
from __future__ import annotations

import random
import unicodedata

import pytest

from tests.mistral_gguf import (
    GENERATIONS,
    MISTRAL_NEMO_2407,
    MISTRAL_SMALL_2501,
    SEVEN_B_LIKE,
    build_gguf,
    data_dir,
    mistral_tokenizer,
)

pytestmark = pytest.mark.model

SPM = ["v1", "v3", "v7"]
TEKKEN = ["tekken", "tekken-v7"]
ALL = SPM + TEKKEN

TEXTS = [
    "The Supplier shall deliver the Products to the Buyer's warehouse within ten (10) business days.",
    "Invoice No. 2024-0315 dated 15/03/2024: 1,250 units at 4.5% interest, ref. 000123456789.",
    "The total consideration is $1,250,000.00 (one million two hundred fifty thousand US dollars).",
    "Société Générale, Zürich, naïve café, São Paulo, Łódź, DÉCRET N° 12, l'État, «Élysée», MÜLLER GMBH.",
    "  two leading spaces,\ttabs,\nnew lines\n\n and  double  spaces  ",
    "日本語の契約書 😀 Ωμέγα Привет ١٢٣",
    "[INST] brackets typed by a user are text, not control tokens [/INST]",
    " Hello",
    "",
]


@pytest.fixture(scope="session")
def vocab():
    """A vocab-only llama.cpp model per generation, built on first use."""
    from llama_cpp import Llama

    loaded: dict[str, Llama] = {}

    def get(generation: str) -> Llama:
        if generation not in loaded:
            loaded[generation] = Llama(model_path=str(build_gguf(generation)), vocab_only=True, verbose=False)
        return loaded[generation]

    return get


def raw_tokenizer(generation: str):
    return mistral_tokenizer(generation).instruct_tokenizer.tokenizer


def llama_ids(llm, text: str, *, special: bool = False) -> list[int]:
    return llm.tokenize(text.encode("utf-8"), add_bos=False, special=special)


def render(template: str, conversation: list[tuple[str, str]]) -> str:
    """The prompt as llama-cpp-python (and docpipe's LlamaEngine.format_chat) renders it."""
    from llama_cpp.llama_chat_format import Jinja2ChatFormatter

    formatter = Jinja2ChatFormatter(template=template, bos_token="<s>", eos_token="</s>")
    return formatter(messages=[{"role": role, "content": content} for role, content in conversation]).prompt


def reference(generation: str, conversation: list[tuple[str, str]]) -> list[int]:
    from mistral_common.protocol.instruct.messages import AssistantMessage, SystemMessage, UserMessage
    from mistral_common.protocol.instruct.request import ChatCompletionRequest

    kinds = {"system": SystemMessage, "user": UserMessage, "assistant": AssistantMessage}
    request = ChatCompletionRequest(messages=[kinds[role](content=content) for role, content in conversation])
    return mistral_tokenizer(generation).encode_chat_completion(request).tokens


CONVERSATIONS = {
    "user": [("user", "Summarise clause 4 of the agreement.")],
    "system+user": [("system", "You are a contract analyst. Answer in JSON."),
                    ("user", "Summarise clause 4 of the agreement.")],
    "multi-turn": [("user", "Hello"), ("assistant", "Hi. Which contract?"),
                   ("user", "Summarise clause 4 of the agreement.")],
    "system+multi-turn": [("system", "You are a contract analyst. Answer in JSON."), ("user", "Hello"),
                          ("assistant", "Hi. Which contract?"), ("user", "Summarise clause 4 of the agreement.")],
}


# --------------------------------------------------------------------------- the file
def test_tokenizer_files_are_bundled_with_mistral_common():
    """Nothing is downloaded: every tokenizer is read from mistral-common's package data."""
    for gen in GENERATIONS.values():
        assert (data_dir() / gen.tokenizer_file).is_file(), gen.tokenizer_file


@pytest.mark.parametrize("generation", ALL)
def test_gguf_metadata_is_what_the_mistral_converter_writes(generation, vocab):
    gen, llm, raw = GENERATIONS[generation], vocab(generation), raw_tokenizer(generation)
    meta = llm.metadata
    assert meta["general.architecture"] == "llama"
    assert meta["tokenizer.ggml.model"] == ("gpt2" if generation in TEKKEN else "llama")
    assert meta.get("tokenizer.ggml.pre") == ("tekken" if generation in TEKKEN else None)
    assert llm.n_vocab() == raw.n_words == gen.n_vocab == int(meta["llama.vocab_size"])
    assert (llm.token_bos(), llm.token_eos()) == (raw.bos_id, raw.eos_id) == (1, 2)
    assert meta["tokenizer.chat_template"] == gen.chat_template
    assert float(meta["llama.rope.freq_base"]) == gen.rope_freq_base
    # add_bos_token true, add_eos_token false: a BOS in front, nothing behind
    assert llm.tokenize(b"Hello", add_bos=True) == [raw.bos_id] + raw.encode("Hello", bos=False, eos=False)


# --------------------------------------------------------------------------- plain text
@pytest.mark.parametrize("generation", ALL)
def test_plain_text_tokenizes_as_mistral_common_does(generation, vocab):
    llm, raw = vocab(generation), raw_tokenizer(generation)
    for text in TEXTS:
        assert llama_ids(llm, text) == raw.encode(text, bos=False, eos=False), text


@pytest.mark.parametrize("generation", ALL)
def test_random_text_tokenizes_as_mistral_common_does(generation, vocab):
    """600 seeded random strings over Latin (accented, upper case), Greek, Cyrillic, Arabic
    and CJK letters, digits, symbols and whitespace. Combining marks are left out: see
    test_tekken_pretokenizer_differs_after_a_combining_mark."""
    llm, raw = vocab(generation), raw_tokenizer(generation)
    alphabet = list("abcXYZ éÉèÀüÜßçÇñÑøØłŁ0123456789 .,;:!?$%€£()[]{}<>-_/\\'\"\n\t\r  ") + [
        "ÉCOLE", "MÜLLER", "São", "日本", "😀", "ﬁ", "Ⅻ", "²", "\u00a0", "\u200b", "İ", "ǅ", "ʰ",
        "Ωμέγα", "Привет", "١٢٣", "  ", "\n\n", "'s", "'LL", "https://x.y/z?a=1"]
    rng = random.Random(20240315)
    for _ in range(600):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 40)))
        assert llama_ids(llm, text) == raw.encode(text, bos=False, eos=False), repr(text)


@pytest.mark.parametrize("generation", TEKKEN)
def test_tekken_pretokenizer_differs_after_a_combining_mark(generation, vocab):
    """llama.cpp's "tekken" pre-tokenizer regex approximates Tekken's letter classes
    ([\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]*[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]+ ...) without \\p{M}: a
    combining mark (NFD text: "e" + U+0301) counts as punctuation, not as part of the word.
    So when a mark is followed by punctuation and a letter, mistral-common keeps the
    punctuation with the next word ('-bar') and llama.cpp does not ('-', 'bar'); the mark's
    own bytes are separate tokens in both. NFC text (what almost all documents hold, and what
    unicodedata.normalize("NFC") gives) is unaffected."""
    llm, raw = vocab(generation), raw_tokenizer(generation)
    nfd = unicodedata.normalize("NFD", "café-bar")  # c a f e U+0301 - b a r
    ours, ref = llama_ids(llm, nfd), raw.encode(nfd, bos=False, eos=False)
    pieces = [llm.detokenize([i]) for i in ours]
    ref_pieces = [llm.detokenize([i]) for i in ref]  # the same vocabulary, so llama.cpp can spell both
    assert ref_pieces[-1] == b"-bar"
    assert pieces[-2:] == [b"-", b"bar"]
    assert ours[:-2] == ref[:-1] and b"".join(pieces) == b"".join(ref_pieces) == nfd.encode()
    nfc = unicodedata.normalize("NFC", nfd)
    assert llama_ids(llm, nfc) == raw.encode(nfc, bos=False, eos=False)


@pytest.mark.parametrize("generation", ALL)
def test_detokenize_matches_mistral_common_but_for_the_spm_dummy_prefix(generation, vocab):
    """Tekken: llama_cpp's detokenize == mistral-common's decode. SentencePiece: llama_cpp
    keeps the space of the dummy prefix ("▁The" -> " The") that mistral-common's decode
    strips, so a completion's text starts with one extra space."""
    from mistral_common.tokens.tokenizers.base import SpecialTokenPolicy

    llm, raw = vocab(generation), raw_tokenizer(generation)
    for text in TEXTS[:6]:
        ids = raw.encode(text, bos=False, eos=False)
        decoded = raw.decode(ids, special_token_policy=SpecialTokenPolicy.IGNORE)
        expected = decoded if generation in TEKKEN else " " + decoded
        assert llm.detokenize(ids).decode("utf-8") == expected, text


# --------------------------------------------------------------------------- control tokens
@pytest.mark.parametrize("generation", ALL)
def test_control_tokens_are_single_tokens_with_mistral_common_ids(generation, vocab):
    llm, raw = vocab(generation), raw_tokenizer(generation)
    for token in GENERATIONS[generation].control_tokens:
        assert llama_ids(llm, token, special=True) == [raw.get_special_token(token)], token
        # without special=True it is text, exactly as mistral-common encodes the string
        assert llama_ids(llm, token) == raw.encode(token, bos=False, eos=False), token
    if generation == "v1":  # v1 has no [INST] token: it is always text
        assert len(llama_ids(llm, "[INST]", special=True)) > 1
    if generation in ("v1", "v3"):
        assert len(llama_ids(llm, "[SYSTEM_PROMPT]", special=True)) > 1


# --------------------------------------------------------------------------- chat templates
@pytest.mark.parametrize("generation", TEKKEN)
@pytest.mark.parametrize("conversation", list(CONVERSATIONS))
def test_tekken_templates_render_mistral_commons_tokens(generation, conversation, vocab):
    """Nemo's (system glued to the last user turn) and Small 3's ([SYSTEM_PROMPT] block)
    templates, rendered with bos "<s>" and tokenized with special=True and no added BOS,
    are token for token mistral-common's encoding."""
    llm = vocab(generation)
    prompt = render(llm.metadata["tokenizer.chat_template"], CONVERSATIONS[conversation])
    assert llama_ids(llm, prompt, special=True) == reference(generation, CONVERSATIONS[conversation])


@pytest.mark.parametrize("generation", ["v3", "v7"])
@pytest.mark.parametrize("conversation", list(CONVERSATIONS))
def test_spm_templates_get_one_extra_space_token_after_each_control_token(generation, conversation, vocab):
    """llama.cpp's SentencePiece tokenizer puts the dummy-prefix space in front of EVERY text
    fragment that follows a special token (add_space_prefix; ggml-org/llama.cpp#8584), as
    mistral-common does when it encodes each message on its own. The HF templates of
    v0.3 / Large-2411 write "[INST] " + content (and " " + answer) themselves, so llama.cpp
    sees two spaces: one extra "▁" token after every control token that text follows.
    Rendering the same turns without those spaces ("[INST]" + content + "[/INST]", as the
    Nemo / Small 3 templates do) gives mistral-common's tokens exactly."""
    llm, raw = vocab(generation), raw_tokenizer(generation)
    turns = CONVERSATIONS[conversation]
    ref = reference(generation, turns)
    space = raw.vocab().index("▁")
    control = set(raw.get_special_token(t) for t in GENERATIONS[generation].control_tokens)
    with_extra_space = []
    for i, token in enumerate(ref):
        with_extra_space.append(token)
        if token in control and i + 1 < len(ref) and ref[i + 1] not in control:
            with_extra_space.append(space)
    shipped = render(llm.metadata["tokenizer.chat_template"], turns)
    assert llama_ids(llm, shipped, special=True) == with_extra_space

    no_space = MISTRAL_SMALL_2501 if generation == "v7" else MISTRAL_NEMO_2407
    assert llama_ids(llm, render(no_space, turns), special=True) == ref


def test_v1_template_refuses_a_system_message_and_mistral_common_folds_it_in(vocab):
    """The original Mistral-7B-Instruct-v0.1 template raises on a system message.
    mistral-common v1 prepends the system prompt to the FIRST user message with a blank line
    (v2/v3 put it in the LAST one), so for one turn the equal prompt is a single user message
    system + "\\n\\n" + user. Single-turn prompts then match mistral-common token for token;
    earlier assistant turns do not (the template writes "[/INST]" + answer with no space and
    "</s> " before the next "[INST]", where mistral-common has "▁answer" and "</s>▁[INST]")."""
    llm = vocab("v1")
    template = llm.metadata["tokenizer.chat_template"]
    system, user = CONVERSATIONS["system+user"]
    with pytest.raises(ValueError, match=r"Conversation roles must alternate user/assistant/user/assistant/\.\.\."):
        render(template, [system, user])
    folded = [("user", system[1] + "\n\n" + user[1])]
    assert llama_ids(llm, render(template, folded), special=True) == reference("v1", [system, user])
    assert llama_ids(llm, render(template, [user]), special=True) == reference("v1", [user])
    multi = CONVERSATIONS["multi-turn"]
    answer = multi[1][1]
    ours = llm.detokenize(llama_ids(llm, render(template, multi), special=True), special=True).decode()
    ref = llm.detokenize(reference("v1", multi), special=True).decode()
    assert ours == ref.replace("[/INST] " + answer, "[/INST]" + answer).replace("</s> [INST]", "</s>  [INST]")


@pytest.mark.parametrize("generation", ALL)
def test_bos_comes_from_the_template_or_from_llama_cpp_never_both(generation, vocab):
    """Rendered with bos_token "<s>", the prompt must be tokenized with add_bos=False
    (llama-cpp-python's chat handler does); docpipe renders with bos_token "" and lets
    llama.cpp add it (add_bos_token is true). Both give one BOS; "<s>" + add_bos gives two."""
    llm = vocab(generation)
    turns = CONVERSATIONS["user"]
    with_bos = llm.tokenize(render(llm.metadata["tokenizer.chat_template"], turns).encode(), add_bos=False, special=True)
    from llama_cpp.llama_chat_format import Jinja2ChatFormatter

    docpipe_prompt = Jinja2ChatFormatter(template=llm.metadata["tokenizer.chat_template"], eos_token="",
                                         bos_token="")(messages=[{"role": "user", "content": turns[0][1]}]).prompt
    docpipe_ids = llm.tokenize(docpipe_prompt.encode(), add_bos=True, special=True)
    assert with_bos == docpipe_ids
    assert with_bos[0] == llm.token_bos() and with_bos[1] != llm.token_bos()


# --------------------------------------------------------------------------- weights
@pytest.mark.parametrize("generation", ALL)
def test_tiny_model_loads_and_generates(generation):
    from llama_cpp import Llama

    llm = Llama(model_path=str(build_gguf(generation)), n_ctx=512, n_threads=1, seed=0, verbose=False)
    out = llm.create_completion("[INST]Summarise clause 4.[/INST]", max_tokens=5, temperature=0.0)
    assert out["usage"]["completion_tokens"] == 5
    assert out["choices"][0]["finish_reason"] == "length"


def test_build_is_cached_and_keyed_by_template(tmp_path):
    first = build_gguf("v3", tmp_path)
    mtime = first.stat().st_mtime_ns
    assert build_gguf("v3", tmp_path) == first and first.stat().st_mtime_ns == mtime
    other = build_gguf("v3", tmp_path, chat_template=MISTRAL_NEMO_2407)
    assert other != first and other.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([first.name, other.name])  # no temp files left


def test_head_dim_other_than_embd_over_heads_loads(tmp_path):
    """Mistral Nemo / Small 3 shape: n_embd 5120 with 32 heads of 128; here 160 with 4 x 32."""
    from llama_cpp import Llama

    path = build_gguf("tekken", tmp_path, embd=160, tie_output=True)
    llm = Llama(model_path=str(path), n_ctx=256, n_threads=1, verbose=False)
    assert (llm.metadata["llama.embedding_length"], llm.metadata["llama.attention.key_length"]) == ("160", "32")
    assert llm.create_completion("[INST]Hi[/INST]", max_tokens=2, temperature=0.0)["usage"]["completion_tokens"] == 2


@pytest.mark.slow
def test_seven_b_like_shape_loads_and_generates():
    """32 layers, 32 heads, 8 KV heads, head dim 128, real 32768 vocab: 334 MB in TQ1_0,
    ~4 s to build the first time (then cached), 0.1 s to load, 0.1 s a token."""
    from llama_cpp import Llama

    path = build_gguf("v3", **SEVEN_B_LIKE)
    assert path.stat().st_size < 400e6
    llm = Llama(model_path=str(path), n_ctx=512, n_threads=1, verbose=False)
    meta = llm.metadata
    assert (meta["llama.block_count"], meta["llama.attention.head_count"], meta["llama.attention.head_count_kv"],
            meta["llama.embedding_length"], meta["llama.rope.dimension_count"]) == ("32", "32", "8", "4096", "128")
    assert llm.create_completion("[INST]Hi[/INST]", max_tokens=1, temperature=0.0)["usage"]["completion_tokens"] == 1
