"""Network servers bind to loopback unless told otherwise; file reads stay in the workspace."""

from __future__ import annotations

import os
import subprocess

import pytest

from benchmarks import reliability as rel


@pytest.mark.slow
def test_binds_loopback_by_default_and_refuses_remote(rel_home, tmp_path):
    ix = tmp_path / "ix"
    rel.write_versioned_repo(tmp_path / "repo", 0)
    subprocess.run(rel.index_cmd(tmp_path / "repo", ix), env=rel._env(), check=True, capture_output=True)
    r = rel.exposure_binds(rel_home, ix)
    assert r["all_defaults_loopback"], r["defaults"]
    assert r["all_non_loopback_refused"], [x for x in r["refusals"] if not x["refused"]]
    assert r["allow_remote_binds"] == ["0.0.0.0"]  # the explicit flag is what opens it


@pytest.fixture(scope="module")
def reads(rel_home, tmp_path_factory):
    return rel.exposure_file_reads(rel_home, tmp_path_factory.mktemp("exposure"))


def _cases(reads, prefix):
    return [c for c in reads["reading_cases"] if c["case"].startswith(prefix)]


def test_opened_outside_document_needs_no_read(reads):
    assert not _cases(reads, "didOpen + hover")


def test_lsp_requests_read_nothing_outside_the_workspace(reads):
    bad = [c for c in reads["reading_cases"] if not c["case"].startswith("workspace indexing")]
    assert bad == []


def test_workspace_index_does_not_follow_symlinks_out(reads):
    assert not _cases(reads, "workspace indexing")


def test_index_with_a_fifo_in_the_tree_finishes(rel_home, tmp_path):
    rel.write_versioned_repo(tmp_path / "repo", 0)
    os.mkfifo(tmp_path / "repo" / "verpkg" / "pipe.py")
    try:
        p = subprocess.run(rel.index_cmd(tmp_path / "repo", tmp_path / "ix"), env=rel._env(), capture_output=True,
                           timeout=30)
    except subprocess.TimeoutExpired:
        pytest.fail("apirec index hung on a FIFO")
    assert p.returncode == 0
