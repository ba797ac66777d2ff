"""The example bank (solved query -> APIs) is its own index kind and its votes move rankings."""

from __future__ import annotations

import json

import pytest

from apirec.build import build_index
from apirec.cli import main
from apirec.search import FusionWeights, Searcher

APIS = {
    "mylib/__init__.py": '''
        def frobnicate(x):
            """Apply the transformation to x."""

        def tabulate(rows):
            """Render rows as an aligned table."""

        def shout(text):
            """Return text in capitals."""
        ''',
}
SOLVED = [
    {"id": "s1", "title": "How do I turn my value into its canonical form", "apis": ["mylib.frobnicate"]},
    {"id": "s2", "title": "canonical form of a value in mylib", "apis": ["mylib.frobnicate(x)"]},
    {"id": "s3", "title": "print a pretty table of rows", "apis": ["mylib.tabulate"]},
    {"title": "no apis here", "apis": []},  # a bad row: skipped with a warning
]


def test_votes_of_similar_solved_queries(make_tree, tmp_path, apirec_home, capsys):
    repo = make_tree(APIS)
    bank = tmp_path / "bank.jsonl"
    bank.write_text("\n".join(json.dumps(r) for r in SOLVED) + "\n")
    index = tmp_path / "ix"
    build_index(index, [str(repo), f"examples:{bank}"])
    s = Searcher(index)
    assert s.params["solved"] == 3
    near = s.similar_solved("canonical form of my value", None)
    assert near and near[0][1]["apis"] == ["mylib.frobnicate"]
    near[0][1]["apis"].append("changed")  # the bank rows a Searcher remembers are not the caller's to change
    assert s.similar_solved("canonical form of my value", None)[0][1]["apis"] == ["mylib.frobnicate"]
    first = s.records([0, 1])
    assert s.records([1, 0]) == first and s.record(1) == first[1]
    with pytest.raises(KeyError):
        s.records([0, s.n + 5])  # one row remembered, one missing: still an error
    hits = s.search("canonical form of my value", k=3)
    assert hits[0].record.public_path == "mylib.frobnicate"
    assert "votes" in hits[0].why and hits[0].why["votes"]["examples"]
    with_votes = {h.record.public_path: h.score for h in hits}
    # Without votes the same API scores exactly the vote's share less.
    s.weights = FusionWeights(votes=0.0)
    plain = {h.record.public_path: h for h in s.search("canonical form of my value", k=3)}
    assert "votes" not in plain["mylib.frobnicate"].why
    gain = with_votes["mylib.frobnicate"] - plain["mylib.frobnicate"].score
    assert abs(gain - 0.2 * hits[0].why["votes"]["score"]) < 1e-6 and gain > 0.1
    assert main(["search", "canonical form of my value", "--index", str(index), "--explain", "-k", "1"]) == 0
    assert "similar solved queries vote" in capsys.readouterr().out
