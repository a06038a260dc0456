"""The import graph: ui -> assistant -> index, never back; the UIs use the assistant's public API.

Every module's imports are read from its syntax tree: ``import`` and ``from`` statements (also
inside functions) and calls of ``importlib.import_module`` / ``__import__`` with a string, so a
dynamic import cannot hide an arrow.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import ROOT

LAYERS = {"index": 0, "assistant": 1, "ui": 2}  # a module may import its own layer and lower ones
# What ui/ may import from the assistant: its package exports, and evaluation for `newsdesk eval`.
PUBLIC_API = {"assistant", "assistant.evaluation"}
# `newsdesk model --prepare` assembles the model file without loading it; the assistant does not
# export that step yet.
API_EXCEPTIONS = {("ui.cli", "assistant.generators.local")}
FORBIDDEN_IN_UI = {"chromadb", "openai", "llama_index", "llama_cpp", "index"}
DYNAMIC = {"import_module", "__import__"}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(source: str, module: str = "", is_package: bool = False) -> set[str]:
    """Every module that ``source`` (the module ``module``) imports, statically or by a string."""
    found: set[str] = set()
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")[: len(package.split(".")) - node.level + 1] if node.level else []
            found.add(".".join([*base, *([node.module] if node.module else [])]))
        elif isinstance(node, ast.Call) and _called_name(node.func) in DYNAMIC and node.args:
            first = node.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                found.add(first.value)
    return found


def _called_name(func: ast.expr) -> str:
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else ""


def project_imports() -> dict[str, set[str]]:
    graph = {}
    for top in LAYERS:
        for path in sorted((ROOT / top).rglob("*.py")):
            name = module_name(path)
            graph[name] = imported_modules(path.read_text(encoding="utf-8"), name, path.name == "__init__.py")
    return graph


def test_the_reader_sees_static_relative_and_dynamic_imports() -> None:
    source = """
import os, json as j
from assistant import Config
from . import store
from .types import Chunk
def later():
    import importlib
    from importlib import import_module
    importlib.import_module("ui.app")
    import_module("ui.render")
    __import__("ui.session")
"""
    assert imported_modules(source, "index.ingest") == {
        "os", "json", "assistant", "index", "index.types", "importlib", "ui.app", "ui.render", "ui.session",
    }  # fmt: skip
    assert imported_modules("from .core import X", "assistant", is_package=True) == {"assistant.core"}


def test_imports_go_ui_to_assistant_to_index_never_back() -> None:
    graph = project_imports()
    assert {"ui.cli", "ui.app", "assistant.core", "index.ingest"} <= set(graph)
    wrong = [
        f"{module} imports {target}"
        for module, targets in graph.items()
        for target in targets
        if LAYERS.get(target.split(".")[0], -1) > LAYERS[module.split(".")[0]]
    ]
    assert not wrong, "imports against the layering (ui -> assistant -> index):\n" + "\n".join(sorted(wrong))


@pytest.mark.parametrize("module", sorted(m for m in project_imports() if m.startswith("ui")))
def test_ui_uses_only_the_public_assistant_api(module: str) -> None:
    for target in project_imports()[module]:
        assert target.split(".")[0] not in FORBIDDEN_IN_UI, f"{module} imports {target}"
        if target.startswith("assistant"):
            assert target in PUBLIC_API or (module, target) in API_EXCEPTIONS, f"{module} imports {target}"
