"""Hostile JSON-RPC to the real `python -m apirec lsp` (raw frames over stdio, and TCP)."""

from __future__ import annotations

import pytest

from benchmarks import reliability as rel

# Cases that once failed (fixed): also run alone, so a regression names itself.
KNOWN = ("FIFO in the workspace asked about", "document 600 indentation levels deep")


@pytest.mark.slow
def test_lsp_survives_every_case(rel_home, tmp_path):
    r = rel.lsp_robustness(rel_home, tmp_path)
    assert r["failed"] == [], r["failed"]
    assert r["cases"] >= 60 and r["survived"] == r["cases"]
    assert r["clean_exit_code"] == 0


def test_lsp_fifo_does_not_block_the_server(rel_home, tmp_path):
    r = rel.lsp_robustness(rel_home, tmp_path, only=(KNOWN[0],), case_timeout=20)
    assert r["failed"] == [], r["failed"]


def test_lsp_deeply_indented_saved_file_does_not_kill_the_server(rel_home, tmp_path):
    r = rel.lsp_robustness(rel_home, tmp_path, only=(KNOWN[1],), case_timeout=20)
    assert r["failed"] == [], r["failed"]
