"""Replay a recorded gold-set run (local model) through today's read path, without the model.

    .venv/bin/python -m benchmarks.replay_gold RUN_DIR/results.json --index DIR [--ablate]

``DIR`` is a data dir holding the run's corpus (``newsdesk --data-dir DIR ingest CORPUS``). The
same idea as ``benchmarks/replay_multihop.py``: the real read path selects the evidence again,
:class:`benchmarks.replay.Replay` gives back the model's recorded judgement and raw answer, and
the answer is scored by the gold set's rules, so a change after the model (policy, verification,
short answer) is measured on the whole run in seconds. Runs record ``raw`` from the eighth session
on; a follow-up is replayed with its earlier turns from runs that record them (the ninth session
on), and keeps its recorded scores in older runs. Printed:
the gold figures recorded against replayed (and each rule off with ``--ablate``), and the
questions whose answer changed.
"""

from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path
from typing import Any

from assistant import Assistant, Config
from assistant.evaluation.gold import load_gold
from assistant.evaluation.gold_eval import ask_with_history, summarise
from assistant.evaluation.harness import source_matcher
from assistant.evaluation.scoring import score_question
from benchmarks.replay import Replay  # run as a module: python -m benchmarks.replay_gold

ROOT = Path(__file__).resolve().parents[1]
FIGURES = ("key_fact_accuracy", "refusal_accuracy", "false_refusal_rate", "citation_precision")


def _line(label: str, summary: dict[str, Any]) -> str:
    return f"  {label:22}" + "  ".join(f"{k.replace('_accuracy', '')} {summary.get(k) or 0:.3f}" for k in FIGURES)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("results", type=Path, help="results.json of a recorded gold run (local model)")
    ap.add_argument("--index", type=Path, required=True, help="a data dir holding the run's corpus")
    ap.add_argument("--ablate", action="store_true", help="also each rule switched off")
    ap.add_argument("--width", type=int, default=70, help="characters shown of each changed answer")
    args = ap.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(message)s")

    run = json.loads(args.results.read_text(encoding="utf-8"))
    gold_path = Path(run["gold"]) if Path(run["gold"]).is_absolute() else ROOT / run["gold"]
    questions = {q.id: q for q in load_gold(gold_path)}
    recorded = run["systems"]["newsdesk"]["questions"]
    if not any("raw" in r for r in recorded):
        raise SystemExit(f"{args.results}: no raw answers recorded (a run from before the eighth session)")
    said, replayable = _said(recorded)
    bot = Assistant.from_config(Config.load(data_dir=args.index), backend="extractive").with_generator(Replay(said))  # type: ignore[arg-type]
    matcher = source_matcher(bot)
    k = run.get("k", 10)

    replayed: list[dict[str, Any]] = []
    changed: list[str] = []
    for rec in recorded:
        if rec["history"] and rec["id"] not in replayable:
            replayed.append(rec)
            continue
        q = questions[rec["id"]]
        answer = ask_with_history(bot, q, trace=args.ablate).answer
        assert answer is not None
        cited = [(c.doc_id, c.source) for c in answer.citations]
        scores = {**rec["scores"], **score_question(q, text=answer.text, refused=answer.refused, cited=cited,
                                                    retrieved=None, matcher=matcher, k=k)}
        if answer.refused:
            scores.pop("citation_precision", None)
            scores.pop("citation_recall", None)
        new = {**rec, "answer": answer.text, "refused": answer.refused, "scores": scores}
        if args.ablate:
            new["ablation"] = {
                name: score_question(q, text=v["text"], refused=v["refused"], cited=[tuple(c) for c in v["cited"]],
                                     retrieved=None, matcher=matcher, k=k)
                for name, v in answer.trace.get("ablation", {}).items()
            }
        replayed.append(new)
        if answer.text != rec["answer"]:
            mark = {(False, True): "+", (True, False): "-"}.get((rec["scores"]["correct"], scores["correct"]), " ")
            changed.append(f" {mark} {q.id} {q.type}: {rec['answer'][:args.width]!r} -> {answer.text[:args.width]!r}")

    kept = sum(1 for r in recorded if r["history"] and r["id"] not in replayable)
    print(f"{len(recorded)} recorded answers ({kept} follow-ups kept as recorded), {args.results}")
    print(_line("recorded", summarise(recorded, k)))
    print(_line("replayed", summarise(replayed, k)))
    if args.ablate:
        rules = next((list(r["ablation"]) for r in replayed if "ablation" in r and not r["history"]), [])
        for name in rules:
            rows = [{**r, "scores": r.get("ablation", {}).get(name, r["scores"])} for r in replayed]
            print(_line(f"off {name}", summarise(rows, k)))
    print(f"{len(changed)} answers changed:")
    print("\n".join(changed))


def _said(recorded: list[dict[str, Any]]) -> tuple[dict[str, dict[str, Any]], set[str]]:
    """What the model said, by the question it was asked (a follow-up as resolved), from every
    recorded turn; and the ids of the follow-ups that can be replayed: recorded with their earlier
    turns (runs from the ninth session on), none of whose asked questions the run recorded twice
    with different words from the model."""
    said: dict[str, dict[str, Any]] = {}
    clash: set[str] = set()
    for rec in recorded:
        for turn in [*rec.get("earlier", []), {"asked": rec.get("asked") or rec["question"], **_model(rec)}]:
            asked = turn.get("asked")
            if not asked:
                continue
            if asked in said and _model(said[asked]) != _model(turn):
                clash.add(asked)
            said.setdefault(asked, _model(turn))
    replayable = {
        r["id"] for r in recorded
        if r["history"] and len(r.get("earlier", [])) == len(r["history"])
        and not {t.get("asked") for t in r["earlier"]} & clash and (r.get("asked") or r["question"]) not in clash
    }
    return said, replayable


def _model(turn: dict[str, Any]) -> dict[str, Any]:
    return {"raw": turn.get("raw"), "judgement": turn.get("judgement")}


if __name__ == "__main__":
    main()
