"""The package's architecture, checked on its source (issue 24).

* **No import cycle**: every import statement counts, those inside functions (the AST of every
  function body is walked) and ``TYPE_CHECKING`` blocks included; only the implicit import of a
  module's own parent package is left out of the graph.
* **Parent packages**: a module never imports a package above it whose ``__init__`` holds code
  (a ``def`` or ``class``): that ``__init__`` imports its submodules, so the import runs in a
  circle; put the code in a module of its own and import that.
* **Layers**: :data:`LAYERS` is the allowed order of the top-level modules and subpackages; any
  import (at any depth, function-level included) of a unit in the same or a higher layer fails.
  A name imported from a lazy package (``from nitrolyte import get``) counts as an import of the
  module that defines it (the package's ``_EXPORTS``).
"""

from __future__ import annotations

import ast
import importlib
from dataclasses import dataclass
from pathlib import Path

import nitrolyte

ROOT = Path(nitrolyte.__file__).resolve().parent

#: the allowed order, lowest first: a unit (the first name after ``nitrolyte.``; the package
#: itself is ``nitrolyte``) imports only units of lower layers; units of one layer are peers
#: and never import each other
LAYERS: tuple[frozenset[str], ...] = tuple(frozenset(x) for x in (
    {"_text", "_lazy", "_json"},            # standard library only
    {"nitrolyte", "errors"},                # the package: __version__ and lazy exports by name
    {"checks", "units", "_atomic"},
    {"potentials"},                         # the ML-potential registry (imports errors only)
    {"names", "properties"},
    {"formula"},
    {"data"},                               # package data: schema, validation cache
    {"dataset"},
    {"plausibility", "crosscheck"},
    {"store"},
    {"api"},
    {"provenance"},                         # how results are labelled (simulation, model)
    {"structures"},
    {"transport"},                          # may read structures (e.g. their sites)
    {"stability", "simulate"},
    {"cell"},
    {"screening"},
    {"plotting"},
    {"report"},
    {"workflows"},                          # one workflow per task, shared by web and cli
    {"web"},
    {"cli"},                                # `serve` starts the web app
    {"__main__"},
))


@dataclass(frozen=True)
class Import:
    """One import of a nitrolyte module: where it is and whether it runs inside a function."""

    module: str
    target: str
    line: int
    in_function: bool


def _modules(root: Path = ROOT) -> dict[str, Path]:
    out = {}
    for path in root.rglob("*.py"):
        parts = list(path.relative_to(root.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def lazy_exports(modules: dict[str, Path]) -> dict[str, dict[str, str]]:
    """package -> its ``_EXPORTS`` (public name -> defining module), for the lazy packages."""
    out = {}
    for name, path in modules.items():
        if path.name == "__init__.py" and "lazy_exports(" in path.read_text(encoding="utf-8"):
            out[name] = dict(importlib.import_module(name)._EXPORTS)
    return out


def _function_nodes(tree: ast.AST) -> set[int]:
    """ids of the import nodes that sit inside a function body (at any depth)."""
    inside: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            inside.update(id(n) for n in ast.walk(node) if isinstance(n, ast.Import | ast.ImportFrom))
    return inside


def module_imports(name: str, source: str, modules: dict[str, Path] | set[str], *,
                   is_package: bool = False,
                   exports: dict[str, dict[str, str]] | None = None) -> list[Import]:
    """Every import of a nitrolyte module in ``source`` (module ``name``), module level,
    class bodies and function bodies alike."""
    package = name if is_package else name.rsplit(".", 1)[0]
    tree = ast.parse(source)
    inside = _function_nodes(tree)
    exports = exports or {}
    found: list[Import] = []
    for node in ast.walk(tree):
        deps: set[str] = set()
        if isinstance(node, ast.Import):
            deps.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, *([node.module] if node.module else [])])
            for a in node.names:
                if f"{base}.{a.name}" in modules:
                    deps.add(f"{base}.{a.name}")
                else:
                    deps.add(exports.get(base, {}).get(a.name, base))
        else:
            continue
        found += [Import(name, d, node.lineno, id(node) in inside)
                  for d in sorted(deps) if d in modules and d != name]
    return found


def all_imports(modules: dict[str, Path]) -> list[Import]:
    exports = lazy_exports(modules)
    return [i for name, path in modules.items()
            for i in module_imports(name, path.read_text(encoding="utf-8"), modules,
                                    is_package=path.name == "__init__.py", exports=exports)]


def import_graph(modules: dict[str, Path]) -> dict[str, set[str]]:
    """module -> the nitrolyte modules it imports anywhere in its source (its parents left out)."""
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for i in all_imports(modules):
        if not i.module.startswith(i.target + "."):
            graph[i.module].add(i.target)
    return graph


def holds_code(source: str) -> bool:
    """Whether a package ``__init__`` defines a function or class (more than re-exports)."""
    return any(isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
               for n in ast.parse(source).body)


def parent_imports(imports: list[Import], modules: dict[str, Path]) -> list[Import]:
    """Imports of a package above the importing module whose ``__init__`` holds code."""
    return [i for i in imports if i.module.startswith(i.target + ".")
            and modules[i.target].name == "__init__.py"
            and holds_code(modules[i.target].read_text(encoding="utf-8"))]


def unit(module: str) -> str:
    """``nitrolyte.transport.measured`` -> ``transport``; the package itself -> ``nitrolyte``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def layer_of(name: str, layers: tuple[frozenset[str], ...] = LAYERS) -> int:
    for i, members in enumerate(layers):
        if name in members:
            return i
    raise KeyError(f"{name!r} is in no layer of LAYERS: add it where its imports put it")


def layer_violations(imports: list[Import],
                     layers: tuple[frozenset[str], ...] = LAYERS) -> list[str]:
    """``"module:line imports target (layer a -> b)"`` for every import that does not go down."""
    bad = []
    for i in imports:
        a, b = unit(i.module), unit(i.target)
        if a == b:
            continue
        la, lb = layer_of(a, layers), layer_of(b, layers)
        if lb >= la:
            where = " (inside a function)" if i.in_function else ""
            bad.append(f"{i.module}:{i.line} imports {i.target}{where}: {a} (layer {la}) -> "
                       f"{b} (layer {lb}) runs {'up' if lb > la else 'across'} the layers")
    return bad


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


# ------------------------------------------------------------------------------ the package

def test_no_import_cycle_in_the_package() -> None:
    assert cycles(import_graph(_modules())) == []


def test_store_never_imports_api() -> None:
    graph = import_graph(_modules())
    store = [m for m in graph if m == "nitrolyte.store" or m.startswith("nitrolyte.store.")]
    assert len(store) > 10
    assert all("nitrolyte.api" not in graph[m] for m in store)


def test_no_import_goes_up_the_layers() -> None:
    imports = all_imports(_modules())
    assert sum(i.in_function for i in imports) > 100  # function-level imports are counted
    assert layer_violations(imports) == []


def test_every_unit_is_in_exactly_one_layer() -> None:
    units = {unit(m) for m in _modules()}
    declared = [u for layer in LAYERS for u in layer]
    assert len(declared) == len(set(declared))
    assert units == set(declared), (units - set(declared), set(declared) - units)


def test_no_module_imports_a_parent_package_that_holds_code() -> None:
    modules = _modules()
    assert parent_imports(all_imports(modules), modules) == []


# ----------------------------------------------------------------------------- the checker

def test_detector_finds_a_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


MODULES = {"nitrolyte", "nitrolyte.api", "nitrolyte.cli", "nitrolyte.cli._common",
           "nitrolyte.transport", "nitrolyte.transport.measured", "nitrolyte.web.app",
           "nitrolyte.errors", "nitrolyte.store", "nitrolyte.store.reads"}


def test_an_upward_import_inside_a_function_fails() -> None:
    source = ("from nitrolyte.errors import InputError\n\n\n"
              "def f():\n    from nitrolyte.cli._common import echo_json\n\n\n"
              "class C:\n    def m(self):\n        if True:\n            import nitrolyte.web.app\n")
    found = module_imports("nitrolyte.transport.measured", source, MODULES)
    assert [(i.target, i.line, i.in_function) for i in found] == [
        ("nitrolyte.errors", 1, False), ("nitrolyte.cli._common", 5, True),
        ("nitrolyte.web.app", 11, True)]
    bad = layer_violations(found)
    assert len(bad) == 2 and all("inside a function" in b and "runs up" in b for b in bad)
    assert bad[0].startswith("nitrolyte.transport.measured:5 imports nitrolyte.cli._common")
    # the same import at the top of a cli module goes down: allowed
    assert layer_violations(module_imports("nitrolyte.cli._common",
                                           "import nitrolyte.transport.measured\n", MODULES)) == []


def test_a_lazy_export_counts_as_its_defining_module() -> None:
    """``from nitrolyte import get`` inside the store is an import of the API above it."""
    source = "def f():\n    from nitrolyte import get\n"
    found = module_imports("nitrolyte.store.reads", source, MODULES,
                           exports={"nitrolyte": {"get": "nitrolyte.api"}})
    assert [i.target for i in found] == ["nitrolyte.api"]
    assert "runs up" in layer_violations(found)[0]


def test_peers_of_one_layer_do_not_import_each_other() -> None:
    found = module_imports("nitrolyte.simulate.md", "import nitrolyte.stability\n",
                           {"nitrolyte.stability", "nitrolyte.simulate.md"})
    assert "runs across" in layer_violations(found)[0]


def _tree(root: Path, files: dict[str, str]) -> dict[str, Path]:
    for rel, text in files.items():
        path = root / "nitrolyte" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return _modules(root / "nitrolyte")


def test_checker_on_a_package_written_to_disk(tmp_path: Path) -> None:
    """A module added with an upward import in a function body and a package ``__init__``
    holding code that its own submodule imports (the old ``structures/vacancy.py``)."""
    modules = _tree(tmp_path, {
        "__init__.py": '__version__ = "0"\n',
        "errors.py": "class InputError(ValueError):\n    pass\n",
        "cli/__init__.py": "def app():\n    pass\n",
        "transport/__init__.py": "",
        "transport/measured.py": ("from nitrolyte.errors import InputError\n\n\n"
                                  "def compare():\n    from nitrolyte.cli import app\n"
                                  "    return app\n"),
        "structures/__init__.py": ("from nitrolyte.structures.vacancy import supercell\n\n\n"
                                   "def structure(name):\n    return name\n"),
        "structures/vacancy.py": ("def supercell(name):\n"
                                  "    from nitrolyte.structures import structure\n"
                                  "    return structure(name)\n"),
        "structures/named.py": "def structure(name):\n    return name\n",
    })
    imports = all_imports(modules)
    assert layer_violations(imports) == [
        "nitrolyte.transport.measured:5 imports nitrolyte.cli (inside a function): transport "
        f"(layer {layer_of('transport')}) -> cli (layer {layer_of('cli')}) runs up the layers"]
    assert [(i.module, i.target) for i in parent_imports(imports, modules)] == [
        ("nitrolyte.structures.vacancy", "nitrolyte.structures")]
    # the fix: the code in a module of its own, the __init__ only re-exports
    (tmp_path / "nitrolyte/structures/__init__.py").write_text(
        "from nitrolyte.structures.named import structure\n"
        "from nitrolyte.structures.vacancy import supercell\n", encoding="utf-8")
    (tmp_path / "nitrolyte/structures/vacancy.py").write_text(
        "def supercell(name):\n    from nitrolyte.structures.named import structure\n"
        "    return structure(name)\n", encoding="utf-8")
    assert parent_imports(all_imports(modules), modules) == []
