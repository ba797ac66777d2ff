"""Hybrid retrieval over one index: BM25 + dense, fused by weighted reciprocal rank, plus priors."""

from __future__ import annotations

import itertools
import json
import math
import os
import re
import threading
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterable

import numpy as np

from .bm25 import BM25Index, top_k
from .expand import EXPANSION_WEIGHT, expand, same_words
from .records import ApiRecord, Hit, base_paths, written_bases
from .store import IndexDir, IndexLoadError, open_db, read_params, rebuild_hint
from .textproc import (
    STOPWORDS,
    in_order,
    split_identifier,
    stem,
    tokenize,
    whole_token,
    without_language_name,
    without_return_clause,
)


class QueryError(ValueError):
    """A query that cannot be answered (empty, ...)."""


@dataclass(frozen=True)
class FusionWeights:
    bm25: float = 1.0
    dense: float = 1.0
    rrf_k: float = 20.0
    prior: float = 0.1  # scales the per-record prior (priors.npy) into RRF units
    name_match: float = 0.03  # the query names the API
    name_cover: float = 0.04  # query words spell the API's name (share of its letters covered)
    # The question names the API as code (`beatnum.total`, `filter_condition`, `np.unravel_index()`):
    # as much as a name its words spell in full.
    code_mention: float = 0.04
    code_use: float = 0.06  # ... more where the question says to use it ("using np.all")
    name_pool: int = 60
    name_cover_gate: int = 10  # ... for candidates the dense ranking (else BM25's) puts this high
    candidates: int = 100
    votes: float = 0.2  # similar solved queries (example bank) voting for their APIs
    vote_neighbours: int = 20
    vote_rrf_k: float = 5.0
    learned: bool = True  # the shipped learned reranker for the index's language, where there is one
    # An installed library's APIs when the question shows no sign of that library ("remove the newline
    # from a string" is about str, not pandas' `.str` accessor): see `_Scope`.
    scope: float = 0.04
    # An exception class answers a question about an error ("catch a timeout", "KeyError when ...");
    # in any other it is a word match ("accessing index and value in a list": `IndexError`).
    exception: float = 0.04
    # A function of a library that documents its API in sections ("Parameters", "Returns", "Examples")
    # but not this one: an internal helper (`pandas.core.frame.default_index`), no answer to a question
    # about the public API. See `_undocumented`.
    undocumented: float = 0.04
    # "convert a string to a date": an API that converts the wrong way is no answer, be it the class of
    # what is converted (`str`, brought up by its name and usage prior) or one whose doc converts into
    # another type ("convert int to string": `int`, "Convert a number or string to an integer"). See
    # `conversion`.
    backwards: float = 0.04
    backwards_pool: int = 30  # ... of the best candidates: their docs are read
    twins: bool = True  # a module function before a class's member of its name; see `_twins_after`
    mains: int = 20  # a module among this many best goes after its namesake function or class; see `_mains`
    # A first answer only the usage prior put there (neither retriever ranks it this high, nothing else
    # speaks for it) goes after the best answer the question's text found; see `_text_first`. 0: off.
    prior_alone: int = 30
    # A method of a builtin type the question names ("find the index of an item in a list": `list.index`,
    # not a widget's `index`). Builtins only: other classes are named by everyday words (`Random`, `Pool`,
    # `Path`), and the question means the word. See `_of_named_builtin`.
    builtin_named: float = 0.02


@dataclass
class Gathered:
    """A query's candidates (record idx) with fused scores, best first in `order`, and the evidence."""
    tokens: list[str]
    cand: np.ndarray
    scores: np.ndarray
    order: np.ndarray
    b_ev: dict[int, tuple[int, float]]
    d_ev: dict[int, tuple[int, float]]
    v_ev: dict[int, tuple[float, list[str], int, float]]  # share, first voters, voters, best cosine
    cover: dict[int, float]
    b_top: float
    off_scope: set[int] = field(default_factory=set)  # candidates of a library the question does not involve
    not_error: bool = False  # exception classes went down: the question is not about an error
    backwards: dict[int, int] = field(default_factory=dict)  # candidates that convert the wrong way: reasons
    records: dict[int, ApiRecord] = field(default_factory=dict)  # those already read (idx -> record)
    mentioned: set[int] = field(default_factory=set)  # named as code in the question
    used: set[int] = field(default_factory=set)  # ... after "use", "using", "call"
    undocumented: set[int] = field(default_factory=set)  # helpers of a library that documents its API
    mains: dict[int, int] = field(default_factory=dict)  # a module's namesake function -> the module


# Index loads take this lock: first loads in several threads at once (the language server loads its
# indexes in parallel) once failed inside np.load's header parsing (CPython `ast`). Loads are rare.
_LOAD_LOCK = threading.Lock()


_RECORD_MEMO = 8192  # records a Searcher keeps parsed (a search reads 40 to 60)
_TEXT_VECS: dict[tuple[str, str], np.ndarray] = {}  # (model id, text) -> its embedding
_TEXT_LOCK = threading.Lock()


class Searcher:
    """Loads one generation of an index; thread-safe for concurrent searches."""

    def __init__(self, index_path: Path, *, load_dense: bool = True, model: str | None = None):
        with _LOAD_LOCK:
            self._open(index_path)
        self._dense = None
        self._embedder = None
        self._model_name = model
        self._lock = threading.Lock()
        self.weights = FusionWeights()
        self._solved_dense = None
        self._name_idx: dict[str, int | None] = {}
        self._name_memo: dict[int, str] = {}
        self._rec_memo: dict[int, ApiRecord] = {}
        self._solved_memo: dict[int, tuple[str, str, list[str]]] = {}
        self._libs: dict[str, bool] = {}
        self._learned: Any = False  # not looked up yet
        self._language: str | None = None
        self._bank_counts: tuple[dict[str, int], int] | None = None
        self._scope: _Scope | None = None
        self._exceptions: np.ndarray | None = None
        self._tops: list[str] | None = None  # top-level package names (`np.` in a question: numpy)
        self._undoc: np.ndarray | None = None  # see `_undocumented`
        self._main_memo: dict[int, int] = {}  # see `_mains`
        self._vectors: np.ndarray | None = None
        self._rows: dict[str, int | None] = {}  # record id -> row of vectors.npy (member completion)
        if load_dense:
            self._load_dense()

    def _open(self, index_path: Path) -> None:
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
        from .lookups import Lookups

        self.lookups = Lookups(self.db, self.priors)  # member completion's queries, memoized per generation
        self.solved_bm25 = None
        if (self.folder / "solved_bm25").is_dir():
            self.solved_bm25 = BM25Index(self.folder / "solved_bm25")

    # -- lazy parts ------------------------------------------------------------------------------
    def _exception_classes(self) -> np.ndarray:
        """1.0 for the exception classes of the index (named as such: the builtins' and the standard
        library's all are, and so are nearly all others), else 0.0."""
        out = np.zeros(self.n)
        for (idx,) in self.db.execute(
                "SELECT idx FROM records WHERE kind = 'class' AND (name LIKE ? OR name LIKE ? OR name LIKE ?"
                " OR name IN (?, ?, ?))", ("%Error", "%Exception", "%Warning",
                                           "KeyboardInterrupt", "SystemExit", "GeneratorExit")):
            out[idx] = 1.0
        return out

    def _load_dense(self):
        if self._dense is not None:
            return self._dense
        self._load_embedder()  # first: it says when the configured model is not the index's
        with self._lock, _LOAD_LOCK:
            if self._dense is None:
                import faiss

                faiss.omp_set_num_threads(1)  # one query: threads cost more than they save
                try:
                    self._dense = faiss.read_index(str(self.folder / "dense.faiss"))
                except Exception as e:
                    raise IndexLoadError(f"the index at {self.index_dir.path} has a corrupt dense index "
                                         f"({e}); " + rebuild_hint(self.index_dir.path)) from None
        return self._dense

    def _load_embedder(self):
        """The query embedder alone (member completion compares a comment with stored vectors: no FAISS)."""
        if self._embedder is not None:
            return self._embedder
        with self._lock, _LOAD_LOCK:
            if self._embedder is None:
                from .dense import Embedder, query_quantized, resolve_model

                spec = resolve_model(self._model_name or self.params.get("model_name"))
                if spec.model_id != self.params["model_id"]:
                    raise IndexLoadError(
                        f"the index at {self.index_dir.path} was built with embedding model "
                        f"{self.params['model_id']}, but {spec.model_id} is configured; "
                        + rebuild_hint(self.index_dir.path))
                # Two intra-op threads cut one query's embedding by a quarter to a third here.
                self._embedder = Embedder(spec, threads=min(2, os.cpu_count() or 1),
                                          quantized=query_quantized())
        return self._embedder

    def _solved_dense_index(self):
        if self._solved_dense is None:
            import faiss

            self._solved_dense = faiss.read_index(str(self.folder / "solved.faiss"))
        return self._solved_dense

    def similar_solved(self, query: str, qvec: np.ndarray | None, n: int | None = None, *,
                       exclude: str | None = None) -> list[tuple[float, dict]]:
        """Nearest solved queries of the example bank (BM25 + dense, reciprocal-rank fused). `exclude`:
        leave out examples with this exact text (training on the bank's own queries: leave one out)."""
        if self.solved_bm25 is None:
            return []
        w = self.weights
        n = n or w.vote_neighbours
        fused: dict[int, float] = {}
        toks = tokenize(query)
        if toks:
            idx, _ = top_k(self.solved_bm25.scores(toks), n * 2)
            for rank, i in enumerate(idx.tolist(), 1):
                fused[i] = fused.get(i, 0.0) + 1.0 / (w.vote_rrf_k + rank)
        cos: dict[int, float] = {}
        if qvec is not None:
            sims, ids = self._solved_dense_index().search(qvec[None, :], n * 2)
            for rank, (i, c) in enumerate(zip(ids[0].tolist(), sims[0].tolist()), 1):
                if i >= 0:
                    fused[i] = fused.get(i, 0.0) + 1.0 / (w.vote_rrf_k + rank)
                    cos[i] = c
        best = sorted(fused.items(), key=lambda kv: -kv[1])[:n + (8 if exclude else 0)]
        if not best:
            return []
        # Bank rows by idx, their API lists parsed.
        rows = self._by_row(self._solved_memo, [i for i, _ in best],
                            "SELECT idx, id, text, apis FROM solved WHERE idx IN",
                            lambda row: (row[1], row[2], json.loads(row[3])), _RECORD_MEMO)
        if exclude:
            drop = exclude.strip().lower()
            rows = {i: r for i, r in rows.items() if r[1].strip().lower() != drop}
        return [(score, {"id": rows[i][0], "text": rows[i][1], "apis": list(rows[i][2]),
                         "cos": cos.get(i, 0.0)})
                for i, score in best if i in rows][:n]

    def bank_counts(self) -> tuple[dict[str, int], int]:
        """How many example-bank entries name each API (a popularity prior of the solved queries), and
        the most any one API has."""
        if self._bank_counts is None:
            counts: dict[str, int] = {}
            if self.solved_bm25 is not None:
                for (apis,) in self.db.execute("SELECT apis FROM solved"):
                    for a in set(json.loads(apis)):
                        counts[a] = counts.get(a, 0) + 1
            self._bank_counts = (counts, max(counts.values(), default=1))
        return self._bank_counts

    def _idx_of(self, name: str) -> int | None:
        """`_path_idx` without the canonical-path fallback, remembered (example-bank votes repeat)."""
        if name not in self._name_idx:
            self._name_idx[name] = self._path_idx(name, canonical=False)
        return self._name_idx[name]

    def _path_idx(self, path: str, *, canonical: bool) -> int | None:
        """Row of the record whose public path, else alias (else, with `canonical`, canonical path) is `path`."""
        row = self.db.execute("SELECT idx FROM records WHERE public_path = ? ORDER BY private LIMIT 1",
                              (path,)).fetchone()
        if row is None:
            row = self.db.execute("SELECT idx FROM aliases WHERE alias = ? LIMIT 1", (path,)).fetchone()
        if row is None and canonical:
            row = self.db.execute("SELECT idx FROM records WHERE canonical_path = ? ORDER BY private LIMIT 1",
                                  (path,)).fetchone()
        return row[0] if row else None

    # -- records ---------------------------------------------------------------------------------
    def record(self, idx: int) -> ApiRecord:
        return record_from_json(self._row_json(idx))

    def records(self, idxs: list[int]) -> dict[int, ApiRecord]:
        """Several records in one query (a search's candidates), remembered by row: the same
        candidates come back query after query."""
        got = self._by_row(self._rec_memo, idxs, "SELECT idx, json FROM records WHERE idx IN",
                           lambda row: record_from_json(row[1]), _RECORD_MEMO)
        missing = [i for i in idxs if i not in got]
        if missing:
            raise KeyError(missing[0])
        return got

    def _by_row(self, memo: dict[int, Any], idxs: list[int], select: str, make: Callable[[tuple], Any],
                bound: int) -> dict[int, Any]:
        """`make(row)` for the rows `idxs` of `select` ("SELECT idx, ... FROM t WHERE idx IN"), those
        already made read from `memo` (cleared when it would pass `bound`; read with `get`, not `in`
        then `[]`: another thread's search may clear it). Rows that do not exist are left out."""
        got: dict[int, Any] = {}
        for i in idxs:
            v = memo.get(i)
            if v is not None:
                got[i] = v
        want = [i for i in dict.fromkeys(idxs) if i not in got]
        if want:
            marks = ",".join("?" * len(want))  # placeholders only; values are bound
            rows = self.db.execute(f"{select} ({marks})", want).fetchall()
            if len(memo) + len(rows) > bound:
                memo.clear()
            for row in rows:
                got[row[0]] = memo[row[0]] = make(row)
        return got

    def _row_json(self, idx: int) -> str:
        row = self.db.execute("SELECT json FROM records WHERE idx = ?", (int(idx),)).fetchone()
        if row is None:
            raise KeyError(idx)
        return row[0]

    def similarity(self, text: str, records: Iterable[ApiRecord]) -> dict[str, float]:
        """Cosine of `text`'s embedding with the indexed vector of each of `records` that this index
        holds, by record id: what a comment means against what members do ("partition into chunks" /
        "Split an array into multiple sub-arrays"), where they share no word. Empty without vectors."""
        ids = [r.id for r in records]
        missing = [i for i in dict.fromkeys(ids) if i not in self._rows]
        if missing:
            if len(self._rows) > 200_000:
                self._rows.clear()
            for start in range(0, len(missing), 500):
                chunk = missing[start:start + 500]
                marks = ",".join("?" * len(chunk))  # placeholders only; values are bound
                got = dict(self.db.execute(f"SELECT id, idx FROM records WHERE id IN ({marks})", chunk))
                self._rows.update((i, got.get(i)) for i in chunk)
        rows = {i: self._rows[i] for i in ids if self._rows.get(i) is not None}
        if not rows:
            return {}
        if self._vectors is None:
            vecs = np.load(self.folder / "vectors.npy", mmap_mode="r")  # pages only the rows asked for
            if vecs.shape[0] != self.n:
                raise IndexLoadError(f"vectors.npy of {self.index_dir.path} does not match its records; "
                                     + rebuild_hint(self.index_dir.path))
            self._vectors = vecs
        qv = self.text_vector(text)
        order = sorted(set(rows.values()))
        sims = dict(zip(order, (self._vectors[order] @ qv).tolist()))
        return {i: sims[row] for i, row in rows.items()}

    def text_vector(self, text: str) -> np.ndarray:
        """`text`'s embedding, remembered per model (the indexes of one model share it)."""
        key = (self.params.get("model_id", ""), text)
        got = _TEXT_VECS.get(key)
        if got is None:
            got = self._load_embedder().embed_one(text)
            with _TEXT_LOCK:
                if len(_TEXT_VECS) >= 256:
                    _TEXT_VECS.clear()
                _TEXT_VECS[key] = got
        return got

    def lookup(self, name: str, limit: int = 20, *, inherited: bool = False) -> list[ApiRecord]:
        """Records whose public path, alias, canonical path or id is `name`; else, with `inherited`, the
        member a class has from a base (see `inherited`: a name a user or agent asks for); else by short
        name."""
        q = self.db.execute
        rows = q("SELECT idx FROM records WHERE public_path = ? OR canonical_path = ? OR id = ? "
                 "UNION SELECT idx FROM aliases WHERE alias = ? LIMIT ?",
                 (name, name, name, name, limit)).fetchall()
        if not rows:
            got = self.inherited(name) if inherited else None
            if got is not None:
                return [got]
            rows = q("SELECT idx FROM records WHERE name = ? ORDER BY private, length(public_path) LIMIT ?",
                     (name.rsplit(".", 1)[-1], limit)).fetchall()
        return [self.record(r[0]) for r in rows]

    def close_names(self, name: str, n: int = 5) -> list[str]:
        """Real names near an unknown one: similar members of its parent (`json.lods`: json.loads),
        the same short name elsewhere."""
        import difflib

        out: list[str] = []
        parent, _, short = name.rpartition(".")
        if parent:
            members = [r.name for r in self.members(parent, limit=2000)]
            out += [f"{parent}.{m}" for m in difflib.get_close_matches(short, members, n=n, cutoff=0.6)]
        out += [r.public_path for r in self.lookup(short, limit=n) if r.name == short]
        return list(dict.fromkeys(x for x in out if x != name))[:n]

    def inherited(self, path: str) -> ApiRecord | None:
        """A member a class has from a base, under the path asked for: `pandas.DataFrame.fillna`, which
        the index holds once, as `pandas.core.generic.NDFrame.fillna` (members of a public base stay
        under it). Bases are read as written and resolved as the API checker does (as named, in the
        class's module, as a builtin, else the class of that name from the same origin), nearest first;
        None where no base has the member."""
        owner, _, member = path.rpartition(".")
        start = self.exact(owner) if owner and member else None
        if start is None or start.kind != "class":
            return None
        queue, seen = [start], {start.canonical_path}
        while queue and len(seen) < 16:
            cls = queue.pop(0)
            for base in written_bases(cls):
                found = (self.exact(c) for c in base_paths(base, cls))
                b = next((r for r in found if r is not None and r.kind == "class"), None)
                if b is None:  # `base.IndexOpsMixin`, `np.ndarray`: through an import; the class of that name
                    row = self.db.execute(
                        "SELECT idx FROM records WHERE name = ? AND kind = 'class' AND origin = ? "
                        "ORDER BY private, length(public_path) LIMIT 1",
                        (base.rpartition(".")[2], cls.origin)).fetchone()
                    b = self.record(row[0]) if row else None
                if b is None or b.canonical_path in seen:
                    continue
                seen.add(b.canonical_path)
                got = self.exact(f"{b.public_path}.{member}") or self.exact(f"{b.canonical_path}.{member}")
                if got is not None:
                    return got.with_(public_path=path, aliases=(got.public_path, *got.aliases))
                queue.append(b)
        return None

    def members(self, parent: str, limit: int = 500) -> list[ApiRecord]:
        """Direct members of a module or class, public ones first (the lookup member completion uses)."""
        return sorted(self.lookups.members(parent), key=lambda r: (r.private, r.name))[:limit]

    def exact(self, path: str) -> ApiRecord | None:
        """The record whose public path, canonical path or alias is exactly `path` (no short-name guess)."""
        idx = self._path_idx(path, canonical=True)
        return self.record(idx) if idx is not None else None

    def stale(self) -> bool:
        """True when a newer generation has been published since this one was loaded."""
        try:
            return self.index_dir.current() != self.folder
        except IndexLoadError:
            return False

    # -- search ----------------------------------------------------------------------------------
    def search(self, query: str, k: int = 10, *, include_private: bool = False,
               language: str | None = None, dense: bool = True, modules: Iterable[str] = ()) -> list[Hit]:
        """`modules`: what the code around the question imports (`pandas`, `numpy.linalg`): those
        libraries are in scope whatever the question's words."""
        query = (query or "").strip()
        if not query:
            raise QueryError("empty query: say what you want to do, e.g. apirec search \"parse a json string\"")
        g = self.gather(query, dense=dense, include_private=include_private, modules=modules)
        if g is None:
            return []
        w = self.weights
        learned = self._reranker() if (dense and w.learned) else None
        # Rank a few more than k so the name-match bonus, the learned model and filters can reorder the head.
        depth = max(k * 2, 20, learned.pool if learned is not None else 0)
        head, recs, named = self.head(g, query, depth, language)
        fused = [float(g.scores[j]) + (w.name_match if m else 0.0) for j, m in zip(head, named)]
        of_named: set[int] = set()  # methods of a builtin type the question names
        if w.builtin_named:
            qtok = frozenset(tokenize(query, stopwords=False))
            for n, j in enumerate(head):
                if _of_named_builtin(recs[int(g.cand[j])], qtok):
                    fused[n] += w.builtin_named
                    of_named.add(n)
        final, top = fused, 0  # top: how many the learned model ranks
        if learned is not None and head:
            from .rerank import features

            # The model reorders the top `pool` (what it was made for); the rest follow in fused order.
            top = min(len(head), learned.pool)
            final = learned.score(features(self, g, head[:top], recs, named[:top])).tolist()
            low = min(final) - 1.0
            final += [0.0] * (len(head) - top)
            for r, n in enumerate(sorted(range(top, len(head)), key=lambda n: -fused[n])):
                final[n] = low - r
        # Best first; the explanations are written for the k shown only.
        pool = sorted(range(len(head)), key=lambda n: -final[n])
        before: dict[int, str] = {}  # module functions put before a class's member of their name
        if w.twins:
            pool = self._twins_after(pool, [recs[int(g.cand[j])] for j in head], query, before)
        after: dict[int, str] = {}  # the answer that text found, put before a prior-only first answer
        if w.prior_alone:
            pool = self._text_first(pool, g, head, recs, named, query, before, after)
        pool = pool[:k]
        # Scores stay on the fusion's scale (callers merge several indexes by score): with the learned
        # order, the n-th hit gets the n-th best fused score.
        scale = sorted(fused, reverse=True)
        hits: list[Hit] = []
        words = frozenset(re.findall(r"[a-z0-9_]+", query.lower()))
        for rank, n in enumerate(pool, 1):
            i = int(g.cand[head[n]])
            rec = recs[i]
            info: dict[str, Any] = {}
            if i in g.b_ev:
                info["bm25"] = {"rank": g.b_ev[i][0], "score": round(float(g.b_ev[i][1]), 4)}
            if i in g.d_ev:
                info["dense"] = {"rank": g.d_ev[i][0], "score": round(float(g.d_ev[i][1]), 4)}
            if i in g.v_ev:
                info["votes"] = {"score": round(g.v_ev[i][0], 4), "examples": g.v_ev[i][1]}
            if i in g.cover:
                info["name_cover"] = round(g.cover[i], 3)
            info["prior"] = round(float(w.prior * self.priors[i]), 5)
            if i in g.off_scope:
                info["off_scope"] = -w.scope
            if i in g.undocumented:
                info["undocumented"] = -w.undocumented
            if g.not_error and self._exceptions[i]:
                info["exception"] = -w.exception
            if i in g.backwards:
                info["backwards"] = -w.backwards * g.backwards[i]
            if named[n]:
                info["name_match"] = w.name_match
            if n in of_named:
                info["builtin_named"] = w.builtin_named
            if i in g.mentioned:
                info["code_mention"] = w.code_mention
            if i in g.used:
                info["code_use"] = w.code_use
            if n in before:
                info["before_member"] = before[n]
            if n in after:
                info["before_prior_only"] = after[n]
            if i in g.mains:
                info["module_main"] = self.record(g.mains[i]).public_path
            if top:
                info["fused"] = round(fused[n], 5)
                if n < top:
                    info["learned"] = round(final[n], 4)
            matched = sorted(set(g.tokens) & _record_tokens(rec))
            if matched:
                info["matched_terms"] = matched
            shown = self.lookups.inherited_home(rec, words)
            if shown is not None:
                info["inherited_from"] = rec.parent
                rec = shown
            hits.append(Hit(record=rec, score=scale[rank - 1], rank=rank, why=info))
        return hits

    @staticmethod
    def _twins_after(pool: list[int], recs: list[ApiRecord], query: str, before: dict[int, str]
                     ) -> list[int]:
        """A class's member goes after the module function of the same name (`random.random` before
        `random.SystemRandom.random`, `statistics.mean` before `statistics.NormalDist.mean`) unless the
        question names the class: the function is what a question about the task means."""
        funcs = {recs[n].public_path: p for p, n in enumerate(pool) if recs[n].kind == "function"}
        if not funcs:
            return pool
        qtok = frozenset(tokenize(query, stopwords=False))
        out = list(pool)
        for n in pool:
            r = recs[n]
            if r.kind not in ("method", "property") or r.parent.count(".") < 1:
                continue
            twin = funcs.get(r.parent.rsplit(".", 1)[0] + "." + r.name)
            if twin is None:
                continue
            m, f = out.index(n), out.index(pool[twin])
            if f > m and not _names_class(r.parent.rsplit(".", 1)[1], qtok):
                out[m], out[f] = out[f], out[m]  # the rest keep their places
                before[out[m]] = r.public_path
        return out

    def _text_first(self, pool: list[int], g: Gathered, head: list[int], recs: dict[int, ApiRecord],
                    named: list[bool], query: str, before: dict[int, str], after: dict[int, str]) -> list[int]:
        """A first answer that only its usage prior put there (`len` for "find the index of an item in a
        list", `isinstance` for "check if a string contains a substring": both retrievers rank it low,
        no solved example votes for it, the question neither names it nor spells its name) goes after
        the first of the next few answers the question's text did find. Popularity alone is no answer;
        it stays near the top, where a question whose answer merely calls it still finds it."""
        w = self.weights
        far = (1 << 30,)

        def found(n: int) -> bool:
            i = int(g.cand[head[n]])
            return (g.b_ev.get(i, far)[0] <= w.prior_alone or g.d_ev.get(i, far)[0] <= w.prior_alone
                    or i in g.v_ev or i in g.cover or i in g.mentioned or i in g.mains or named[n]
                    or n in before)

        if not pool or not g.d_ev or found(pool[0]):
            return pool  # (a lexical search alone says too little of what the text found)
        first = recs[int(g.cand[head[pool[0]]])]
        if name_coverage(first.name, self._weighted_words(query)) >= 0.5:
            return pool  # spelled by the question, outside the spelling gate ("sort ... numerically": sorted)
        for p, n in enumerate(pool[1:5], 1):
            if found(n):
                after[n] = first.public_path
                return [n, *pool[:p], *pool[p + 1:]]
        return pool

    def head(self, g: Gathered, query: str, depth: int, language: str | None = None
             ) -> tuple[list[int], dict[int, ApiRecord], list[bool]]:
        """The best `depth` candidates of `g` (positions in g.cand, best fused first), their records, and
        whether the query names each one; `language` keeps only that language's records."""
        top = g.order[:depth]
        head = top[np.isfinite(g.scores[top])].tolist()
        want = [int(g.cand[j]) for j in head]
        recs = self.records([i for i in want if i not in g.records])
        recs.update((i, g.records[i]) for i in want if i in g.records)
        if language:
            head = [j for j in head if recs[int(g.cand[j])].language == language]
        qnorm = "".join(tokenize(query, stopwords=False))
        return head, recs, [names_query(qnorm, recs[int(g.cand[j])]) for j in head]

    def gather(self, query: str, *, dense: bool = True, include_private: bool = False,
               exclude_example: str | None = None, modules: Iterable[str] = ()) -> Gathered | None:
        """Candidates and their evidence: BM25 and dense ranks fused (weighted RRF), example-bank
        votes, priors and name coverage. None when nothing matched."""
        w = self.weights
        # What is retrieved by: the question without the name of the language it is asked in and
        # without a prompt's "and return the ..." (what comes back, not what makes it).
        topic = without_return_clause(without_language_name(query, self.main_language()))
        tokens = tokenize(topic)
        extra = expand(tokens)
        weights = [1.0] * len(tokens) + [EXPANSION_WEIGHT] * len(extra)
        b_idx, b_scores = (top_k(self.bm25.scores(tokens + extra, weights), w.candidates) if tokens
                           else (np.zeros(0, int), []))
        d_idx, d_scores = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        vec = None
        if dense:
            index = self._load_dense()
            vec = self._embedder.embed_one(topic)
            d_scores, d_idx = index.search(vec[None, :], w.candidates)
            d_scores, d_idx = d_scores[0], d_idx[0]
            keep = d_idx >= 0
            d_scores, d_idx = d_scores[keep], d_idx[keep]
        fused: dict[int, float] = {}
        # Evidence per candidate as plain tuples; only the returned hits get their `why` dicts.
        b_ev: dict[int, tuple[int, float]] = {}
        d_ev: dict[int, tuple[int, float]] = {}
        v_ev: dict[int, tuple[float, list[str], int, float]] = {}
        cover: dict[int, float] = {}
        for rank, (i, sc) in enumerate(zip(b_idx.tolist(), np.asarray(b_scores).tolist()), 1):
            fused[i] = fused.get(i, 0.0) + w.bm25 / (w.rrf_k + rank)
            b_ev[i] = (rank, sc)
        for rank, (i, sc) in enumerate(zip(d_idx.tolist(), d_scores.tolist()), 1):
            fused[i] = fused.get(i, 0.0) + w.dense / (w.rrf_k + rank)
            d_ev[i] = (rank, sc)
        # Similar solved queries vote for their APIs (BIKER / APIGen evidence).
        neighbours = self.similar_solved(topic, vec, exclude=exclude_example) if w.votes else []
        if neighbours:
            votes: dict[int, float] = {}
            voters: dict[int, list[str]] = {}
            best_cos: dict[int, float] = {}
            for score, ex in neighbours:
                share = score / max(1, len(ex["apis"])) ** 0.5
                for api in ex["apis"]:
                    i = self._idx_of(api)
                    if i is not None:
                        votes[i] = votes.get(i, 0.0) + share
                        voters.setdefault(i, []).append(ex["text"])
                        best_cos[i] = max(best_cos.get(i, 0.0), ex["cos"])
            top = max(votes.values(), default=0.0)
            for i, v in votes.items():
                fused[i] = fused.get(i, 0.0) + w.votes * v / top
                v_ev[i] = (v / top, voters[i][:3], len(voters[i]), best_cos[i])
        used: set[int] = set()
        mentioned = self._code_mentions(query, used) if w.code_mention else set()
        for i in mentioned:  # found even where neither retriever did
            fused[i] = fused.get(i, 0.0) + w.code_mention + (w.code_use if i in used else 0.0)
        if not fused:
            return None
        cand = np.fromiter(fused.keys(), dtype=np.int64, count=len(fused))
        scores = np.fromiter(fused.values(), dtype=np.float64, count=len(fused))
        scores += w.prior * self.priors[cand]
        off_scope: set[int] = set()
        if w.scope:
            if self._scope is None:
                self._scope = _Scope(self)
            off = self._scope.off(query, tokens, modules)
            if off is not None:
                hit = off[self._scope.code[cand]]
                scores -= w.scope * hit
                off_scope = set(cand[hit > 0].tolist())
        undocumented: set[int] = set()
        if w.undocumented:
            if self._undoc is None:
                self._undoc = self._undocumented()
            hit = self._undoc[cand]
            if hit.any():
                scores -= w.undocumented * hit
                undocumented = set(cand[hit > 0].tolist())
        not_error = bool(w.exception) and not _ERROR_TALK.search(query)
        if not_error:
            if self._exceptions is None:
                self._exceptions = self._exception_classes()
            scores -= w.exception * self._exceptions[cand]
        read: dict[int, ApiRecord] = {}  # records a step below reads, kept for `head`
        backwards = self._backwards(query, cand, scores, read) if w.backwards else {}
        if backwards:
            pos = {int(i): j for j, i in enumerate(cand.tolist())}
            for i, n in backwards.items():
                scores[pos[i]] -= w.backwards * n
        if not include_private:
            scores[self.private[cand]] = -np.inf  # private records and test code only on request
        order = np.argsort(-scores, kind="stable")
        if w.name_cover:
            # Only for APIs the text already retrieved near the top: a verb alone ("read a csv file")
            # spells many short names (`os.read`), and spelling is no evidence of relevance. Meaning
            # first: the dense ranking when there is one.
            ev = d_ev if d_ev else b_ev
            pool = order[: w.name_pool]
            pool = pool[np.isfinite(scores[pool])]
            head = [j for j, i in zip(pool.tolist(), cand[pool].tolist())
                    if ev.get(i, (1 << 30,))[0] <= w.name_cover_gate]
            names = self._names([int(cand[j]) for j in head])
            qwords = self._weighted_words(query) if head else []
            for j in head:
                i = int(cand[j])
                if i in backwards:
                    continue  # spelled by what is converted ("convert int to string": int): no evidence
                c = name_coverage(names[i], qwords)
                if c:
                    scores[j] += w.name_cover * c
                    cover[i] = c
            order = np.argsort(-scores, kind="stable")
        mains: dict[int, int] = {}
        if w.mains:
            cand, scores, order = self._mains(cand, scores, order, mains)
        return Gathered(tokens=tokens, cand=cand, scores=scores, order=order, b_ev=b_ev, d_ev=d_ev,
                        v_ev=v_ev, cover=cover, b_top=float(b_scores[0]) if len(b_scores) else 0.0,
                        off_scope=off_scope, not_error=not_error, backwards=backwards, records=read,
                        mentioned=mentioned, used=used, undocumented=undocumented, mains=mains)

    def _mains(self, cand: np.ndarray, scores: np.ndarray, order: np.ndarray, mains: dict[int, int]
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """A module among the `mains` best goes right after the public function or class it is named
        for (`pprint.pprint`, `timeit.timeit`, `glob.glob`, `datetime.datetime`): that is what a
        question the module answers calls. The namesake joins the candidates if it was not one."""
        top = order[: self.weights.mains].tolist()
        # Each candidate's namesake (-1: none, or not a module), by the path index, remembered per record.
        main_of = self._by_row(self._main_memo, [int(cand[j]) for j in top], _NAMESAKE,
                               lambda row: -1 if row[1] is None else row[1], 200_000)
        pos = None
        for j in top:
            f = main_of.get(int(cand[j]), -1)
            if f < 0 or not np.isfinite(scores[j]):
                continue
            if pos is None:
                pos = {int(i): n for n, i in enumerate(cand.tolist())}
            k = pos.get(f)
            if k is None:
                cand, scores = np.append(cand, f), np.append(scores, -np.inf)
                k = pos[f] = len(cand) - 1
            if scores[k] < scores[j]:
                scores[k] = np.nextafter(scores[j], np.inf)
                mains[f] = int(cand[j])
        if not mains:
            return cand, scores, order
        return cand, scores, np.argsort(-scores, kind="stable")

    def _backwards(self, query: str, cand: np.ndarray, scores: np.ndarray,
                   read: dict[int, ApiRecord]) -> dict[int, int]:
        """Candidates that convert the wrong way for a conversion question, with how many reasons:
        the class of what is converted (any type kind, case aside: `string` is Java's String), and,
        among the `backwards_pool` best, an API whose doc converts into another type than asked
        (`int`: "Convert a number or string to an integer" for "convert int to string"), or, where the
        question names no target type, into the type it converts from."""
        sides = conversion(query)
        if sides is None:
            return {}
        src, dst = sides[0] - sides[1], sides[1]
        out: dict[int, int] = {}
        if src:
            ids = cand.tolist()
            marks = ",".join("?" * len(ids))  # placeholders only; values are bound
            for idx, name in self.db.execute(f"SELECT idx, name FROM records WHERE idx IN ({marks})"
                                             " AND kind IN ('class', 'interface', 'enum', 'record')", ids):
                if name.lower() in src:
                    out[idx] = 1
        best = [int(cand[j]) for j in np.argsort(-scores, kind="stable")[: self.weights.backwards_pool]]
        read.update(self.records(best))
        for i, r in read.items():
            made = conversion(r.summary, verb_only=True)
            # With no target named, one that makes what is converted from something else; one that takes
            # what is converted ("date string": a string) goes the right way whatever it makes.
            if made is not None and made[1] and not made[1] & dst and (
                    dst or made[1] & src and not made[0] & sides[0]):
                out[i] = out.get(i, 0) + 1
        return out

    def _code_mentions(self, query: str, used: set[int] | None = None) -> set[int]:
        """Functions, methods and properties the question names as code: a dotted name that is a record's
        path or alias (`beatnum.total`, `os.path.join()`, `np.unravel_index` by numpy's usual alias) or,
        failing that, names a package and a few of its APIs' name (`numpy.core.records.fromarrays`), or
        a backticked or called name written like code (`filter_condition`, `getElementById()`) that one
        public record has. Classes and modules are left out: a question names them as what it works on
        ("an instance of datetime.date"). Where the question says to use one, it goes into `used` too: a
        class written as code counts then ("using np.vectorize"), and so does a plain word that at most
        _MAX_USED functions, methods or properties are named ("use setxor1d directly"); a plain class
        name there is what the question works with ("using the Scanner class")."""
        out: set[int] = set()
        # A question names a few APIs; a pasted log or listing names hundreds, each a lookup or more.
        for m in itertools.islice(_CODE_MENTION.finditer(query), _MAX_MENTIONS):
            text = m.group(1) or m.group(2) or m.group(3)
            if "." in text:
                found = [self._path_idx(text, canonical=False)]
                if found[0] is None:
                    # `np.unravel_index`, `bn.total`: a module named by its usual short alias, the
                    # letters of an indexed top-level package's name in order (numpy, beatnum)
                    head, _, rest = text.partition(".")
                    tops = [top for top in self._top_packages()
                            if top != head and top[0] == head[0] and in_order(head, top)]
                    found = [self._path_idx(f"{top}.{rest}", canonical=False) for top in tops]
                    if not any(i is not None for i in found):
                        # `numpy.core.records.fromarrays`, `pandas.groupby`: the package is right, the
                        # path is an old or loose one; its functions of that name, if few
                        tops = [head] if head in self._top_packages() else tops
                        found = self._named_in(rest.rsplit(".", 1)[-1], tops)
            elif len(text) >= 4 and ("_" in text.strip("_") or re.search(r"[a-z][A-Z]", text)):
                rows = self.db.execute("SELECT idx FROM records WHERE name = ? AND private = 0 LIMIT 2",
                                       (text,)).fetchall()
                found = [rows[0][0]] if len(rows) == 1 else []
            else:
                found = []
            is_used = used is not None and bool(_USE_BEFORE.search(query, max(0, m.start() - 24), m.start()))
            kinds = _USED_KINDS if is_used else _CALLABLE_KINDS
            found = [i for i in found if i is not None and self.record(i).kind in kinds]
            out.update(found)
            if is_used:
                used.update(found)
        if used is not None:
            for m in itertools.islice(_USE_NAME.finditer(query), _MAX_MENTIONS):
                rows = self.db.execute("SELECT idx, kind FROM records WHERE name = ? AND private = 0 LIMIT ?",
                                       (m.group(1), _MAX_USED + 1)).fetchall()
                # A word many records are named ("use get") says nothing about which.
                found = [i for i, kind in rows if kind in _CALLABLE_KINDS] if len(rows) <= _MAX_USED else []
                out.update(found)
                used.update(found)
        return out

    def _named_in(self, name: str, tops: list[str]) -> list[int]:
        """The public functions, methods and properties named `name` under the packages `tops`; none
        where more than _MAX_USED are (which of them would be a guess)."""
        out: list[int] = []
        for top in tops:  # the package itself, and its paths: those sort between "top." and "top/"
            out += [i for (i,) in self.db.execute(
                "SELECT idx FROM records WHERE name = ? AND private = 0 AND kind IN (?, ?, ?) "
                "AND (public_path = ? OR public_path > ? AND public_path < ?) LIMIT ?",
                (name, *_CALLABLE_KINDS, top, top + ".", top + "/", _MAX_USED + 1 - len(out)))]
            if len(out) > _MAX_USED:
                return []
        return out

    def _undocumented(self) -> np.ndarray:
        """1.0 for each Python function and method, outside the standard library, whose doc has no
        section ("Parameters", "Returns", "Examples" in numpydoc, "Args:" in Google style) where at least
        _DOCUMENTED_SHARE of its library's functions and methods have one: such a library documents its
        API, and what it leaves bare is its plumbing (pandas' `core` helpers). One scan of the records,
        on the first search (0.1 s for stdlib, numpy and pandas); a library that writes no sections
        (the standard library, an API corpus) is left alone."""
        out = np.zeros(self.n, dtype=np.float64)
        rows = self.db.execute(
            "SELECT idx, origin, json LIKE '%Parameters\\n%' OR json LIKE '%Returns\\n%' OR "
            "json LIKE '%Examples\\n%' OR json LIKE '%Args:%' FROM records WHERE language = 'python' "
            "AND origin NOT IN ('stdlib', 'file') AND kind IN ('function', 'method')").fetchall()
        documented: dict[str, list[int]] = {}
        for _, origin, sections in rows:
            got = documented.setdefault(origin, [0, 0])
            got[0] += bool(sections)
            got[1] += 1
        for idx, origin, sections in rows:
            have, total = documented[origin]
            if not sections and have >= _DOCUMENTED_SHARE * total:
                out[idx] = 1.0
        return out

    def _top_packages(self) -> list[str]:
        if self._tops is None:
            rows = self.db.execute("SELECT DISTINCT CASE WHEN instr(public_path, '.') = 0 THEN public_path "
                                   "ELSE substr(public_path, 1, instr(public_path, '.') - 1) END "
                                   "FROM records WHERE private = 0")
            self._tops = sorted(r[0] for r in rows if r[0])
        return self._tops

    def _reranker(self):
        """The learned reranker for this index's language (None: none shipped, or turned off)."""
        if self._learned is False:
            from .rerank import load_for

            self._learned = load_for(self.main_language())
        return self._learned

    def main_language(self) -> str:
        """The index's main language, from 101 evenly spaced records (a full count costs 0.1 s on the JDK)."""
        if self._language is None:
            self._language = self._sample_language()
        return self._language

    def _sample_language(self) -> str:
        sample = sorted({int(x) for x in np.linspace(0, max(self.n - 1, 0), 101)})
        marks = ",".join("?" * len(sample))  # placeholders only; values are bound
        rows = self.db.execute(f"SELECT language FROM records WHERE idx IN ({marks})", sample)
        langs = [r[0] for r in rows]
        return max(sorted(set(langs), key=str), key=langs.count) if langs else ""

    def _weighted_words(self, query: str) -> list[tuple[str, float]]:
        """Query words with a weight that fades for words most of the index's docs contain."""
        weight: dict[str, float] = {}
        same: dict[str, float] = {}
        ref = math.log(min(self.n, 50)) or 1.0
        for word, forms, after in _query_words(query):
            if after and self._is_library(after):
                # "a numpy array", "a Monkey KnowledgeFrame": the library's kind of object, which the
                # question works on; that it spells `numpy.array` is no evidence for calling it.
                for f in forms:
                    weight.setdefault(f, 0.0)
                continue
            # A word and its stem share one weight, read from whichever the index knows: the stem of
            # 'knowledgeframe' is no indexed term (the docs spell KnowledgeFrame), and taken alone it
            # looked like a rare word at full weight.
            tid = next((self.bm25.vocab[f] for f in (word, stem(word)) if f in self.bm25.vocab), None)
            df = int(self.bm25.indptr[tid + 1] - self.bm25.indptr[tid]) if tid is not None else 0
            wt = 1.0 if df == 0 else min(1.0, math.log(self.n / df) / ref)
            for f in forms:
                weight[f] = max(weight.get(f, 0.0), wt)
            for f in same_words(word):
                same[f] = max(same.get(f, 0.0), _SAME_WEIGHT * wt)
        # Another word for the same thing spells a name too ("delete a file": `os.remove`), at half the
        # weight: the question did not use it, and the word it did use still spells names whole.
        for f, wt in same.items():
            weight.setdefault(f, wt)
        return sorted(weight.items(), key=lambda t: len(t[0]), reverse=True)

    def _is_library(self, word: str) -> bool:
        """Whether `word` (lowercased) is a top-level name holding many records (numpy, pandas, monkey):
        a range scan of the path index, remembered per word. Not a standard library's module: those are
        named by everyday words ("random integer", "time zone", "string length"), which a question
        means as words far more often than as the module."""
        got = self._libs.get(word)
        if got is None:
            row = self.db.execute("SELECT count(*) FROM (SELECT 1 FROM records WHERE public_path >= ? "
                                  "AND public_path < ? AND origin NOT IN ('stdlib', 'jdk') LIMIT 20)",
                                  (word + ".", word + "/")).fetchone()
            got = self._libs[word] = row[0] >= 20
            if len(self._libs) > 10_000:
                self._libs.clear()
        return got

    def _names(self, idxs: list[int]) -> dict[int, str]:
        """Names of records, remembered (a bounded memo: the same candidates come back query after query)."""
        got = self._by_row(self._name_memo, idxs, "SELECT idx, name FROM records WHERE idx IN",
                           lambda row: row[1], 200_000)
        return {i: got.get(i, "") for i in idxs}

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


# A module's public function or class of its own name (`pprint.pprint`), for the rows `_by_row` appends.
_NAMESAKE = ("SELECT m.idx, CASE WHEN m.kind = 'module' THEN (SELECT f.idx FROM records f WHERE "
             "f.public_path = m.public_path || '.' || m.name AND f.private = 0 "
             "AND f.kind IN ('function', 'class') LIMIT 1) END FROM records m WHERE m.idx IN")

# Conversion questions: a verb, what is converted, "to"/"into", what it becomes ("how to convert a list
# of strings into a dict"; "python string to datetime" without the verb when a type word leads).
_CONVERT = re.compile(r"\b(?:convert|converting|converted|conversion|cast|casting|turn|turning|"
                      r"transform|transforming|change|changing)\b"
                      r"(?P<src>.*?)\b(?:to|into)\b(?P<dst>.*)", re.I)
# ... or what is made from what: "Construct a date from a string", "create a dataframe from a dict".
_MADE_FROM = re.compile(r"\b(?:construct|constructs|create|creates|make|makes|build|builds|parse|parses|"
                        r"parsed|get|extract)\b(?P<dst>[^.;:]*?)\bfrom\b(?P<src>[^.;:]*)", re.I)
# ... or, in a doc, what was made and then from what: "Return new datetime parsed from a string".
_MADE_BY = re.compile(r"\b(?P<dst>\w+(?:\s+\w+)?)\s+(?:parsed|created|constructed|built|made|decoded)\s+"
                      r"from\b(?P<src>[^.;:]*)", re.I)
_TYPE_TO = re.compile(r"\b(?P<src>\w+)\s+to\s+(?P<dst>.*)", re.I)
# ... or a compound that names a conversion, in a question or a doc: "a text-to-speech system",
# "Speech-To-Text models" (the kinds of data a model maps between, as types are for functions).
_COMPOUND_TO = re.compile(r"\b(?P<src>[a-z]+)-to-(?P<dst>[a-z]+)\b", re.I)
# Words for a type, and the class names they stand for.
_TYPE_WORDS = {
    "string": ("str", "string"), "str": ("str", "string"), "integer": ("int", "integer"),
    "int": ("int", "integer"), "float": ("float",), "list": ("list",), "dict": ("dict", "dictionary"),
    "dictionary": ("dict", "dictionary"), "tuple": ("tuple",), "set": ("set",), "bytes": ("bytes",),
    "byte": ("bytes", "byte"), "bool": ("bool", "boolean"), "boolean": ("bool", "boolean"),
    "array": ("array", "ndarray"), "date": ("date", "datetime"), "datetime": ("datetime", "date"),
    "dataframe": ("dataframe",), "series": ("series",), "number": ("int", "float", "integer"),
}
# Kinds of data that models convert between ("speech-to-text", "turn spoken commands into text"): only
# where both sides name one, since a doc's "text" is as often a string ("Parses text from ... a date").
_MEDIA_WORDS = {
    "text": ("text",), "speech": ("speech", "audio"), "audio": ("speech", "audio"),
    "voice": ("speech", "audio"), "spoken": ("speech", "audio"), "sound": ("speech", "audio"),
    "image": ("image",), "picture": ("image",), "photo": ("image",), "video": ("video",),
}
_PLURALS = {"strings": "string", "integers": "integer", "ints": "int", "floats": "float", "lists": "list",
            "dicts": "dict", "dictionaries": "dictionary", "tuples": "tuple", "sets": "set",
            "booleans": "boolean", "bools": "bool", "arrays": "array", "dates": "date",
            "datetimes": "datetime", "dataframes": "dataframe", "numbers": "number",
            "images": "image", "pictures": "picture", "photos": "photo", "videos": "video",
            "sounds": "sound", "voices": "voice"}


@lru_cache(maxsize=8192)
def conversion(text: str, *, verb_only: bool = False) -> tuple[frozenset[str], frozenset[str]] | None:
    """The class names (lowercased) a conversion converts from and into: "convert a string to a date" ->
    ({str, string}, {date, datetime}); "list of strings to list of ints" -> ({list, str, string}, {list, int,
    integer}); kinds of data where both sides name one ("turn spoken commands into text", a doc's
    "Speech-To-Text": ({speech, audio}, {text})). None when the text converts nothing, or both ways
    ("... and vice versa"); `verb_only`: only with a conversion verb or compound (docs say "Add a string
    to the list")."""
    if re.search(r"vi[cs][ea][ -]versa|\bback\b|\band\s+(?:from|back)\b", text, re.I):
        return None
    m = _CONVERT.search(text) or _MADE_BY.search(text) or _MADE_FROM.search(text)
    if m is None:
        m = _COMPOUND_TO.search(text)
        if m is not None and not (_media(m["src"]) and _media(m["dst"])):
            m = None  # "peer-to-peer", "end-to-end": no conversion
    if m is None:
        m = None if verb_only else _TYPE_TO.search(text)
        if m is None or _PLURALS.get(m["src"].lower(), m["src"].lower()) not in _TYPE_WORDS:
            return None

    media = _media(m["src"]) and _media(m["dst"])

    def names(text: str) -> set[str]:
        out: set[str] = set()
        for w in re.findall(r"[a-z]+", text.lower()):
            w = _PLURALS.get(w, w)
            out.update(_TYPE_WORDS.get(w, ()))
            if media:
                out.update(_MEDIA_WORDS.get(w, ()))
        return out

    return frozenset(names(m["src"])), frozenset(names(m["dst"]))


def _media(text: str) -> bool:
    return any(_PLURALS.get(w, w) in _MEDIA_WORDS for w in re.findall(r"[a-z]+", text.lower()))


# A question about an error or its handling, where an exception class can be the answer.
_ERROR_TALK = re.compile(r"error|exception|except|raise|raising|throw|catch|traceback|warn|fail|"
                         r"crash|abort|interrupt", re.I)


class _Scope:
    """Which installed libraries (`pkg:` sources) a question involves, for an index that also holds a
    base (the standard library, the user's own code) to answer from.

    A library is involved when the question names it (or one of its top-level packages), when the code
    around it imports it, or when one of its words is the library's own vocabulary: a word at least
    `RATIO` times as frequent in the library's docs as in the base's, in at least `MIN_SHARE` of them
    ("column", "dataframe", "nan" for pandas; "array", "axis" for numpy). Read from the BM25 postings
    of this index, so it holds for whatever libraries a user indexes."""

    RATIO = 10.0
    MIN_SHARE = 0.005

    def __init__(self, s: Searcher):
        self.s = s
        self.code: np.ndarray | None = None
        self.names: list[frozenset[str]] = [frozenset()]  # per library code (0: the base)
        self._share: dict[str, np.ndarray] = {}
        rows = s.db.execute("SELECT spec, origin FROM sources").fetchall()
        libs = sorted({o for spec, o in rows if spec.startswith("pkg:")})
        if not libs or all(spec.startswith("pkg:") for spec, _ in rows):
            return  # nothing to prefer over the libraries
        codes = {lib: c for c, lib in enumerate(libs, 1)}
        tops: list[set[str]] = [{lib.lower()} for lib in libs]
        code = np.zeros(s.n, dtype=np.int16)
        # One pass over the table (no index on origin): two queries per library cost a first search
        # 80 ms each, seconds for an index of every installed package.
        marks = ",".join("?" * len(libs))  # placeholders only; values are bound
        for idx, origin, kind, path in s.db.execute(
                f"SELECT idx, origin, kind, public_path FROM records WHERE origin IN ({marks})", libs):
            c = codes[origin]
            code[idx] = c
            if kind == "module":
                tops[c - 1].add(path.split(".")[0].lower())
        self.names += [frozenset(t) for t in tops]
        self.code = code
        self.sizes = np.maximum(np.bincount(code, minlength=len(libs) + 1), 1)

    def _shares(self, token: str) -> np.ndarray:
        """The share of each library's records (and the base's, at 0) whose text has `token`."""
        got = self._share.get(token)
        if got is None:
            bm = self.s.bm25
            tid = bm.vocab.get(token)
            if tid is None:
                got = np.zeros(len(self.sizes))
            else:
                docs = bm.indices[bm.indptr[tid]: bm.indptr[tid + 1]]
                got = np.bincount(self.code[docs], minlength=len(self.sizes)) / self.sizes
                # The base's share smoothed: a word a small base happens to lack is no library's own.
                got[0] = (got[0] * self.sizes[0] + 1) / (self.sizes[0] + 1)
            if len(self._share) > 50_000:
                self._share.clear()
            self._share[token] = got
        return got

    def off(self, query: str, tokens: list[str], modules: Iterable[str]) -> np.ndarray | None:
        """Per library code (`self.code` of a record): 1.0 for a library the question does not involve,
        else 0.0 (None: none of them)."""
        if self.code is None:
            return None
        words = set(re.findall(r"[a-z0-9_]+", query.lower()))
        words.update(m.split(".")[0].lower() for m in modules)
        off = np.array([0.0] + [0.0 if words & names else 1.0 for names in self.names[1:]])
        for t in set(tokens):
            share = self._shares(t)
            off[1:][(share[1:] >= self.MIN_SHARE) & (share[1:] >= self.RATIO * share[0])] = 0.0
        return off if off.any() else None


_MAX_MENTIONS = 32
_DOCUMENTED_SHARE = 0.3  # pandas documents 45% of its functions and methods in sections, numpy 59%

# "Using numpy.all to do this", "you could use np.vectorize", "call `reset_index()`": the question says
# which API it wants. A plain word after the verb is read only if a few records are named it ("use
# setxor1d", "using nlargest"), which leaves out "using a loop", "use pandas" (a module) and "use get".
_USE_VERB = r"(?i)\b(?:use|using|call|calling|via)\s+(?:the\s+)?"
_USE_BEFORE = re.compile(_USE_VERB + r"`?$")
_USE_NAME = re.compile(_USE_VERB + r"([A-Za-z_]\w{3,})\b(?!\.\w)")
_CALLABLE_KINDS = ("function", "method", "property")
_USED_KINDS = _CALLABLE_KINDS + ("class",)
_MAX_USED = 8
# `name` or `name()` in backticks, a dotted name (a call's parentheses allowed), or a bare `name()`.
_CODE_MENTION = re.compile(r"`([A-Za-z_][\w.]*)(?:\(\))?`"
                           r"|(?<![\w.])([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+)(?:\(\))?"
                           r"|(?<![\w.])([A-Za-z_]\w*)\(\)")


@lru_cache(maxsize=4096)
def record_from_json(s: str) -> ApiRecord:
    return ApiRecord.from_dict(json.loads(s))


# Stopwords that API names are made of (`findall`, `fromkeys`, `getsize`, `startswith`, `any`).
_NAME_WORDS = frozenset({"all", "any", "from", "where", "with"})


_SAME_WEIGHT = 0.5  # of the word the question used, for another word of the same meaning (`same_words`)


def _query_words(query: str) -> list[tuple[str, tuple[str, ...], str]]:
    """Lowercased query words (3+ letters), each with the forms that can spell an API name (the word
    and its stem) and the query word before its first occurrence."""
    out: dict[str, tuple[tuple[str, ...], str]] = {}
    prev, end = "", 0
    for m in re.finditer(r"[A-Za-z]+\d*", query):
        raw = m.group()
        if query[end:m.start()].strip():
            prev = ""  # "Java: join" is no "java join"
        parts = split_identifier(raw)
        if len(parts) > 1 and parts[-1].isdigit() and len(raw) >= 3:
            parts = [raw.lower(), *parts]  # "md5", "sha256", "log10" spell names whole
        for p in parts:
            if len(p) >= 3 and (p not in STOPWORDS or p in _NAME_WORDS) and p not in out:
                out[p] = ((p, stem(p)) if stem(p) != p else (p,), prev)
        prev, end = raw.lower(), m.end()
    return [(w, forms, after) for w, (forms, after) in out.items()]


@lru_cache(maxsize=65536)
def _name_letters(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def name_coverage(name: str, words: list[tuple[str, float]]) -> float:
    """Share of the name's letters covered by query words ('sip rows ... NaN' covers 'sipna') or by
    their starts (abbreviations), each letter counted at the weight of the rarest word covering it."""
    letters = _name_letters(name)
    if len(letters) < 3:
        return 0.0
    found = [(wd, wt) for wd, wt in words if wd in letters]  # usually none: one C scan per word
    covered = [0.0] * len(letters)
    starts = _part_starts(name)
    spans = []
    for wd, wt in found:
        start = letters.find(wd)
        while start >= 0:
            spans.append((start, start + len(wd), wt))
            start = letters.find(wd, start + 1)
    reversing = any(wd in _REVERSING for wd, _ in words)
    for start, end, wt in spans:
        if start and start not in starts and not reversing:
            # "compress" does not spell decompress, nor "pack" unpack, unless a word spells the prefix
            # too or the question undoes something ("delete a symbolic link": unlink).
            part = max(p for p in starts if p < start)
            if letters[part:start] in _NEGATING and not any(a <= part and b >= start for a, b, _ in spans):
                continue
        for p in range(start, end):
            if covered[p] < wt:
                covered[p] = wt
    # Abbreviations: a word's start where a name part starts or a covered piece ends ('random
    # integer' spells randint, 'list directory' listdir, 'cumulative sum' cumsum).
    todo = [(wd, wt) for wd, wt in words if len(wd) >= 4 and wd[:3] in letters and wd not in letters]
    for _ in range(2):  # twice: a piece may continue one that a later word covers ('int' after 'rand')
        for wd, wt in todo:
            for n in range(len(wd) - 1, 2, -1):
                pre = wd[:n]
                start = letters.find(pre)
                while start >= 0 and not (start in starts or (start and covered[start - 1] > 0)):
                    start = letters.find(pre, start + 1)
                if start >= 0:
                    for p in range(start, start + n):
                        if covered[p] < wt:
                            covered[p] = wt
                    break
    return sum(covered) / len(letters)


# Prefixes that reverse the word after them in a name (`decompress`, `unpack`, `disconnect`), and words
# of questions that ask for such a reversal.
_NEGATING = frozenset({"de", "un", "dis", "non"})
_REVERSING = frozenset({"delete", "remove", "undo", "reverse", "revert", "extract", "decode", "disable",
                        "uninstall", "detach"})


@lru_cache(maxsize=65536)
def _part_starts(name: str) -> frozenset[int]:
    out, pos = {0}, 0
    for part in split_identifier(name):
        out.add(pos)
        pos += len(part)
    return frozenset(out)


def names_query(qnorm: str, r: ApiRecord) -> bool:
    """The query's tokens, joined, are those of the API's name or path: the name typed as it is spelled
    (`parseInt`, `Integer.parseInt`; a compound's tokens hold it whole, so "parse int" is not it) or, for
    a one-word name, a form of it ("sort" for `sorted`)."""
    # A text's joined tokens are at most twice its length (a compound's parts follow it whole; stems
    # never grow): most questions are too long to be a name, and their texts need no tokenizing.
    return bool(qnorm) and any(len(qnorm) <= 2 * len(t) and qnorm == _joined(t)
                               for t in (r.public_path, r.name))


# The words questions use for builtin types spelled otherwise ("a string", "a dictionary").
_BUILTIN_WORDS = {"str": stem("string"), "dict": stem("dictionary"), "int": stem("integer"),
                  "bool": stem("boolean")}


def _of_named_builtin(r: ApiRecord, qtok: frozenset[str]) -> bool:
    """Whether `r` is a method of a builtin type (a top-level class: `list`, `str`) that the question's
    tokens name, by its name or its word ("string")."""
    cls = r.parent
    return (r.kind in ("method", "property") and bool(cls) and "." not in cls
            and (_names_class(cls, qtok) or _BUILTIN_WORDS.get(cls, "-") in qtok))


def _names_class(cls: str, qtok: frozenset[str]) -> bool:
    """Whether a question's tokens name class `cls`: all its words ("system random") or it whole."""
    return whole_token(cls) in qtok or {stem(p) for p in split_identifier(cls)} <= qtok


@lru_cache(maxsize=65536)
def _joined(text: str) -> str:
    return "".join(tokenize(text, stopwords=False))


@lru_cache(maxsize=16384)
def _token_set(text: str) -> frozenset[str]:
    return frozenset(tokenize(text))


def _record_tokens(r: ApiRecord) -> frozenset[str]:
    return _token_set(f"{r.public_path} {r.summary}")
