"""End to end: ``run_eval`` on seeds/ with the extractive backend, and a MultiHop-RAG retrieval run
on a small slice of the corpus. Real components throughout (offline embedder, Chroma, chunker)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant import Config
from assistant.evaluation import EvalArgs, run_eval
from assistant.evaluation.multihop import load_queries, select_queries

ROOT = Path(__file__).resolve().parents[1]
MULTIHOP = Path("/work/shared/data/multihop-rag")


@pytest.fixture(scope="module")
def seeds_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("eval")
    config = Config.load(env={}, data_dir=tmp / "data", backend="extractive")
    out = tmp / "out"
    result = run_eval(EvalArgs(out_dir=out, backend="extractive", compare=True), config)
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


@pytest.mark.skipif(not (MULTIHOP / "queries_dev.json").is_file(), reason="MultiHop-RAG data not present")
def test_multihop_retrieval_only_on_a_corpus_slice(tmp_path):
    queries_path = MULTIHOP / "queries_dev.json"
    chosen = select_queries(load_queries(queries_path), 20, retrieval_only=True)
    facts: dict[str, list[str]] = {}
    for q in chosen:
        for url, fact in zip(q.urls, q.facts):
            facts.setdefault(url, []).append(fact)
    corpus = json.loads((MULTIHOP / "corpus.json").read_text())
    # The articles the sampled queries need, cut to their lead and the paragraphs holding the
    # gold facts, plus the leads of every 40th other article as distractors: a small, fast index.
    picked = []
    for i, article in enumerate(corpus):
        if article["url"] in facts:
            paras = article["body"].split("\n")
            keep = [p for n, p in enumerate(paras) if n < 3 or any(f in p for f in facts[article["url"]])]
            picked.append(dict(article, body="\n".join(keep)))
            assert all(f.replace(" ", "") in picked[-1]["body"].replace(" ", "").replace("\n", "")
                       for f in facts[article["url"]])
        elif i % 40 == 0:
            picked.append(dict(article, body="\n".join(article["body"].split("\n")[:6])))
    assert set(facts) <= {a["url"] for a in picked}
    slice_path = tmp_path / "slice.json"
    slice_path.write_text(json.dumps(picked))
    config = Config.load(env={}, data_dir=tmp_path / "data", backend="extractive")
    out = tmp_path / "out"
    result = run_eval(EvalArgs(gold_path=queries_path, corpus=[slice_path], out_dir=out, format="multihop-rag",
                               retrieval_only=True, limit=20), config)
    results = json.loads((out / "results.json").read_text())
    assert results["evaluated"] == 20 and results["answers"] is None
    assert {r["type"] for r in results["questions"]} == {"inference_query", "comparison_query", "temporal_query"}
    overall = results["retrieval"]["overall"]
    assert overall["n"] == 20
    assert overall["hits@10"] >= overall["hits@4"] > 0.3  # most needed articles are in the slice
    assert 0 < overall["mrr@10"] <= overall["hits@10"]
    assert "Hits@10" in result.report_path.read_text() and "0.7467" in result.report_path.read_text()
    assert (out / "multihop_retrieval.png").is_file()
