"""HTML for the web chat: chat bubbles, the sources panel, notices. Pure functions, no Gradio.

Everything that comes from an article, a model or a user is passed through ``html.escape`` before
it is placed in markup; the only tags in the output are the ones written here. Chat messages are
emitted as one line of HTML starting with ``<div`` so the Chatbot's Markdown renderer treats each
as a raw HTML block and never interprets the (escaped) text as Markdown.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from assistant import Answer, Citation, Source

CITATION_MARKER = re.compile(r"\[(\d{1,3})\]")
_SENTENCE_END = re.compile(r"[.!?][\"'”’)\]]*\s+|\n\s*\n")
CONTEXT_SENTENCES = 2
CONTEXT_CHARS = 420

TextOf = Callable[[str], str]


def esc(text: object) -> str:
    """Escape text for HTML content and attribute values."""
    return html.escape(str(text), quote=True)


def _lines(escaped: str) -> str:
    """Keep line structure without emitting newlines (a blank line would end the HTML block)."""
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", escaped.strip()) if p.strip()]
    return "<br><br>".join(" <br>".join(line.strip() for line in p.split("\n")) for p in paragraphs)


def _with_markers(escaped: str) -> str:
    return CITATION_MARKER.sub(r'<span class="nd-cite" title="source \1">[\1]</span>', escaped)


# ---- chat bubbles ---------------------------------------------------------------------------
def question_html(question: str) -> str:
    return f'<div class="nd-question">{_lines(esc(question))}</div>'


def answer_html(answer: Answer) -> str:
    body = _lines(_with_markers(esc(answer.text)))
    if answer.refused:
        return (
            '<div class="nd-refusal" role="note"><span class="nd-notice-title">Not in the articles</span>'
            f'<span class="nd-refusal-text">{body}</span></div>'
        )
    return f'<div class="nd-answer">{body}</div>'


def partial_html(text: str, status: str = "") -> str:
    """The raw text streaming in, shown as provisional until the verified answer replaces it;
    before the first word, ``status`` (what the model is reading)."""
    body = _lines(_with_markers(esc(text))) if text.strip() else esc(status or "Searching the articles…")
    return f'<div class="nd-answer nd-streaming" aria-busy="true">{body}<span class="nd-caret"></span></div>'


def error_html(message: str) -> str:
    return (
        '<div class="nd-error" role="alert"><span class="nd-notice-title">Could not answer</span>'
        f"<span>{_lines(esc(message))}</span></div>"
    )


# ---- the sources panel ----------------------------------------------------------------------
@dataclass(frozen=True)
class QuoteContext:
    before: str
    quote: str
    after: str
    cut_before: bool  # text was left out before ``before``
    cut_after: bool


def quote_context(
    text: str, start: int, end: int, sentences: int = CONTEXT_SENTENCES, max_chars: int = CONTEXT_CHARS
) -> QuoteContext:
    """The quoted span with up to ``sentences`` whole sentences of the article on each side."""
    lo = max(0, start - max_chars)
    head = text[lo:start]
    ends = [m.end() for m in _SENTENCE_END.finditer(head)]
    cut = ends[-sentences - 1] if len(ends) > sentences else (0 if lo == 0 else _word_start(head))
    before = head[cut:]
    tail = text[end : end + max_chars]
    stops = [m.end() for m in _SENTENCE_END.finditer(tail)]
    stop = (
        stops[sentences - 1]
        if len(stops) >= sentences
        else (len(tail) if end + max_chars >= len(text) else _word_end(tail))
    )
    after = tail[:stop]
    return QuoteContext(
        before=before.lstrip(),
        quote=text[start:end],
        after=after.rstrip(),
        cut_before=lo + cut > 0,
        cut_after=end + stop < len(text.rstrip()),
    )


def _word_start(head: str) -> int:
    space = head.find(" ")
    return space + 1 if space >= 0 else 0


def _word_end(tail: str) -> int:
    space = tail.rfind(" ")
    return space if space > 0 else len(tail)


def _highlighted(ctx: QuoteContext) -> str:
    before = _lines(esc(ctx.before))
    after = _lines(esc(ctx.after))
    return (
        ("… " if ctx.cut_before else "")
        + (before + " " if before else "")
        + f'<mark class="nd-quote">{_lines(esc(ctx.quote))}</mark>'
        + (" " + after if after and ctx.after[:1].isspace() else after)
        + (" …" if ctx.cut_after else "")
    )


def _full_article(text: str, start: int, end: int) -> str:
    """The whole article as escaped paragraphs, with the cited span marked in each it touches."""
    out = []
    for para in re.finditer(r"\S(?:(?!\n[ \t]*\n).)*", text, re.S):
        a, b = para.start(), len(para.group(0).rstrip()) + para.start()
        s, e = max(a, start), min(b, end)
        if s < e:
            inner = esc(text[a:s]) + f'<mark class="nd-quote">{esc(text[s:e])}</mark>' + esc(text[e:b])
        else:
            inner = esc(text[a:b])
        out.append("<p>" + inner.replace("\n", "<br>") + "</p>")
    return "".join(out)


def byline(title: str, outlet: str, published: str) -> str:
    parts = [f'<span class="nd-title">{esc(title or "Untitled article")}</span>']
    if outlet:
        parts.append(f'<span class="nd-outlet">{esc(outlet)}</span>')
    parts.append(
        f'<time class="nd-date">{esc(published)}</time>' if published else '<span class="nd-date">date unknown</span>'
    )
    return '<span class="nd-sep"> · </span>'.join(parts)


def _link(url: str) -> str:
    if not url.lower().startswith(("http://", "https://")):
        return ""
    return f' <a class="nd-url" href="{esc(url)}" target="_blank" rel="noopener noreferrer">original ↗</a>'


def citation_card(citation: Citation, text_of: TextOf) -> str:
    text = _safe_text(text_of, citation.doc_id)
    found = text[citation.start : citation.end] == citation.quote and citation.quote != ""
    if found:
        quote = _highlighted(quote_context(text, citation.start, citation.end))
        full = (
            '<details class="nd-full"><summary>Read the whole article</summary>'
            f'<div class="nd-article">{_full_article(text, citation.start, citation.end)}</div></details>'
        )
    else:
        quote = f'<mark class="nd-quote">{_lines(esc(citation.quote))}</mark>'
        full = '<div class="nd-missing">The full article is no longer in the collection.</div>'
    also = (
        f'<div class="nd-also">Also reported by {esc(", ".join(citation.also_reported_by))}</div>'
        if citation.also_reported_by
        else ""
    )
    return (
        f'<article class="nd-source" id="nd-source-{citation.number}" data-number="{citation.number}">'
        f'<div class="nd-meta"><span class="nd-num">[{citation.number}]</span> '
        f"{byline(citation.title, citation.outlet, citation.published)}{_link(citation.url)}</div>"
        f'<blockquote class="nd-context">{quote}</blockquote>{also}{full}</article>'
    )


def _safe_text(text_of: TextOf, doc_id: str) -> str:
    try:
        return text_of(doc_id) or ""
    except Exception:  # noqa: BLE001 - a missing article must not break the panel
        return ""


def searched_list(sources: Sequence[Source]) -> str:
    seen: dict[str, Source] = {}
    for source in sources:
        seen.setdefault(source.doc_id, source)
    if not seen:
        return ""
    items = "".join(f"<li>{byline(s.title, s.outlet, s.published)}</li>" for s in seen.values())
    return f'<details class="nd-searched"><summary>Articles searched ({len(seen)})</summary><ul>{items}</ul></details>'


def sources_html(answer: Answer | None, text_of: TextOf, question: str = "") -> str:
    """The panel beside the chat: one card per citation of ``answer``."""
    if answer is None:
        return (
            '<div class="nd-sources nd-empty">Ask a question: the exact sentences each answer is '
            "based on appear here, highlighted in their articles.</div>"
        )
    head = f'<div class="nd-sources-head">Sources for “{esc(question)}”</div>' if question else ""
    if answer.refused or not answer.citations:
        body = '<div class="nd-no-sources">No article supports an answer to this question, so nothing is cited.</div>'
    else:
        body = "".join(citation_card(c, text_of) for c in answer.citations)
    return f'<div class="nd-sources">{head}{body}{_footnote(answer)}{searched_list(answer.sources)}</div>'


def _footnote(answer: Answer) -> str:
    """What verification removed from the draft, and how long the answer took."""
    notes = []
    if answer.flagged:
        n = len(answer.flagged)
        notes.append(
            f"{n} sentence{'s' if n > 1 else ''} of the draft removed: no cited article supports "
            f"{'them' if n > 1 else 'it'}."
        )
    total = answer.timings.get("total")
    if total is not None:
        notes.append(f"Answered in {total:.1f} s.")
    return f'<div class="nd-footnote">{esc(" ".join(notes))}</div>' if notes else ""


def pending_sources_html(question: str) -> str:
    return (
        f'<div class="nd-sources"><div class="nd-sources-head">Sources for “{esc(question)}”</div>'
        '<div class="nd-empty">Checking the answer against the articles…</div></div>'
    )


# ---- other notices --------------------------------------------------------------------------
def backend_html(label: str) -> str:
    return f'<div class="nd-backend">Answers by <strong>{esc(label)}</strong></div>'


def ingest_summary_html(
    added: Iterable[str],
    updated: Iterable[str],
    unchanged: Iterable[str],
    duplicates: Iterable[str],
    skipped: Iterable[tuple[str, str]],
    seconds: float,
) -> str:
    rows = [
        ("Added", list(added)),
        ("Updated", list(updated)),
        ("Already there", list(unchanged)),
        ("Exact copies (stored once)", list(duplicates)),
    ]
    parts = [f"<li><strong>{esc(label)}:</strong> {esc(', '.join(names))}</li>" for label, names in rows if names]
    skipped = list(skipped)
    if skipped:
        items = "".join(f"<li><code>{esc(path)}</code>: {esc(reason)}</li>" for path, reason in skipped)
        parts.append(f'<li class="nd-skipped"><strong>Skipped:</strong><ul>{items}</ul></li>')
    if not parts:
        parts.append("<li>Nothing to ingest.</li>")
    done = f"Done in {seconds:.1f} s; new articles can be asked about right away."
    return f'<div class="nd-ingest"><ul>{"".join(parts)}</ul><small>{done}</small></div>'
