"""How fast the local model reads and writes on this CPU, per weight layout and llama.cpp setting.

    .venv/bin/python benchmarks/bench_prefill.py [--types Q4_0,IQ4_NL] [--flash-attn] [--rounds 8]
        [--tokens 300] [--answers 12]

Prompt reading is the local model's first-token latency, so this asks whether another
quantisation of the same weights, or another llama.cpp setting, reads (and writes) faster here.
The copies are made from the shipped file with llama.cpp's own quantiser (``allow_requantize``)
into a temporary folder. A shared machine's speed drifts by a third within minutes, more than
the differences measured, so every variant is loaded in one process and they take turns: in each
round each variant reads the same ``--tokens`` of the seeds from an empty cache and writes 24
tokens after them, in a rotated order; a variant's figure is the median over rounds of its ratio
to the shipped file in the same round. Then each variant writes the real answer prompts of the
first ``--answers`` seeds questions greedily, and the answers identical to the shipped file's are
counted: a variant that changes answers has to be judged on the gold sets too.
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import llama_cpp
from bench_answer import cpu_name  # sibling scripts: benchmarks/ is on sys.path when run
from bench_decoding import answer_prompts, run

from assistant.generators.local_model import MODEL_FILENAME

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = "Q4_K_M (shipped)"


def requantise(source: Path, target: Path, kind: str) -> None:
    params = llama_cpp.llama_model_quantize_default_params()
    params.ftype = getattr(llama_cpp, f"LLAMA_FTYPE_MOSTLY_{kind}")
    params.allow_requantize = True
    params.nthread = 2
    if llama_cpp.llama_model_quantize(str(source).encode(), str(target).encode(), params) != 0:
        raise RuntimeError(f"quantising to {kind} failed")


def one_round(llm: llama_cpp.Llama, tokens: list[int], n_write: int = 24) -> tuple[float, float]:
    """(prompt tokens/s, written tokens/s) for ``tokens`` read from an empty cache."""
    llm.reset()
    started = time.perf_counter()
    llm.eval(tokens[:-1])
    read = (len(tokens) - 1) / (time.perf_counter() - started)
    written = 0
    started = time.perf_counter()
    for _ in llm.generate(tokens, temp=0.0):  # reads the last token, then writes
        written += 1
        if written >= n_write:
            break
    return read, written / (time.perf_counter() - started)


def interleaved(variants: dict[str, llama_cpp.Llama], text: str, n_tokens: int, rounds: int) -> dict[str, Any]:
    names = list(variants)
    all_tokens = variants[SHIPPED].tokenize(text.encode())
    reads: dict[str, list[float]] = {n: [] for n in names}
    writes: dict[str, list[float]] = {n: [] for n in names}
    for r in range(rounds):
        start = (r * 37) % max(1, len(all_tokens) - n_tokens)  # a different passage each round
        tokens = all_tokens[start:start + n_tokens]
        for name in names[r % len(names):] + names[: r % len(names)]:
            read, wrote = one_round(variants[name], tokens)
            reads[name].append(read)
            writes[name].append(wrote)
    out = {}
    for name in names:
        out[name] = {
            "prompt_tokens_per_s": round(statistics.median(reads[name]), 1),
            "generated_tokens_per_s": round(statistics.median(writes[name]), 1),
            "prompt_vs_shipped": round(statistics.median(a / b for a, b in zip(reads[name], reads[SHIPPED])), 3),
            "generated_vs_shipped": round(statistics.median(a / b for a, b in zip(writes[name], writes[SHIPPED])), 3),
        }
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--types", default="Q4_0,IQ4_NL", help="llama.cpp quantisation types to compare")
    parser.add_argument("--flash-attn", action="store_true", help="also the shipped file with flash attention")
    parser.add_argument("--tokens", type=int, default=300, help="prompt tokens read per round")
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--answers", type=int, default=12, help="seeds answer prompts written by each variant")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    shipped = ROOT / "data" / "models" / MODEL_FILENAME
    text = " ".join(p.read_text() for p in sorted((ROOT / "seeds").glob("*.txt")))

    def load(path: Path, **settings: Any) -> llama_cpp.Llama:
        return llama_cpp.Llama(model_path=str(path), n_ctx=4096, n_threads=args.threads,
                               n_threads_batch=args.threads, verbose=False, **settings)

    with tempfile.TemporaryDirectory() as tmp:
        variants = {SHIPPED: load(shipped)}
        if args.flash_attn:
            variants["Q4_K_M, flash attention"] = load(shipped, flash_attn=True)
        for kind in (k.strip().upper() for k in args.types.split(",") if k.strip()):
            copy = Path(tmp) / f"{kind}.gguf"
            requantise(shipped, copy, kind)
            variants[kind] = load(copy)
        results = interleaved(variants, text, args.tokens, args.rounds)
        if args.answers:
            prompts = answer_prompts(args.answers, Path(tmp))
            written = {name: [r["text"] for r in run(llm, prompts, 120, fresh=True)] for name, llm in variants.items()}
            for name, texts in written.items():
                same = sum(a == b for a, b in zip(texts, written[SHIPPED]))
                results[name]["answers_identical_to_shipped"] = f"{same} / {len(prompts)}"
        for llm in variants.values():
            llm.close()
    print(json.dumps({"cpu": cpu_name(), "threads": args.threads, "rounds": args.rounds, "results": results}, indent=2))


if __name__ == "__main__":
    main()
