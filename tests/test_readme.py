"""The README's worked examples run as written.

Python blocks (```python) run in order in one namespace; console blocks (```console) run each
``$ nitrolyte ...`` line through the real command line and check it exits 0.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
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
