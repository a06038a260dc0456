"""Would the model's own probability pick the right name among the sources' names?

    .venv/bin/python -m benchmarks.bench_name_candidates --index MH_DIR --split tune --limit 60 \
        [--recorded RUN/records.jsonl]

A question asking for a name ("Who is the individual ...?", "Which company ...?") is answered by
the 1.5B model writing a name, and it often writes a better-known one than its sources give ("Sam
Altman" over sentences on Bankman-Fried). This measures, before building anything, a mechanism that
cannot write a name the sources lack: the names the evidence sentences hold (runs of capitalised
words the question does not already say) are candidates, and the model scores each as the start
of its own answer to the usual answer prompt: log P(candidate's tokens | prompt). Printed, over the
first ``--limit`` name questions of a MultiHop-RAG half: how often the gold answer is among the
candidates (the ceiling), how often the best candidate is right (strict) by each score (sum of the
tokens' log-probabilities; their mean), and, with ``--recorded``, how often the answer of a
recorded run was right on the same questions. No pipeline change: the real read path chooses the
evidence (``Assistant.stream`` up to ``SourcesFound``).
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import time
from pathlib import Path
from typing import Any

import numpy as np

from assistant import Assistant, SourcesFound
from assistant.config import Config
from assistant.evaluation.multihop import load_queries, split
from assistant.evaluation.scoring import strict_correct
from assistant.generators.local import LocalGenerator
from assistant.language.lexicon import content_terms
from assistant.language.question import asks_for_name
from assistant.prompt import build_messages, chatml
from assistant.types import Evidence

ROOT = Path(__file__).resolve().parents[1]
QUERIES = ROOT.parent / "shared" / "data" / "multihop-rag" / "queries_dev.json"
MAX_CANDIDATES = 10

# A name: capitalised words (a connector or an initial inside allowed): "Sam Bankman-Fried",
# "Bank of America", "Caesars Sportsbook".
_NAME = re.compile(r"\b[A-Z][\w’'&.-]*\w(?:\s+(?:(?:of|de|van|von|the|and|&)\s+)?[A-Z][\w’'&.-]*\w)*")

log = logging.getLogger("bench_name_candidates")


def candidates(question: str, evidence: list[Evidence]) -> list[str]:
    """Names in the evidence sentences the question does not already say, in order of appearance."""
    asked = set(content_terms(question).all)
    found: list[str] = []
    for ev in evidence:
        for m in _NAME.finditer(ev.text):
            name = m.group().strip(" .’'")
            terms = content_terms(name).all
            if not terms or terms <= asked:
                continue
            if m.start() == 0 and " " not in name:
                continue  # a sentence's first word is capitalised anyway ("However", "The")
            if name not in found:
                found.append(name)
    return found[:MAX_CANDIDATES]


def token_logprobs(model: LocalGenerator, prompt: str, text: str) -> list[float]:
    """log P of each token of ``text`` after ``prompt`` (llama.cpp reuses the prompt's cache)."""
    ids = model._llm.tokenize(text.encode("utf-8"), add_bos=False, special=False)
    out: list[float] = []
    prefix = prompt
    for i, tok in enumerate(ids):
        logits = model._first_token_logits(prefix)
        out.append(float(logits[tok] - np.logaddexp.reduce(logits)))
        prefix = prompt + model._llm.detokenize(ids[: i + 1]).decode("utf-8", errors="ignore")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index", type=Path, required=True, help="data dir of the MultiHop-RAG corpus")
    ap.add_argument("--split", default="tune")
    ap.add_argument("--limit", type=int, default=60)
    ap.add_argument("--queries", type=Path, default=QUERIES)
    ap.add_argument("--recorded", type=Path, help="records.jsonl of a recorded run, to compare its answers")
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    for noisy in ("httpx", "chromadb", "index", "assistant"):
        logging.getLogger(noisy).setLevel(logging.WARNING)

    recorded: dict[str, Any] = {}
    if args.recorded:
        lines = args.recorded.read_text(encoding="utf-8").splitlines()[1:]
        recorded = {r["qid"]: r for r in map(json.loads, lines) if r.get("answer")}
    chosen = [q for q in split(load_queries(args.queries), args.split) if asks_for_name(q.query)]
    if recorded:
        chosen = [q for q in chosen if q.qid in recorded]
    chosen = chosen[: args.limit]
    config = Config.load(data_dir=args.index)
    model = LocalGenerator(config)
    bot = Assistant.from_config(config, backend="extractive")
    rows: list[dict[str, Any]] = []
    for q in chosen:
        started = time.perf_counter()
        evidence = next((e.evidence for e in bot.stream(q.query) if isinstance(e, SourcesFound)), [])
        names = candidates(q.query, evidence)
        if not names:
            continue
        prompt = chatml(build_messages(q.query, evidence, allow_refusal=False))
        with model._lock:
            scored = {name: token_logprobs(model, prompt, name) for name in names}
        best_sum = max(names, key=lambda n: sum(scored[n]))
        best_mean = max(names, key=lambda n: float(np.mean(scored[n])))
        row = {
            "qid": q.qid, "gold": q.answer, "candidates": {n: sum(v) for n, v in scored.items()},
            "in_candidates": any(strict_correct(n, q.answer) for n in names),
            "best_sum": best_sum, "sum_right": strict_correct(best_sum, q.answer),
            "best_mean": best_mean, "mean_right": strict_correct(best_mean, q.answer),
            "recorded_right": bool(recorded[q.qid]["answer"]["strict"]) if q.qid in recorded else None,
            "seconds": round(time.perf_counter() - started, 2),
        }
        rows.append(row)
        log.info("%s gold %r | sum %r | mean %r | %d candidates, %.1f s", q.qid, q.answer, best_sum, best_mean,
                 len(names), row["seconds"])
    n = len(rows)
    print(f"{n} name questions of {args.split} ({args.limit} asked for), CPU: {_cpu()}")
    print(f"  gold among the candidates: {sum(r['in_candidates'] for r in rows)}")
    print(f"  best candidate right, by sum of log P: {sum(r['sum_right'] for r in rows)}")
    print(f"  best candidate right, by mean log P: {sum(r['mean_right'] for r in rows)}")
    if recorded:
        print(f"  recorded answer right: {sum(bool(r['recorded_right']) for r in rows)}")
    print(f"  seconds per question p50: {float(np.median([r['seconds'] for r in rows])) if rows else 0:.1f}")
    if args.out:
        args.out.write_text(json.dumps(rows, indent=1), encoding="utf-8")


def _cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown"


if __name__ == "__main__":
    main()
