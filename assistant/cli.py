"""`newsdesk` command line: ingest, ask, chat, serve, eval, model.

The one place (with the web UI) where errors become user messages: one line on stderr and a
non-zero exit, never a traceback (``--debug`` shows it).
"""

from __future__ import annotations

import argparse
import importlib
import json
import logging
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from index.config import Config
from index.errors import NewsdeskError

log = logging.getLogger("newsdesk")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="newsdesk", description="Cited question answering over news articles.")
    parser.add_argument("--data-dir", type=Path, help="where the index and models live (default ./data)")
    parser.add_argument("--config", type=Path, help="a newsdesk.toml file")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress details")
    parser.add_argument("--debug", action="store_true", help="show tracebacks")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("ingest", help="add articles (files or folders) to the index")
    p.add_argument("paths", nargs="+", type=Path)
    p.add_argument("--prune", action="store_true", help="remove articles whose files are gone")
    p.add_argument("--json", action="store_true", help="print the report as JSON")

    for name, help_ in (("ask", "answer one question"), ("chat", "chat in the terminal")):
        p = sub.add_parser(name, help=help_)
        if name == "ask":
            p.add_argument("question")
            p.add_argument("--json", action="store_true", help="print the Answer as JSON")
        p.add_argument("--backend", choices=["local", "openai", "extractive"])

    p = sub.add_parser("serve", help="open the web chat")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=7860)
    p.add_argument("--auth", help="USER:PASSWORD required to open the page")
    p.add_argument("--backend", choices=["local", "openai", "extractive"])

    p = sub.add_parser("eval", help="evaluate against a gold set or MultiHop-RAG")
    from assistant.evaluation import add_eval_arguments

    add_eval_arguments(p)

    p = sub.add_parser("model", help="manage the local model file")
    p.add_argument("--prepare", action="store_true", help="assemble and verify the GGUF file")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    try:
        config = Config.load(args.config, data_dir=args.data_dir, backend=getattr(args, "backend", None))
        return int(COMMANDS[args.command](args, config) or 0)
    except NewsdeskError as err:
        print(f"newsdesk: {err}", file=sys.stderr)
        return 1
    except (ValueError, OSError) as err:
        if args.debug:
            raise
        print(f"newsdesk: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("newsdesk: interrupted", file=sys.stderr)
        return 130
    except Exception as err:  # the edge: never a traceback unless asked
        if args.debug:
            raise
        print(f"newsdesk: unexpected {type(err).__name__}: {err} (rerun with --debug)", file=sys.stderr)
        return 2


def _ingest(args: argparse.Namespace, config: Config) -> int:
    from index.ingest import ingest

    report = ingest(args.paths, config, prune=args.prune, progress=None if sys.stderr.isatty() else False)
    if args.json:
        print(json.dumps(_report_dict(report), indent=2))
    else:
        print(
            f"added {len(report.added)}, updated {len(report.updated)}, unchanged {len(report.unchanged)}, "
            f"removed {len(report.removed)}, skipped {len(report.skipped)}, exact duplicates "
            f"{len(report.duplicates)}, duplicate clusters {len(report.clusters)}; "
            f"{report.chunks} chunks written ({report.total_chunks} in the index) in {report.seconds:.1f} s"
        )
        for skipped in report.skipped:
            print(f"  skipped {skipped.path}: {skipped.reason}")
        for dup in report.duplicates:
            print(f"  stored once: {dup}")
    if not report.ok:
        print("newsdesk: nothing could be ingested", file=sys.stderr)
        return 1
    return 0


def _report_dict(report: Any) -> dict[str, Any]:
    from dataclasses import asdict

    return asdict(report)


def _assistant(config: Config) -> Any:
    from assistant.core import Assistant

    return Assistant.from_config(config)


def _ask(args: argparse.Namespace, config: Config) -> int:
    bot = _assistant(config)
    if args.json:
        print(json.dumps(bot.ask(args.question).to_dict(), indent=2, ensure_ascii=False))
        return 0
    _print_streamed(bot, args.question, [])
    return 0


def _print_streamed(bot: Any, question: str, history: list[dict[str, str]]) -> Any:
    from assistant.types import Answer, TextDelta

    answer = None
    streamed = sys.stdout.isatty()
    for event in bot.stream(question, history):
        if isinstance(event, TextDelta) and streamed:
            print(event.text, end="", flush=True)
        elif isinstance(event, Answer):
            answer = event
    assert answer is not None
    if streamed:
        print("\r\033[K", end="")  # the verified answer replaces the raw stream below
    print(answer.text)
    if answer.citations:
        print()
        for c in answer.citations:
            where = ", ".join(x for x in (c.outlet, c.published) if x)
            also = f" (also reported by {', '.join(c.also_reported_by)})" if c.also_reported_by else ""
            print(f"[{c.number}] {c.title} — {c.source}{' · ' + where if where else ''}{also}")
            print(f"    “{c.quote}”")
    print(f"\n({bot.backend_label}; {answer.timings.get('total', 0):.1f} s)", file=sys.stderr)
    return answer


def _chat(args: argparse.Namespace, config: Config) -> int:
    bot = _assistant(config)
    print(f"newsdesk chat — {bot.backend_label}. Empty line or Ctrl-D to quit.")
    history: list[dict[str, str]] = []
    while True:
        try:
            question = input("\nyou> ").strip()
        except EOFError:
            print()
            return 0
        if not question:
            return 0
        try:
            answer = _print_streamed(bot, question, history)
        except NewsdeskError as err:
            print(f"newsdesk: {err}", file=sys.stderr)
            continue
        history += [{"role": "user", "content": question}, {"role": "assistant", "content": answer.text}]


def _serve(args: argparse.Namespace, config: Config) -> int:
    auth = None
    if args.auth:
        user, sep, password = args.auth.partition(":")
        if not sep or not user or not password:
            raise ValueError("--auth must be USER:PASSWORD")
        auth = (user, password)
    # The CLI is an edge like the web UI; it starts the UI without the rest of the code
    # depending on it (nothing else imports ui).
    app = importlib.import_module("ui.app")
    app.launch(config, host=args.host, port=args.port, auth=auth)
    return 0


def _eval(args: argparse.Namespace, config: Config) -> int:
    from assistant.evaluation import args_from_namespace, run_eval

    started = time.perf_counter()
    result = run_eval(args_from_namespace(args), config)
    print(getattr(result, "summary", "") or f"done in {time.perf_counter() - started:.0f} s")
    return 0


def _model(args: argparse.Namespace, config: Config) -> int:
    from assistant.generators.local import ensure_local_model

    path = ensure_local_model(config.models_path)
    print(f"local model ready: {path}")
    return 0


COMMANDS = {
    "ingest": _ingest,
    "ask": _ask,
    "chat": _chat,
    "serve": _serve,
    "eval": _eval,
    "model": _model,
}

os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
