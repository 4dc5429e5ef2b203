"""The README's worked examples run as written.

Python blocks (```python) run in order in one namespace; console blocks (```console) run each
``$ nitrolyte ...`` line through the real command line and check it exits 0.
"""

from __future__ import annotations

import ast
import contextlib
import io
import os
import re
import shlex
import subprocess
import sys
import tokenize
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"
_BLOCK = re.compile(r"```(python|console)\n(.*?)```", re.S)


def _blocks(kind: str) -> list[str]:
    return [body for lang, body in _BLOCK.findall(README.read_text()) if lang == kind]


def test_readme_opens_with_the_two_setup_commands() -> None:
    text = README.read_text()
    first_block = text.split("```")[1]
    assert "make run" in first_block and "make test" in first_block


def test_readme_python_examples_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocks = _blocks("python")
    assert blocks, "README has no python examples"
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {"__name__": "__readme__"}
    for block in blocks:
        exec(compile(block, str(README), "exec"), namespace)


def _expected_comments(block: str) -> dict[int, str]:
    """Line number -> the value a ``print(...)  # VALUE`` line documents (comments that start
    with a digit, a sign, a bracket or ``Ea =``; unit-only comments such as ``# S/cm`` are not)."""
    out = {}
    for tok in tokenize.generate_tokens(io.StringIO(block).readline):
        if tok.type == tokenize.COMMENT:
            text = tok.string[1:].strip()
            line = block.splitlines()[tok.start[0] - 1]
            if line.lstrip().startswith("print(") and re.match(r"[-+\d(\[]|Ea =", text):
                out[tok.start[0]] = text
    return out


def test_readme_prints_the_values_it_states(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each ``print(...)  # value`` of the README prints that value (the text of the comment)."""
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {"__name__": "__readme__"}
    checked = 0
    for block in _blocks("python"):
        expected = _expected_comments(block)
        for stmt in ast.parse(block).body:
            buffer = io.StringIO()
            with contextlib.redirect_stdout(buffer):
                exec(compile(ast.Module([stmt], []), str(README), "exec"), namespace)
            if stmt.end_lineno in expected:
                assert expected[stmt.end_lineno] in buffer.getvalue(), (
                    ast.get_source_segment(block, stmt), buffer.getvalue())
                checked += 1
    assert checked >= 6


def test_readme_compare_sentence_is_what_compare_prints(tmp_path: Path) -> None:
    """The README's "+0.38 decades from β-Li3N's 2.085e-4 S/cm" after its `add` example."""
    env = {**os.environ, "NITROLYTE_DATABASE_URL": f"sqlite:///{tmp_path / 'cmp.sqlite'}"}
    add = [line[2:] for block in _blocks("console") for line in block.splitlines()
           if line.startswith("$ nitrolyte add")]
    for argv in ([sys.executable, "-m", "nitrolyte", *shlex.split(add[0])[1:]],
                 [sys.executable, "-m", "nitrolyte", "compare"]):
        done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=300)
    assert "+0.38 decades" in done.stdout and "2.08e-04 (β-Li3N, ref 28)" in done.stdout
    assert "+0.38 decades from β-Li3N's" in README.read_text()


def test_readme_cli_examples_run(tmp_path: Path) -> None:
    commands = [line[2:] for block in _blocks("console") for line in block.splitlines()
                if line.startswith("$ nitrolyte")]
    assert commands, "README has no CLI examples"
    env = {**os.environ, "NITROLYTE_DATABASE_URL": f"sqlite:///{tmp_path / 'readme.sqlite'}",
           "MPLBACKEND": "Agg"}
    for command in commands:
        argv = [sys.executable, "-m", "nitrolyte", *shlex.split(command)[1:]]
        done = subprocess.run(argv, cwd=tmp_path, env=env, capture_output=True, text=True,
                              timeout=300)
        assert done.returncode == 0, f"{command!r} failed:\n{done.stdout}\n{done.stderr}"
