"""Hybrid retrieval over one index: BM25 + dense, fused by weighted reciprocal rank, plus priors."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from .bm25 import BM25Index, top_k
from .expand import EXPANSION_WEIGHT, expand
from .records import ApiRecord, Hit
from .store import IndexDir, IndexLoadError, open_db, read_params, rebuild_hint
from .textproc import tokenize


class QueryError(ValueError):
    """A query that cannot be answered (empty, ...)."""


@dataclass(frozen=True)
class FusionWeights:
    bm25: float = 1.0
    dense: float = 1.0
    rrf_k: float = 20.0
    prior: float = 0.1  # scales the per-record prior (priors.npy) into RRF units
    name_match: float = 0.03  # the query names the API
    candidates: int = 100


class Searcher:
    """Loads one generation of an index; thread-safe for concurrent searches."""

    def __init__(self, index_path: Path, *, load_dense: bool = True, model: str | None = None):
        self.index_dir = IndexDir(index_path)
        self.folder = self.index_dir.current()
        self.params = read_params(self.folder, self.index_dir.path)
        try:
            self.db = open_db(self.folder / "meta.sqlite")
            self.bm25 = BM25Index(self.folder / "bm25")
            self.priors = np.load(self.folder / "priors.npy")
            self.private = np.load(self.folder / "private.npy")
        except Exception as e:
            raise IndexLoadError(f"the index at {self.index_dir.path} is corrupt ({type(e).__name__}: {e}); "
                                 + rebuild_hint(self.index_dir.path)) from None
        self.n = int(self.params["records"])
        if self.priors.shape[0] != self.n or self.bm25.num_docs != self.n:
            raise IndexLoadError(f"the index at {self.index_dir.path} is inconsistent; "
                                 + rebuild_hint(self.index_dir.path))
        self._dense = None
        self._embedder = None
        self._model_name = model
        self._lock = threading.Lock()
        self.weights = FusionWeights()
        if load_dense:
            self._load_dense()

    # -- lazy parts ------------------------------------------------------------------------------
    def _load_dense(self):
        if self._dense is not None:
            return self._dense
        with self._lock:
            if self._dense is None:
                import faiss

                from .dense import Embedder, resolve_model

                spec = resolve_model(self._model_name or self.params.get("model_name"))
                if spec.model_id != self.params["model_id"]:
                    raise IndexLoadError(
                        f"the index at {self.index_dir.path} was built with embedding model "
                        f"{self.params['model_id']}, but {spec.model_id} is configured; "
                        + rebuild_hint(self.index_dir.path))
                faiss.omp_set_num_threads(1)  # one query: threads cost more than they save
                try:
                    self._dense = faiss.read_index(str(self.folder / "dense.faiss"))
                except Exception as e:
                    raise IndexLoadError(f"the index at {self.index_dir.path} has a corrupt dense index "
                                         f"({e}); " + rebuild_hint(self.index_dir.path)) from None
                self._embedder = Embedder(spec, threads=1)
        return self._dense

    # -- records ---------------------------------------------------------------------------------
    def record(self, idx: int) -> ApiRecord:
        return _record_from_json(self._row_json(idx))

    def _row_json(self, idx: int) -> str:
        row = self.db.execute("SELECT json FROM records WHERE idx = ?", (int(idx),)).fetchone()
        if row is None:
            raise KeyError(idx)
        return row[0]

    def lookup(self, name: str, limit: int = 20) -> list[ApiRecord]:
        """Records whose public path, alias, canonical path or id is `name`; else by short name."""
        q = self.db.execute
        rows = q("SELECT idx FROM records WHERE public_path = ? OR canonical_path = ? OR id = ? "
                 "UNION SELECT idx FROM aliases WHERE alias = ? LIMIT ?",
                 (name, name, name, name, limit)).fetchall()
        if not rows:
            rows = q("SELECT idx FROM records WHERE name = ? ORDER BY private, length(public_path) LIMIT ?",
                     (name.rsplit(".", 1)[-1], limit)).fetchall()
        return [self.record(r[0]) for r in rows]

    def members(self, parent: str, limit: int = 500) -> list[ApiRecord]:
        rows = self.db.execute(
            "SELECT idx FROM records WHERE public_path LIKE ? ESCAPE '\\' AND public_path NOT LIKE ? ESCAPE '\\' "
            "ORDER BY private, name LIMIT ?",
            (_like_prefix(parent) + "%", _like_prefix(parent) + "%.%", limit),
        ).fetchall()
        return [self.record(r[0]) for r in rows]

    # -- search ----------------------------------------------------------------------------------
    def search(self, query: str, k: int = 10, *, include_private: bool = False,
               language: str | None = None, dense: bool = True) -> list[Hit]:
        query = (query or "").strip()
        if not query:
            raise QueryError("empty query: say what you want to do, e.g. apirec search \"parse a json string\"")
        w = self.weights
        tokens = tokenize(query)
        extra = expand(tokens)
        weights = [1.0] * len(tokens) + [EXPANSION_WEIGHT] * len(extra)
        b_idx, b_scores = (top_k(self.bm25.scores(tokens + extra, weights), w.candidates) if tokens
                           else (np.zeros(0, int), []))
        d_idx, d_scores = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        if dense:
            index = self._load_dense()
            vec = self._embedder.embed_one(query)
            d_scores, d_idx = index.search(vec[None, :], w.candidates)
            d_scores, d_idx = d_scores[0], d_idx[0]
            keep = d_idx >= 0
            d_scores, d_idx = d_scores[keep], d_idx[keep]
        fused: dict[int, float] = {}
        why: dict[int, dict[str, Any]] = {}
        for rank, (i, s) in enumerate(zip(b_idx.tolist(), np.asarray(b_scores).tolist()), 1):
            fused[i] = fused.get(i, 0.0) + w.bm25 / (w.rrf_k + rank)
            why.setdefault(i, {})["bm25"] = {"rank": rank, "score": round(float(s), 4)}
        for rank, (i, s) in enumerate(zip(d_idx.tolist(), d_scores.tolist()), 1):
            fused[i] = fused.get(i, 0.0) + w.dense / (w.rrf_k + rank)
            why.setdefault(i, {})["dense"] = {"rank": rank, "score": round(float(s), 4)}
        if not fused:
            return []
        cand = np.fromiter(fused.keys(), dtype=np.int64, count=len(fused))
        scores = np.fromiter(fused.values(), dtype=np.float64, count=len(fused))
        scores += w.prior * self.priors[cand]
        if not include_private:
            scores[self.private[cand]] = -np.inf  # private records and test code only on request
        order = np.argsort(-scores, kind="stable")
        qnorm = "".join(tokenize(query, stopwords=False))
        hits: list[Hit] = []
        # Rank a few more than k so the name-match bonus and filters can reorder the head.
        pool = []
        for j in order[: max(k * 3, 30)]:
            if not np.isfinite(scores[j]):
                continue
            i = int(cand[j])
            rec = self.record(i)
            if language and rec.language != language:
                continue
            s = float(scores[j])
            info = why[i]
            info["prior"] = round(float(w.prior * self.priors[i]), 5)
            if qnorm and qnorm in ("".join(tokenize(rec.public_path, stopwords=False)),
                                   "".join(tokenize(rec.name, stopwords=False))):
                s += w.name_match
                info["name_match"] = w.name_match
            pool.append((s, i, rec, info))
        pool.sort(key=lambda t: -t[0])
        for rank, (s, i, rec, info) in enumerate(pool[:k], 1):
            matched = sorted(set(tokens) & set(_record_tokens(rec)))
            if matched:
                info["matched_terms"] = matched
            hits.append(Hit(record=rec, score=s, rank=rank, why=info))
        return hits

    def info(self) -> dict[str, Any]:
        kinds = dict(self.db.execute("SELECT kind, count(*) FROM records GROUP BY kind").fetchall())
        sources = [{"spec": s, "origin": o, "version": v, "files": f} for s, o, v, f in
                   self.db.execute("SELECT spec, origin, version, files FROM sources ORDER BY spec")]
        size = sum(p.stat().st_size for p in self.folder.rglob("*") if p.is_file())
        return {
            "index": str(self.index_dir.path),
            "generation": self.folder.name,
            "records": self.n,
            "kinds": kinds,
            "sources": sources,
            "origins": self.params.get("origins", {}),
            "model": self.params.get("model_id"),
            "schema_version": self.params.get("schema_version"),
            "apirec_version": self.params.get("apirec_version"),
            "size_bytes": size,
            "created": self.params.get("created"),
        }


def _like_prefix(s: str) -> str:
    return s.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "."


@lru_cache(maxsize=4096)
def _record_from_json(s: str) -> ApiRecord:
    return ApiRecord.from_dict(json.loads(s))


def _record_tokens(r: ApiRecord) -> list[str]:
    return tokenize(f"{r.public_path} {r.summary}")
