"""No import cycle through the database layers (store package, api, dataset, data, properties,
names and the base modules): every import statement counts, those inside functions and
``TYPE_CHECKING`` blocks included (only the implicit import of a module's own parent package
is left out). The store never imports the API built on it."""

from __future__ import annotations

import ast
from pathlib import Path

import nitrolyte

ROOT = Path(nitrolyte.__file__).resolve().parent


def _modules() -> dict[str, Path]:
    out = {}
    for path in ROOT.rglob("*.py"):
        parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def import_graph(modules: dict[str, Path]) -> dict[str, set[str]]:
    """module -> the nitrolyte modules it imports anywhere in its source."""
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
        deps: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                deps.update(a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*parts, *([node.module] if node.module else [])])
                subs = [f"{base}.{a.name}" for a in node.names if f"{base}.{a.name}" in modules]
                if len(subs) < len(node.names):
                    deps.add(base)
                deps.update(subs)
        graph[name] = {d for d in deps if d in modules and d != name
                       and not name.startswith(d + ".")}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, it = work[-1]
            nxt = next(it, None)
            if nxt is not None:
                if nxt not in index:
                    index[nxt] = low[nxt] = len(index)
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(sorted(graph[nxt]))))
                elif nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                comp = []
                while True:
                    top = stack.pop()
                    on_stack.discard(top)
                    comp.append(top)
                    if top == node:
                        break
                if len(comp) > 1:
                    found.append(sorted(comp))
    return found


#: the layers this test guards (a cycle touching any of them fails)
GUARDED = ("nitrolyte.store", "nitrolyte.api", "nitrolyte.dataset", "nitrolyte.data",
           "nitrolyte.properties", "nitrolyte.names", "nitrolyte.units", "nitrolyte.errors",
           "nitrolyte.checks")


def _guarded(module: str) -> bool:
    return any(module == g or module.startswith(g + ".") for g in GUARDED)


def test_no_import_cycle_through_the_database_layers() -> None:
    found = [c for c in cycles(import_graph(_modules())) if any(map(_guarded, c))]
    assert found == []


def test_store_never_imports_api() -> None:
    graph = import_graph(_modules())
    store = [m for m in graph if m == "nitrolyte.store" or m.startswith("nitrolyte.store.")]
    assert len(store) > 10
    assert all("nitrolyte.api" not in graph[m] for m in store)


def test_detector_finds_a_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []
