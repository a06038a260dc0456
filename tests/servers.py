"""Servers that fault scenarios stop and start again on the same port: a real `chroma run` and the
fake OpenAI-compatible chat server of tests/fake_openai.py."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT, free_port, wait_for_port


class Server:
    """A server process that can be SIGKILLed and started again with the same command and port."""

    def __init__(self, command: list[str], port: int) -> None:
        self.command, self.port = command, port
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> Server:
        self.proc = subprocess.Popen(
            self.command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        try:
            wait_for_port(self.port, self.proc, timeout=240)  # a busy CI machine starts chroma slowly
        except BaseException:
            self.kill()  # never leave a half-started server behind
            raise
        return self

    def kill(self) -> None:
        """SIGKILL: no goodbye to open connections, like a crash or the OOM killer."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=30)
        self.proc = None

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.kill()


def chroma_server(path: Path) -> Server:
    exe = shutil.which("chroma", path=str(Path(sys.executable).parent)) or shutil.which("chroma")
    if exe is None:
        raise RuntimeError("the chroma command is not installed (it ships with chromadb)")
    port = free_port()
    return Server([exe, "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)], port)


def fake_openai_server() -> Server:
    port = free_port()
    return Server([sys.executable, str(ROOT / "tests" / "fake_openai.py"), str(port)], port)
