"""Big files, a million-line file and many files: bounded memory and time, skipped parts counted."""

from __future__ import annotations

import pytest

from benchmarks import reliability as rel


@pytest.mark.slow
def test_big_and_many_files_bounded(rel_home, tmp_path):
    r = rel.resource_bounds(tmp_path, big_mb=20, lines=1_000_000, small_files=400)
    b = r["big_files"]
    assert b["exit_code"] == 0, b["stderr_tail"]
    skipped = {x["path"]: x["reason"] for x in b["skipped"]}
    assert "size cap" in skipped.get("huge_generated.py", "") and "size cap" in skipped.get("huge_doc.md", "")
    assert "lines (more than" in skipped.get("million_lines.py", "")  # its parse tree alone is ~550 MB
    assert b["peak_rss_mb"] < 600 and b["seconds"] < 150, b
    assert b["progress_shown"]
    m = r["many_files"]
    assert m["exit_code"] == 0 and m["records"] >= 400 and m["skipped"] == 0, m
    assert m["peak_rss_mb"] < 1500 and m["progress_shown"]
    f = r["many_files_refresh"]
    assert f["computed"] == 0 and f["embedded"] == 0
