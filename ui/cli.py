"""`newsdesk` command line: ingest, ask, chat, serve, eval, model.

A user interface beside the web chat (``ui.app``): it talks to the ``assistant`` package's public
API (and ``assistant.evaluation`` for ``eval``). With the web UI it is the one place where errors
become user messages: one line on stderr and a non-zero exit, never a traceback (``--debug``
shows it).

The options every command shares (``--data-dir``, ``--config``, ``-v``, ``--debug``) are accepted
before the sub-command and after it: ``newsdesk --data-dir D ingest seeds`` and
``newsdesk ingest seeds --data-dir D`` are the same command (the arguments: :mod:`ui.cli_args`).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict

from assistant import (
    Answer,
    Assistant,
    BadQuestion,
    Config,
    NewsdeskError,
    SourcesFound,
    TextDelta,
    Turn,
    ensure_local_model,
)
from assistant.evaluation import args_from_namespace, run_eval
from ui.cli_args import build_parser

log = logging.getLogger("newsdesk")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

# Bytes of an argument or input line that are not UTF-8, as Python decodes them (surrogateescape).
_UNDECODED = re.compile("[\udc80-\udcff]")


def _tolerant_streams() -> None:
    """Paths and text that are not valid UTF-8 are printed escaped instead of ending the command,
    and a chat line that is not UTF-8 is read (then refused) instead of ending the chat."""
    for stream, errors in ((sys.stdout, "backslashreplace"), (sys.stderr, "backslashreplace"),
                           (sys.stdin, "surrogateescape")):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors=errors)


def _question_text(question: str) -> str:
    if _UNDECODED.search(question):
        raise BadQuestion(
            "the question is not valid UTF-8 text: set the terminal to UTF-8 (e.g. LANG=C.UTF-8) and ask again"
        )
    return question


def main(argv: Sequence[str] | None = None) -> int:
    _tolerant_streams()
    args = build_parser().parse_args(argv)
    debug = getattr(args, "debug", False)
    logging.basicConfig(
        level=logging.INFO if getattr(args, "verbose", False) else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    try:
        shared = {"data_dir": getattr(args, "data_dir", None), "backend": getattr(args, "backend", None)}
        config = Config.load(getattr(args, "config", None), **shared)
        return int(COMMANDS[args.command](args, config) or 0)
    except NewsdeskError as err:
        print(f"newsdesk: {err}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # `newsdesk ask ... | head`: the reader left, nothing to say
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except (ValueError, OSError) as err:
        if debug:
            raise
        print(f"newsdesk: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("newsdesk: interrupted", file=sys.stderr)
        return 130
    except Exception as err:  # the edge: never a traceback unless asked
        if debug:
            raise
        print(f"newsdesk: unexpected {type(err).__name__}: {err} (rerun with --debug)", file=sys.stderr)
        return 2


def _ingest(args: argparse.Namespace, config: Config) -> int:
    # Ingesting generates nothing: the extractive backend spares loading a model.
    bot = Assistant.from_config(config, backend="extractive")
    report = bot.ingest(args.paths, prune=args.prune, progress=None if sys.stderr.isatty() else False)
    if args.json:
        print(json.dumps(asdict(report), indent=2))
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


def _ask(args: argparse.Namespace, config: Config) -> int:
    question = _question_text(args.question)
    bot = Assistant.from_config(config)
    if args.json:
        print(json.dumps(bot.ask(question).to_dict(), indent=2, ensure_ascii=False))
        return 0
    _print_streamed(bot, question, [])
    return 0


_SHOWN_SOURCES = 3


def _print_streamed(bot: Assistant, question: str, history: list[Turn]) -> Answer:
    answer = None
    streamed = sys.stdout.isatty()
    written = False
    for event in bot.stream(question, history):
        if isinstance(event, SourcesFound) and streamed:
            if written:  # a second read: what was streamed from the first is not the answer
                print("\n(not backed by its sources; reading more)", file=sys.stderr, flush=True)
                written = False
            # At once, before the model reads: what it is about to read.
            stories = list(dict.fromkeys(f"{s.title} ({s.outlet})" if s.outlet else s.title for s in event.sources))
            print(f"reading {len(event.evidence)} sentences from {len(stories)} articles: "
                  + "; ".join(stories[:_SHOWN_SOURCES]) + (" …" if len(stories) > _SHOWN_SOURCES else ""),
                  file=sys.stderr, flush=True)
        elif isinstance(event, TextDelta) and streamed:
            print(event.text, end="", flush=True)
            written = True
        elif isinstance(event, Answer):
            answer = event
    assert answer is not None
    if streamed:
        print("\r\033[K", end="")  # the verified answer replaces the raw stream below
    print(answer.text)
    if answer.refusal is not None:
        print(f"(refused: {answer.refusal.code}{'; ' + answer.refusal.detail if answer.refusal.detail else ''})",
              file=sys.stderr)
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
    bot = Assistant.from_config(config)
    print(f"newsdesk chat — {bot.backend_label}. Empty line or Ctrl-D to quit.")
    history: list[Turn] = []
    while True:
        try:
            question = input("\nyou> ").strip()
        except EOFError:
            print()
            return 0
        if not question:
            return 0
        try:
            answer = _print_streamed(bot, _question_text(question), history)
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
    from ui.app import launch  # here, not at the top: Gradio takes seconds to import

    launch(config, host=args.host, port=args.port, auth=auth)
    return 0


def _eval(args: argparse.Namespace, config: Config) -> int:
    started = time.perf_counter()
    result = run_eval(args_from_namespace(args), config)
    print(getattr(result, "summary", "") or f"done in {time.perf_counter() - started:.0f} s")
    return 0


def _model(args: argparse.Namespace, config: Config) -> int:
    path = ensure_local_model(config.models_path)
    print(f"local model ready: {path}")
    return 0


def _check(args: argparse.Namespace, config: Config) -> int:
    report = Assistant.from_config(config, backend="extractive").check(repair=args.repair)
    print(report.summary())
    return 0 if report.ok or (report.consistent and not args.repair) else 1


COMMANDS: dict[str, Callable[[argparse.Namespace, Config], int]] = {
    "ingest": _ingest,
    "ask": _ask,
    "chat": _chat,
    "serve": _serve,
    "eval": _eval,
    "check": _check,
    "model": _model,
}

if __name__ == "__main__":
    raise SystemExit(main())
