"""Web pages (``.html``/``.htm``): the article's text without the page around it (menus, share
buttons, related links, footers, scripts) and its title, outlet, date, address and author, read
by trafilatura from the markup given; nothing is fetched. A page too large for trafilatura to read
in a few seconds is read whole, less scripts, menus, headers, footers and forms."""

from __future__ import annotations

import html
import logging
import re

import trafilatura
from lxml import etree
from lxml.html import HtmlElement
from trafilatura.settings import Document, use_config

from index.reading.dates import normalize_date
from index.reading.headlines import titled_article
from index.types import RawArticle

log = logging.getLogger(__name__)

# trafilatura and htmldate log a page they cannot read at ERROR, without naming the file; the
# loader reports each such file itself, as skipped with its reason.
for _name in ("trafilatura", "htmldate"):
    logging.getLogger(_name).setLevel(logging.CRITICAL)

# Measured on trafilatura's own real-world evaluation set (990 pages with strings each must and
# must not keep, tests/evaldata.json of its repository): precision 0.906, recall 0.940, F1 0.923,
# 55 ms a page; the HTMLParser reader this replaced: 0.627, 0.970, 0.761, 8 ms (it kept menus,
# banners and link lists that are not in <nav>, <header>, <aside> or <footer>).
# trafilatura replaces what it extracted by the whole page's text (menus and all) when that is
# shorter than MIN_EXTRACTED_SIZE (250 characters by default); a short article is an article, and
# on the same set the lower floor changes F1 by 0.001.
_CONFIG = use_config()
_CONFIG.set("DEFAULT", "MIN_EXTRACTED_SIZE", "20")
# The date and the author come from the page's own <meta> tags, as written, when it has them.
# trafilatura's date (htmldate's) prefers a date in the page's address to the one in its metadata
# and, finding none, takes one that looks like a date from the text ("2005-01-13" for one of 203
# generated pages without any); its author rewrites the tag ("Antonio G. Di Benedetto" ->
# "Antonio G Di Benedetto", "x@futurenet.com (Sascha Pare)" -> "Sascha Pare Com"), so its
# byline reading ("By Jane Doe") only fills in an author the tags do not give.
_DATE_META = ("article:published_time", "date", "pubdate")
_AUTHOR_META = ("author", "article:author")


# trafilatura's time grows with a page's elements, ~0.1 CPU ms each: one <p> each, 20,000 take
# 1.7 s, 32,000 3.8 s, 64,000 10 s and 100,000 (4.2 MB) 21 s (benchmarks/bench_pages.py); text
# does not weigh much (4.2 MB in 1 to 200 <p>: 1.6-1.8 s). The 1,032 real pages of trafilatura's
# evaluation set have at most 10,106 elements (p99 2,846), read in 0.54 s at most. A page of more
# than MAX_EXTRACTED_ELEMENTS is read by skim_page instead: 0.16 s for the 100,000, its whole
# visible text as the hand-written reader took it (0.55 s), menus in plain <div>s included.
MAX_EXTRACTED_ELEMENTS = 20_000

# libxml2 and htmldate take time that grows with the square (or more) of one tag's attribute
# count: 10,000 attributes ~1 CPU s, 20,000 ~4 s, so a hostile 5 MB page (500,000) could hold the
# loader for most of an hour, by extrapolation. No real page's tag comes near; the HTMLParser
# reader this replaced read 20,000 in 0.05 s. Only long tags are counted.
MAX_ATTRIBUTES = 5000
_LONG_TAG = re.compile(r"<[^<>]{20000,}>")


def unreadable_reason(markup: str) -> str:
    """Why ``markup`` is not read as a web page (one tag with thousands of attributes), or ""."""
    for tag in _LONG_TAG.finditer(markup):
        if tag.group().count("=") > MAX_ATTRIBUTES:
            return f"not a web page (a tag with over {MAX_ATTRIBUTES} attributes)"
    return ""


def parse_html(key: str, name: str, markup: str) -> RawArticle:
    """The article in a web page: one paragraph per block, without scripts and page chrome (check
    :func:`unreadable_reason` first). A page of over :data:`MAX_EXTRACTED_ELEMENTS` elements is
    read by :func:`skim_page` instead of trafilatura."""
    tree = load_page(markup)
    if tree is None:  # markup lxml cannot read
        return RawArticle(key=key, source=name, text="")
    if (elements := sum(1 for _ in tree.iter())) > MAX_EXTRACTED_ELEMENTS:
        log.info("%s: %d elements, read without trafilatura (its whole visible text)", name or "page", elements)
        return skim_page(key, name, tree)
    return extract_page(key, name, tree)


def load_page(markup: str) -> HtmlElement | None:
    """The page's tree, or None when lxml cannot read it."""
    if "<html" not in markup[:1024].lower():
        markup = f"<html>{markup}</html>"  # trafilatura takes a bare fragment for not HTML at all
    return trafilatura.load_html(markup)


def extract_page(key: str, name: str, tree: HtmlElement) -> RawArticle:
    """The article as trafilatura finds it in the page (its text, title, outlet and address)."""
    published, author, own_title = _meta(tree, _DATE_META), _meta(tree, _AUTHOR_META), _own_title(tree)
    # Reader comments are extracted apart (and left out), so they are not taken for the article.
    found = trafilatura.bare_extraction(tree, config=_CONFIG, with_metadata=True, include_comments=True)
    if not isinstance(found, Document):  # no text at all
        return RawArticle(key=key, source=name, text="")
    paragraphs = (" ".join(line.split()) for line in (found.text or "").split("\n"))
    return titled_article(
        key,
        name,
        "\n\n".join(p for p in paragraphs if p),
        _whole_title(" ".join((found.title or "").split()), own_title, (found.sitename, found.hostname)),
        outlet=found.sitename or "",
        published=normalize_date(published),
        url=found.url or "",
        author=author or (found.author or "").replace("; ", ", "),  # several: "A, B" as in JSON records
    )


def skim_page(key: str, name: str, tree: HtmlElement) -> RawArticle:
    """The page's whole visible text, one paragraph per block element, without scripts, menus,
    headers, footers and forms (the hand-written reader's way, linear in the page's size), and the
    metadata its tags give. Changes ``tree``."""
    published, author, title = _meta(tree, _DATE_META), _meta(tree, _AUTHOR_META), _own_title(tree)
    outlet, url = _meta(tree, ("og:site_name",)), _canonical_url(tree)
    etree.strip_elements(tree, etree.Comment, *_SKIPPED_TAGS, with_tail=False)
    for element in tree.iter(*_BLOCK_TAGS):
        element.text = "\n" + (element.text or "")
        element.tail = "\n" + (element.tail or "")
    lines = (" ".join(line.split()) for line in tree.text_content().split("\n"))
    text = "\n\n".join(line for line in lines if line)
    return titled_article(
        key, name, text, title, outlet=outlet, published=normalize_date(published), url=url, author=author
    )


def html_to_text(markup: str) -> RawArticle:
    """The article in a web page, as :func:`parse_html` reads it, without a key or source."""
    return parse_html("", "", markup)


def _meta(tree: HtmlElement, names: tuple[str, ...]) -> str:
    """The content of the page's first ``<meta>`` tag with one of ``names``, as written."""
    for meta in tree.iter("meta"):
        name = (meta.get("property") or meta.get("name") or "").lower()
        content = (meta.get("content") or "").strip()
        if name in names and content:
            return content
    return ""


_SKIPPED_TAGS = (
    "script style nav header footer aside form noscript template title svg iframe button select head".split()
)
_BLOCK_TAGS = (
    "p div br li ul ol h1 h2 h3 h4 h5 h6 section article main blockquote pre figure figcaption table tr dd dt hr "
    "body".split()
)


def _own_title(tree: HtmlElement) -> str:
    """The title the page gives itself: its ``og:title``, else its first ``<h1>``, else its
    ``<title>``, entities read as trafilatura reads them."""
    h1, title = tree.find(".//h1"), tree.find(".//head//title")
    for text in (
        _meta(tree, ("og:title",)),
        h1.text_content() if h1 is not None else "",
        title.text_content() if title is not None else "",
    ):
        if text := " ".join(html.unescape(text).split()):
            return text
    return ""


# trafilatura cuts a <title> at its last dash or bar (trafilatura.metadata.HTMLTITLE_REGEX) and
# keeps one part, taking the other for the site's name ("Harbour reopens | Coast News"). A
# headline that goes on after a dash is put back whole: when the part cut off continues in lower
# case ("Tires are saving us — and killing us, too", "Rents stay firm - for now") or is longer than
# a site's name (over four words), and holds neither the site's name nor its address's. On the 990
# real pages of trafilatura's evaluation set this puts 3 titles back whole, none with a site's
# name, where putting back every cut title gave 18, 12 ending in the site's name ("Magic Cleaning
# | sheego ♥ Magazin"); on the 609 generated pages, 13 of the 15 cut titles, the other two
# ("… | Barney Ronay", "… - NCAAF 2023 Bowl Season") reading as a site's name would.
_SEPARATOR = r"\s+[–•·—|⁄*⋆~‹«<›»>:-]\s+"
_SITE_NAME_MAX_WORDS = 4


def _whole_title(title: str, own: str, site_names: tuple[str | None, ...]) -> str:
    """trafilatura's ``title``, or the page's ``own`` title when trafilatura cut it at a dash or a
    bar and the part cut off goes on with the headline rather than naming the site."""
    for pattern in (re.escape(title) + _SEPARATOR + "(.+)", "(.+)" + _SEPARATOR + re.escape(title)):
        if title and (cut := re.fullmatch(pattern, own)):
            rest = cut.group(1)
            goes_on = next((c for c in rest if c.isalpha()), "").islower()
            if (goes_on or len(rest.split()) > _SITE_NAME_MAX_WORDS) and not _names_site(rest, site_names):
                return own
            return title
    return title


def _names_site(part: str, site_names: tuple[str | None, ...]) -> bool:
    """Whether ``part`` of a title holds the site's name or a name of its address ("sheego ♥
    Magazin" on sheego.de), letters and digits compared."""
    folded = _letters(part)
    for name in filter(None, site_names):
        labels = name.lower().removeprefix("www.").split(".")
        names = labels[:-1] if len(labels) > 1 and " " not in name else [name]  # an address: less its top level
        if any(len(word) >= 4 and word in folded for word in map(_letters, names)):
            return True
    return False


def _letters(text: str) -> str:
    return "".join(c for c in text.casefold() if c.isalnum())


def _canonical_url(tree: HtmlElement) -> str:
    """The page's own address, as written: its canonical link, else its ``og:url``."""
    for link in tree.iter("link"):
        if (link.get("rel") or "").lower() == "canonical" and (href := (link.get("href") or "").strip()):
            return href
    return _meta(tree, ("og:url",))
