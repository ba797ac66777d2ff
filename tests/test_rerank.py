"""The learned reranker: training finds real signal, models round-trip, bad files fall back or explain,
and `apirec train-reranker` trains on a real index with its example bank left one out."""

from __future__ import annotations

import json

import numpy as np
import pytest

from apirec import rerank
from apirec.build import build_index
from apirec.cli import main
from apirec.search import FusionWeights, Searcher

F = len(rerank.FEATURES)


def _planted(n_queries: int, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Queries whose gold is never first in the fused order but always has the highest `votes`."""
    rng = np.random.default_rng(seed)
    vi = rerank.FEATURES.index("votes")
    fi = rerank.FEATURES.index("fused")
    data = []
    for _ in range(n_queries):
        p = int(rng.integers(5, 30))
        x = rng.random((p, F)).astype(np.float32)
        x[:, fi] = np.linspace(1.0, 0.1, p)  # fused order = position order
        gold = int(rng.integers(1, p))
        x[:, vi] = rng.random(p) * 0.5
        x[gold, vi] = 0.9
        y = np.zeros(p, dtype=np.float32)
        y[gold] = 1
        data.append((x, y))
    return data


def test_fit_learns_planted_signal():
    train, held = _planted(300, 0), _planted(100, 1)
    assert rerank.hit_at_1(None, held) == 0.0  # the fused order never has the gold first
    model = rerank.fit(train, epochs=200, language="java")
    assert rerank.hit_at_1(model, held) > 0.9


def test_model_round_trip_and_bad_files(tmp_path, monkeypatch):
    model = rerank.fit(_planted(50, 2), epochs=20, language="python")
    path = tmp_path / "m.json"
    model.save(path)
    back = rerank.Reranker.load(path)
    x = _planted(1, 3)[0][0]
    assert np.allclose(back.score(x), model.score(x))
    # Other features: refused with the command that mends it.
    d = json.loads(path.read_text())
    d["features"] = d["features"][:-1]
    path.write_text(json.dumps(d))
    with pytest.raises(rerank.RerankError, match="train-reranker"):
        rerank.Reranker.load(path)
    # A damaged shipped model: searching goes on without it; one named by the user is an error.
    monkeypatch.setattr(rerank, "shipped_path", lambda language: path)
    monkeypatch.delenv("APIREC_RERANKER", raising=False)
    assert rerank.load_for("python") is None
    monkeypatch.setenv("APIREC_RERANKER", str(path))
    with pytest.raises(rerank.RerankError):
        rerank.load_for("python")
    monkeypatch.setenv("APIREC_RERANKER", "off")
    assert rerank.load_for("python") is None


APIS = {
    "shapes/__init__.py": '''
        def area_of_circle(radius):
            """Area of a circle."""

        def circle_perimeter(radius):
            """Perimeter of a circle."""

        def square_area(side):
            """Area of a square."""

        def rotate(shape, angle):
            """Rotate a shape by an angle."""

        def scale(shape, factor):
            """Scale a shape."""
        ''',
}


def test_train_command_on_a_real_index(make_tree, tmp_path, apirec_home, monkeypatch, capsys):
    repo = make_tree(APIS)
    pairs = [{"title": f"{verb} my {what} {n}", "apis": [api]}
             for n in range(6)
             for verb, what, api in (("turn", "polygon around", "shapes.rotate"),
                                     ("make bigger", "figure", "shapes.scale"),
                                     ("how much room does the round", "thing take", "shapes.area_of_circle"))]
    bank = tmp_path / "pairs.jsonl"
    bank.write_text("".join(json.dumps(p) + "\n" for p in pairs))
    index = tmp_path / "ix"
    build_index(index, [str(repo), f"examples:{bank}"])
    s = Searcher(index)
    q = pairs[0]["title"]
    # Leave one out: a training query's own bank entry never votes for it.
    assert any(ex["text"] == q for _, ex in s.similar_solved(q, None))
    assert all(ex["text"] != q for _, ex in s.similar_solved(q, None, exclude=q))

    out = tmp_path / "model.json"
    assert main(["train-reranker", str(bank), "--index", str(index), "--out", str(out), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["usable"] > 0 and report["language"] == "python" and out.is_file()
    model = rerank.Reranker.load(out)
    assert model.language == "python" and model.meta["rows"] == len(pairs)

    monkeypatch.setenv("APIREC_RERANKER", str(out))
    hits = Searcher(index).search("turn my polygon around", k=3)
    assert "learned" in hits[0].why and "fused" in hits[0].why
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    # The model reorders only its own depth; below it the fused order goes on, unscored by the model.
    model.pool = 1
    model.save(out)
    deep = Searcher(index).search("turn my polygon around", k=4)
    assert "learned" in deep[0].why and all("learned" not in h.why for h in deep[1:])
    assert [h.why["fused"] for h in deep[1:]] == sorted((h.why["fused"] for h in deep[1:]), reverse=True)
    s2 = Searcher(index)
    s2.weights = FusionWeights(learned=False)
    assert all("learned" not in h.why for h in s2.search("turn my polygon around", k=3))
    assert main(["search", "turn my polygon around", "--index", str(index), "--explain", "-k", "1"]) == 0
    assert "learned reranker" in capsys.readouterr().out
    assert main(["train-reranker", str(tmp_path / "missing.jsonl"), "--index", str(index)]) == 2
