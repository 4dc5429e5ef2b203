"""docs/architecture.md's module tree is the code's (issue 24): it names every module of
``src/nitrolyte`` and no module that does not exist; ``scripts/module_tree.py --write``
regenerates it."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

REPO = Path(__file__).resolve().parents[1]


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("module_tree", REPO / "scripts" / "module_tree.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("module_tree", module)
    spec.loader.exec_module(module)
    return module


def test_the_doc_tree_lists_exactly_the_modules_that_exist() -> None:
    tree = _script()
    listed = tree.listed(tree.DOC.read_text(encoding="utf-8"))
    existing = tree.existing()
    assert len(existing) > 150
    assert not existing - listed, f"modules missing from docs/architecture.md: {sorted(existing - listed)}"
    assert not listed - existing, f"docs/architecture.md names modules that do not exist: {sorted(listed - existing)}"


def test_the_parser_reads_what_the_generator_writes(tmp_path: Path) -> None:
    """Generated for a small package, the tree is read back as exactly its modules; a module
    added or removed afterwards shows as a difference."""
    tree = _script()
    pkg = tmp_path / "nitrolyte"
    for rel in ("__init__.py", "api.py", "store/__init__.py", "store/migrations/__init__.py",
                "store/migrations/versions/__init__.py",
                "store/migrations/versions/r0001_a_very_long_revision_name.py", "web/app.py",
                "web/__init__.py"):
        (pkg / rel).parent.mkdir(parents=True, exist_ok=True)
        (pkg / rel).write_text('"""A module with a long docstring that wraps onto a second line of '
                               'the tree, with Fig. 3 and e.g. an abbreviation. Second sentence."""\n',
                               encoding="utf-8")
    doc = "\n".join([tree.BEGIN, "```", *tree.tree_lines(pkg), "```", tree.END])
    assert tree.listed(doc) == tree.existing(pkg) == {
        "__init__.py", "api.py", "store/__init__.py", "store/migrations/__init__.py",
        "store/migrations/versions/__init__.py",
        "store/migrations/versions/r0001_a_very_long_revision_name.py", "web/__init__.py",
        "web/app.py"}
    assert all(len(line) <= tree.WIDTH for line in doc.splitlines())
    assert "Fig. 3 and e.g. an abbreviation." in " ".join(doc.split())
    assert "Second sentence" not in doc
    (pkg / "web" / "new.py").write_text("", encoding="utf-8")
    assert tree.existing(pkg) - tree.listed(doc) == {"web/new.py"}


def test_the_source_registry_is_named_where_it_lives() -> None:
    """The doc used to put the energy-source registry in stability/energies.py."""
    text = (REPO / "docs" / "architecture.md").read_text(encoding="utf-8")
    line = next(x for x in text.splitlines() if x.strip().startswith("sources.py"))
    assert "registry" in line
    from nitrolyte.stability import sources

    assert hasattr(sources, "SOURCES") and hasattr(sources, "register_source")
