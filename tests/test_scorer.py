"""The independent scorer against hand-computed cases (rules of ../shared/data/README.md)."""

from __future__ import annotations

import json
import math

import pytest

from benchmarks import scorer
from benchmarks.scorer import ScoreError, gold_of, java_class, norm, relevance, row_metrics, score


def R(*names, ids=None):
    ids = ids or [None] * len(names)
    return [{"api": n, "source_id": i} for n, i in zip(names, ids)]


def test_norm_strips_parens_and_builtins():
    assert norm("sys.getsizeof()") == "sys.getsizeof"
    assert norm("builtins.len(x, y)") == "len"
    assert norm("os.path.join") == "os.path.join"


def test_java_class_truncation():
    assert java_class("java.util.Arrays.fill") == "java.util.Arrays"
    assert java_class("java.util.Map.Entry.getKey") == "java.util.Map"
    assert java_class("java.lang.String.String(char[])") == "java.lang.String"


def test_java_method_exact_and_class_level():
    row = {"id": "j", "language": "java", "gold": ["java.util.Arrays.fill"], "gold_class": ["java.util.Arrays"]}
    ranked = R("java.util.Arrays.sort", "java.util.Arrays.fill", "java.util.List.add")
    rel, n = relevance(row, ranked, "method")
    assert (rel, n) == ([0, 1, 0], 1)
    # class level: Arrays.sort and Arrays.fill collapse into one class entry at rank 1
    rel, n = relevance(row, ranked, "class")
    assert (rel, n) == ([1, 0], 1)
    # method level is exact: a suffix is not enough for Java
    assert relevance(row, R("Arrays.fill"), "method")[0] == [0]


def test_python_endswith_rule_and_gold_credited_once():
    row = {"id": "p", "language": "python", "gold": ["split", "os.path.join()"]}
    ranked = R("str.split", "bytes.split", "posixpath.join", "os.path.join", "builtins.split")
    rel, n = relevance(row, ranked)
    # str.split matches `split`; bytes.split would match it again but it is already found;
    # posixpath.join does not end with ".os.path.join"; os.path.join matches; builtins.split -> split,
    # already found.
    assert (rel, n) == ([1, 0, 0, 1, 0], 2)
    m = row_metrics(rel, n)
    assert m["SR@1"] == 1 and m["P@1"] == 1 and m["R@1"] == 0.5
    assert m["P@5"] == pytest.approx(2 / 5) and m["R@5"] == 1.0
    assert m["MRR"] == 1.0
    assert m["MAP"] == pytest.approx((1 / 1 + 2 / 4) / 2)
    idcg = 1 + 1 / math.log2(3)
    assert m["NDCG@10"] == pytest.approx((1 + 1 / math.log2(5)) / idcg)
    # "xsplit" must not match "split" (the rule is `.` + gold)
    assert relevance(row, R("xsplit"))[0] == [0]


def test_builtins_and_simple_name_rows():
    assert relevance({"id": "b", "gold": ["len"]}, R("builtins.len"))[0] == [1]
    row = {"id": "s", "gold": ["Counter"], "gold_is_simple_name": True}
    assert relevance(row, R("collections.counter", "collections.Counter"))[0] == [1, 0]


def test_api_names_callsite_and_gorilla_rules():
    names = {"id": "m", "gold_api_names": ["average"], "gold_apis": ["monkey.average"]}
    assert relevance(names, R("monkey.KnowledgeFrame.average", "average"))[0] == [1, 0]
    assert relevance(names, R("monkey.Average"))[0] == [0]  # last component, case-sensitive
    cs = {"id": "c", "target_api": "isin", "left_context": "df."}
    assert relevance(cs, R("pandas.Series.isin"))[0] == [1]
    assert relevance({"id": "c2", "target": "get"}, R("get", "dict.get"))[0] == [1, 0]
    gor = {"id": "g", "gold_corpus_ids": [3, 7]}
    assert relevance(gor, R("a", "b", "c", ids=["7", None, 3]))[0] == [1, 0, 1]
    assert gold_of(gor) == ["3", "7"]


def test_score_means_skips_and_missing_rankings():
    ds = [
        {"id": "a", "gold": ["json.loads"]},
        {"id": "b", "gold": ["re.sub"]},
        {"id": "c", "gold": []},  # no gold: skipped
        {"id": "d", "gold": ["len"]},  # no ranking line: a miss
    ]
    rk = {"a": R("json.loads"), "b": R("re.match", "re.search", "re.sub")}
    res = score(ds, rk)
    assert res["n"] == 3 and res["skipped_no_gold"] == 1 and res["missing_rankings"] == 1
    m = res["metrics"]
    assert m["SR@1"] == pytest.approx(1 / 3)
    assert m["SR@3"] == pytest.approx(2 / 3)
    assert m["MRR"] == pytest.approx((1 + 1 / 3 + 0) / 3)
    assert m["P@3"] == pytest.approx((1 / 3 + 1 / 3) / 3)


def test_score_by_field():
    ds = [{"id": "a", "gold": ["len"], "site": "x"}, {"id": "b", "gold": ["zip"], "site": "y"}]
    res = score(ds, {"a": R("len"), "b": R("map")}, by="site")
    assert res["by"]["site"]["x"]["metrics"]["SR@1"] == 1.0
    assert res["by"]["site"]["y"]["metrics"]["SR@1"] == 0.0


def test_unknown_ids_are_an_error_naming_them():
    with pytest.raises(ScoreError, match="nope"):
        score([{"id": "a", "gold": ["len"]}], {"a": R("len"), "nope": R("x")})


def test_same_domain_at_1():
    corpus = [{"id": 1, "domain": "Vision"}, {"id": 2, "domain": "Vision"}, {"id": 3, "domain": "Audio"}]
    ds = [{"id": "q1", "gold_corpus_ids": [1]}, {"id": "q2", "gold_corpus_ids": [1]}]
    rk = {"q1": R("x", ids=["2"]), "q2": R("x", ids=["3"])}
    assert scorer.same_domain_at_1(ds, rk, corpus) == {"n": 2, "same_domain@1": 0.5}


def test_cli_round_trip(tmp_path, capsys):
    ds = tmp_path / "d.jsonl"
    rk = tmp_path / "r.jsonl"
    ds.write_text("\n".join(json.dumps(r) for r in [
        {"id": "j1", "language": "java", "gold": ["java.lang.String.split"], "gold_class": ["java.lang.String"]},
    ]))
    rk.write_text(json.dumps({"id": "j1", "ranked": R("java.lang.String.join", "java.lang.String.split")}))
    assert scorer.main(["--dataset", str(ds), "--rankings", str(rk), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["method"]["metrics"]["SR@1"] == 0.0 and out["method"]["metrics"]["MRR"] == 0.5
    assert out["class"]["metrics"]["SR@1"] == 1.0
    rk.write_text(json.dumps({"id": "zz", "ranked": []}))
    assert scorer.main(["--dataset", str(ds), "--rankings", str(rk)]) == 2
    assert "zz" in capsys.readouterr().err
