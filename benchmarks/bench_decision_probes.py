"""Two ways of asking the local model, measured before building them (ninth session; both dropped).

    .venv/bin/python -m benchmarks.bench_decision_probes calibration RUN/records.jsonl --out OUT.jsonl
    .venv/bin/python -m benchmarks.bench_decision_probes order --gold tests/gold/seeds.jsonl --index DIR --out OUT.jsonl
    .venv/bin/python -m benchmarks.bench_decision_probes order --multihop tune:100 --index MH_DIR --out OUT.jsonl

``calibration``: for every yes/no query of a recorded MultiHop-RAG run (``newsdesk eval --format
multihop-rag --backend local``), the model's P(Yes) for the same answer prompt with no sources
("Sources: (none)"), beside the recorded P(Yes) with them: contextual calibration discounts what
the question's wording alone draws. Printed: AUC (gold Yes against No) of each and of their
log-odds difference.

``order``: for every first-turn question, the evidence the real read path chooses (``Assistant.stream``
up to ``SourcesFound``), then P(YES) for "Do the sources answer this question?" asked two ways:
today's (the decision's last line replaces the answer instructions, so the answer re-reads them)
and after the answer instructions (the answer prompt is then a prefix of the decision's, re-read
~6 tokens instead of ~47). Printed: AUC (answerable against not: gold, or MultiHop-RAG non-null
against null) of each, and the tokens the answer re-reads.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from assistant import Assistant, Config, SourcesFound
from assistant.evaluation.gold import load_gold
from assistant.evaluation.multihop import load_queries, select_queries
from assistant.generators.local import LocalGenerator
from assistant.language.question import is_closed
from assistant.prompt import DECISION, build_messages, chatml, decision_messages
from assistant.types import Evidence
from benchmarks.bench_claim_check import auc  # run as a module: python -m benchmarks.bench_decision_probes

ROOT = Path(__file__).resolve().parents[1]
QUERIES = ROOT.parent / "shared" / "data" / "multihop-rag" / "queries_dev.json"
NULL_ANSWER = "insufficient information."


def _logit(p: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return math.log(p / (1 - p))


def calibration(model: LocalGenerator, records: Path, out: Path) -> None:
    rows = []
    with out.open("w", encoding="utf-8") as sink:
        for line in records.read_text(encoding="utf-8").splitlines()[1:]:  # the first line is the header
            rec = json.loads(line)
            answer = rec.get("answer") or {}
            p_yes = (answer.get("judgement") or {}).get("p_yes")
            gold = str(rec.get("gold", "")).strip().lower()
            if not answer.get("closed") or p_yes is None or gold not in ("yes", "no"):
                continue
            alone = model.p_yes(build_messages(rec["query"], [], allow_refusal=False, closed=True))
            rows.append({"qid": rec["qid"], "gold": gold, "p_yes": p_yes, "p_alone": alone})
            sink.write(json.dumps(rows[-1]) + "\n")
    scores = {"with sources": lambda r: _logit(r["p_yes"]), "without": lambda r: _logit(r["p_alone"]),
              "calibrated": lambda r: _logit(r["p_yes"]) - _logit(r["p_alone"])}
    print(f"{len(rows)} yes/no queries ({sum(r['gold'] == 'yes' for r in rows)} Yes)")
    for name, score in scores.items():
        yes = [score(r) for r in rows if r["gold"] == "yes"]
        print(f"  AUC {name}: {auc(yes, [score(r) for r in rows if r['gold'] == 'no']):.3f}")


def _questions(args: argparse.Namespace) -> Iterator[tuple[str, str, bool]]:
    if args.gold:
        yield from ((q.id, q.question, q.answerable) for q in load_gold(args.gold) if not q.history)
    else:
        half, _, n = args.multihop.partition(":")
        for q in select_queries(load_queries(args.queries), int(n), False, half):
            yield q.qid, q.query, q.answer.strip().lower() != NULL_ANSWER


def first_evidence(bot: Assistant, question: str) -> list[Evidence]:
    """The sentences the read path gives the model for ``question`` ([] when nothing is found)."""
    return next((list(e.evidence) for e in bot.stream(question) if isinstance(e, SourcesFound)), [])


def _with_evidence(bot: Assistant, args: argparse.Namespace) -> Iterator[tuple[str, str, bool, list[Evidence]]]:
    for qid, question, answerable in _questions(args):
        evidence = first_evidence(bot, question)
        if evidence:
            yield qid, question, answerable, evidence


def order(model: LocalGenerator, bot: Assistant, args: argparse.Namespace) -> None:
    tokenize = model._llm.tokenize  # measurement only: the tokens two prompts share

    def reread(before: str, after: str) -> int:
        a = tokenize(before.encode(), add_bos=False, special=True)
        b = tokenize(after.encode(), add_bos=False, special=True)
        same = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
        return len(b) - same

    rows: list[dict[str, Any]] = []
    with args.out.open("w", encoding="utf-8") as sink:
        for qid, question, answerable, evidence in _with_evidence(bot, args):
            closed = is_closed(question)
            today = chatml(decision_messages(question, evidence))
            after = build_messages(question, evidence, allow_refusal=False, closed=closed)
            after[-1] = {**after[-1], "content": after[-1]["content"] + "\n\n" + DECISION}
            answer = chatml(build_messages(question, evidence, allow_refusal=False, closed=closed))
            rows.append({"qid": qid, "answerable": answerable, "closed": closed,
                         "p_today": model.p_yes(decision_messages(question, evidence)),
                         "p_after": model.p_yes(after),
                         "reread_today": reread(today, answer), "reread_after": reread(chatml(after), answer)})
            sink.write(json.dumps(rows[-1]) + "\n")
            sink.flush()
    open_rows = [r for r in rows if not r["closed"]]  # a yes/no question is never refused by the decision
    for key in ("p_today", "p_after"):
        pos = [r[key] for r in open_rows if r["answerable"]]
        neg = [r[key] for r in open_rows if not r["answerable"]]
        print(f"  {key}: AUC {auc(pos, neg):.3f} over {len(pos)} answerable / {len(neg)} not")
    for key in ("reread_today", "reread_after"):
        print(f"  {key}: median {sorted(r[key] for r in rows)[len(rows) // 2]} tokens")


# The premise probes: asked as the decision's last line (the sources are read once for all of them).
PREMISE_LINES = {
    "confirm": "Do the sources confirm what this question takes for granted? Reply YES or NO.",
    "true": "Is the question's premise true according to the sources? Reply YES or NO.",
    "assumes": "Does this question assume something the sources do not say? Reply YES or NO.",  # YES: refuse
}


def premise(model: LocalGenerator, bot: Assistant, args: argparse.Namespace) -> None:
    rows: list[dict[str, Any]] = []
    with args.out.open("w", encoding="utf-8") as sink:
        for qid, question, answerable, evidence in _with_evidence(bot, args):
            row: dict[str, Any] = {"qid": qid, "answerable": answerable, "closed": is_closed(question),
                                   "p_today": model.p_yes(decision_messages(question, evidence))}
            for name, line in PREMISE_LINES.items():
                messages = decision_messages(question, evidence)
                messages[-1] = {**messages[-1], "content": messages[-1]["content"].replace(DECISION, line)}
                p = model.p_yes(messages)
                row[f"p_{name}"] = 1 - p if name == "assumes" else p
            rows.append(row)
            sink.write(json.dumps(row) + "\n")
            sink.flush()
    keys = ["p_today", *(f"p_{n}" for n in PREMISE_LINES)]
    for subset, chosen in (("open", [r for r in rows if not r["closed"]]), ("all", rows)):
        print(f"{subset} questions:")
        for key in keys:
            pos = [r[key] for r in chosen if r["answerable"]]
            neg = [r[key] for r in chosen if not r["answerable"]]
            below = sum(p < 0.5 for p in pos), sum(p < 0.5 for p in neg)
            print(f"  {key}: AUC {auc(pos, neg):.3f} over {len(pos)} / {len(neg)}; "
                  f"below 0.5: {below[0]} answerable, {below[1]} not")
            if key != "p_today":
                both = [(min(r["p_today"], r[key]), r["answerable"]) for r in chosen]
                print(f"    min with today: AUC {auc([p for p, a in both if a], [p for p, a in both if not a]):.3f}; "
                      f"below 0.5: {sum(p < 0.5 for p, a in both if a)} answerable, "
                      f"{sum(p < 0.5 for p, a in both if not a)} not")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("probe", choices=("calibration", "order", "premise"))
    ap.add_argument("records", type=Path, nargs="?", help="calibration: records.jsonl of a recorded run")
    ap.add_argument("--gold", type=Path)
    ap.add_argument("--multihop", default="tune:100", help="HALF:N (order, without --gold)")
    ap.add_argument("--queries", type=Path, default=QUERIES)
    ap.add_argument("--index", type=Path, help="order: a data dir holding the set's corpus")
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args()
    logging.basicConfig(level=logging.WARNING)
    config = Config.load()
    model = LocalGenerator(config)
    if args.probe == "calibration":
        if args.records is None:
            ap.error("calibration needs RECORDS (records.jsonl of a recorded local-model run)")
        calibration(model, args.records, args.out)
        return
    if args.index is None:
        ap.error(f"{args.probe} needs --index DIR")
    bot = Assistant.from_config(config.replace(data_dir=args.index), backend="extractive")
    (order if args.probe == "order" else premise)(model, bot, args)


if __name__ == "__main__":
    main()
