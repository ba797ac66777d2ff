"""Learned reranker (CLEAR-style, offline): per-candidate evidence features -> a small model trained on
solved queries (Stack Overflow title -> APIs), shipped as JSON next to the package, retrainable with
`apirec train-reranker`. The model reorders the head of the fused ranking; it never adds candidates.

Training is leave-one-out on the example bank: a training query's own entry never votes for it, so the
vote feature means at training time what it means for a new query.
"""

from __future__ import annotations

import json
import math
import random
import time
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

import numpy as np

from .search import _record_tokens
from .textproc import split_identifier, stem

if TYPE_CHECKING:
    from .records import ApiRecord
    from .search import Gathered, Searcher

FORMAT = 1
DATA = Path(__file__).resolve().parent / "data"
FEATURES = (
    "fused", "position", "bm25_rr", "bm25_norm", "dense_rr", "dense_cos",  # retrieval
    "votes", "voters", "voter_cos", "bank",  # the example bank
    "name_cover", "name_match", "prior", "matched", "name_in_query", "class_in_query",  # the API itself
    "method", "type", "constructor", "field",  # kind
    "siblings", "parent_votes", "has_doc", "deprecated",
)
_TYPES = {"class", "interface", "enum", "record", "annotation", "exception", "module", "package"}


class RerankError(RuntimeError):
    """A model file that cannot be used (missing, corrupt, other features); the message says what to do."""


def features(s: Searcher, g: Gathered, head: list[int], recs: dict[int, ApiRecord],
             named: list[bool], own: frozenset[str] = frozenset()) -> np.ndarray:
    """One row of FEATURES per head position (`head`: positions in g.cand, best fused first). `own`:
    the APIs of a training query's own bank entry, taken out of the bank counts (leave one out)."""
    bank, bank_top = s.bank_counts()
    bank_ref = math.log1p(bank_top)
    qset = set(g.tokens)
    qn = max(1, len(qset))
    qstems = {stem(t) for t in g.tokens} | qset
    # Plain Python values up front: per-element numpy indexing cost more than the features themselves.
    ids = g.cand[head].tolist()
    fused = g.scores[head].tolist()
    priors = s.priors[ids].tolist()
    rows = [recs[i] for i in ids]
    par = [_parent(r.public_path) for r in rows]
    v_ev, b_ev, d_ev, cover = g.v_ev, g.b_ev, g.d_ev, g.cover
    votes_of = [v_ev[i][0] if i in v_ev else 0.0 for i in ids]
    groups: dict[str, list[int]] = {}
    for n, p in enumerate(par):
        groups.setdefault(p, []).append(n)
    paths = {r.public_path: n for n, r in enumerate(rows)}
    b_top = g.b_top
    out = []
    for n, i in enumerate(ids):
        r = rows[n]
        b = b_ev.get(i)
        d = d_ev.get(i)
        v = v_ev.get(i)
        sib = groups[par[n]]
        # Class-level aggregation: a member's class (or a class's members) seen with votes.
        pv = max((votes_of[m] for m in sib if m != n), default=0.0) if len(sib) > 1 else 0.0
        pn = paths.get(par[n])
        if pn is not None:
            pv = max(pv, votes_of[pn])
        kind = r.kind
        path = r.public_path
        sc = fused[n]
        out.append((
            10.0 * sc if math.isfinite(sc) else 0.0,
            1.0 / (1 + n),
            10.0 / (10 + b[0]) if b else 0.0,
            float(b[1]) / b_top if b and b_top > 0 else 0.0,
            10.0 / (10 + d[0]) if d else 0.0,
            float(d[1]) if d else 0.0,
            v[0] if v else 0.0,
            min(v[2], 10) / 10 if v else 0.0,
            v[3] if v else 0.0,
            math.log1p(max(0, bank.get(path, 0) - (path in own))) / bank_ref,
            cover.get(i, 0.0),
            1.0 if named[n] else 0.0,
            priors[n],
            len(qset & _record_tokens(r)) / qn,
            _share(_parts(r.name), qstems),
            _share(_parts(par[n].rsplit(".", 1)[-1]), qstems),
            1.0 if kind in ("method", "function") else 0.0,
            1.0 if kind in _TYPES else 0.0,
            1.0 if kind == "constructor" else 0.0,
            1.0 if kind not in ("method", "function", "constructor") and kind not in _TYPES else 0.0,
            min(len(sib) - 1, 5) / 5,
            pv,
            1.0 if r.summary else 0.0,
            1.0 if r.deprecated else 0.0,
        ))
    return np.array(out, dtype=np.float32).reshape(len(head), len(FEATURES))


@lru_cache(maxsize=65536)
def _parts(name: str) -> tuple[str, ...]:
    return tuple(p for p in split_identifier(name) if len(p) > 1)


def _share(parts: tuple[str, ...], words: set[str]) -> float:
    return sum(1 for p in parts if p in words or stem(p) in words) / len(parts) if parts else 0.0


def _parent(path: str) -> str:
    return path.rsplit(".", 1)[0] if "." in path else ""


# -- the model ----------------------------------------------------------------------------------------


@dataclass
class Reranker:
    """score(X) = tanh(Xn W1 + b1) . w2 + Xn . lin, with Xn the standardized features."""
    language: str
    mean: np.ndarray
    std: np.ndarray
    w1: np.ndarray
    b1: np.ndarray
    w2: np.ndarray
    lin: np.ndarray
    pool: int = 40
    meta: dict[str, Any] = field(default_factory=dict)

    def score(self, X: np.ndarray) -> np.ndarray:
        Xn = (X - self.mean) / self.std
        return np.tanh(Xn @ self.w1 + self.b1) @ self.w2 + Xn @ self.lin

    def to_json(self) -> dict[str, Any]:
        return {"format": FORMAT, "language": self.language, "features": list(FEATURES), "pool": self.pool,
                "mean": self.mean.tolist(), "std": self.std.tolist(), "w1": self.w1.tolist(),
                "b1": self.b1.tolist(), "w2": self.w2.tolist(), "lin": self.lin.tolist(), "meta": self.meta}

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.to_json(), indent=1) + "\n", encoding="utf-8")
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path) -> Reranker:
        try:
            d = json.loads(Path(path).read_text(encoding="utf-8"))
            if d.get("format") != FORMAT or tuple(d.get("features", ())) != FEATURES:
                raise RerankError(f"the reranker {path} was trained for other features; retrain it with "
                                  "`apirec train-reranker`")
            a = {k: np.asarray(d[k], dtype=np.float64) for k in ("mean", "std", "w1", "b1", "w2", "lin")}
            return cls(language=d["language"], pool=int(d["pool"]), meta=d.get("meta", {}), **a)
        except RerankError:
            raise
        except (OSError, ValueError, KeyError, TypeError) as e:
            raise RerankError(f"the reranker {path} cannot be read ({type(e).__name__}: {e}); retrain it "
                              "with `apirec train-reranker` or set APIREC_RERANKER=off") from None


def shipped_path(language: str) -> Path:
    return DATA / f"reranker-{language}.json"


def load_for(language: str) -> Reranker | None:
    """The reranker for an index whose records are mostly `language`: APIREC_RERANKER=off turns it off,
    =PATH uses that model for every language; else the shipped one, where there is one."""
    import os

    env = os.environ.get("APIREC_RERANKER", "").strip()
    if env.lower() in ("off", "0", "none", "false"):
        return None
    path = Path(env) if env else shipped_path(language)
    if not path.is_file():
        if env:
            raise RerankError(f"APIREC_RERANKER={env}: no such file")
        return None
    if env:
        return Reranker.load(path)  # asked for by name: its errors are the user's to see
    try:
        model = Reranker.load(path)
    except RerankError as e:  # a damaged install: rank without it rather than fail every search
        import logging

        logging.getLogger("apirec.rerank").warning("%s; ranking without it", e)
        return None
    return model if model.language == language else None


# -- training -------------------------------------------------------------------------------------------


def gold_matcher(gold: list[str], language: str) -> Callable[[str], bool]:
    """The shared data's matching rules: Java exact name; Python equal or ending with `.` + gold."""
    golds = {g.split("(")[0].removeprefix("builtins.") for g in gold}
    if language == "java":
        return lambda name: name in golds
    return lambda name: name in golds or any(name.endswith("." + g) for g in golds)


def examples(s: Searcher, rows: list[dict[str, Any]], pool: int, *, leave_one_out: bool = True,
             progress: Callable[[int], None] | None = None) -> list[tuple[np.ndarray, np.ndarray]]:
    """(features, labels) per row with a gold among the candidates; rows {"query"|"title", "gold"|"apis"}."""
    language = s.main_language()
    out = []
    for n, row in enumerate(rows):
        q = (row.get("query") or row.get("title") or "").strip()
        gold = row.get("gold") or row.get("apis") or []
        if progress:
            progress(n)
        if not q or not gold:
            continue
        g = s.gather(q, exclude_example=q if leave_one_out else None)
        if g is None:
            continue
        head, recs, named = s.head(g, q, pool)
        match = gold_matcher(gold, language)
        y = np.array([match(recs[int(g.cand[j])].public_path) for j in head], dtype=np.float32)
        if not y.any():
            continue
        own = frozenset(gold) if leave_one_out else frozenset()
        out.append((features(s, g, head, recs, named, own), y))
    return out


def fit(data: list[tuple[np.ndarray, np.ndarray]], *, hidden: int = 16, epochs: int = 600, lr: float = 0.02,
        l2: float = 1e-4, seed: int = 0, language: str = "", pool: int = 40) -> Reranker:
    """Listwise training (softmax over a query's candidates, -log of the golds' share), full batch, Adam."""
    rng = np.random.default_rng(seed)
    F = len(FEATURES)
    Q = len(data)
    P = max(len(x) for x, _ in data)
    X = np.zeros((Q, P, F))
    Y = np.zeros((Q, P))
    M = np.zeros((Q, P), dtype=bool)
    for q, (x, y) in enumerate(data):
        X[q, :len(x)] = x
        Y[q, :len(y)] = y
        M[q, :len(x)] = True
    flat = X[M]
    mean = flat.mean(0)
    std = flat.std(0)
    std[std < 1e-6] = 1.0
    Xn = np.where(M[..., None], (X - mean) / std, 0.0)
    params = {"w1": rng.normal(0, 0.1, (F, hidden)), "b1": np.zeros(hidden), "w2": rng.normal(0, 0.1, hidden),
              "lin": np.zeros(F)}
    params["lin"][FEATURES.index("fused")] = 1.0  # start from the hand-tuned fusion
    m = {k: np.zeros_like(v) for k, v in params.items()}
    v = {k: np.zeros_like(v) for k, v in params.items()}
    for t in range(1, epochs + 1):
        H = np.tanh(Xn @ params["w1"] + params["b1"])
        f = H @ params["w2"] + Xn @ params["lin"]
        f = np.where(M, f, -1e9)
        f = f - f.max(1, keepdims=True)
        p = np.exp(f) * M
        p /= p.sum(1, keepdims=True)
        pg = p * Y
        share = pg.sum(1, keepdims=True)
        df = (p - pg / share) / Q  # d(-log share)/df
        grads = {"w2": np.einsum("qph,qp->h", H, df), "lin": np.einsum("qpf,qp->f", Xn, df)}
        dH = df[..., None] * params["w2"] * (1 - H ** 2)
        grads["w1"] = np.einsum("qpf,qph->fh", Xn, dH)
        grads["b1"] = dH.sum((0, 1))
        for k in params:
            gk = grads[k] + l2 * params[k]
            m[k] = 0.9 * m[k] + 0.1 * gk
            v[k] = 0.999 * v[k] + 0.001 * gk ** 2
            params[k] -= lr * (m[k] / (1 - 0.9 ** t)) / (np.sqrt(v[k] / (1 - 0.999 ** t)) + 1e-8)
    return Reranker(language=language, mean=mean, std=std, pool=pool, **params)


def hit_at_1(model: Reranker | None, data: list[tuple[np.ndarray, np.ndarray]]) -> float:
    """Share of queries whose top candidate is a gold (None: the fused order, i.e. position 0)."""
    if not data:
        return 0.0
    ok = 0
    for x, y in data:
        top = 0 if model is None else int(np.argmax(model.score(x)))
        ok += bool(y[top])
    return ok / len(data)


def train(index: Path, pairs: Path, out: Path | None = None, *, limit: int = 20000, pool: int = 40,
          depth: int = 25, seed: int = 0,
          progress: Callable[[int, int], None] | None = None) -> dict[str, Any]:
    """Train on `pairs` (JSONL, {"title"|"query", "apis"|"gold"}) against `index` with its example bank
    left one out, and save to `out` (default: the shipped model of the index's language). 10% of the
    rows are held back to check the model beats the fused order. The model learns from the top `pool`
    candidates and reorders the top `depth` at search time (on BIKER the two depths rank alike, and the
    shorter one costs less per query)."""
    from .search import Searcher

    t0 = time.time()
    rows = [json.loads(line) for line in Path(pairs).read_text(encoding="utf-8").splitlines() if line.strip()]
    random.Random(seed).shuffle(rows)
    rows = rows[:limit]
    s = Searcher(index)
    s.weights = type(s.weights)(learned=False)
    data = examples(s, rows, pool, progress=(lambda n: progress(n, len(rows))) if progress else None)
    cut = max(1, len(data) // 10)
    val, tr = data[:cut], data[cut:]
    lang = s.main_language()
    out = out or shipped_path(lang)
    model = fit(tr, seed=seed, language=lang, pool=depth)
    report = {"rows": len(rows), "usable": len(data), "train": len(tr), "validation": len(val),
              "validation_hit1_fused": round(hit_at_1(None, val), 4),
              "validation_hit1_learned": round(hit_at_1(model, val), 4),
              "language": lang, "index": str(index), "pairs": str(pairs),
              "seconds": round(time.time() - t0, 1)}
    model.meta = {k: report[k] for k in ("rows", "usable", "validation_hit1_fused",
                                         "validation_hit1_learned")}
    model.meta["pairs"] = Path(pairs).name
    model.save(out)
    report["out"] = str(out)
    return report
