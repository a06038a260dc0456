"""Evidence recall: how often what an answer needs reaches the sentences the model reads.

    .venv/bin/python benchmarks/bench_evidence.py --settings 8:200,12:300 \
        --gold tests/gold/news.jsonl:tests/gold/news_corpus.json --gold tests/gold/seeds.jsonl:seeds \
        --multihop tune:200 --multihop confirm:200 --index /work/mh-data

No model runs: each question goes through the real read path up to the evidence (resolve ->
retrieve -> select evidence, :meth:`Assistant.stream` stopped at ``SourcesFound``), once per
setting ``SENTENCES:TOKENS[:TOP_K]`` (``evidence_sentences``, ``evidence_tokens``, ``top_k``). So
the key-fact ceiling of a setting is known in seconds, before a model run of many minutes:

* a gold set (``questions.jsonl:corpus``): share of answerable questions whose every
  ``must_include`` group (Yes/No verdict groups aside) has an alternative in the evidence text,
  beside the same share over the retrieved chunks (the ceiling any selection can reach);
* MultiHop-RAG (``half:limit`` over an index built by ``newsdesk eval --index DIR``): share of
  gold facts an evidence sentence covers (at least 60 % of the fact's words in one evidence
  item: facts are quoted sentences, evidence items are sentences, so exact containment misses
  facts cut differently), share of queries with every fact covered, and two ceilings: facts a
  retrieved chunk covers, and facts one sentence of a retrieved chunk covers (what sentence
  selection can reach: in a longer chunk the 60 % rule is met by chance more often). ``--why``
  adds, for the facts one sentence holds, the median chunk rank, length and shared question terms
  of that sentence when the evidence has the fact and when it was passed over.

``--chunk-tokens N`` cuts the ``--gold`` indexes at N word pieces (``Config(...)`` here reads no
``NEWSDESK_*`` variable, so ``NEWSDESK_CHUNK_TOKENS`` does not reach them). An ``--index`` keeps the
chunks it was built with; nothing on the read path depends on the setting.

``--keyword-only`` ranks with the shipped weights minus every vector list, so an index built with
``--embedder hashing`` (fast to build; its vectors mean nothing) can stand in for a MiniLM one
when only the keyword side is compared (chunk sizes: BENCHMARKS.md, the retrieval unit).
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import re
import statistics
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from assistant.config import Config
from assistant.core import Assistant
from assistant.evaluation.gold import load_gold
from assistant.evaluation.multihop import MultihopQuery, load_queries, select_queries
from assistant.evaluation.scoring import key_facts_correct
from assistant.types import Evidence, SourcesFound, Turn
from index import approx_tokens, content_terms, sentence_spans

ROOT = Path(__file__).resolve().parents[1]
QUERIES = ROOT.parent / "shared" / "data" / "multihop-rag" / "queries_dev.json"
COVER = 0.6  # share of a fact's words one evidence item must hold
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Setting:
    sentences: int
    tokens: int
    top_k: int | None = None

    @classmethod
    def parse(cls, text: str) -> Setting:
        parts = [int(p) for p in text.split(":")]
        return cls(parts[0], parts[1], parts[2] if len(parts) > 2 else None)

    def config(self, base: Config) -> Config:
        return base.replace(evidence_sentences=self.sentences, evidence_tokens=self.tokens,
                            top_k=self.top_k or base.top_k)

    def __str__(self) -> str:
        return f"{self.sentences} sentences / {self.tokens} tokens" + (f" / top {self.top_k}" if self.top_k else "")


def evidence_and_chunks(
    bot: Assistant, question: str, history: Sequence[Turn] = ()
) -> tuple[list[Evidence], list[str]]:
    """The evidence the model would read for ``question``, and the retrieved chunks' texts."""
    events: Iterator[object] = bot.stream(question, list(history))
    for event in events:
        if isinstance(event, SourcesFound):
            return list(event.evidence), [s.text for s in event.sources]
    raise RuntimeError("the read path ended without SourcesFound")


def _words(text: str) -> set[str]:
    return set(_WORD.findall(text.lower()))


def gold_recall(bot: Assistant, path: Path) -> tuple[int, int, int]:
    """(questions whose key facts reach the evidence, ... the retrieved chunks, answerable questions);
    a key fact is found by the eval command's own rule (:func:`key_facts_correct`)."""
    in_evidence = in_chunks = total = 0
    for q in load_gold(path):
        if not q.answerable:
            continue
        history: list[Turn] = [{"role": "user", "content": h} for h in q.history]
        evidence, chunks = evidence_and_chunks(bot, q.question, history)
        facts = [g for g in q.must_include if g[0] not in ("Yes", "No")]  # a verdict is not a fact to find
        total += 1
        in_evidence += not facts or key_facts_correct(" ".join(e.text for e in evidence), facts, False)
        in_chunks += not facts or key_facts_correct(" ".join(chunks), facts, False)
    return in_evidence, in_chunks, total


@dataclass
class Recall:
    """Where a half's gold facts got to: the retrieved chunks, one sentence of them, the evidence;
    and, for the facts one sentence holds, that sentence (first in rank order) when it was selected
    and when not (:class:`Holder`)."""

    facts: int = 0
    queries: int = 0
    every: int = 0  # queries with every fact in the evidence
    in_chunks: int = 0
    in_a_sentence: int = 0
    in_evidence: int = 0
    selected: list[Holder] = dataclasses.field(default_factory=list)
    passed_over: list[Holder] = dataclasses.field(default_factory=list)


@dataclass(frozen=True)
class Holder:
    chunk_rank: int
    tokens: int
    shared_terms: int  # content terms it shares with the question


def multihop_recall(bot: Assistant, half: str, limit: int, queries: Sequence[MultihopQuery]) -> Recall:
    recall = Recall()
    for q in select_queries(queries, limit, True, half):
        evidence, chunks = evidence_and_chunks(bot, q.query)
        items = [_words(e.text) for e in evidence]
        chunk_words = [_words(c) for c in chunks]
        # each retrieved sentence with its words, tokenised once per query (not once per fact)
        sentences = [(rank, text, _words(text)) for rank, c in enumerate(chunks)
                     for text in (c[a:b] for a, b in sentence_spans(c))]
        asked = set(content_terms(q.query))
        got = 0
        for fact in q.facts:
            need = _words(fact)
            found = any(_covers(need, item) for item in items)
            got += found
            recall.in_chunks += any(_covers(need, chunk) for chunk in chunk_words)
            holder = next(((r, t) for r, t, words in sentences if _covers(need, words)), None)
            if holder is not None:
                recall.in_a_sentence += 1
                shared = len(set(content_terms(holder[1])) & asked)
                (recall.selected if found else recall.passed_over).append(
                    Holder(holder[0], approx_tokens(holder[1]), shared))
        recall.in_evidence += got
        recall.facts += len(q.facts)
        recall.every += got == len(q.facts)
        recall.queries += 1
    return recall


def _covers(need: set[str], item: set[str]) -> bool:
    return len(need & item) >= COVER * len(need)


def _why(recall: Recall) -> str:
    """One line on the facts one sentence holds: how many were selected or passed over, and the
    median chunk rank, length and question terms shared of their sentence."""
    def medians(holders: list[Holder]) -> str:
        if not holders:
            return "-"
        return (f"rank {statistics.median(h.chunk_rank for h in holders):.0f}, "
                f"{statistics.median(h.tokens for h in holders):.0f} tokens, "
                f"{statistics.median(h.shared_terms for h in holders):.0f} terms")
    return (f"{len(recall.selected)} selected ({medians(recall.selected)}); {len(recall.passed_over)} passed "
            f"over ({medians(recall.passed_over)}); {recall.in_chunks - recall.in_a_sentence} in chunks but "
            f"in no one sentence")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--settings", default="8:200,12:300", help="SENTENCES:TOKENS[:TOP_K], comma-separated")
    parser.add_argument("--gold", action="append", default=[], metavar="QUESTIONS:CORPUS")
    parser.add_argument("--multihop", action="append", default=[], metavar="HALF:LIMIT")
    parser.add_argument("--index", type=Path, help="an index of the MultiHop-RAG corpus (newsdesk eval --index)")
    parser.add_argument("--queries", type=Path, default=QUERIES)
    parser.add_argument("--embedder", default="minilm", help="the embedder the --index was built with")
    parser.add_argument("--keyword-only", action="store_true", help="rank without the vector lists")
    parser.add_argument("--chunk-tokens", type=int, help="chunk size of the --gold indexes (default: the config's)")
    parser.add_argument("--why", action="store_true", help="where the facts the evidence lacks were (MultiHop-RAG)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    settings = [Setting.parse(s) for s in args.settings.split(",")]
    rows: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        for spec in args.gold:
            questions, corpus = spec.split(":", 1)
            base = Config(data_dir=Path(tmp) / Path(questions).stem, backend="extractive")
            if args.chunk_tokens:  # Config(...) reads no NEWSDESK_* variable: the size is passed here
                base = base.replace(chunk_tokens=args.chunk_tokens)
            bot = Assistant.from_config(base, backend="extractive")
            bot.ingest([ROOT / corpus if not Path(corpus).is_absolute() else Path(corpus)])
            for setting in settings:
                started = time.perf_counter()
                found, ceiling, n = gold_recall(_with(bot, setting), ROOT / questions)
                rows.append(f"| {Path(questions).name} | {setting} | {found}/{n} = {found / n:.3f} | "
                            f"{ceiling}/{n} | {time.perf_counter() - started:.0f} s |")
                print(rows[-1], flush=True)
        if args.multihop:
            if args.index is None:
                parser.error("--multihop needs --index DIR (an index of the MultiHop-RAG corpus)")
            config = Config(data_dir=args.index, backend="extractive", embedder=args.embedder)
            bot = Assistant.from_config(config, backend="extractive")
            if args.keyword_only:
                retriever = bot._retriever  # noqa: SLF001 - a benchmark switching lists off, not product code
                retriever.weights = dataclasses.replace(retriever.weights, vector=0.0, outlet_vector=0.0,
                                                        part_vector=0.0)
            queries = load_queries(args.queries)
            for spec in args.multihop:
                half, limit = spec.split(":")
                for setting in settings:
                    started = time.perf_counter()
                    r = multihop_recall(_with(bot, setting), half, int(limit), queries)
                    n = max(1, r.facts)
                    rows.append(f"| MultiHop-RAG {half} ({r.queries}) | {setting} | facts {r.in_evidence / n:.3f}, all "
                                f"facts {r.every / max(1, r.queries):.3f} | facts {r.in_chunks / n:.3f} (in one "
                                f"sentence {r.in_a_sentence / n:.3f}) | {time.perf_counter() - started:.0f} s |")
                    print(rows[-1], flush=True)
                    if args.why:
                        print(f"  {half}, {setting}: {_why(r)}", flush=True)
    print("\n| set | evidence setting | key facts in the evidence | in the retrieved chunks | time |")
    print("|---|---|---|---|---|")
    print("\n".join(rows))


def _with(bot: Assistant, setting: Setting) -> Assistant:
    """``bot`` reading with ``setting``'s evidence budget (same index, same generator)."""
    return bot.with_read_path(config=setting.config(bot.config))


if __name__ == "__main__":
    main()
