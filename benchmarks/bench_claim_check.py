"""Would the local model's own YES/NO probability catch unsupported answers? Measured, not assumed.

    .venv/bin/python benchmarks/bench_claim_check.py eval-out/news/results.json eval-out/seeds/results.json

Reads the answers a gold-set run recorded (``newsdesk eval ... --out DIR`` writes results.json: each
answer with the exact sentences it cites) and asks the local model, per answered question, in one
short prompt: do the cited sentences support the answer? Two wordings: ``statement`` ("Do the
sources state what the statement says?") and ``answer`` ("Is the answer correct according to the
sources alone?", with the question). An answer is *right* when it has all its key facts (an
answered unanswerable or false-premise question is wrong). Reported: how well P(YES) separates
right from wrong answers (AUC), and what a bar would drop, per wording, and the seconds per check.
This is the check issue 11 proposes for claims ("the local model's own YES/NO probability for each
claim against its cited sentences"); BENCHMARKS.md has the figures and why it is not on the read path.
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import time
from pathlib import Path

from assistant.citations import strip_markers
from assistant.config import Config
from assistant.generators.local import LocalGenerator

ROOT = Path(__file__).resolve().parents[1]
WORDINGS = {
    "statement": (
        "You check whether statements are supported by news sources.",
        "Sources:\n{sources}\n\nStatement: {claim}\n\nDo the sources state what the statement says? Reply YES or NO.",
    ),
    "answer": (
        "You check answers against news sources.",
        "Sources:\n{sources}\n\nQuestion: {question}\nAnswer: {claim}\n\n"
        "Is the answer correct according to the sources alone? Reply YES or NO.",
    ),
}
BARS = (0.3, 0.5, 0.7)


def auc(right: list[float], wrong: list[float]) -> float:
    pairs = [(r > w) + 0.5 * (r == w) for r in right for w in wrong]
    return sum(pairs) / len(pairs) if pairs else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results", nargs="+", type=Path, help="results.json files of gold-set runs")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    generator = LocalGenerator(Config.load(model_dir=ROOT / "data" / "models"))
    scores: dict[str, list[tuple[bool, float]]] = {w: [] for w in WORDINGS}
    seconds: list[float] = []
    for path in args.results:
        for q in json.loads(path.read_text(encoding="utf-8"))["systems"]["newsdesk"]["questions"]:
            if q["refused"] or not q["citations"]:
                continue
            is_right = bool(q["scores"].get("correct")) if q["answerable"] else False
            sources = "\n".join(f"[{i}] {' '.join(c['quote'].split())}" for i, c in enumerate(q["citations"], 1))
            for wording, (system, user) in WORDINGS.items():
                started = time.perf_counter()
                text = user.format(sources=sources, claim=strip_markers(q["answer"]).strip(), question=q["question"])
                p = generator.p_yes([{"role": "system", "content": system}, {"role": "user", "content": text}])
                seconds.append(time.perf_counter() - started)
                scores[wording].append((is_right, p))
    bars = " | ".join(f"bar {b}: drops right / wrong" for b in BARS)
    print(f"| wording | answers (right / wrong) | AUC | {bars} |")
    print("|---|---|---|" + "---|" * len(BARS))
    for wording, rows in scores.items():
        right = [p for ok, p in rows if ok]
        wrong = [p for ok, p in rows if not ok]
        drops = " | ".join(f"{sum(p < b for p in right)} / {sum(p < b for p in wrong)}" for b in BARS)
        print(f"| {wording} | {len(right)} / {len(wrong)} | {auc(right, wrong):.3f} | {drops} |")
    print(f"\nseconds per check: p50 {statistics.median(seconds):.2f}")


if __name__ == "__main__":
    main()
