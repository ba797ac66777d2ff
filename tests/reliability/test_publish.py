"""kill -9 of a real indexer during re-index runs, and searches from threads during a re-index."""

from __future__ import annotations

import os
import subprocess
import time

import pytest

from benchmarks import reliability as rel


@pytest.mark.slow
def test_kill9_during_reindex_leaves_a_loadable_generation(rel_home, tmp_path):
    r = rel.crash_safe_publish(8, tmp_path / "publish", seed=11)
    assert r["failures"] == [], r["failures"]
    assert r["loads_ok"] == 8 and r["killed"] >= 4
    assert r["final_run_ok"], r
    # Only the current generation and the one before it remain (KEEP_GENERATIONS), no temp folders.
    gens = [n for n in r["index_folder_after_final_run"] if n.startswith("gen-")]
    assert len(gens) <= 2 and not any(n.endswith(".tmp") for n in gens), r["index_folder_after_final_run"]


def test_kill9_while_writing_the_generation(rel_home, tmp_path):
    """Deterministic version: SIGKILL once the new generation folder exists (mid-write)."""
    repo, ix = tmp_path / "repo", tmp_path / "ix"
    rel.write_versioned_repo(repo, 0)
    subprocess.run(rel.index_cmd(repo, ix), env=rel._env(), check=True, capture_output=True, timeout=300)
    rel.write_versioned_repo(repo, 1)
    p = subprocess.Popen(rel.index_cmd(repo, ix), env=rel._env(), stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
    end = time.monotonic() + 120
    while time.monotonic() < end and p.poll() is None and not list(ix.glob("gen-*.tmp")):
        time.sleep(0.002)
    if p.poll() is None:
        os.kill(p.pid, 9)
    p.wait()
    got = rel.check_generation(ix)
    assert got["ok"] and got["version"] in (0, 1), got
    # The next run cleans up after the killed one and publishes.
    rel.write_versioned_repo(repo, 2)
    subprocess.run(rel.index_cmd(repo, ix), env=rel._env(), check=True, capture_output=True, timeout=300)
    assert rel.check_generation(ix)["version"] == 2
    assert not list(ix.glob("gen-*.tmp"))


@pytest.mark.slow
def test_searches_during_reindex(rel_home, tmp_path):
    r = rel.concurrency(1000, tmp_path / "conc", threads=4, reindex_runs=2)
    assert r["searches"] >= 1000
    assert r["errors"] == 0, r["error_samples"]
    assert r["mixed_or_incomplete_answers"] == 0 and r["empty_answers"] == 0
    assert r["reindex_errors"] == 0 and r["generations_seen"] >= 2
    # A reader holding the previous generation keeps working while one newer one is published.
    assert r["old_reader_newer_generations"] >= 1 and r["old_reader_searches"] > 0
    assert r["old_reader_errors"] == 0, r["old_reader_error_samples"]
