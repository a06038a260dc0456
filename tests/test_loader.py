"""The loader on the real seeds, on corpus-style JSON, and on one small bad file per failure case."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

from index.loader import MAX_FILE_BYTES, load_articles, normalize_date, split_headline
from index.types import RawArticle

ROOT = Path(__file__).parents[1]
SEEDS = ROOT / "seeds"
CORPUS = ROOT.parent / "shared" / "data" / "multihop-rag" / "corpus.json"
NEWS = ROOT / "tests" / "gold" / "news_corpus.json"


def _by_prefix(articles: list[RawArticle]) -> dict[str, RawArticle]:
    return {a.source[:3]: a for a in articles}


def test_seeds_load_with_titles_keys_and_sources() -> None:
    articles, skipped = load_articles([SEEDS])
    assert skipped == []
    assert [a.source for a in articles] == sorted(p.name for p in SEEDS.glob("*.txt"))
    seeds = _by_prefix(articles)
    assert seeds["000"].title == "US steps up diplomatic efforts with China on Taiwan and Russia"
    assert seeds["002"].title.startswith("Blinken Meets Wang Yi, Warns Chinese Support to Russia")
    assert seeds["004"].title == "Blinken Calls For Managing China Tensions In New Top-Level Talks"
    # 001 opens with page chrome: the headline is the first real line
    assert seeds["001"].title.startswith("Blinken Reaffirms US Stance on Taiwan")
    for article in articles:
        assert article.key == str((SEEDS / article.source).resolve())
        assert article.outlet == "" and article.published == ""
    for prefix in ("000", "001", "002"):  # a headline line is taken out of the body
        assert seeds[prefix].title not in seeds[prefix].text
    # 004 repeats its headline as the first body line: the loader leaves it, the cleaner drops it
    assert seeds["004"].text.startswith(seeds["004"].title)


def test_long_first_sentence_stays_in_body_and_titles_shortened() -> None:
    seeds = _by_prefix(load_articles([SEEDS / "003_92f85167714ac0af.txt"])[0])
    first = "Washington’s top diplomat on Monday stressed the importance of stability in the Taiwan Strait"
    assert seeds["003"].text.startswith(first)
    assert seeds["003"].title.endswith("…")
    assert first.startswith(seeds["003"].title.rstrip("…"))
    assert len(seeds["003"].title.split()) <= 12


def test_split_headline_rules() -> None:
    assert split_headline("Short headline\n\nBody text here.") == ("Short headline", "Body text here.")
    assert split_headline("One line only.") == ("One line only.", "One line only.")
    assert split_headline("top of page\n\nThe Headline\n\nBody.")[0] == "The Headline"


def test_corpus_style_json_records(tmp_path: Path) -> None:
    records = [
        {
            "title": "A title",
            "author": None,
            "source": "Example News",
            "published_at": "2023-11-27 08:45:59.000000000Z",
            "category": "tech",
            "url": "https://example.com/a",
            "body": "First paragraph.\n\nSecond paragraph.",
        },
        {"title": "No body", "source": "Example News"},
        {"text": "Headline From Text\n\nThe body of the second article.", "author": ["A", "B"]},
    ]
    path = tmp_path / "records.json"
    path.write_text(json.dumps(records), encoding="utf-8")
    articles, skipped = load_articles([path])
    assert [a.source for a in articles] == ["records.json#0", "records.json#2"]
    first, second = articles
    assert first.key == f"{path.resolve()}#0"
    assert (first.title, first.outlet, first.published, first.url, first.author) == (
        "A title",
        "Example News",
        "2023-11-27",
        "https://example.com/a",
        "",
    )
    assert first.text == "First paragraph.\n\nSecond paragraph."
    assert second.title == "Headline From Text" and second.author == "A, B"
    assert skipped == [type(skipped[0])(f"{path}#1", "record has no body/text")]


def test_single_json_record(tmp_path: Path) -> None:
    path = tmp_path / "one.json"
    path.write_text(json.dumps({"title": "T", "body": "Body."}), encoding="utf-8")
    articles, skipped = load_articles([path])
    assert skipped == [] and [(a.title, a.text, a.source) for a in articles] == [("T", "Body.", "one.json#0")]


def test_jsonl_keeps_good_lines_and_reports_bad_ones(tmp_path: Path) -> None:
    path = tmp_path / "feed.jsonl"
    path.write_text(
        '{"title": "One", "body": "Body one."}\n\nnot json\n{"title": "Two", "text": "Body two."}\n',
        encoding="utf-8",
    )
    articles, skipped = load_articles([path])
    assert [(a.title, a.source) for a in articles] == [("One", "feed.jsonl#0"), ("Two", "feed.jsonl#2")]
    assert len(skipped) == 1 and skipped[0].path == f"{path}#1"
    assert "unparsable JSON" in skipped[0].reason


def test_html_drops_scripts_and_page_chrome(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text(
        "<html><head><title>Page | Site</title><meta property='og:site_name' content='The Site'>"
        "<meta property='article:published_time' content='2024-03-05T10:00:00Z'>"
        "<script>var secret = 'do not index';</script><style>p {color: red}</style></head>"
        "<body><nav>Home News Sport</nav><header><h1>Real Headline</h1></header>"
        "<article><p>First paragraph &amp; more.</p><p>Second <b>bold</b> paragraph.</p>"
        "<aside>Related: other story</aside><form>Subscribe</form></article>"
        "<footer>Contact us</footer></body></html>",
        encoding="utf-8",
    )
    [article], skipped = load_articles([path])
    assert skipped == []
    assert article.title == "Real Headline"
    assert article.text == "First paragraph & more.\n\nSecond bold paragraph."
    assert (article.outlet, article.published) == ("The Site", "2024-03-05")


def test_html_title_from_title_tag_without_h1(tmp_path: Path) -> None:
    path = tmp_path / "plain.htm"
    path.write_text("<title>Only Title</title><p>Text one.</p><div>Text two.</div>", encoding="utf-8")
    [article], _ = load_articles([path])
    assert article.title == "Only Title" and article.text == "Text one.\n\nText two."


_STORY = " ".join(
    f"The harbour authority said on Monday that berth {n} would reopen after repairs to the storm wall."
    for n in range(6)
)
NEWS_PAGE = f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>Harbour reopens after storm | Coast News</title><meta property="og:site_name" content="Coast News">
{{date}}<link rel="canonical" href="https://coast.example/2024/03/04/harbour-reopens?utm_source=rss"></head><body>
<div class="cookie-banner">We use cookies to improve your experience. Accept all cookies</div>
<div class="top-menu"><ul><li><a href="/">Home</a></li><li><a href="/news">News</a></li></ul></div>
<div class="main"><h1>Harbour reopens after storm</h1><p class="byline">By Jane Doe</p>
<div class="share"><a href="#">Share on Facebook</a> <a href="#">Share on X</a></div>
<p>{_STORY}</p><p>Ships queued at dawn, the first since the storm closed the port on 13 January 2005.</p>
<div class="related"><h3>Related stories</h3><ul><li><a href="/a">Storm damage bill tops one million</a></li>
<li><a href="/b">Fishing fleet stays in port</a></li></ul></div></div>
<div class="footer">Copyright 2024 Coast News. Terms. Privacy.</div></body></html>"""


def test_html_boilerplate_in_plain_divs_is_dropped(tmp_path: Path) -> None:
    """Menus, banners, share buttons and related links marked only by their place in the page."""
    path = tmp_path / "page.html"
    path.write_text(NEWS_PAGE.format(date='<meta name="date" content="2024-03-05">'), encoding="utf-8")
    [article], _ = load_articles([path])
    assert article.title == "Harbour reopens after storm"
    assert _STORY in article.text and "Ships queued at dawn" in article.text
    for chrome in ("cookies", "Home", "Share on", "Related stories", "Storm damage bill", "Copyright"):
        assert chrome not in article.text
    assert (article.outlet, article.published, article.author) == ("Coast News", "2024-03-05", "Jane Doe")
    assert article.url == "https://coast.example/2024/03/04/harbour-reopens"


def test_html_date_only_from_the_page_metadata(tmp_path: Path) -> None:
    """Not from the address (2024/03/04) nor from a date in the text (13 January 2005)."""
    path = tmp_path / "page.html"
    path.write_text(NEWS_PAGE.format(date=""), encoding="utf-8")
    [article], _ = load_articles([path])
    assert article.published == ""


def test_html_extraction_fetches_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the HTML reader opened a network connection")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    path = tmp_path / "page.html"
    path.write_text(NEWS_PAGE.format(date=""), encoding="utf-8")
    [article], skipped = load_articles([path])
    assert skipped == [] and _STORY in article.text


def test_html_fragment_without_a_page(tmp_path: Path) -> None:
    path = tmp_path / "fragment.html"
    path.write_text("<p>Harbour reopens</p><p>Ships queued at dawn to enter the port.</p>", encoding="utf-8")
    [article], _ = load_articles([path])
    assert (article.title, article.text) == ("Harbour reopens", "Ships queued at dawn to enter the port.")


def test_markdown_front_matter(tmp_path: Path) -> None:
    path = tmp_path / "note.md"
    path.write_text(
        '---\ntitle: "Front Matter Title"\noutlet: Wire\ndate: March 5, 2024\n'
        "url: https://example.com/a\nauthor: Jane Doe\n---\n\n"
        "Some **bold** text with a [link](https://x.y).\n",
        encoding="utf-8",
    )
    [article], _ = load_articles([path])
    assert (article.title, article.outlet, article.published, article.url, article.author) == (
        "Front Matter Title",
        "Wire",
        "2024-03-05",
        "https://example.com/a",
        "Jane Doe",
    )
    assert article.text == "Some bold text with a link."


@pytest.mark.parametrize(
    ("front", "expected"),
    [
        # YAML: escapes, lists and dates read as YAML, keys in any case
        ('---\nTitle: "Caf\\u00e9 owners: a \\"strike\\""\nauthor: [Ann Lee, Bo Chan]\ndate: 2024-03-05\n---\n',
         ('Café owners: a "strike"', "Ann Lee, Bo Chan", "2024-03-05")),
        # not valid YAML (an unquoted colon in the title): read line by line, as typed
        ("---\ntitle: Diablo 4: the best builds\nauthor: Jo Park\ndate: March 5, 2024\n---\n",
         ("Diablo 4: the best builds", "Jo Park", "2024-03-05")),
        # TOML between +++ lines
        ('+++\ntitle = "Toml Title"\nauthor = "Jo Park"\ndate = 2024-03-05T10:00:00Z\n+++\n',
         ("Toml Title", "Jo Park", "2024-03-05")),
    ],
    ids=["yaml", "not-yaml", "toml"],
)
def test_front_matter_formats(tmp_path: Path, front: str, expected: tuple[str, str, str]) -> None:
    path = tmp_path / "story.md"
    path.write_text(front + "\nThe story.\n", encoding="utf-8")
    [article], skipped = load_articles([path])
    assert skipped == [] and article.text == "The story."
    assert (article.title, article.author, article.published) == expected


def test_markdown_starting_with_a_rule_keeps_its_text(tmp_path: Path) -> None:
    """An opening ``---`` without a closing one is a rule, not front matter (the cleaner drops it)."""
    path = tmp_path / "rule.md"
    path.write_text("---\n\nHarbour reopens\n\nShips queued at dawn.\n", encoding="utf-8")
    [article], skipped = load_articles([path])
    assert skipped == [] and article.title == "Harbour reopens"
    assert article.text.endswith("\nShips queued at dawn.")


def test_markdown_heading_is_the_title(tmp_path: Path) -> None:
    path = tmp_path / "story.md"
    path.write_text("# The Heading\n\nParagraph one.\n", encoding="utf-8")
    [article], _ = load_articles([path])
    assert (article.title, article.text) == ("The Heading", "Paragraph one.")


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("latin1.txt", "Caf\xe9 society\n\nBody.".encode("latin-1"), "not UTF-8 text"),
        ("empty.txt", b"  \n\t\n", "empty file"),
        ("image.txt", b"GIF89a\x00\x01\x02", "binary file (NUL bytes)"),
        ("broken.json", b'[{"title": "A"', "unparsable JSON"),
        ("list.json", b"[1, 2]", "record is not a JSON object"),
        ("notes.pdf", b"%PDF-1.4", "unsupported file type .pdf"),
    ],
)
def test_bad_files_are_skipped_with_a_reason(tmp_path: Path, name: str, content: bytes, reason: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    articles, skipped = load_articles([path])
    assert articles == []
    assert skipped and all(s.path.startswith(str(path)) for s in skipped)
    assert skipped[0].reason.startswith(reason)
    assert "\n" not in skipped[0].reason


def test_oversized_file_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    path.write_bytes(b"Headline\n\n" + b"word " * (MAX_FILE_BYTES // 5 + 1))
    articles, skipped = load_articles([path])
    assert articles == [] and skipped[0].reason.startswith("too large")


def test_missing_path_and_folder_walk(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / ".git").mkdir()
    (tmp_path / "b" / "two.txt").write_text("Two\n\nSecond story.", encoding="utf-8")
    (tmp_path / "a.txt").write_text("One\n\nFirst story.", encoding="utf-8")
    (tmp_path / ".git" / "config.txt").write_text("Hidden\n\nNot an article.", encoding="utf-8")
    (tmp_path / ".draft.txt").write_text("Hidden\n\nNot an article.", encoding="utf-8")
    (tmp_path / "b" / "photo.jpg").write_bytes(b"\xff\xd8")
    missing = tmp_path / "nope.txt"
    articles, skipped = load_articles([tmp_path, missing, tmp_path / "a.txt"])
    assert [a.title for a in articles] == ["One", "Two"]  # sorted walk, a.txt not loaded twice
    assert {(Path(s.path).name, s.reason) for s in skipped} == {
        ("photo.jpg", "unsupported file type .jpg"),
        ("nope.txt", "not found"),
    }


@pytest.mark.parametrize(
    ("raw", "iso"),
    [
        ("2023-11-27 08:45:59.000000000Z", "2023-11-27"),
        ("2023-11-27T08:45:59+00:00", "2023-11-27"),
        ("2023/1/5", "2023-01-05"),
        ("Mon, 27 Nov 2023 08:45:59 GMT", "2023-11-27"),
        ("November 27, 2023", "2023-11-27"),
        ("27 Nov 2023", "2023-11-27"),
        ("March 5th, 2024", "2024-03-05"),
        ("2023-02-30", ""),
        ("yesterday", ""),
        ("", ""),
        ("Tuesday, November 28, 2023", "2023-11-28"),
        ("Sept. 5, 2023", "2023-09-05"),
        ("05/03/2024", "2024-03-05"),  # day first unless the year is
        ("11/27/2023", "2023-11-27"),  # no 27th month: month first
        ("2024-03-05", "2024-03-05"),
        ("27.11.2023", "2023-11-27"),
        # never guessed: a bare number, or a date missing its year, month or day
        ("20230918", ""),
        ("1700000000", ""),
        ("2024", ""),
        ("12", ""),
        ("March 2024", ""),
        ("Nov 12", ""),
        ("10:30", ""),
    ],
)
def test_normalize_date(raw: str, iso: str) -> None:
    assert normalize_date(raw) == iso


def test_a_corpus_file_over_the_article_limit_loads_whole(tmp_path: Path) -> None:
    """A JSON collection larger than the 5 MB article limit (the MultiHop-RAG file is 6.4 MB) is
    a collection, not one article: the limit is per article. Built from the shipped news corpus."""
    records = json.loads(NEWS.read_text(encoding="utf-8"))
    copies = [dict(r, title=f"{r['title']} ({n})", url=f"{r.get('url', '')}#{n}")
              for n in range(1 + 5_500_000 // len(NEWS.read_bytes())) for r in records]
    path = tmp_path / "big.json"
    path.write_text(json.dumps(copies), encoding="utf-8")
    assert path.stat().st_size > 5_000_000
    articles, skipped = load_articles([path])
    assert skipped == [] and len(articles) == len(copies)
    assert all(a.published.count("-") == 2 and a.outlet and a.title for a in articles)


def test_multihop_corpus_loads_whole() -> None:
    if not CORPUS.is_file():
        pytest.skip("shared MultiHop-RAG corpus not present (the generated one above ran)")
    articles, skipped = load_articles([CORPUS])
    assert skipped == [] and len(articles) == 609
    assert all(a.published.count("-") == 2 and a.outlet and a.title for a in articles)
