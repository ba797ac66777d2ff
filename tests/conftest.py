"""Shared fixtures: an isolated APIREC_HOME and a real stdlib index built once per session."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture(scope="session")
def apirec_home(tmp_path_factory) -> Path:
    """APIREC_HOME for the whole session; the ONNX export is made once and kept in it.

    APIREC_TEST_HOME reuses a folder across sessions (local development); CI starts empty.
    """
    home = Path(os.environ.get("APIREC_TEST_HOME") or tmp_path_factory.mktemp("apirec-home"))
    old = os.environ.get("APIREC_HOME")
    os.environ["APIREC_HOME"] = str(home)
    yield home
    if old is None:
        os.environ.pop("APIREC_HOME", None)
    else:
        os.environ["APIREC_HOME"] = old


@pytest.fixture(scope="session")
def stdlib_index(apirec_home) -> Path:
    """The real default index (standard library + builtins), built once per session."""
    from apirec.build import ensure_default_index

    return ensure_default_index()


@pytest.fixture(scope="session")
def stdlib_searcher(stdlib_index):
    from apirec.search import Searcher

    return Searcher(stdlib_index)


from trees import write_tree  # noqa: E402  (tests/trees.py: importable by test modules too)


@pytest.fixture
def make_tree(tmp_path):
    def make(files: dict[str, str], name: str = "repo") -> Path:
        root = tmp_path / name
        if root.exists():
            shutil.rmtree(root)
        return write_tree(root, files)

    return make
