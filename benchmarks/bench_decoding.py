"""Prompt-lookup (speculative) decoding and prompt reuse for the local model, measured on real prompts.

    .venv/bin/python benchmarks/bench_decoding.py [--limit 15] [--draft-tokens 10,4]

newsdesk's answers copy words from their sources, which is what prompt-lookup decoding exploits:
a draft of the next tokens is looked up in the prompt and checked by the model in one batch. This
asks whether it pays here, as llama-cpp-python offers it (``Llama(draft_model=
LlamaPromptLookupDecoding(...))``). Each seeds question's real answer prompt (the read path up to
its evidence, then the answer prompt newsdesk sends) is written greedily by a plain model and by
one with the draft model, each prompt read from an empty cache. Reported per setting: first token
and whole answer p50, generation tokens/s, and whether the answers are identical (greedy decoding
must not change a word). llama-cpp-python turns ``logits_all`` on when a draft model is set (the
prompt's logits are kept for every token), which costs prompt reading: that is the trade measured.

The same run measures prompt reuse: the answer prompt read after the previous question's (the
shared system prompt and source prefix are kept by llama.cpp's prefix matching) against the same
prompt read from an empty cache.
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

from bench_answer import cpu_name  # a sibling script: benchmarks/ is on sys.path when run
from llama_cpp import Llama
from llama_cpp.llama_speculative import LlamaPromptLookupDecoding

from assistant import Assistant, Config
from assistant.evaluation.gold import load_gold
from assistant.generators.local_model import MODEL_FILENAME
from assistant.language.question import is_closed
from assistant.prompt import build_messages, chatml
from assistant.types import SourcesFound

ROOT = Path(__file__).resolve().parents[1]
STOP = ["<|im_end|>", "<|endoftext|>"]


def answer_prompts(limit: int, data_dir: Path) -> list[str]:
    """The answer prompts of the first ``limit`` first-turn seeds questions, as the pipeline builds them."""
    config = Config.load(data_dir=data_dir, embedder="minilm", backend="extractive")
    bot = Assistant.from_config(config, backend="extractive")
    bot.ingest([ROOT / "seeds"])
    prompts = []
    for item in load_gold(ROOT / "tests" / "gold" / "seeds.jsonl"):
        if item.history or not item.answerable:
            continue
        for event in bot.stream(item.question):
            if isinstance(event, SourcesFound):
                closed = is_closed(item.question)
                prompts.append(chatml(build_messages(item.question, event.evidence, allow_refusal=False,
                                                     closed=closed)))
                break
        if len(prompts) >= limit:
            break
    return prompts


def write(llm: Llama, prompt: str, max_tokens: int) -> dict[str, Any]:
    started = time.perf_counter()
    first = None
    text = ""
    for chunk in llm.create_completion(prompt, stream=True, temperature=0.0, max_tokens=max_tokens, stop=STOP):
        piece = chunk["choices"][0].get("text") or ""
        if first is None:
            first = time.perf_counter() - started
        text += piece
    total = time.perf_counter() - started
    tokens = len(llm.tokenize(text.encode(), add_bos=False)) if text else 0
    return {"first": first or total, "total": total, "tokens": tokens, "text": text}


def run(llm: Llama, prompts: list[str], max_tokens: int, *, fresh: bool) -> list[dict[str, Any]]:
    out = []
    for prompt in prompts:
        if fresh:
            llm.reset()  # nothing reused: the whole prompt is read
        out.append(write(llm, prompt, max_tokens))
    return out


def summary(rows: list[dict[str, Any]]) -> dict[str, float]:
    gen_s = [r["total"] - r["first"] for r in rows if r["tokens"] > 1]
    gen_tokens = [r["tokens"] - 1 for r in rows if r["tokens"] > 1]
    return {
        "first_token_p50": round(statistics.median(r["first"] for r in rows), 3),
        "answer_p50": round(statistics.median(r["total"] for r in rows), 3),
        "generation_tokens_per_s": round(sum(gen_tokens) / max(1e-9, sum(gen_s)), 2),
        "answer_tokens_mean": round(statistics.mean(r["tokens"] for r in rows), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=15)
    parser.add_argument("--draft-tokens", default="10,4", help="prompt-lookup draft lengths to try")
    parser.add_argument("--max-tokens", type=int, default=120)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    config = Config.load()
    model = str(config.models_path / MODEL_FILENAME)
    with tempfile.TemporaryDirectory() as tmp:
        prompts = answer_prompts(args.limit, Path(tmp))
    results: dict[str, Any] = {}
    plain = Llama(model_path=model, n_ctx=config.llm_ctx, n_threads=config.llm_threads, verbose=False)
    write(plain, prompts[0], 4)  # warm-up
    base = run(plain, prompts, args.max_tokens, fresh=True)
    results["plain, prompt read from an empty cache"] = summary(base)
    results["plain, after the previous question (prefix reuse)"] = summary(
        run(plain, prompts, args.max_tokens, fresh=False))
    plain.close()
    for n in (int(x) for x in args.draft_tokens.split(",") if x.strip()):
        llm = Llama(model_path=model, n_ctx=config.llm_ctx, n_threads=config.llm_threads, verbose=False,
                    draft_model=LlamaPromptLookupDecoding(num_pred_tokens=n))
        write(llm, prompts[0], 4)
        rows = run(llm, prompts, args.max_tokens, fresh=True)
        figures = summary(rows)
        figures["identical_answers"] = sum(r["text"] == b["text"] for r, b in zip(rows, base))
        results[f"prompt lookup, {n} draft tokens"] = figures
        llm.close()
    print(json.dumps({"cpu": cpu_name(), "prompts": len(prompts), "threads": config.llm_threads,
                      "results": results}, indent=2))


if __name__ == "__main__":
    main()
