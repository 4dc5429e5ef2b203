"""The README's web examples (the ```shell block of "The lab's web application") run as written.

The ``nitrolyte serve`` line is played by a uvicorn server on a free port (the block's port 8000
is replaced by it); every other line runs, in order, in one bash session with ``nitrolyte``
meaning this Python's ``python -m nitrolyte`` and the same database as the server. ``curl -f``
makes any 4xx/5xx answer fail the line.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[2] / "README.md"
pytestmark = pytest.mark.slow


def web_block() -> list[str]:
    text = README.read_text(encoding="utf-8")
    section = text.split("## The lab's web application", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```shell\n(.*?)```", section, re.S)
    assert block, "no ```shell block in the web section of the README"
    return [line[2:] for line in block.group(1).splitlines() if line.startswith("$ ")]


def test_readme_web_block_has_one_curl_per_kind():
    lines = web_block()
    curls = [c for c in lines if c.startswith("curl")]
    assert any("Authorization: Bearer" in c for c in curls)  # a write with a token
    assert any("-X POST" not in c for c in curls)  # a read
    assert any(c.startswith("nitrolyte serve") for c in lines)


def test_readme_web_examples_run(tmp_path, _seeded_template):
    import uvicorn

    from nitrolyte.store import Database
    from nitrolyte.web import create_app

    if shutil.which("curl") is None or shutil.which("bash") is None:
        pytest.skip("curl and bash are needed to run the README's shell block")
    path = tmp_path / "lab.sqlite"
    shutil.copyfile(_seeded_template, path)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(Database(path)), host="127.0.0.1",
                                           port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    lines = [line.replace("127.0.0.1:8000", f"127.0.0.1:{port}") for line in web_block()
             if not line.startswith("nitrolyte serve")]
    script = "\n".join([f"nitrolyte() {{ {shlex.quote(sys.executable)} -m nitrolyte \"$@\"; }}",
                        "set -e", *[f"{line}\necho" for line in lines]])
    env = {**os.environ, "NITROLYTE_DATABASE_URL": f"sqlite:///{path}"}
    try:
        done = subprocess.run(["bash", "-c", script], cwd=tmp_path, env=env, capture_output=True,
                              text=True, timeout=120)
    finally:
        server.should_exit = True
        thread.join(10)
    assert done.returncode == 0, done.stdout + done.stderr
    assert '"error"' not in done.stdout
    assert '"added_by":"bench-pc"' in done.stdout
    assert '"n_measurements":1' in done.stdout
