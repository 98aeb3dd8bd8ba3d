"""The codebase's shape (docs/architecture.md): no import cycle, private modules private, small files and
train functions. Read from the source with ``ast``; nothing is imported."""

from __future__ import annotations

import ast
import collections
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
MAX_LINES = 400  # per file in src/
MAX_TRAIN_FUNCTION = 80  # lines per function in scnetflow.train


def _modules(root: Path) -> dict[str, Path]:
    out = {}
    for p in sorted(root.rglob("*.py")):
        name = ".".join(p.relative_to(root).with_suffix("").parts)
        out[name.removesuffix(".__init__")] = p
    return out


MODULES = _modules(SRC)


def _imports(path: Path) -> set[str]:
    """Every scnetflow module ``path`` imports, at module level or inside a function."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("scnetflow"):
            out.add(node.module)
            out.update(f"{node.module}.{a.name}" for a in node.names if f"{node.module}.{a.name}" in MODULES)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name.startswith("scnetflow"))
    return out


def test_no_import_cycle():
    graph = {name: {m for m in _imports(p) if m in MODULES and m != name} for name, p in MODULES.items()}
    cycles, state, stack = [], {}, []

    def visit(u):
        state[u] = "open"
        stack.append(u)
        for v in sorted(graph[u]):
            if state.get(v) == "open":
                cycles.append(" -> ".join(stack[stack.index(v):] + [v]))
            elif v not in state:
                visit(v)
        stack.pop()
        state[u] = "done"

    for name in graph:
        if name not in state:
            visit(name)
    assert not cycles, cycles


def test_private_modules_are_imported_only_inside_their_package():
    files = {**MODULES, **{f"tests:{p.relative_to(ROOT)}": p for d in ("tests", "benchmarks", "bin")
                           for p in (ROOT / d).rglob("*.py")}}
    bad = collections.defaultdict(list)
    for name, path in files.items():
        for target in _imports(path):
            parts = target.split(".")
            for i, part in enumerate(parts):
                owner = ".".join(parts[:i])
                inside = name == owner or name.startswith(owner + ".")
                if part.startswith("_") and not part.startswith("__") and not inside:
                    bad[name].append(target)
    assert not bad, dict(bad)


def test_no_source_file_over_400_lines():
    long = {str(p.relative_to(ROOT)): n for p in MODULES.values() if (n := len(p.read_text().splitlines())) > MAX_LINES}
    assert not long, long


def test_no_train_function_over_80_lines():
    long = {}
    for name, path in MODULES.items():
        if name == "scnetflow.train" or name.startswith("scnetflow.train."):
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    if (n := node.end_lineno - node.lineno + 1) > MAX_TRAIN_FUNCTION:
                        long[f"{name}.{node.name}"] = n
    assert not long, long
