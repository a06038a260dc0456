"""The import graph: ui -> assistant -> index, never back; the UIs use the assistant's public API;
inside assistant/: language -> records -> parts -> pipeline -> api -> evaluation, never back.

Every module's imports are read from its syntax tree: ``import`` and ``from`` statements (also
inside functions) and calls of ``importlib.import_module`` / ``__import__`` with a string, so a
dynamic import cannot hide an arrow.
"""

from __future__ import annotations

import ast
from collections.abc import Collection, Mapping
from pathlib import Path

import pytest

from tests.conftest import ROOT

LAYERS = {"index": 0, "assistant": 1, "ui": 2}  # a module may import its own layer and lower ones
# What ui/ may import from the assistant: its package exports, and evaluation for `newsdesk eval`.
PUBLIC_API = {"assistant", "assistant.evaluation"}
API_EXCEPTIONS: set[tuple[str, str]] = set()  # none: ui/ uses the public API only
FORBIDDEN_IN_UI = {"chromadb", "openai", "llama_index", "llama_cpp", "index"}
DYNAMIC = {"import_module", "__import__"}
# Inside assistant/, lowest first: a module may import its own layer and lower ones (and `index`).
ASSISTANT_LAYERS: tuple[tuple[str, frozenset[str]], ...] = (
    # word and name helpers: they know nothing of answers, generators or the pipeline
    ("language", frozenset({"assistant.language"})),
    # what the parts share: settings, errors, answer records, the answer policy, the prompt's wording
    ("records", frozenset({"assistant.config", "assistant.errors", "assistant.types", "assistant.policy",
                           "assistant.prompt"})),
    # the parts a pipeline is built from; none of them knows the pipeline
    ("parts", frozenset({"assistant.retrieval", "assistant.citations", "assistant.generators"})),
    ("pipeline", frozenset({"assistant.pipeline"})),  # the read path's stages and their wiring
    ("api", frozenset({"assistant", "assistant.core"})),  # the Assistant and the package's exports
    ("evaluation", frozenset({"assistant.evaluation"})),  # `newsdesk eval`, on the public API
)


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(
    source: str, module: str = "", is_package: bool = False, known: Collection[str] = (), *, nested: bool = False
) -> set[str]:
    """Every module that ``source`` (the module ``module``) imports, statically or by a string.

    ``from pkg import name`` imports ``pkg.name`` when that is one of the ``known`` modules (a
    submodule), else ``pkg``. With ``nested``, only the imports inside functions and classes.
    """
    found: set[str] = set()
    package = module if is_package else module.rpartition(".")[0]
    tree = ast.parse(source)
    top = {id(node) for node in tree.body}
    for node in ast.walk(tree):
        if nested and id(node) in top:
            continue
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")[: len(package.split(".")) - node.level + 1] if node.level else []
            name = ".".join([*base, *([node.module] if node.module else [])])
            found.update(f"{name}.{alias.name}" if f"{name}.{alias.name}" in known else name for alias in node.names)
        elif isinstance(node, ast.Call) and _called_name(node.func) in DYNAMIC and node.args:
            first = node.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                found.add(first.value)
    return found


def _called_name(func: ast.expr) -> str:
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else ""


def project_modules() -> dict[str, Path]:
    return {module_name(path): path for top in LAYERS for path in sorted((ROOT / top).rglob("*.py"))}


def facade(package: str) -> set[str]:
    """The names a package's ``__init__`` lists in ``__all__``."""
    tree = ast.parse((ROOT / package / "__init__.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets):
            return set(ast.literal_eval(node.value))
    return set()


def project_imports(*, nested: bool = False) -> dict[str, set[str]]:
    modules = project_modules()
    # `from index import ingest` is the function the facade exports, not the module of that name:
    # the package's __init__ binds the name to what it exports.
    known = set(modules) - {f"index.{name}" for name in facade("index")}
    return {
        name: imported_modules(path.read_text(encoding="utf-8"), name, path.name == "__init__.py", known,
                               nested=nested)
        for name, path in modules.items()
    }


def find_cycle(graph: Mapping[str, Collection[str]]) -> list[str]:
    """One cycle of ``graph`` (as the modules along it, the first repeated at the end), or []."""
    done: set[str] = set()

    def visit(node: str, path: list[str]) -> list[str]:
        if node in path:
            return [*path[path.index(node) :], node]
        if node in done or node not in graph:
            return []
        for target in sorted(graph[node]):
            if cycle := visit(target, [*path, node]):
                return cycle
        done.add(node)
        return []

    for start in sorted(graph):
        if cycle := visit(start, []):
            return cycle
    return []


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
    # A submodule named in a from-import is the module imported (not only its package).
    assert imported_modules("from . import store, X", "index.ingest", known={"index.store"}) == {"index.store", "index"}
    assert imported_modules(source, "index.ingest", nested=True) == {
        "importlib", "ui.app", "ui.render", "ui.session",
    }  # fmt: skip


def test_the_cycle_finder_sees_a_cycle_through_a_function_level_import() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) == []
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    runner = "import os\ndef run():\n    from assistant.evaluation.gold_eval import g\n"
    gold = "from assistant.evaluation.runner import EvalArgs\n"
    known = {"assistant.evaluation.runner", "assistant.evaluation.gold_eval"}
    graph = {
        "assistant.evaluation.runner": imported_modules(runner, "assistant.evaluation.runner", known=known),
        "assistant.evaluation.gold_eval": imported_modules(gold, "assistant.evaluation.gold_eval", known=known),
    }
    assert find_cycle(graph) == ["assistant.evaluation.gold_eval", "assistant.evaluation.runner",
                                 "assistant.evaluation.gold_eval"]  # fmt: skip


def assistant_layer(module: str) -> int | None:
    """The rank of ``module`` in :data:`ASSISTANT_LAYERS` (its package's), or None."""
    for rank, (_name, packages) in enumerate(ASSISTANT_LAYERS):
        if any(module == p or (p != "assistant" and module.startswith(p + ".")) for p in packages):
            return rank
    return None


def layering_violations(graph: Mapping[str, Collection[str]]) -> list[str]:
    """Imports inside assistant/ from a lower layer to a higher one, and modules in no layer."""
    wrong = []
    for module, targets in graph.items():
        if module.split(".")[0] != "assistant":
            continue
        rank = assistant_layer(module)
        if rank is None:
            wrong.append(f"{module} is in no layer: place it in ASSISTANT_LAYERS' packages")
            continue
        for target in targets:
            target_rank = assistant_layer(target)
            if target_rank is not None and target_rank > rank:
                wrong.append(f"{module} ({ASSISTANT_LAYERS[rank][0]}) imports {target} "
                             f"({ASSISTANT_LAYERS[target_rank][0]})")
    return sorted(wrong)


def test_the_layering_check_sees_an_upward_import_and_an_unplaced_module() -> None:
    graph = {
        "assistant.language.lexicon": {"index", "assistant.language.countries"},
        "assistant.generators.local": {"assistant.prompt", "assistant.citations"},
        "assistant.pipeline.read_path": {"assistant.generators", "assistant.language.question"},
    }
    assert layering_violations(graph) == []
    assert layering_violations({**graph, "assistant.language.text": {"assistant.pipeline.evidence"}}) == [
        "assistant.language.text (language) imports assistant.pipeline.evidence (pipeline)"
    ]
    assert layering_violations({"assistant.generators.base": {"assistant.pipeline"}}) == [
        "assistant.generators.base (parts) imports assistant.pipeline (pipeline)"
    ]
    assert layering_violations({"assistant.helpers": set()}) == [
        "assistant.helpers is in no layer: place it in ASSISTANT_LAYERS' packages"
    ]


def test_assistant_layers_language_records_parts_pipeline_api_evaluation() -> None:
    """Language helpers import no record, part or stage; records no part; retrieval, citations and
    generators no pipeline stage; the pipeline not the Assistant; only evaluation uses all of it.
    Every module of assistant/ belongs to one layer, so a new one is placed on purpose."""
    graph = project_imports()
    assert {"assistant.language.lexicon", "assistant.pipeline.read_path", "assistant.generators.local"} <= set(graph)
    wrong = layering_violations(graph)
    assert not wrong, "imports against assistant/'s layers:\n" + "\n".join(wrong)


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


def test_only_index_itself_is_imported_from_outside_index() -> None:
    """The read path and the UIs use the index through its facade (``index/__init__.py``): an
    ``index.<module>`` import from outside ``index/`` fails, so its modules can move freely."""
    graph = project_imports()
    assert "index" in graph["assistant.core"]
    wrong = [
        f"{module} imports {target}"
        for module, targets in graph.items()
        if module.split(".")[0] != "index"
        for target in targets
        if target.startswith("index.")
    ]
    assert not wrong, "import these from `index` (add them to its __all__):\n" + "\n".join(sorted(wrong))


def test_the_facade_exports_what_it_imports() -> None:
    import index

    assert facade("index") and all(hasattr(index, name) for name in index.__all__)
    assert callable(index.ingest) and callable(index.follow)  # the functions, not the modules of that name


@pytest.mark.parametrize("module", sorted(m for m in project_imports() if m.startswith("ui")))
def test_ui_uses_only_the_public_assistant_api(module: str) -> None:
    for target in project_imports()[module]:
        assert target.split(".")[0] not in FORBIDDEN_IN_UI, f"{module} imports {target}"
        if target.startswith("assistant"):
            assert target in PUBLIC_API or (module, target) in API_EXCEPTIONS, f"{module} imports {target}"


def test_no_import_cycles() -> None:
    """No module imports, at any depth and at any time (function-level and importlib imports
    included), a module that imports it back. Edges go to project modules only."""
    graph = project_imports()
    internal = {module: {t for t in targets if t in graph and t != module} for module, targets in graph.items()}
    assert {"assistant.evaluation.runner", "assistant.evaluation.gold_eval"} <= set(internal)
    cycle = find_cycle(internal)
    assert not cycle, "import cycle: " + " -> ".join(cycle)


def test_evaluation_modules_import_each_other_at_the_top_only() -> None:
    """A function-level import between evaluation modules hides a dependency (and usually a cycle)."""
    nested = {
        f"{module} imports {target} inside a function"
        for module, targets in project_imports(nested=True).items()
        if module.startswith("assistant.evaluation")
        for target in targets
        if target.startswith("assistant.evaluation")
    }
    assert not nested, "\n".join(sorted(nested))
