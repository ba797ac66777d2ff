"""The CLI as users run it: main(argv) in-process and the console script as a real process."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from apirec.cli import main


def test_search_json_is_stable_and_documented(stdlib_index, capsys):
    assert main(["search", "parse a json string", "-k", "3", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["query"] == "parse a json string"
    hit = out["hits"][0]
    assert set(hit) >= {"rank", "score", "id", "public_path", "canonical_path", "kind", "signature", "summary",
                        "origin", "version", "why"}
    assert [h["rank"] for h in out["hits"]] == [1, 2, 3]


def test_search_text_output_shows_signature_and_doc(stdlib_index, capsys):
    assert main(["search", "parse a json string", "-k", "3", "--explain"]) == 0
    out = capsys.readouterr().out
    assert "json.loads(s, *" in out and "Deserialize" in out
    assert "bm25 #" in out and "dense #" in out


def test_show_and_info(stdlib_index, capsys):
    assert main(["show", "json.loads"]) == 0
    out = capsys.readouterr().out
    assert "json.loads" in out and "object_hook" in out
    assert main(["info", "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["records"] > 10000 and info["model"].startswith("all-MiniLM-L6-v2@")
    assert any(s["spec"] == "python:stdlib" for s in info["sources"])


def test_errors_are_one_clear_line_and_nonzero(stdlib_index, tmp_path, capsys):
    assert main(["search", "   "]) == 2
    assert "empty query" in capsys.readouterr().err
    assert main(["search", "x", "--index", str(tmp_path / "nope")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "apirec index SOURCE --index" in err
    assert main(["show", "json.no_such_thing_here"]) == 2
    assert main(["index", "/definitely/not/here", "--index", str(tmp_path / "ix")]) == 2
    assert "source not found" in capsys.readouterr().err


def test_console_script_cold_process(stdlib_index):
    env = dict(os.environ)
    r = subprocess.run([sys.executable, "-m", "apirec", "search", "current date and time", "-k", "3", "--json"],
                       capture_output=True, text=True, env=env, timeout=120)
    assert r.returncode == 0, r.stderr
    names = [h["public_path"] for h in json.loads(r.stdout)["hits"]]
    assert any(n.startswith("datetime.") for n in names)


@pytest.mark.parametrize("argv", [["--version"]])
def test_version(argv, capsys):
    with pytest.raises(SystemExit) as e:
        main(argv)
    assert e.value.code == 0 and "apirec" in capsys.readouterr().out
