"""Replay a recorded MultiHop-RAG answer run through today's read path, without the model.

    .venv/bin/python -m benchmarks.replay_multihop RUN_DIR/records.jsonl --index MH_DIR [--ablate]

A local-model run (`newsdesk eval ... --format multihop-rag --backend local`) records, per query,
the model's judgement (P(sources answer), P(Yes)) and its raw answer text. Everything after the
model (the answer policy, citation verification, the short answer) is deterministic, so a change
there can be measured on every recorded query in seconds: the real read path retrieves and
selects the evidence again, a :class:`Replay` generator hands back what the model said on that
query, and the answer is scored by the benchmark's own rules. The replay is exact only while the
change leaves what the model reads (evidence and prompts) alone: the script first checks that
today's code gives every recorded answer back when nothing changed (``--check``), and a query
whose verdict changes keeps only its verdict (the model's why was written after the other one),
exactly as the ablation does. Printed: the benchmark's figures, recorded against replayed, with
``--ablate`` each rule of :data:`assistant.policy.RULES` switched off, and the queries whose
answer changed.
"""

from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path
from typing import Any

from assistant import Assistant, Config
from assistant.evaluation.multihop import MultihopQuery, load_queries, majority_answers
from assistant.evaluation.multihop_run import _scored
from assistant.evaluation.multihop_summary import summarise_answers
from benchmarks.replay import Replay  # run as a module: python -m benchmarks.replay_multihop

ROOT = Path(__file__).resolve().parents[1]
QUERIES = ROOT.parent / "shared" / "data" / "multihop-rag" / "queries_dev.json"

log = logging.getLogger("replay_multihop")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("records", type=Path, help="records.jsonl of a recorded local-model run")
    ap.add_argument("--index", type=Path, required=True, help="the data dir the run used (--index)")
    ap.add_argument("--queries", type=Path, default=QUERIES)
    ap.add_argument("--ablate", action="store_true", help="also each rule switched off")
    ap.add_argument("--out", type=Path, help="write the replayed records here (JSONL)")
    args = ap.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(message)s")

    lines = args.records.read_text(encoding="utf-8").splitlines()
    records = {r["qid"]: r for r in map(json.loads, lines[1:]) if r.get("answer")}
    queries = {q.qid: q for q in load_queries(args.queries)}
    majority = majority_answers(list(queries.values()))
    config = Config.load(data_dir=args.index)
    said = {r["query"]: r["answer"] for r in records.values()}
    bot = Assistant.from_config(config, backend="extractive").with_generator(Replay(said))  # type: ignore[arg-type]

    replayed: list[dict[str, Any]] = []
    changed: list[tuple[MultihopQuery, dict[str, Any], dict[str, Any]]] = []
    for qid, rec in records.items():
        q = queries[qid]
        answer = bot.ask(q.query, trace=args.ablate)
        new = {**rec, "answer": {**_scored(answer.text, answer.short, answer.refused, q, majority),
                                 "refusal": answer.refusal.code if answer.refusal else None,
                                 "seconds": rec["answer"].get("seconds", 0.0)}}
        if args.ablate:
            new["ablation"] = {name: _scored(v["text"], v["short"], v["refused"], q, majority)
                               for name, v in answer.trace.get("ablation", {}).items()}
        replayed.append(new)
        if any(new["answer"][key] != rec["answer"][key] for key in ("scored_as", "refused")):
            changed.append((q, rec["answer"], new["answer"]))

    before, after = summarise_answers(list(records.values())), summarise_answers(replayed)
    assert before is not None and after is not None  # every record holds an answer
    print(f"{len(records)} recorded answers replayed ({args.records})")
    for label, s in (("recorded", before), ("replayed", after)):
        nn = s["non_null"]
        print(f"  {label:9} strict non-null {nn['strict']:.3f}  lenient {nn['lenient']:.3f}  "
              f"non-null refused {s['non_null_refused']:.3f}  null refused {s['null_refused']:.3f}")
    if args.ablate:
        for name, row in (after.get("ablation") or {}).items():
            print(f"  off {name:15} strict non-null {row['strict_non_null']:.3f}  lenient "
                  f"{row['lenient_non_null']:.3f}  non-null refused {row['non_null_refused']:.3f}  "
                  f"null refused {row['null_refused']:.3f}")
    print(f"{len(changed)} answers changed:")
    for q, old, new in changed:
        mark = {(False, True): "+", (True, False): "-"}.get((bool(old["strict"]), bool(new["strict"])), " ")
        print(f" {mark} {q.qid} {q.type} gold {q.answer!r}: {old['scored_as'][:60]!r} -> {new['scored_as'][:60]!r}"
              f"{' (' + str(new['refusal']) + ')' if new['refused'] else ''}")
    if args.out:
        args.out.write_text("".join(json.dumps(r, default=str) + "\n" for r in replayed), encoding="utf-8")


if __name__ == "__main__":
    main()
