"""One pass against map-reduce on CPU: when does putting the whole document in one prompt
beat cutting it into chunks?

    .venv/bin/python benchmarks/one_pass.py [--file PATH ...] [--chunks 3072 1536]

Prints, for the configured model (DOCPIPE_MODEL_PATH; default the bundled SmolLM2), the
prompt-evaluation rate at growing context lengths (what makes long prompts slow on a CPU),
then runs each document through the whole pipeline inline (temporary SQLite) once per chunk
cap, 0 meaning "as much as n_ctx allows" (one pass when the document fits), and prints the
chunks, tokens evaluated and generated, LLM seconds and wall seconds of each.
"""
from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import docpipe  # noqa: F401  (offline environment first)
from docpipe.pipeline.engines import engine_for
from docpipe.pipeline.intake import take_in
from docpipe.pipeline.stages import analyse_document
from docpipe.services import documents
from docpipe.services.caller import LOCAL_OPERATOR
from docpipe.settings import Settings
from docpipe.store.db import ensure_schema

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_FILES = [ROOT / "samples" / "short-nda.pdf", ROOT / "samples" / "board-meeting-transcript.txt"]


def prompt_rates(settings: Settings, lengths: list[int]) -> list[tuple[int, float]]:
    """Tokens per second of evaluating a fresh prompt of each length (wall clock), in a
    llama.cpp context of its own (the pipeline's engine keeps its prefix cache untouched)."""
    import os

    from llama_cpp import Llama

    engine = engine_for(settings, "map")
    llm = Llama(model_path=str(engine.config.model.path), n_ctx=engine.n_ctx, verbose=False,
                n_threads=settings.threads or os.cpu_count())
    words = " ".join(f"clause {i} of the agreement binds the supplier and the buyer" for i in range(4000))
    tokens = engine.tokenizer.ids(words)
    out = []
    for length in lengths:
        if length + 8 > engine.n_ctx:
            continue
        llm.reset()
        started = time.perf_counter()
        llm.eval(tokens[:length])
        out.append((length, length / (time.perf_counter() - started)))
    llm.close()
    return out


def run(path: Path, chunk_tokens: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), chunk_tokens=chunk_tokens)
        ensure_schema(settings.resolved_database_url, auto_upgrade=True)
        took = take_in(settings, path, matter="bench")
        started = time.perf_counter()
        analyse_document(settings, took.document_id)
        wall = time.perf_counter() - started
        view = documents.show(settings, LOCAL_OPERATOR, took.document_id)
    run_ = view["run"]
    return {"status": view["status"], "chunks": run_["chunks"]["total"], "n_ctx": run_["n_ctx"],
            "document": run_["tokens"]["document"], "evaluated": run_["tokens"]["evaluated"],
            "generated": run_["tokens"]["generated"], "llm_s": run_["llm_seconds"], "wall_s": wall,
            "findings": view["verification"]["total"]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--file", type=Path, nargs="*", default=DEFAULT_FILES)
    ap.add_argument("--chunks", type=int, nargs="*", default=[3072, 0],
                    help="chunk caps to compare (0: fill n_ctx, one pass when the document fits)")
    ap.add_argument("--lengths", type=int, nargs="*", default=[512, 1024, 2048, 3072, 4096, 6144, 7680])
    args = ap.parse_args()
    settings = Settings(data_dir=Path(tempfile.gettempdir()) / "docpipe-bench-rates")
    print(f"model: {engine_for(settings, 'map').config.model.label}, threads {settings.threads or 'all'}")
    print("prompt evaluation rate by prompt length (fresh context):")
    for length, rate in prompt_rates(settings, args.lengths):
        print(f"  {length:>6} tokens  {rate:7.1f} tok/s  ({length / rate:6.1f} s)")
    header = f"{'document':<34} {'cap':>5} {'chunks':>6} {'doc tok':>8} {'evaluated':>9} {'generated':>9} " \
             f"{'LLM s':>7} {'wall s':>7} {'findings':>8}"
    print(header)
    for path in args.file:
        for cap in args.chunks:
            r = run(path, cap)
            print(f"{path.name[:34]:<34} {cap or 'fill':>5} {r['chunks']:>6} {r['document']:>8} {r['evaluated']:>9} "
                  f"{r['generated']:>9} {r['llm_s']:>7.1f} {r['wall_s']:>7.1f} {r['findings']:>8}"
                  + ("" if r["status"] == "done" else f"  ({r['status']})"))


if __name__ == "__main__":
    main()
