"""End to end: ``run_eval`` on seeds/ with the extractive backend, and a MultiHop-RAG run on the small
corpus in MultiHop-RAG's layout shipped in tests/data/multihop-rag/. Real components throughout
(offline embedder, Chroma, chunker)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from assistant import Config
from assistant.evaluation import EvalArgs, run_eval
from tests.conftest import ROOT

MULTIHOP = ROOT / "tests" / "data" / "multihop-rag"
SEEDS_GOLD = ROOT / "tests" / "gold" / "seeds.jsonl"


@pytest.fixture(scope="module")
def seeds_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("eval")
    config = Config.load(env={}, data_dir=tmp / "data", backend="extractive")
    out = tmp / "out"
    result = run_eval(EvalArgs(gold_path=SEEDS_GOLD, out_dir=out, backend="extractive", compare=True), config)
    return result, json.loads((out / "results.json").read_text())


def test_gold_run_writes_results_report_and_plots(seeds_run):
    result, results = seeds_run
    assert result.results_path.is_file() and result.report_path.is_file()
    assert {p.name for p in result.plots} == {"accuracy_by_type.png", "latency.png"}
    assert all(p.stat().st_size > 1000 for p in result.plots)
    report = result.report_path.read_text()
    for heading in ("## Overall", "## Per question type", "## How the figures are computed"):
        assert heading in report
    records = results["systems"]["newsdesk"]["questions"]
    assert len(records) == result.questions >= 50
    first = records[0]
    assert {"answer", "citations", "refused", "scores", "timings", "retrieved", "query"} <= set(first)
    assert first["timings"]["latency"] >= first["timings"]["ttft"] > 0
    overall = results["systems"]["newsdesk"]["overall"]
    for key in ("accuracy", "key_fact_accuracy", "refusal_accuracy", "false_refusal_rate",
                "citation_precision", "citation_recall", "hit@5", "mrr@10", "latency_p95", "ttft_p95"):
        assert overall[key] is not None, key
    assert result.backend == "extractive" and result.metrics["hit@5"] == overall["hit@5"]
    assert "extractive" in result.summary


def test_compare_puts_the_llama_index_baseline_beside_newsdesk(seeds_run):
    result, results = seeds_run
    baseline = results["systems"]["baseline"]
    assert "VectorStoreIndex" in baseline["label"]
    assert len(baseline["questions"]) == len(results["systems"]["newsdesk"]["questions"])
    assert baseline["overall"]["hit@5"] is not None and result.baseline is not None
    assert "| metric | newsdesk | baseline |" in result.report_path.read_text()


def test_every_answerable_gold_question_finds_a_gold_article_in_its_top_5(seeds_run):
    _, results = seeds_run
    misses = [
        f"{r['id']} ({r['type']}): query {r['query']!r}; gold {r['gold_sources']}; top 5 {r['retrieved'][:5]}"
        for r in results["systems"]["newsdesk"]["questions"]
        if r["answerable"] and r["scores"]["hit5"] < 1.0
    ]
    assert not misses, "retrieval misses at 5:\n" + "\n".join(misses)


def test_the_extractive_pipeline_refuses_the_clearly_unanswerable(seeds_run):
    _, results = seeds_run
    by_id = {r["id"]: r for r in results["systems"]["newsdesk"]["questions"]}
    venezuela = next(r for r in by_id.values() if "Venezuela" in r["question"])
    assert venezuela["refused"] and venezuela["scores"]["correct"]


def test_multihop_retrieval_only_on_the_shipped_corpus(tmp_path: Path) -> None:
    config = Config.load(env={}, data_dir=tmp_path / "data", backend="extractive")
    out = tmp_path / "out"
    # No --corpus: corpus.json beside the queries file is ingested, as with the real benchmark.
    result = run_eval(EvalArgs(gold_path=MULTIHOP / "queries_dev.json", out_dir=out, format="multihop-rag",
                               retrieval_only=True), config)
    results = json.loads((out / "results.json").read_text())
    assert results["evaluated"] == 6 and results["answers"] is None  # the null query has nothing to retrieve
    assert {r["type"] for r in results["questions"]} == {"inference_query", "comparison_query", "temporal_query"}
    overall = results["retrieval"]["overall"]
    assert overall["n"] == 6
    assert overall["hits@10"] == 1.0 and overall["hits@4"] >= 0.8  # 20 articles: every gold fact is found
    assert 0 < overall["mrr@10"] <= overall["hits@10"]
    report = result.report_path.read_text()
    assert "Hits@10" in report and "0.7467" in report  # beside the paper's best figure
    assert (out / "multihop_retrieval.png").is_file()


def test_multihop_answers_on_the_shipped_corpus(tmp_path: Path) -> None:
    config = Config.load(env={}, data_dir=tmp_path / "data", backend="extractive")
    out = tmp_path / "out"
    run_eval(EvalArgs(gold_path=MULTIHOP / "queries_dev.json", out_dir=out, format="multihop-rag"), config)
    results = json.loads((out / "results.json").read_text())
    by_id = {r["qid"]: r for r in results["questions"]}
    assert len(by_id) == 7 and "retrieval" not in by_id["mh-t07"]  # the null query is answered, not retrieved
    assert all("answer" in r for r in by_id.values())
    null = by_id["mh-t07"]["answer"]
    assert null["refused"] and null["scored_as"] == "Insufficient information." and null["lenient"]


def test_a_stopped_multihop_run_resumes_from_its_journal(tmp_path: Path) -> None:
    config = Config.load(env={}, data_dir=tmp_path / "data", backend="extractive")
    out = tmp_path / "out"
    args = EvalArgs(gold_path=MULTIHOP / "queries_dev.json", out_dir=out, format="multihop-rag",
                    retrieval_only=True, index_dir=tmp_path / "index")
    run_eval(args, config)
    journal = (out / "records.jsonl").read_text().splitlines()
    assert len(journal) == 1 + 6  # a header naming the kind of run, then one line per scored query
    # A run killed while writing its fourth record: three whole lines and a cut one survive.
    (out / "records.jsonl").write_text("\n".join(journal[:4] + [journal[4][:20]]) + "\n")
    kept = {json.loads(line)["qid"]: json.loads(line) for line in journal[1:4]}
    run_eval(args, config)
    again = json.loads((out / "results.json").read_text())
    assert again["evaluated"] == 6
    assert all(again_q == kept[again_q["qid"]] for again_q in again["questions"] if again_q["qid"] in kept)
    # A different kind of run (answers instead of retrieval only) starts its journal afresh.
    run_eval(replace(args, retrieval_only=False, limit=2), config)
    assert len((out / "records.jsonl").read_text().splitlines()) == 1 + 2


def test_sigterm_stops_a_multihop_run_like_ctrl_c() -> None:
    import os
    import signal

    from assistant.evaluation.multihop_run import _stop_on_sigterm

    with pytest.raises(KeyboardInterrupt), _stop_on_sigterm():
        os.kill(os.getpid(), signal.SIGTERM)
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL  # the handler is put back
