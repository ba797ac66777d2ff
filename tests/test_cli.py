"""The CLI as users run it: main(argv) in-process and the console script as a real process."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from apirec.cli import main
from apirec.records import Hit


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


def test_search_lists_a_long_signature_cut_and_show_prints_it_whole(stdlib_index, capsys):
    assert main(["search", "execute a child program in a new process", "-k", "3"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "subprocess.Popen(args, bufsize=-1, executable=None," in out and "...)" in out
    assert "pass_fds" not in out  # the 19th of 27 parameters
    assert main(["search", "execute a child program in a new process", "-k", "3", "--json"]) == 0
    hits = json.loads(capsys.readouterr().out)["hits"]
    hit = next(h for h in hits if h["public_path"] == "subprocess.Popen")
    assert "pass_fds=()" in hit["signature"]  # scripts get it whole
    assert main(["show", "subprocess.Popen"]) == 0
    assert "pass_fds=()" in capsys.readouterr().out


def test_brief_signature_keeps_whole_parameters():
    from apirec.records import brief_signature

    short = "(s, *, cls=None, object_hook=None)"
    assert brief_signature(short) == short
    sig = ("(filepath_or_buffer: FilePath | ReadCsvBuffer[bytes], *, sep: str | None = ',', "
           + ", ".join(f"p{i}: dict[str, int] = {{'a': 1, 'b': 2}}" for i in range(30)) + ") -> DataFrame")
    got = brief_signature(sig, limit=120)
    assert got == ("(filepath_or_buffer: FilePath | ReadCsvBuffer[bytes], *, sep: str | None = ',', ...)"
                   " -> DataFrame")
    # No dangling `*` before the cut.
    assert brief_signature("(a: int, *, " + "x" * 300 + ": int)", limit=60) == "(a: int, ...)"
    java = "(Map<String, List<Integer>> first, " + ", ".join(f"String s{i}" for i in range(40)) + ")"
    assert brief_signature(java, limit=80).startswith("(Map<String, List<Integer>> first, String s0,")


def test_show_and_info(stdlib_index, capsys):
    assert main(["show", "json.loads"]) == 0
    out = capsys.readouterr().out
    assert "json.loads" in out and "object_hook" in out
    # As a name is often copied: from a call, or with the dot that asked for completion.
    for written, shown in (("json.loads(s)", "json.loads(s, *"), ("json.", "json  module")):
        assert main(["show", written]) == 0
        assert capsys.readouterr().out.startswith(shown)
    assert main(["show", " () "]) == 2
    assert "say which API to show" in capsys.readouterr().err
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
    capsys.readouterr()
    assert main(["show", "json.lods"]) == 2  # a typo: the names it is near
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "did you mean json.loads" in err and "apirec search 'json.lods'" in err
    assert main(["index", "/definitely/not/here", "--index", str(tmp_path / "ix")]) == 2
    assert "source not found" in capsys.readouterr().err


def test_console_script_cold_process(stdlib_index):
    env = dict(os.environ)
    r = subprocess.run([sys.executable, "-m", "apirec", "search", "current date and time", "-k", "3", "--json"],
                       capture_output=True, text=True, env=env, timeout=120)
    assert r.returncode == 0, r.stderr
    names = [h["public_path"] for h in json.loads(r.stdout)["hits"]]
    assert any(n.startswith("datetime.") for n in names)


def test_show_finds_a_javadoc_overload_by_its_parameter_types(tmp_path, capsys):
    # A name with parentheses is looked up as given before it is read as a call: an overload's
    # canonical name ends in its parameter types.
    from test_docs import JAVADOC_NEW

    from apirec.build import build_index

    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "ArrayList.html").write_text(JAVADOC_NEW, "utf-8")
    build_index(tmp_path / "ix", [str(tmp_path / "docs")])
    for name, says in (("java.util.ArrayList.add(E)", "Appends"),
                       ("java.util.ArrayList.add(int,E)", "Inserts")):
        assert main(["show", name, "--index", str(tmp_path / "ix")]) == 0
        out = capsys.readouterr().out
        assert says in out.split("\n\n")[1], out
    from apirec.mcp_server import ApiService  # the agents' get_api reads names the same way

    service = ApiService([tmp_path / "ix"])
    assert "Appends" in service.get_api("java.util.ArrayList.add(E)")["doc"]
    assert "Inserts" in service.get_api("java.util.ArrayList.add(int,E)")["doc"]


def test_a_model_hub_entry_reads_as_its_name_then_its_call(tmp_path, capsys, monkeypatch):
    # A model hub entry's signature is a whole call (`torch.hub.load(repo_or_dir=..., model=...)`); glued
    # to the record's name as a function's parameters are, it read `...yolov5storch.hub.load(...)`.
    from apirec.lsp import convert, features

    from apirec import generate
    from apirec.build import build_index
    from apirec.context import call_snippet
    from apirec.search import Searcher

    monkeypatch.setenv("COLUMNS", "400")  # one line per heading, however long

    card = {"domain": "Object Detection", "functionality": "YOLOv5", "api_name": "torch.hub.load",
            "api_call": "torch.hub.load(repo_or_dir='ultralytics/yolov5', model='yolov5s', pretrained=True)",
            "description": "YOLOv5 is a family of object detection models trained on the COCO dataset."}
    (tmp_path / "hub.jsonl").write_text(json.dumps(card) + "\n", "utf-8")
    build_index(tmp_path / "ix", [str(tmp_path / "hub.jsonl")])
    call = "torch.hub.load(repo_or_dir='ultralytics/yolov5', model='yolov5s', pretrained=True)"
    path = "torch.hub.load.ultralytics_yolov5.yolov5s"
    for argv in (["search", "detect objects in a photo"], ["show", path]):
        assert main([*argv, "--index", str(tmp_path / "ix")]) == 0
        assert f"{path} \u2014 {call}" in capsys.readouterr().out
    assert main(["search", "parse a json string", "-k", "1"]) == 0  # a parameter list follows the name
    assert "json.loads(s, *" in capsys.readouterr().out
    r = Searcher(tmp_path / "ix").lookup(path)[0]
    assert convert.markdown(r).startswith(f"```python\n{call}\n```")  # the call is the code to show
    assert convert.signature_help(r, 0).signatures[0].label == call
    item = convert.completion_item(Hit(record=r, score=1.0, rank=1, why={}), "ix")
    assert item.detail == f"yolov5s \u2014 {call}"
    # The code an editor inserts for it is that call, with the loader's module imported.
    assert call_snippet(r, "torch.hub.load.ultralytics_yolov5") == call
    assert features._qualifier(r, {}) == ("", "import torch.hub")
    assert features._qualifier(r, {"torch": "torch"}) == ("", None)
    assert f"### {path} \u2014 {call}" in generate._api_block(r)  # what an LLM is shown


@pytest.mark.parametrize("argv", [["--version"]])
def test_version(argv, capsys):
    with pytest.raises(SystemExit) as e:
        main(argv)
    assert e.value.code == 0 and "apirec" in capsys.readouterr().out
