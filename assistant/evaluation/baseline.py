"""The naive baseline for ``--compare``: llama-index's ``VectorStoreIndex`` and its default query
engine over the raw article files, with newsdesk's embedder and the same generator.

"Same generator" means: for ``local``, the same Qwen GGUF loaded once by llama-cpp-python, fed
llama-index's stock text-QA prompt as one user message; for ``openai``, the same endpoint and
model through ``OpenAILike``; for ``extractive``, newsdesk's extractive generator choosing from the
sentences of the stock prompt's context (wrapped as a llama-index ``CustomLLM``). What differs is
everything around the generator: no cleaning, default chunking (SentenceSplitter, 1024 tokens),
vector search only, top 2 chunks, the stock prompt, no history, no citation verification.
llama-index is imported here only, and ``llm=``/``embed_model=`` are always passed explicitly.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from tqdm import tqdm

from assistant.config import Config
from assistant.evaluation.gold import GoldQuestion
from assistant.evaluation.scoring import SourceMatcher, score_question, strip_markers
from assistant.generators import make_generator
from assistant.generators.local_model import ensure_local_model, load_llama
from assistant.prompt import is_refusal
from assistant.types import Evidence
from index import ArticleMeta, Embedder, make_embedder, query_embedder, sentences

log = logging.getLogger(__name__)

NOTES = {
    "local": "llama-index VectorStoreIndex (in-memory), default query engine (top 2, compact synthesis, "
             "stock text-QA prompt) over the raw files split by the default SentenceSplitter, with newsdesk's "
             "embedder and the same local GGUF model (the stock prompt sent as one chat user message). "
             "Follow-ups are asked without history; refusals are recognised by newsdesk's refusal patterns; "
             "the 'citations' are the query engine's source nodes.",
    "openai": "llama-index VectorStoreIndex (in-memory), default query engine (top 2, compact synthesis, "
              "stock text-QA prompt) over the raw files, with newsdesk's embedder and the same "
              "OpenAI-compatible model through OpenAILike. Follow-ups are asked without history; the "
              "'citations' are the query engine's source nodes.",
    "extractive": "llama-index VectorStoreIndex (in-memory), default query engine (top 2, compact synthesis, "
                  "stock prompt) over the raw files, with newsdesk's embedder; the LLM is newsdesk's extractive "
                  "generator (same rules, same refusal threshold) choosing among the sentences of the "
                  "stock prompt's context. "
                  "Follow-ups are asked without history; the 'citations' are the query engine's source nodes.",
}
_CONTEXT = re.compile(r"-{5,}\n(.*)\n-{5,}\n.*?Query: (.*?)\nAnswer:", re.DOTALL)
_METADATA = re.compile(r"^file_name: \S+$")  # the metadata line llama-index puts above each chunk


def _adapters() -> dict[str, Any]:
    try:
        from llama_index.core import Document, VectorStoreIndex
        from llama_index.core.base.embeddings.base import BaseEmbedding
        from llama_index.core.llms import CompletionResponse, CustomLLM, LLMMetadata
        from llama_index.core.node_parser import SentenceSplitter
    except ImportError as err:  # pragma: no cover - depends on the install
        hint = f"--compare needs llama-index-core ({err.name} missing): pip install llama-index-core"
        raise ValueError(hint) from err
    from pydantic import PrivateAttr

    class NewsdeskEmbedding(BaseEmbedding):
        """newsdesk's embedder as a llama-index embedding model."""

        _embedder: Any = PrivateAttr()
        _queries: Any = PrivateAttr()  # the embedder as it embeds questions (nomic: their prefix)

        def __init__(self, embedder: Embedder, **kwargs: Any) -> None:
            super().__init__(model_name=embedder.name, embed_batch_size=32, **kwargs)
            self._embedder = embedder
            self._queries = query_embedder(embedder)

        def _get_query_embedding(self, query: str) -> list[float]:
            return [float(x) for x in self._queries.embed([query])[0]]

        async def _aget_query_embedding(self, query: str) -> list[float]:
            return self._get_query_embedding(query)

        def _get_text_embedding(self, text: str) -> list[float]:
            return self._get_text_embeddings([text])[0]

        def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
            return [[float(x) for x in row] for row in self._embedder.embed(texts)]

    class StreamingLLM(CustomLLM):
        """A CustomLLM built on one ``_pieces(prompt) -> Iterator[str]`` hook."""

        context_window: int = 4096
        num_output: int = 320
        model_name: str = "newsdesk-baseline"

        @property
        def metadata(self) -> LLMMetadata:
            return LLMMetadata(context_window=self.context_window, num_output=self.num_output,
                               model_name=self.model_name)

        def _pieces(self, prompt: str) -> Iterator[str]:
            raise NotImplementedError

        def complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
            return CompletionResponse(text="".join(self._pieces(prompt)))

        def stream_complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> Any:
            def gen() -> Iterator[CompletionResponse]:
                text = ""
                for piece in self._pieces(prompt):
                    text += piece
                    yield CompletionResponse(text=text, delta=piece)

            return gen()

    class LlamaCppLLM(StreamingLLM):
        """The local GGUF (shared with newsdesk's generator) answering the stock prompt."""

        _llm: Any = PrivateAttr()
        _lock: Any = PrivateAttr()
        _temperature: float = PrivateAttr()

        def __init__(self, config: Config, **kwargs: Any) -> None:
            super().__init__(context_window=config.llm_ctx, num_output=config.max_answer_tokens,
                             model_name="local-gguf", **kwargs)
            path = ensure_local_model(config.models_path)
            # The same cached Llama instance newsdesk's LocalGenerator uses: one copy in memory.
            self._llm, self._lock = load_llama(str(path), config.llm_ctx, config.llm_threads)
            self._temperature = config.temperature

        def _pieces(self, prompt: str) -> Iterator[str]:
            with self._lock:
                chunks = self._llm.create_chat_completion(
                    messages=[{"role": "user", "content": prompt}], stream=True,
                    temperature=self._temperature, max_tokens=self.num_output,
                )
                for chunk in chunks:
                    piece = chunk["choices"][0]["delta"].get("content")
                    if piece:
                        yield piece

    class ExtractiveLLM(StreamingLLM):
        """newsdesk's extractive generator answering from the context sentences of the stock prompt."""

        _generator: Any = PrivateAttr()

        def __init__(self, generator: Any, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self._generator = generator

        def _pieces(self, prompt: str) -> Iterator[str]:
            yield extract_answer(prompt, self._generator)

    return {"Document": Document, "VectorStoreIndex": VectorStoreIndex, "SentenceSplitter": SentenceSplitter,
            "NewsdeskEmbedding": NewsdeskEmbedding, "LlamaCppLLM": LlamaCppLLM, "ExtractiveLLM": ExtractiveLLM}


def extract_answer(prompt: str, generator: Any) -> str:
    """Split the stock prompt's context into sentences and let ``generator`` pick from them."""
    match = _CONTEXT.search(prompt)
    if not match:
        return ""
    context, query = match.group(1), match.group(2).strip()
    lines = [line for line in context.split("\n") if line.strip() and not _METADATA.match(line)]
    texts = [s for line in lines for s in sentences(line)]
    evidence = [
        Evidence(number=n, meta=ArticleMeta(doc_id=""), text=text, start=0, end=0)
        for n, text in enumerate(texts, start=1)
    ]
    return strip_markers("".join(generator.stream(query, evidence, []))).strip()


def make_llm(config: Config, backend: str, adapters: dict[str, Any]) -> Any:
    if backend == "local":
        return adapters["LlamaCppLLM"](config)
    if backend == "openai":
        try:
            from llama_index.llms.openai_like import OpenAILike
        except ImportError as err:  # pragma: no cover
            raise ValueError("--compare with openai needs llama-index-llms-openai-like") from err
        return OpenAILike(model=config.openai_model, api_base=config.openai_base_url,
                          api_key=config.openai_api_key or "not-needed", is_chat_model=True,
                          temperature=config.temperature, max_tokens=config.max_answer_tokens,
                          timeout=config.request_timeout, context_window=config.llm_ctx)
    return adapters["ExtractiveLLM"](make_generator(config, "extractive"), context_window=config.llm_ctx,
                                     num_output=config.max_answer_tokens, model_name="extractive")


def raw_files(corpus: Sequence[Path]) -> list[Path]:
    files: list[Path] = []
    for path in corpus:
        path = Path(path)
        if path.is_dir():
            files += sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith("."))
        else:
            files.append(path)
    return files


def run_baseline(
    config: Config,
    corpus: Sequence[Path],
    questions: Sequence[GoldQuestion],
    backend: str,
    matcher: SourceMatcher,
    args: Any,
) -> tuple[list[dict[str, Any]], str]:
    """Answer every gold question with the naive pipeline; records shaped like newsdesk's."""
    adapters = _adapters()
    documents = [
        adapters["Document"](text=path.read_text(encoding="utf-8", errors="replace"),
                             metadata={"file_name": path.name}, id_=path.name)
        for path in raw_files(corpus)
    ]
    embed_model = adapters["NewsdeskEmbedding"](make_embedder(config))
    started = time.perf_counter()
    index = adapters["VectorStoreIndex"].from_documents(
        documents, embed_model=embed_model, transformations=[adapters["SentenceSplitter"]()]
    )
    log.info("baseline index over %d file(s) built in %.1f s", len(documents), time.perf_counter() - started)
    llm = make_llm(config, backend, adapters)
    engine = index.as_query_engine(llm=llm, streaming=True)
    retriever = index.as_retriever(similarity_top_k=args.k)
    records = []
    for q in tqdm(questions, desc=f"baseline ({backend})", unit="q", disable=None):
        retrieved = [n.node.metadata.get("file_name", "") for n in retriever.retrieve(q.question)]
        record: dict[str, Any] = {"id": q.id, "type": q.type, "question": q.question, "history": list(q.history),
                                  "answerable": q.answerable, "gold_sources": list(q.sources),
                                  "query": q.question, "retrieved": retrieved}
        text, refused = "", False
        cited: list[str] = []
        timings: dict[str, float] = {}
        if not args.retrieval_only:
            text, cited, timings = _ask(engine, q.question)
            refused = not text.strip() or is_refusal(text)
        record.update(answer=text if not args.retrieval_only else None,
                      refused=refused if not args.retrieval_only else None,
                      citations=[{"source": s} for s in cited], timings=timings)
        record["scores"] = score_question(
            q, text=text, refused=refused, cited=[(s, s) for s in cited],
            retrieved=[(s, s) for s in retrieved], matcher=matcher, k=args.k, answered=not args.retrieval_only,
        )
        records.append(record)
    return records, NOTES.get(backend, NOTES["extractive"])


def _ask(engine: Any, question: str) -> tuple[str, list[str], dict[str, float]]:
    started = time.perf_counter()
    response = engine.query(question)
    text, ttft = "", None
    for piece in response.response_gen:
        if ttft is None and piece:
            ttft = time.perf_counter() - started
        text += piece
    latency = time.perf_counter() - started
    cited = list(dict.fromkeys(n.node.metadata.get("file_name", "") for n in response.source_nodes))
    return text.strip(), cited, {"latency": latency, "ttft": ttft if ttft is not None else latency}
