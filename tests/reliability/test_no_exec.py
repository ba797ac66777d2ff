"""Indexing never runs the indexed code (marker files, a listening socket and an audit hook check it)."""

from __future__ import annotations

from benchmarks import reliability as rel


def test_indexing_a_hostile_repo_runs_none_of_it(rel_home, tmp_path):
    r = rel.no_code_execution(tmp_path, cwd_in_repo=False)
    assert r["exit_code"] == 0, r["stderr_tail"]
    assert r["markers_written"] == [] and r["connections_accepted"] == 0
    assert r["audit_events"] == []
    assert r["records_indexed_from_hostile_files"] >= 10  # it was read (as text), just never run


def test_indexing_from_inside_the_repo_runs_none_of_it(rel_home, tmp_path):
    r = rel.no_code_execution(tmp_path, cwd_in_repo=True)
    assert r["markers_written"] == [] and r["connections_accepted"] == 0, r["markers_written"]
