"""The `newsdesk` command line's arguments: its sub-commands, their options and the examples their
``--help`` shows. The options every command shares (``--data-dir``, ``--config``, ``-v``,
``--debug``) are accepted before the sub-command and after it."""

from __future__ import annotations

import argparse
from pathlib import Path

from assistant.evaluation import add_eval_arguments

BACKENDS = ["local", "openai", "extractive"]
EXAMPLES = {
    "ingest": """\
examples:
  newsdesk ingest seeds/
  newsdesk ingest seeds/ more-articles/ corpus.json --data-dir /srv/newsdesk
  newsdesk --data-dir /srv/newsdesk ingest seeds/ --prune --json""",
    "ask": """\
examples:
  newsdesk ask "What did Blinken raise about Russia?"
  newsdesk ask "How old is Blinken?" --json --backend extractive
  newsdesk ask "Who did Blinken meet on Monday?" --data-dir /srv/newsdesk""",
    "chat": """\
examples:
  newsdesk chat
  newsdesk chat --backend openai --data-dir /srv/newsdesk""",
    "serve": """\
examples:
  newsdesk serve
  newsdesk serve --port 8080 --auth alice:s3cret --data-dir /srv/newsdesk
  newsdesk serve --host 0.0.0.0 --backend local""",
    "eval": """\
examples:
  newsdesk eval tests/gold/seeds.jsonl           # the seeds gold set
  newsdesk eval tests/gold/seeds.jsonl --compare --out eval-out/
  newsdesk eval queries_dev.json --format multihop-rag --retrieval-only --limit 200""",
    "check": """\
examples:
  newsdesk check                                  # report only
  newsdesk check --repair --data-dir /srv/newsdesk""",
    "model": """\
examples:
  newsdesk model --prepare
  newsdesk model --prepare --data-dir /srv/newsdesk -v""",
}
MAIN_EXAMPLES = """\
examples:
  newsdesk ingest seeds/ --data-dir /srv/newsdesk   # shared options go before or after the command
  newsdesk --data-dir /srv/newsdesk ask "What did Blinken raise about Russia?"
  newsdesk <command> --help                          # each command's options and examples"""


def _shared_options() -> argparse.ArgumentParser:
    """Options of every command. SUPPRESS keeps an option given before the sub-command from being
    reset by the sub-command's default; :func:`main` supplies the defaults."""
    shared = argparse.ArgumentParser(add_help=False)
    group = shared.add_argument_group("shared options (before or after the command)")
    group.add_argument("--data-dir", type=Path, default=argparse.SUPPRESS,
                       help="where the index and models live (default ./data)")
    group.add_argument("--config", type=Path, default=argparse.SUPPRESS, help="a newsdesk.toml file")
    group.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS, help="log progress details")
    group.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help="show tracebacks")
    return shared


def build_parser() -> argparse.ArgumentParser:
    shared = _shared_options()
    parser = argparse.ArgumentParser(
        prog="newsdesk", description="Cited question answering over news articles.", parents=[shared],
        epilog=MAIN_EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True)

    def command(name: str, help_: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=help_, description=help_, parents=[shared], epilog=EXAMPLES[name],
                              formatter_class=argparse.RawDescriptionHelpFormatter)

    p = command("ingest", "add articles (files or folders) to the index")
    p.add_argument("paths", nargs="+", type=Path)
    p.add_argument("--prune", action="store_true", help="remove articles whose files are gone")
    p.add_argument("--json", action="store_true", help="print the report as JSON")

    p = command("ask", "answer one question")
    p.add_argument("question")
    p.add_argument("--json", action="store_true", help="print the Answer as JSON")
    p.add_argument("--backend", choices=BACKENDS)

    p = command("chat", "chat in the terminal")
    p.add_argument("--backend", choices=BACKENDS)

    p = command("serve", "open the web chat")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=7860)
    p.add_argument("--auth", help="USER:PASSWORD required to open the page")
    p.add_argument("--backend", choices=BACKENDS)

    add_eval_arguments(command("eval", "evaluate against a gold set or MultiHop-RAG"))

    p = command("check", "find (and with --repair fix) chunks without vectors and vectors without articles")
    p.add_argument("--repair", action="store_true", help="re-embed missing vectors, delete orphans")

    p = command("model", "manage the local model file")
    p.add_argument("--prepare", action="store_true", help="assemble and verify the GGUF file")
    return parser
