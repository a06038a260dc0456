"""Does the local model tell a yes/no question its sources address from one they do not?

    .venv/bin/python benchmarks/bench_yes_no.py --planted DIR --multihop tune:60 --index MH_DIR

For every yes/no question (``assistant.language.question.is_closed``) of two sets, the real read path
chooses the evidence (``Assistant.stream`` up to ``SourcesFound``), and the local model is asked,
on that evidence, the two things the answer policy reads:

* the verdict: P(Yes) as the first word of the answer (``build_messages(..., closed=True)``);
* the decision: P(YES) for "Do the sources answer this question?" (``decision_messages``).

Sets: ``--planted DIR``, a data dir holding the seeds and ``tests/data/planted/articles.json``
(`newsdesk ingest seeds tests/data/planted/articles.json --data-dir DIR`): its leading yes/no
questions ("Was the fishing ban lifted?" over "the ban was extended"), where "Yes" is wrong and
the plant itself never reaches the model; ``--multihop SPLIT:N`` with ``--index``: the first N
yes/no queries of a MultiHop-RAG half (gold "Yes" or "No"), where the sources do address the
question. Printed: per set, how many questions each bar (0.5, the model's own choice) would send
to "Yes", to "No" by the decision, or leave to the verdict; ``--out`` keeps every probability.
"""

from __future__ import annotations

import argparse
import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from assistant import Assistant, SourcesFound
from assistant.config import Config
from assistant.evaluation.multihop import load_queries, split
from assistant.generators.local import LocalGenerator
from assistant.language.question import is_closed
from assistant.prompt import build_messages, decision_messages

ROOT = Path(__file__).resolve().parents[1]
PLANTED = ROOT / "tests" / "data" / "planted" / "articles.json"
QUERIES = ROOT.parent / "shared" / "data" / "multihop-rag" / "queries_dev.json"
BAR = 0.5  # the policy's bars: the model's own preference

log = logging.getLogger("bench_yes_no")


def planted_questions() -> Iterator[tuple[str, str]]:
    for case in json.loads(PLANTED.read_text(encoding="utf-8")):
        if case.get("question") and case.get("yes_is_bad") and is_closed(case["question"]):
            yield case["question"], "yes is wrong"


def multihop_questions(spec: str, queries: Path) -> Iterator[tuple[str, str]]:
    half, _, n = spec.partition(":")
    chosen = [q for q in split(load_queries(queries), half) if q.answer.strip().lower() in ("yes", "no")]
    for q in chosen[: int(n) if n else None]:
        yield q.query, q.answer.strip().lower()


def probe(bot: Assistant, model: LocalGenerator, question: str) -> dict[str, float] | None:
    evidence = next((e.evidence for e in bot.stream(question) if isinstance(e, SourcesFound)), [])
    if not evidence:
        return None
    return {
        "p_answerable": model.p_yes(decision_messages(question, evidence)),
        "p_yes": model.p_yes(build_messages(question, evidence, allow_refusal=False, closed=True)),
    }


def run_set(name: str, data_dir: Path, questions: Iterator[tuple[str, str]], out: list[dict[str, Any]]) -> None:
    config = Config.load(data_dir=data_dir)
    model = LocalGenerator(config)
    bot = Assistant.from_config(config, backend="extractive").with_generator(model)
    rows: list[dict[str, Any]] = []
    for question, label in questions:
        p = probe(bot, model, question)
        if p is None:
            continue
        rows.append({"set": name, "question": question, "label": label, **p})
        log.info("%s %s decision %.2f verdict %.2f %s", name, label, p["p_answerable"], p["p_yes"], question[:80])
    out.extend(rows)
    for label in sorted({str(r["label"]) for r in rows}):
        group = [(float(r["p_answerable"]), float(r["p_yes"])) for r in rows if r["label"] == label]
        verdict_yes = sum(p_yes >= BAR for _, p_yes in group)
        unaddressed = sum(p_ans < BAR for p_ans, _ in group)
        policy_yes = sum(p_ans >= BAR and p_yes >= BAR for p_ans, p_yes in group)
        print(f"| {name} | {label} | {len(group)} | {verdict_yes} | {unaddressed} | {policy_yes} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--planted", type=Path, help="data dir holding the seeds and the planted corpus")
    parser.add_argument("--multihop", help="SPLIT:N, e.g. tune:60")
    parser.add_argument("--index", type=Path, help="data dir of the MultiHop-RAG corpus (for --multihop)")
    parser.add_argument("--queries", type=Path, default=QUERIES)
    parser.add_argument("--out", type=Path, help="write every question's probabilities here (JSON)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    rows: list[dict[str, Any]] = []
    print("| set | gold | questions | verdict alone says Yes | decision: not answered (-> No) | policy says Yes |")
    print("|---|---|---:|---:|---:|---:|")
    if args.planted:
        run_set("planted", args.planted, planted_questions(), rows)
    if args.multihop:
        if not args.index:
            parser.error("--multihop needs --index")
        run_set(f"MultiHop-RAG {args.multihop}", args.index, multihop_questions(args.multihop, args.queries), rows)
    if args.out:
        args.out.write_text(json.dumps(rows, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
