"""Every evaluation metric on hand-made answers, including the MultiHop-RAG paper's rules."""

from __future__ import annotations

import argparse

import numpy as np
import pytest

from assistant.evaluation import add_eval_arguments, args_from_namespace
from assistant.evaluation.gold import parse_question
from assistant.evaluation.gold_eval import summarise, summarise_by_type
from assistant.evaluation.harness import stratified
from assistant.evaluation.multihop import MultihopQuery, majority_answers, select_queries
from assistant.evaluation.scoring import (
    SourceMatcher,
    citation_precision,
    citation_recall,
    contains,
    exact_match,
    first_gold_rank,
    hit_at,
    key_facts_correct,
    lenient_correct,
    mean,
    missing_groups,
    multihop_retrieval_score,
    normalise,
    percentile,
    reciprocal_rank,
    score_question,
)

# Two syndicated copies of one story (doc ids d3, d4 in files 003.txt, 004.txt) and a teaser
# segment d3-t1 split off 003.txt, which is a different story.
MATCHER = SourceMatcher({
    "d3": frozenset({"d3", "d4", "003.txt", "004.txt"}),
    "d4": frozenset({"d3", "d4", "003.txt", "004.txt"}),
    "d3-t1": frozenset({"d3-t1", "003.txt"}),
})


# --- key facts -----------------------------------------------------------------------------------

def test_normalise_quotes_percent_markers_and_spaces():
    assert normalise("About 70 percent [1] of “China’s”\n tools") == "about 70% of \"china's\" tools"
    assert normalise("90 per cent, 5 %") == "90%, 5%"


def test_contains_respects_word_and_number_boundaries():
    assert contains("Blinken met Han Zheng.", "han zheng")
    assert contains("at China’s mission to the UN", "China's mission")
    assert contains("about 70 percent of machine tools", "70%")
    assert not contains("about 170% of it", "70%")
    assert not contains("Thank you", "Han")
    assert contains("a range of 1,000km", "1,000km")
    assert not contains("anything", "")


def test_every_group_must_be_found_any_alternative_will_do():
    groups = [["Han Zheng"], ["70%", "70 percent"]]
    assert missing_groups("Han Zheng said 70 per cent.", groups) == []
    assert missing_groups("Han Zheng said seventy.", groups) == [1]
    assert key_facts_correct("Han Zheng, 70%", groups, refused=False)
    assert not key_facts_correct("Han Zheng, 70%", groups, refused=True)
    assert not key_facts_correct("Han Zheng", groups, refused=False)


# --- citations and retrieval ---------------------------------------------------------------------

def test_citation_precision_counts_syndicated_copies_of_gold_as_gold():
    assert citation_precision([("d4", "004.txt")], ["003.txt"], MATCHER) == 1.0
    assert citation_precision([("d3-t1", "003.txt")], ["004.txt"], MATCHER) == 0.0  # teaser is not the story
    assert citation_precision([("d3", "003.txt"), ("x", "000.txt"), ("d3", "003.txt")], ["003.txt"], MATCHER) == 0.5
    assert citation_precision([], ["003.txt"], MATCHER) is None


def test_citation_recall_one_copy_stands_for_its_twin():
    assert citation_recall([("d3", "003.txt")], ["003.txt", "004.txt"], MATCHER) == 1.0
    assert citation_recall([("a", "000.txt")], ["000.txt", "001.txt", "002.txt"], MATCHER) == pytest.approx(1 / 3)
    assert citation_recall([], ["000.txt"], MATCHER) == 0.0
    assert citation_recall([("a", "000.txt")], [], MATCHER) is None


def test_gold_rank_hit_and_reciprocal_rank():
    retrieved = [("a", "000.txt"), ("d4", "004.txt"), ("b", "001.txt")]
    rank = first_gold_rank(retrieved, ["003.txt"], MATCHER)
    assert rank == 2
    assert (hit_at(rank, 1), hit_at(rank, 2), hit_at(None, 5)) == (0.0, 1.0, 0.0)
    assert reciprocal_rank(rank) == 0.5
    assert reciprocal_rank(rank, k=1) == 0.0
    assert reciprocal_rank(None) == 0.0
    # MRR of three queries with first gold at ranks 1, 3 and none
    assert mean(reciprocal_rank(r) for r in (1, 3, None)) == pytest.approx((1 + 1 / 3 + 0) / 3)


def test_percentile_matches_numpy_and_mean_skips_none():
    values = [0.3, 1.2, 0.9, 4.0, 2.2, 0.1]
    for q in (50, 95):
        assert percentile(values, q) == pytest.approx(float(np.percentile(values, q)))
    assert percentile([None, None], 50) is None
    assert mean([1.0, None, 0.0]) == 0.5
    assert mean([]) is None


# --- per-question scoring and aggregation --------------------------------------------------------

def _q(**change):
    record = {"id": "q", "question": "Who?", "answerable": True, "must_include": [["Han Zheng"]],
              "sources": ["003.txt", "004.txt"], "answer": "Han Zheng", "type": "single"}
    record.update(change)
    return parse_question(record)


def test_score_question_answerable_and_refusal_types():
    q = _q()
    good = score_question(q, text="Han Zheng [1].", refused=False, cited=[("d4", "004.txt")],
                          retrieved=[("x", "000.txt"), ("d3", "003.txt")], matcher=MATCHER, k=5)
    assert good["correct"] and not good["false_refusal"]
    assert (good["citation_precision"], good["citation_recall"], good["rank"], good["rr"]) == (1.0, 1.0, 2, 0.5)
    refused = score_question(q, text="The articles do not say.", refused=True, cited=[], retrieved=[],
                             matcher=MATCHER, k=5)
    assert refused["false_refusal"] and not refused["correct"] and "citation_precision" not in refused
    premise = _q(type="false_premise", answerable=False, must_include=[], sources=[])
    assert score_question(premise, text="The articles do not say.", refused=True, cited=[], retrieved=[],
                          matcher=MATCHER, k=5) == {"correct": True}
    assert score_question(premise, text="They agreed.", refused=False, cited=[], retrieved=[],
                          matcher=MATCHER, k=5) == {"correct": False}


def test_summarise_overall_and_per_type():
    def rec(kind, answerable, scores, latency):
        return {"type": kind, "answerable": answerable, "scores": scores,
                "timings": {"latency": latency, "ttft": latency / 2}}

    records = [
        rec("single", True, {"correct": True, "false_refusal": False, "citation_precision": 1.0,
                             "citation_recall": 1.0, "rank": 1, "hit1": 1.0, "hit5": 1.0, "hitk": 1.0, "rr": 1.0}, 1.0),
        rec("single", True, {"correct": False, "false_refusal": True, "rank": 3, "hit1": 0.0, "hit5": 1.0,
                             "hitk": 1.0, "rr": 1 / 3}, 2.0),
        rec("list", True, {"correct": False, "false_refusal": False, "citation_precision": None,
                           "citation_recall": 0.0, "rank": None, "hit1": 0.0, "hit5": 0.0, "hitk": 0.0,
                           "rr": 0.0}, 3.0),
        rec("unanswerable", False, {"correct": True}, 4.0),
    ]
    out = summarise(records, k=10)
    assert out["questions"] == 4
    assert out["accuracy"] == 0.5
    assert out["key_fact_accuracy"] == pytest.approx(1 / 3)
    assert out["refusal_accuracy"] == 1.0
    assert out["false_refusal_rate"] == pytest.approx(1 / 3)
    assert out["citation_precision"] == 1.0  # the uncited answer has no precision...
    assert out["uncited_answers"] == 1  # ...and is counted instead
    assert out["citation_recall"] == 0.5
    assert out["hit@5"] == pytest.approx(2 / 3)
    assert out["mrr@10"] == pytest.approx((1 + 1 / 3) / 3)
    assert out["latency_p50"] == 2.5 and out["ttft_p50"] == 1.25
    by_type = summarise_by_type(records, k=10)
    assert list(by_type) == ["single", "list", "unanswerable"]
    assert by_type["single"]["accuracy"] == 0.5 and by_type["unanswerable"]["refusal_accuracy"] == 1.0


def test_stratified_sample_is_deterministic_and_proportional():
    items = [("a", i) for i in range(60)] + [("b", i) for i in range(30)] + [("c", i) for i in range(10)]
    sample = stratified(items, 10, key=lambda x: x[0])
    assert sample == stratified(items, 10, key=lambda x: x[0])
    kinds = [k for k, _ in sample]
    assert (kinds.count("a"), kinds.count("b"), kinds.count("c")) == (6, 3, 1)
    assert len(set(sample)) == 10 and sample == sorted(sample, key=items.index)
    assert stratified(items, 500, key=lambda x: x[0]) == items


# --- MultiHop-RAG, the paper's rules -------------------------------------------------------------

def test_multihop_retrieval_hits_mrr_map_by_the_paper_rule():
    facts = ["The cat sat on the mat.", "Dogs bark\nat night."]
    chunks = ["nothing here", "x", "y", "Yesterday The cat  saton the mat. More.", "z",
              "Dogsbark at night.", "a", "b", "c", "d", "The cat sat on the mat."]  # 11th is ignored
    score = multihop_retrieval_score(chunks, facts)
    assert (score.hit4, score.hit10, score.rr10) == (1.0, 1.0, 0.25)
    assert score.ap10 == pytest.approx((1 / 4 + 1 / 6) / 2)
    late = multihop_retrieval_score(["x"] * 4 + ["The cat sat on the mat."], facts)
    assert (late.hit4, late.hit10, late.rr10) == (0.0, 1.0, 0.2)
    assert multihop_retrieval_score(["x"] * 10 + [facts[0]], facts).hit10 == 0.0
    assert multihop_retrieval_score(["the cat sat on the mat."], facts).hit10 == 0.0  # case-sensitive


def test_lenient_rule_is_the_papers_word_overlap():
    assert lenient_correct("Yes", "yes")
    assert lenient_correct("yes both reports agree", "Yes")
    assert not lenient_correct("yes, both agree", "Yes")  # "yes," is another word to the script
    assert not lenient_correct("Yes.", "Yes")  # the script does not strip punctuation
    assert lenient_correct("Sam Altman", "Sam Bankman-Fried")  # shares "sam": very lenient
    assert lenient_correct('The answer to the question is "Google" because', "Google")
    assert not lenient_correct("The answer to the question is \"No\"", "Yes")
    assert not lenient_correct("", "Yes")


def test_strict_exact_match_normalises_only_form():
    assert exact_match("Yes. [1]", "Yes")
    assert exact_match("the  Google", "Google")
    assert not exact_match("Yes, both agree.", "Yes")


def test_majority_answer_and_query_selection():
    qs = [MultihopQuery(f"m{i}", "q", a, t, ("f",), ("u",)) for i, (a, t) in enumerate(
        [("Yes", "comparison_query"), ("Yes", "comparison_query"), ("no", "comparison_query"),
         ("Insufficient information.", "null_query"), ("Google", "inference_query")])]
    assert majority_answers(qs) == {"comparison_query": "Yes", "null_query": "Insufficient information.",
                                    "inference_query": "Google"}
    assert all(q.type != "null_query" for q in select_queries(qs, None, retrieval_only=True))
    assert any(q.type == "null_query" for q in select_queries(qs, None, retrieval_only=False))
    assert len(select_queries(qs, 2, retrieval_only=True)) == 2


# --- the CLI contract ----------------------------------------------------------------------------

def test_cli_arguments_become_eval_args():
    parser = argparse.ArgumentParser()
    add_eval_arguments(parser)
    args = args_from_namespace(parser.parse_args(
        ["q.json", "--format", "multihop-rag", "--corpus", "c.json", "--retrieval-only", "--limit", "20"]))
    assert (args.format, args.corpus, args.retrieval_only, args.limit, args.k) == (
        "multihop-rag", [__import__("pathlib").Path("c.json")], True, 20, 10)
    default = args_from_namespace(parser.parse_args(["tests/gold/seeds.jsonl"]))
    assert default.format == "gold" and default.corpus is None and not default.compare
    with pytest.raises(ValueError, match="--limit"):
        args_from_namespace(parser.parse_args(["g.jsonl", "--limit", "0"]))
    with pytest.raises(SystemExit):  # the gold file is required: the package ships no default from tests/
        parser.parse_args(["--format", "multihop-rag"])
