"""Real editors against the real server: Neovim's built-in client and Emacs eglot, both headless."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

EDITORS = Path(__file__).parent / "editors"


def _run(cmd: list[str], tmp_path: Path, apirec_home: Path) -> str:
    project = tmp_path / "project"
    shutil.copytree(EDITORS / "project", project)  # the workspace index goes to APIREC_HOME, not here
    out = tmp_path / "first-item.txt"
    env = {**os.environ, "APIREC_HOME": str(apirec_home), "APIREC_OUT": str(out), "APIREC_ROOT": str(project),
           "APIREC_PYTHON": sys.executable, "HF_HUB_OFFLINE": "1"}
    proc = subprocess.run(cmd, env=env, cwd=project, capture_output=True, text=True, timeout=400)
    text = out.read_text() if out.exists() else ""
    assert proc.returncode == 0 and text, f"rc={proc.returncode} out={text!r}\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}"
    return text


@pytest.mark.skipif(shutil.which("nvim") is None, reason="Neovim is not installed (apt-get install neovim)")
def test_neovim_first_completion_after_dot(stdlib_index, apirec_home, tmp_path):
    first = _run(["nvim", "--headless", "--clean", "-c", f"luafile {EDITORS / 'nvim_complete.lua'}"],
                 tmp_path, apirec_home)
    # `os.path.` in a function whose name says nothing about files -> join, the most used os.path API
    # (a name such as data_file would rightly lift isfile: names are intent evidence).
    assert first == "join"


def _has_eglot() -> bool:
    if shutil.which("emacs") is None:
        return False
    # Debian's elpa-eglot lives in site-lisp: load it the way the test does (-q, not -Q).
    r = subprocess.run(["emacs", "--batch", "-q", "--eval", "(require 'eglot)"], capture_output=True, timeout=60)
    return r.returncode == 0


@pytest.mark.skipif(not _has_eglot(), reason="Emacs with eglot is not installed (apt-get install emacs-nox elpa-eglot)")
def test_emacs_eglot_first_completion_after_dot(stdlib_index, apirec_home, tmp_path):
    first = _run(["emacs", "--batch", "-q", "-l",
                  str(EDITORS / "eglot_complete.el")], tmp_path, apirec_home)
    assert first == "join"
