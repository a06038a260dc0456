"""Clean a loaded article: drop page chrome, normalise whitespace, split off trailing teasers.

Every rule is a generic pattern over whole lines (never a substring edit of a sentence), so an
article sentence is either kept verbatim or, if the whole line is chrome, dropped. Trailing
teasers (other stories glued after the real one by a scraper) become their own ``Article``
segments with ``is_teaser=True`` so they stay searchable but are never cited as the main story.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import re
from collections.abc import Sequence

from index.sentences import sentences
from index.types import Article, RawArticle
from index.words import content_terms

log = logging.getLogger(__name__)

# Terminal escape sequences (colour codes like "\x1b[31m", window titles), then any other control
# character but tab and newline, and lone UTF-16 surrogates that no encoder accepts.
_ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x9b[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-_]?")
_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")
_SURROGATES = re.compile(r"[\ud800-\udfff]")
_SPACES = re.compile(r"[ \t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
_TERMINAL = re.compile(r"[.!?…:;][\"'”’)\]]*$|[\"”’)]$")
_WORDS = re.compile(r"[^\W\d_]+")

_CHROME = [
    re.compile(pattern, re.IGNORECASE)
    for pattern in (
        # page anchors and navigation
        r"(top|bottom|end) of (the )?(page|article)",
        r"(back|return|scroll|go) to (the )?top",
        r"skip to (the )?(main )?(content|navigation|article)",
        # counters: "58 views0 comments", "12 Comments", "1.2k shares"
        r"(\d[\d.,]*\s*[km]?\s*(views?|comments?|shares?|likes?|reads?|reactions?)\s*)+",
        # comment widgets
        r"(leave|post|add|write|view|show|load|hide|read|see) (a |an |all |more |the )?"
        r"(reply|comments?|responses?)( \(\d+\))?",
        r"comments?|cancel reply|reply|join the (conversation|discussion)",
        r"your email address will not be published.*",
        # share rows
        r"(share|tweet|email|print|copy link|save|pin it)( (this|the) (article|story|page|post))?"
        r"( (on|via|to|with) [\w ]{1,20})?",
        r"((share|facebook|twitter|linkedin|email|whatsapp|reddit|pinterest|telegram|print|"
        r"copy link|flipboard|messenger|x)[\s,|/•·]*){2,}",
        # ads and continuation prompts
        r"(advertisement|advertising|sponsored( content)?|promoted( content)?|paid content|ad)",
        r"(story|article) continues (below|after)( this)?( advertisement| ad)?",
        r"continue reading( below| the (main )?story)?|scroll (down )?to continue.*",
        # read-more / related links
        r"(read|see|watch|listen) (more|also|next|now)\b.{0,150}",
        r"(related|recommended|more from [\w .'’-]{1,40}|most (read|popular|viewed)|"
        r"trending( now)?|you (may|might) also like|also read|don'?t miss|further reading|"
        r"related (articles|stories|coverage|content|topics))(\s*:.{0,150})?",
        # subscribe and account prompts
        r"(subscribe|sign up|sign in|log in|register|join)( now| today| here| for free)?",
        r"(subscribe|sign up|sign in|join|get)\b.{0,120}\bnewsletters?\b.{0,80}",
        # cookie banners
        r"(we|this (web)?site|our (web)?site) uses? cookies.*",
        r"(accept|reject|manage) (all )?cookies.*|(cookie|privacy) (policy|settings|preferences)",
        # picture credits and captions markers
        r"\(?(photo|image|picture|photograph|video|graphic|illustration|file photo|"
        r"photo illustration|main image|top image|credit)s?( credits?)?\s*[:|/]\s*[^.!?]{1,60}\)?",
        r"\(?(photo|image|picture|photograph|video|illustration)s? by [^.!?]{1,60}\)?",
        # syndication disclaimers
        r"\(?[^()]{0,200}\b(syndicated feed|not been edited by|wire agency feed|"
        r"auto-?generated from)\b[^()]{0,200}\)?",
        # copyright and bare links
        r"(copyright|©|\(c\))\s.{0,150}|all rights reserved\.?",
        r"(https?://|www\.)\S+",
        # separator lines: "***", "___", "—"
        r"[\W_]+",
    )
]
_CHROME_MAX_WORDS = 30  # a longer line is article text whatever it starts with
# "Charley Gallay via Getty Images", "AFP/Getty Images": short, no final full stop
_AGENCY_CREDIT = re.compile(r"\b(getty images|shutterstock|alamy|ap photo|afp photo)\b", re.IGNORECASE)
_CREDIT_MAX_WORDS = 8

# A line whose link was stripped: "For more AP coverage of the UN General Assembly, visit".
_DANGLING_LINK = re.compile(
    r"(for (more|the latest|full|updates|all)|follow|click|tap|to (read|see|watch|learn|find|get)"
    r"|read|watch|listen|download|find|get|more|see|visit)\b.*"
    r"\b(visit|see|at|here|go to|via|on|to|link)\s*:?",
    re.IGNORECASE,
)
# A repeated full stop after a finished sentence: 'in times of tension”. .”' -> 'tension”.'
_STRAY_STOP = re.compile(r"(?:(?<=[\w\"”’][.!?])|(?<=\w[.!?][\"”’]))\s+[.!?]+[\"”’]?(?=\s|$)")


# Sign-up widgets pasted in as one long line: several of these markers in one paragraph.
_WIDGET_MARKERS = tuple(
    "newsletter|sign up|signing up|privacy notice|privacy policy|email address|terms of service|"
    "recaptcha|please enter|please try again|subscribe|skip past|something went wrong|{{".split("|")
)
_WIDGET_MIN_MARKERS = 3


def is_chrome_line(line: str) -> bool:
    """True when a whole line is page chrome (navigation, share row, credit, disclaimer...)."""
    line = " ".join(line.split())
    if not line:
        return True
    lowered = line.casefold()
    if sum(marker in lowered for marker in _WIDGET_MARKERS) >= _WIDGET_MIN_MARKERS:
        return True
    if len(line.split()) > _CHROME_MAX_WORDS:
        return False
    if any(pattern.fullmatch(line) for pattern in _CHROME):
        return True
    if _AGENCY_CREDIT.search(line) and len(line.split()) <= _CREDIT_MAX_WORDS:
        return not line.endswith((".", "!", "?"))
    return not _TERMINAL.search(line) and bool(_DANGLING_LINK.fullmatch(line))


def strip_controls(text: str) -> str:
    """``text`` without terminal escape sequences and control characters (form feeds and
    vertical tabs become line breaks); lone surrogates become U+FFFD."""
    text = _ESCAPES.sub("", text).replace("\f", "\n").replace("\v", "\n")
    return _SURROGATES.sub("\ufffd", _CONTROLS.sub("", text))


def paragraphs(text: str) -> list[str]:
    """Split text into paragraphs with normalised spaces.

    Blank lines separate paragraphs; inside a block each line is its own paragraph unless the
    block is hard-wrapped or a line plainly continues on the next (no final punctuation, next
    line starts in lower case).
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    result: list[str] = []
    for block in re.split(r"\n\s*\n", text):
        lines = [_SPACES.sub(" ", line).strip() for line in block.split("\n")]
        lines = [line for line in lines if line and not is_chrome_line(line)]
        if _hard_wrapped(lines):
            result.append(" ".join(lines))
            continue
        merged: list[str] = []
        for line in lines:
            if merged and not _TERMINAL.search(merged[-1]) and line[:1].islower():
                merged[-1] = f"{merged[-1]} {line}"
            else:
                merged.append(line)
        result.extend(merged)
    return result


def _hard_wrapped(lines: list[str]) -> bool:
    if len(lines) < 3:
        return False
    body = lines[:-1]
    unpunctuated = sum(1 for line in body if not _TERMINAL.search(line))
    return all(40 <= len(line) <= 100 for line in body) and unpunctuated * 2 >= len(body)


def _norm(text: str) -> str:
    return " ".join(_WORDS.findall(text.casefold()))


def remove_chrome(title: str, paras: Sequence[str]) -> list[str]:
    """Drop chrome lines, a first paragraph repeating the title, and adjacent duplicates."""
    kept: list[str] = []
    previous = _norm(title) if title else None  # the title, then the last paragraph kept
    for para in paras:
        if is_chrome_line(para):
            log.debug("dropped chrome line %r", para[:80])
            continue
        normalised = _norm(para)
        if normalised and normalised == previous:
            continue
        kept.append(_STRAY_STOP.sub("", para))
        previous = normalised
    return kept


# --- teasers ------------------------------------------------------------------------------------

_KICKER = re.compile(r"^[‘'\"“]?([A-Z0-9][A-Z0-9 &’'/.,-]{1,40}?)[’'\"”]?\s?:\s+(?=\S)")
LEAD_PARAGRAPHS = 3
TEASER_MAX_OVERLAP = 0.35  # share of a teaser's content words found in the title + lead
TEASER_MIN_WORDS = 40  # list items and transcript turns are shorter


def kicker(paragraph: str) -> str:
    """The ALL-CAPS label opening a teaser ("CABINET APPROVAL: ..."), or ""."""
    match = _KICKER.match(paragraph)
    if not match:
        return ""
    label = match.group(1).strip()
    return label if sum(c.isupper() for c in label) >= 2 else ""


def lead_overlap(paragraph: str, lead: set[str]) -> float:
    """Share of the paragraph's content words that occur in the article's title and lead."""
    words = set(content_terms(paragraph))
    return len(words & lead) / len(words) if words else 1.0


def split_teasers(title: str, paras: Sequence[str]) -> tuple[list[str], list[str]]:
    """Split ``paras`` into the story and the unrelated teasers trailing it.

    Scanning back from the end, a paragraph is a teaser candidate when it is long, stops
    mid-sentence (teasers are cut at a fixed length) and shares few content words with the title
    and lead. The trailing run of candidates is split off when it has at least two members or one
    opens with an ALL-CAPS kicker ("CABINET APPROVAL: ..."): a single truncated last paragraph is
    more likely the story itself cut short.
    """
    if len(paras) <= LEAD_PARAGRAPHS:
        return list(paras), []
    lead = set(content_terms(" ".join([title, *paras[:LEAD_PARAGRAPHS]])))
    start = len(paras)
    while start > LEAD_PARAGRAPHS and _teaser_like(paras[start - 1], lead):
        start -= 1
    run = paras[start:]
    if not run or (len(run) < 2 and not any(kicker(p) for p in run)):
        return list(paras), []
    return list(paras[:start]), list(run)


def _teaser_like(paragraph: str, lead: set[str]) -> bool:
    long_enough = len(paragraph.split()) >= TEASER_MIN_WORDS
    return (
        long_enough and ends_mid_sentence(paragraph) and lead_overlap(paragraph, lead) <= TEASER_MAX_OVERLAP
    )


def ends_mid_sentence(paragraph: str) -> bool:
    """True when the paragraph stops inside a sentence ("... the military announced that").

    The unfinished tail must read like prose: at least three words ending in a letter, without
    the colon, dash, handle or link of a signature, credit, price or embedded post.
    """
    if _TERMINAL.search(paragraph):
        return False
    tail = (sentences(paragraph) or [""])[-1]
    return (
        len(tail.split()) >= 3
        and tail[-1:].isalpha()
        and not any(mark in tail for mark in (":", "—", "–", "@", "http", "|"))
    )


def teaser_title(paragraph: str, max_words: int = 12) -> str:
    """A title for a teaser: its kicker and first words, or its first words."""
    label = kicker(paragraph)
    rest = _KICKER.sub("", paragraph, count=1) if label else paragraph
    first = (sentences(rest) or [""])[0]
    words = first.split()
    short = " ".join(words[:max_words]) + ("…" if len(words) > max_words else "")
    return f"{label}: {short}" if label else short


# --- articles -----------------------------------------------------------------------------------


def doc_id_for(key: str) -> str:
    """The stable document id of an article: the first 16 hex digits of sha1(key)."""
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


def content_hash(article: Article) -> str:
    """sha256 over the title, text and metadata: changes when any of them changes."""
    parts = (article.title, article.text, article.outlet, article.published, article.url, article.author)
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()


def _with_hash(article: Article) -> Article:
    return dataclasses.replace(article, content_hash=content_hash(article))


def clean_article(raw: RawArticle) -> list[Article]:
    """The cleaned article, followed by one segment per unrelated trailing teaser.

    Segments share the article's ``key`` and ``source`` (they come from the same file) and have
    ``doc_id`` ``<parent>-t<n>``. Returns ``[]`` when nothing of substance is left.
    """
    title = " ".join(strip_controls(raw.title).split())
    kept = remove_chrome(title, paragraphs(strip_controls(raw.text)))
    main, teasers = split_teasers(title, kept)
    if not main:
        log.info("%s: no article text left after cleaning", raw.source)
        return []
    parent = doc_id_for(raw.key)
    articles = [
        Article(
            doc_id=parent,
            key=raw.key,
            source=raw.source,
            title=title,
            text="\n\n".join(main),
            outlet=raw.outlet,
            published=raw.published,
            url=raw.url,
            author=raw.author,
        )
    ]
    for n, teaser in enumerate(teasers, start=1):
        articles.append(
            Article(
                doc_id=f"{parent}-t{n}",
                key=raw.key,
                source=raw.source,
                title=teaser_title(teaser),
                text=teaser,
                outlet=raw.outlet,
                published=raw.published,
                url=raw.url,
                part_of=parent,
                is_teaser=True,
            )
        )
    if teasers:
        log.info("%s: split off %d trailing teaser(s)", raw.source, len(teasers))
    return [_with_hash(a) for a in articles]
