"""Smoke run of every benchmark suite (`--quick`): the harness is correct, not the accuracy."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from apirec import bench
from benchmarks import scorer
from benchmarks.mask import MASKED, blanked_copy, mask_repo
from benchmarks.runner import DATA, SUITES, C, Q, run

pytestmark = pytest.mark.skipif(not DATA.is_dir(), reason="benchmark data (../shared/data) not present")


@pytest.fixture(scope="module")
def quick(stdlib_index, tmp_path_factory):
    out = tmp_path_factory.mktemp("bench-out")
    cache = Path(os.environ.get("APIREC_BENCH_TEST_CACHE") or tmp_path_factory.mktemp("bench-cache"))
    results = run(out, list(SUITES), quick=True, cache=cache, limit=3)
    return out, cache, results


def test_every_suite_runs_and_reports(quick):
    out, _, results = quick
    for name in SUITES:
        s = results["suites"][name]
        assert s["error"] is None, (name, s["error"])
        assert s["seconds"] > 0
    md = (out / "RESULTS.md").read_text()
    for title in ("1. Java", "2. APIBench-Q Python", "3. Private", "4. Gorilla", "5. Call-site", "6. Speed"):
        assert f"## {title}" in md
    for img in ("plots/sr_monkeyeval.png", "plots/sr_gorilla_torchhub.png", "plots/latency_speed.png"):
        assert f"]({img})" in md and (out / img).stat().st_size > 1000
    assert "python -m benchmarks.scorer --dataset" in md and "apirec bench queries --index" in md
    # Goals not met (a quick run meets none) come with the account of what was tried.
    assert "## Goals of the recommender" in md and "| no |" in md
    assert "### Goals not met: what was tried" in md


def test_tables_agree_with_the_independent_scorer_on_the_written_files(quick):
    _, _, results = quick
    checked = 0
    for name in ("java", "python", "private", "gorilla", "callsites"):
        for t in results["suites"][name]["tables"]:
            ours = [c for c in t["commands"] if c.startswith("python -m benchmarks.scorer")]
            for cmd in ours:
                parts = cmd.split()
                ds = Path(parts[parts.index("--dataset") + 1])
                rk = Path(parts[parts.index("--rankings") + 1])
                ranks = scorer.read_rankings(rk)
                rows = [r for r in scorer.read_jsonl(ds) if str(r["id"]) in ranks]
                assert rows, rk
                res = scorer.score(rows, ranks)
                system = "apirec" if rk.name.endswith(".apirec.jsonl") else "jedi"
                typed = rk.name.endswith(".astyped.apirec.jsonl")  # its own row: "apirec, as typed"
                row = next(r for r in t["rows"] if r["system"].startswith(system)
                           and r["system"].endswith("as typed") == typed
                           and r.get("level", "method") == "method" and r.get("subset", "all") == "all")
                assert row["n"] == res["n"] and row["SR@1"] == pytest.approx(res["metrics"]["SR@1"])
                assert row["MRR"] == pytest.approx(res["metrics"]["MRR"])
                checked += 1
    assert checked >= 10


def test_rankings_have_ten_items_and_gorilla_source_ids(quick):
    out, _, _ = quick
    for line in (out / "rankings" / "gorilla_torchhub.apirec.jsonl").read_text().splitlines():
        r = json.loads(line)
        assert len(r["ranked"]) == 10
        assert all(it["source_id"] is not None for it in r["ranked"])


def test_python_subsets_and_baselines_reported(quick):
    _, _, results = quick
    t = results["suites"]["python"]["tables"][0]
    subsets = {(r["system"].split()[0], r["subset"]) for r in t["rows"]}
    assert {("apirec", "Stack Overflow"), ("apirec", "Tutorial Websites"), ("trivial", "all")} <= subsets
    priv = results["suites"]["private"]["tables"]
    assert all(any("APIRetriever" in r["system"] for r in t["rows"]) for t in priv)
    assert all(t["query_field"].startswith("nl_query") for t in priv)
    gor = results["suites"]["gorilla"]["tables"][0]["rows"]
    assert {"exact@1", "same-domain@1"} <= set(gor[0]) and len(gor) == 3


def test_bench_queries_cli_json_and_skips(quick, tmp_path, capsys):
    _, cache, _ = quick
    ds = tmp_path / "d.jsonl"
    rows = scorer.read_jsonl(C / "monkeyeval.jsonl")[:3]
    rows.append({"id": "no-gold", "nl_query": "sum values", "gold_api_names": []})
    rows.append({"id": "no-query", "gold_api_names": ["average"]})
    ds.write_text("".join(json.dumps(r) + "\n" for r in rows))
    rk = tmp_path / "r.jsonl"
    assert bench.main(["queries", "--index", str(cache / "idx" / "monkey"), "--dataset", str(ds),
                       "--rankings", str(rk), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["skipped_no_gold"] == 1 and out["skipped_missing_fields"] == 1
    assert out["query_field"].startswith("nl_query")
    assert out["latency"]["p95_ms"] >= out["latency"]["p50_ms"] > 0
    res = scorer.score_files(ds, rk)
    # The scorer over the whole file counts the row bench could not ask (no query) as a miss.
    assert res["method"]["missing_rankings"] == 1 and res["method"]["n"] == out["method"]["n"] + 1
    ranked = scorer.score(rows[:3], scorer.read_rankings(rk))
    assert out["method"]["metrics"]["MRR"] == pytest.approx(ranked["metrics"]["MRR"])
    written = [json.loads(x) for x in rk.read_text().splitlines()]
    assert [w["id"] for w in written] == [r["id"] for r in rows[:3] if r["gold_api_names"]]


def test_missing_index_says_which_apirec_index_to_run(tmp_path, capsys):
    rc = bench.main(["queries", "--index", str(tmp_path / "none"), "--dataset", str(Q / "biker_test413.jsonl"),
                     "--rankings", str(tmp_path / "r.jsonl")])
    assert rc == 2
    err = " ".join(capsys.readouterr().err.split())
    assert "apirec index java:jdk --index" in err


def test_callsite_code_stops_at_the_current_line():
    row = {"left_context": "import x\ny = x.", "right_context": "foo(1)\nSECRET = x.bar()\n", "target": "foo"}
    code, line, ch = bench.callsite_code(row)
    assert code == "import x\ny = x.foo(1)" and (line, ch) == (1, 6)
    assert "SECRET" not in code
    # As typed: nothing after the cursor yet.
    assert bench.callsite_code(row, as_typed=True) == ("import x\ny = x.", 1, 6)


def test_mask_generator_masks_names_defined_in_the_repo(tmp_path):
    repo = tmp_path / "pkg"
    repo.mkdir()
    (repo / "__init__.py").write_text("")
    (repo / "a.py").write_text("class Box:\n    def put(self, x):\n        return x\n"
                               "def use(b):\n    b.put(1)\n    b.append(2)\n    return b._hidden()\n")
    cases = mask_repo(repo)
    assert [c["target"] for c in cases] == ["put"]  # append is not defined here; _hidden is private
    c = cases[0]
    # The masked name is in neither context: the right context resumes after it.
    assert c["left_context"].endswith("b.") and c["right_context"].startswith("(1)")
    assert (c["path"], c["line"], c["character"]) == ("a.py", 4, 6)
    src = (repo / "a.py").read_text().splitlines()
    assert src[c["line"]][c["character"]:].startswith("put(")


def test_blanked_copy_holds_no_masked_call_and_nothing_else_changed(tmp_path):
    from apirec.usage import UNSEEN
    from benchmarks.runner import MASK_REPOS

    repo = tmp_path / "pkg"
    repo.mkdir()
    (repo / "__init__.py").write_text("")
    body = ("class Box:\n    def put(self, x):\n        return x\n    def get(self):\n        pass\n"
            "def use(b):\n    b.put(1); b.get()\n    b.put(2)\n")
    (repo / "a.py").write_text(body)
    cases = mask_repo(repo)
    assert len(cases) == 3
    out = blanked_copy(cases, tmp_path / "blank")
    assert out == tmp_path / "blank" / "pkg" and (out / "__init__.py").exists()  # named as the repository
    text = (out / "a.py").read_text()
    assert "b.put(" not in text and "b.get(" not in text and text.count(f"b.{MASKED}(") == 3
    assert text.replace(f"b.{MASKED}(", "") == body.replace("b.put(", "").replace("b.get(", "")
    assert (repo / "a.py").read_text() == body  # the repository itself is untouched
    # The mined usage prior leaves out the packages the benchmark treats as unseen.
    assert set(MASK_REPOS) <= set(UNSEEN)


def test_usage_mining_leaves_out_excluded_packages(tmp_path, monkeypatch):
    from trees import write_tree

    import apirec.usage as usage

    write_tree(tmp_path, {"seen/a.py": "import json\njson.loads(s)\n",
                          "unseen/__init__.py": "import json\njson.dumps(x)\nx.frobnicate()\n",
                          "unseen.py": "import json\njson.dumps(y)\n"})
    monkeypatch.setattr(usage, "MIN_COUNT", 1)
    mined = usage.mine([tmp_path])
    counts, files = mined["counts"], mined["files"]
    assert (files, counts.get("json.dumps"), counts.get(".frobnicate")) == (3, 2, 1)
    # A call on an unknown receiver is also counted by the package that makes it, with what it imports.
    assert mined["shared"] == {".frobnicate": {"unseen": 1}}
    assert mined["imports"] == {"seen": ["json"], "unseen": ["json"]}
    mined = usage.mine([tmp_path], exclude=("unseen",))
    assert mined["files"] == 1 and mined["counts"] == {"json.loads": 1}


def test_usage_mining_records_what_each_package_imports(tmp_path, monkeypatch):
    from trees import write_tree

    import apirec.usage as usage

    write_tree(tmp_path / "site", {"frames/io.py": "from . import core\nimport numpy.linalg, os as o\n"
                                                   "def f(h):\n    import matplotlib\n    return h.read()\n"})
    write_tree(tmp_path / "lib", {"shutil.py": "def copy(f):\n    return f.read()\n"})
    monkeypatch.setattr(usage, "MIN_COUNT", 1)
    mined = usage.mine([tmp_path / "site", tmp_path / "lib"], stdlib=tmp_path / "lib")
    # The standard library's files count as one caller (""); a relative import names no package.
    assert mined["shared"] == {".read": {"": 1, "frames": 1}}
    assert mined["imports"] == {"frames": ["matplotlib", "numpy", "os"]}


def test_bench_callsites_cli_indexes_the_repo(stdlib_index, make_tree, tmp_path, capsys):
    repo = make_tree({"shop/__init__.py": "", "shop/cart.py": '''
        class Cart:
            def add_item(self, item):
                """Add an item to the cart."""
            def checkout_total(self):
                """Total price of the cart."""

        def run(c: Cart):
            c.add_item(1)
            return c.checkout_total()
        '''})
    ds = tmp_path / "mask.jsonl"
    cases = mask_repo(repo)
    assert {c["target"] for c in cases} == {"add_item", "checkout_total"}
    ds.write_text("".join(json.dumps(c) + "\n" for c in cases))
    rk = tmp_path / "r.jsonl"
    assert bench.main(["callsites", "--dataset", str(ds), "--rankings", str(rk), "--repo", str(repo),
                       "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["method"]["n"] == 2 and out["latency"]["n"] == 2
    assert scorer.score_files(ds, rk)["method"]["n"] == 2
    typed = tmp_path / "typed.jsonl"
    assert bench.main(["callsites", "--dataset", str(ds), "--rankings", str(typed), "--repo", str(repo),
                       "--as-typed", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["as_typed"] is True
    assert scorer.score_files(ds, typed)["method"]["n"] == 2


def test_bench_callsites_ranks_bare_callee_rows(stdlib_index, tmp_path, capsys):
    # A dataset's "bare_name" site (`return ▮(df.columns)`) is completed as the editor would: no
    # receiver, so the names in reach without a dot.
    row = {"id": "b1", "target": "len", "receiver": "", "site_kind": "bare_name",
           "left_context": "def f(df):\n    # Return the number of columns\n    return ",
           "right_context": "(df.columns)\n"}
    ds = tmp_path / "bare.jsonl"
    ds.write_text(json.dumps(row) + "\n")
    rk = tmp_path / "r.jsonl"
    assert bench.main(["callsites", "--dataset", str(ds), "--rankings", str(rk), "--index", str(stdlib_index),
                       "--json"]) == 0
    ranked = json.loads(rk.read_text())["ranked"]
    assert ranked[0]["api"].rsplit(".", 1)[-1] == "len"
    assert scorer.score_files(ds, rk)["method"]["metrics"]["SR@1"] == 1.0

