"""How fast the local model reads a prompt, for the shipped Q4_K_M file and requantised copies.

    .venv/bin/python benchmarks/bench_prefill.py [--types Q4_0,Q8_0] [--tokens 400]

Prompt reading is the local model's first-token latency (every evidence token costs ~9 ms), so
this asks whether another quantisation of the same weights would read faster. The copies are
made from the shipped file with llama.cpp's own quantiser (``allow_requantize``) into a temporary
folder; each file then reads the same article text, best of three, from an empty cache.
"""

from __future__ import annotations

import argparse
import json
import logging
import tempfile
import time
from pathlib import Path

import llama_cpp

from assistant.generators.local_model import MODEL_FILENAME

ROOT = Path(__file__).resolve().parents[1]


def requantise(source: Path, target: Path, kind: str) -> None:
    params = llama_cpp.llama_model_quantize_default_params()
    params.ftype = getattr(llama_cpp, f"LLAMA_FTYPE_MOSTLY_{kind}")
    params.allow_requantize = True
    params.nthread = 2
    if llama_cpp.llama_model_quantize(str(source).encode(), str(target).encode(), params) != 0:
        raise RuntimeError(f"quantising to {kind} failed")


def read_speed(model: Path, n_tokens: int, threads: int) -> dict[str, float]:
    llm = llama_cpp.Llama(model_path=str(model), n_ctx=4096, n_threads=threads, verbose=False)
    try:
        text = " ".join(p.read_text() for p in sorted((ROOT / "seeds").glob("*.txt")))
        tokens = llm.tokenize(text.encode())[:n_tokens]
        best = float("inf")
        for _ in range(3):
            llm.reset()
            started = time.perf_counter()
            llm.eval(tokens)
            best = min(best, time.perf_counter() - started)
    finally:
        llm.close()
    return {"tokens": len(tokens), "seconds": round(best, 2), "tokens_per_s": round(len(tokens) / best, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--types", default="Q4_0,Q8_0", help="llama.cpp quantisation types to compare")
    parser.add_argument("--tokens", type=int, default=400)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    shipped = ROOT / "data" / "models" / MODEL_FILENAME
    results = {"Q4_K_M (shipped)": read_speed(shipped, args.tokens, args.threads)}
    with tempfile.TemporaryDirectory() as tmp:
        for kind in (k.strip().upper() for k in args.types.split(",") if k.strip()):
            copy = Path(tmp) / f"{kind}.gguf"
            requantise(shipped, copy, kind)
            results[kind] = read_speed(copy, args.tokens, args.threads)
            copy.unlink()
    base = results["Q4_K_M (shipped)"]["tokens_per_s"]
    for figures in results.values():
        figures["vs_shipped"] = round(figures["tokens_per_s"] / base, 2)
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
