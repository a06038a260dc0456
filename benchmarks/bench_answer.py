"""Answer latency on the seeds, per backend, with the raw model speed of this CPU in the same run.

    .venv/bin/python benchmarks/bench_answer.py [--backends local,extractive] [--limit N]

Ingests seeds/ into a temporary collection, then asks the first-turn questions of
tests/gold/seeds.jsonl with each backend and prints p50/p95 of: the sources shown (the first
event), retrieval, the first answer token and the whole answer. For the local model it also
measures, in the same run, the raw speed of this CPU (prompt tokens read per second, tokens
written per second, 2 threads) and expresses the first-token time as "prompt tokens read before
the first word" (first-token time x raw prompt speed), a figure that travels between CPUs.
``--first S:T`` measures a first read of the evidence's head (``Config.evidence_first_*``) in the
same run; "kept first token" is the first word of the answer given (after a second read, if any).
It runs against older commits too (a tree without the sources event reports none), so a change
can be compared with the code before it in one sitting: ``PYTHONPATH=OLD_TREE python ...``.
"""

from __future__ import annotations

import argparse
import json
import logging
import platform
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import assistant
from assistant import Answer, Assistant, Config, TextDelta

ROOT = Path(__file__).resolve().parents[1]
SOURCES_EVENT = getattr(assistant, "SourcesFound", None)
RAW_PROMPT_TOKENS = 400  # a prompt of this many tokens, read from scratch, gives prompt tokens/s


def _pct(values: list[float], q: float) -> float | None:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))] if ordered else None


def cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                flags = Path("/proc/cpuinfo").read_text()
                simd = "AVX-512" if " avx512f " in flags else "AVX2" if " avx2 " in flags else "no AVX2"
                return f"{line.split(':', 1)[1].strip()} ({simd})"
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def raw_model_speed(config: Config) -> dict[str, float]:
    """Prompt tokens/s and generated tokens/s of the bare local model on this CPU."""
    from llama_cpp import Llama

    path = config.models_path / "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
    llm = Llama(model_path=str(path), n_ctx=config.llm_ctx, n_threads=config.llm_threads, verbose=False)
    try:
        words = ("The minister met her counterpart in the capital to discuss trade, security and climate. " * 40)
        tokens = llm.tokenize(words.encode())[:RAW_PROMPT_TOKENS]
        llm.reset()
        started = time.perf_counter()
        llm.eval(tokens)
        prompt_tps = len(tokens) / (time.perf_counter() - started)
        llm.reset()
        llm.eval(tokens[:16])
        started = time.perf_counter()
        out = llm.create_completion(llm.detokenize(tokens[:16]).decode(errors="ignore"), max_tokens=64,
                                    temperature=0.0)
        generated = out["usage"]["completion_tokens"]  # type: ignore[index]
        gen_tps = generated / (time.perf_counter() - started)
    finally:
        llm.close()
    return {"prompt_tokens_per_s": round(prompt_tps, 1), "generated_tokens_per_s": round(gen_tps, 1)}


def measure(bot: Assistant, questions: list[str]) -> dict[str, Any]:
    timings: dict[str, list[float]] = {"sources": [], "retrieve": [], "first_token": [], "kept_first_token": [],
                                       "total": []}
    reads: list[int] = []
    for q in questions:
        started = time.perf_counter()
        first = kept = None
        shown = 0
        for event in bot.stream(q):
            if SOURCES_EVENT is not None and isinstance(event, SOURCES_EVENT):
                if not shown:
                    timings["sources"].append(time.perf_counter() - started)
                shown += 1
                kept = None  # a second read withdraws the text before it
            elif isinstance(event, TextDelta):
                now = time.perf_counter() - started
                first = now if first is None else first
                kept = now if kept is None else kept
            elif isinstance(event, Answer):
                timings["retrieve"].append(event.timings["retrieve"])
                timings["first_token"].append(first or 0.0)
                timings["kept_first_token"].append(kept or 0.0)  # the first word of the answer given
                timings["total"].append(time.perf_counter() - started)
        reads.append(shown)
    out: dict[str, Any] = {
        f"{name}_{p}": round(v, 3)
        for name, vals in timings.items()
        for p, q in (("p50", 0.5), ("p95", 0.95))
        if (v := _pct(vals, q)) is not None
    }
    out["mean_total"] = round(statistics.mean(timings["total"]), 3)
    out["questions_read_twice"] = sum(n > 1 for n in reads)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", default="local,extractive")
    parser.add_argument("--limit", type=int, default=20, help="questions per backend")
    parser.add_argument("--first", default="", help="also the local model with a first read of S:T "
                        "(evidence_first_sentences:_tokens), same run")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    gold = [json.loads(line) for line in (ROOT / "tests/gold/seeds.jsonl").read_text().splitlines() if line]
    questions = [g["question"] for g in gold if not g.get("history")][: args.limit]

    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        config = Config.load(data_dir=Path(tmp), model_dir=ROOT / "data" / "models")
        base = Assistant.from_config(config, backend="extractive")
        base.ingest([ROOT / "seeds"])
        for backend in args.backends.split(","):
            bot = base.with_backend(backend)
            bot.ask(questions[0])  # load the model, warm caches
            results[backend] = measure(bot, questions)
            if backend == "local" and args.first:
                sentences, tokens = (int(x) for x in args.first.split(":"))
                first = config.replace(evidence_first_sentences=sentences, evidence_first_tokens=tokens)
                results[f"local, first read {args.first}"] = measure(bot.with_read_path(config=first), questions)
        if "local" in results:
            raw = raw_model_speed(config)
            for name in [n for n in results if n.startswith("local")]:
                results[name].update(raw)
                results[name]["prompt_tokens_before_first_word"] = round(
                    results[name]["first_token_p50"] * raw["prompt_tokens_per_s"]
                )
    print(json.dumps({"cpu": cpu_name(), "questions": len(questions), "results": results}, indent=2))


if __name__ == "__main__":
    main()
