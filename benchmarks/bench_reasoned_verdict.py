"""A yes/no verdict read after the model has said what each source reports (eleventh session; dropped).

    .venv/bin/python -m benchmarks.bench_reasoned_verdict --records TUNE100/records.jsonl --index MH_DIR --out OUT.jsonl
    .venv/bin/python -m benchmarks.bench_reasoned_verdict --gold tests/gold/news.jsonl --index NEWS_DIR --out OUT.jsonl

Today a yes/no question's verdict is P(Yes) as the first word of the answer, and the 1.5B model
puts it above 0.5 for nearly every question (BENCHMARKS.md, issue 11, sixth session). The idea:
let the model first write what the sources report on each part of the question (its own
"why", cited), then read P(Yes) after ``Answer:``, as a small model may compare two values it
has just written better than ones it has only read. For every yes/no question (the recorded
MultiHop-RAG run's, gold Yes/No; or a gold set's first-turn questions whose key facts hold "Yes" or
"No"), on the evidence the read path chooses: today's P(Yes), the reasoned P(Yes), the why, and
the seconds each took. Printed: AUC (gold Yes against No) and accuracy at several bars.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from assistant import Assistant, Config
from assistant.evaluation.gold import load_gold
from assistant.generators.local import LocalGenerator
from assistant.language.question import is_closed
from assistant.prompt import CLOSED_INSTRUCTIONS, build_messages, chatml
from benchmarks.bench_claim_check import auc  # run as a module: python -m benchmarks.bench_reasoned_verdict
from benchmarks.bench_decision_probes import first_evidence

REASONED = (
    "First say in 1-2 short sentences what the sources report on each part of the question, "
    "ending each sentence with the number of its source, like [1]. Then write the verdict on its "
    'own line: "Answer: Yes" or "Answer: No".'
)
BARS = (0.5, 0.6, 0.7, 0.8, 0.9)


def _questions(args: argparse.Namespace) -> Iterator[tuple[str, str, str]]:
    if args.gold:
        for q in load_gold(args.gold):
            verdicts = [g[0] for g in q.must_include if list(g) in (["Yes"], ["No"])]
            if verdicts and not q.history:
                yield q.id, q.question, verdicts[0]
        return
    for line in args.records.read_text(encoding="utf-8").splitlines()[1:]:  # the first line is the header
        rec = json.loads(line)
        gold = str(rec["gold"]).strip().capitalize()  # MultiHop-RAG writes "Yes" and "no"
        if gold in ("Yes", "No") and is_closed(rec["query"]):
            yield rec["qid"], rec["query"], gold


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--records", type=Path, help="records.jsonl of a recorded MultiHop-RAG run")
    ap.add_argument("--gold", type=Path)
    ap.add_argument("--index", type=Path, required=True, help="a data dir holding the set's corpus")
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args()
    if not (args.records or args.gold):
        ap.error("give --records or --gold")
    logging.basicConfig(level=logging.WARNING)
    config = Config.load()
    model = LocalGenerator(config)
    bot = Assistant.from_config(config.replace(data_dir=args.index), backend="extractive")
    llm = model._llm  # measurement only: one greedy completion and one next-token distribution
    ids = {w: sorted({llm.tokenize(f"{s}{v}".encode(), add_bos=False, special=False)[0]
                      for s in ("", " ") for v in (w, w.upper(), w.lower())}) for w in ("Yes", "No")}

    def p_yes(prompt: str) -> float:
        logits = model._first_token_logits(prompt)
        yes, no = (float(np.logaddexp.reduce(logits[ids[w]])) for w in ("Yes", "No"))
        return 1 / (1 + math.exp(no - yes))

    rows: list[dict[str, Any]] = []
    with args.out.open("w", encoding="utf-8") as sink:
        for qid, question, gold in _questions(args):
            evidence = first_evidence(bot, question)
            if not evidence:
                continue
            messages = build_messages(question, evidence, allow_refusal=False, closed=True)
            started = time.perf_counter()
            today = p_yes(chatml(messages))
            between = time.perf_counter()
            messages[-1] = {**messages[-1], "content": messages[-1]["content"].replace(CLOSED_INSTRUCTIONS, REASONED)}
            out = llm.create_completion(chatml(messages), max_tokens=110, temperature=0.0,
                                        stop=["Answer:", "<|im_end|>"])
            why = out["choices"][0]["text"].rstrip()
            reasoned = p_yes(chatml(messages, lead=why + "\nAnswer:"))
            rows.append({"qid": qid, "gold": gold, "p_today": today, "p_reasoned": reasoned, "why": why,
                         "s_today": between - started, "s_reasoned": time.perf_counter() - between})
            sink.write(json.dumps(rows[-1]) + "\n")
            sink.flush()
    print(f"{len(rows)} yes/no questions ({sum(r['gold'] == 'Yes' for r in rows)} Yes)")
    for key in ("p_today", "p_reasoned"):
        yes = [r[key] for r in rows if r["gold"] == "Yes"]
        no = [r[key] for r in rows if r["gold"] == "No"]
        accuracy = "  ".join(f"@{b} {sum((r[key] >= b) == (r['gold'] == 'Yes') for r in rows) / len(rows):.3f}"
                             for b in BARS)
        print(f"  {key}: AUC {auc(yes, no):.3f}; accuracy {accuracy}")


if __name__ == "__main__":
    main()
