"""BM25: built with bm25s, queried from its saved arrays with numpy alone.

bm25s stores the eager BM25 score matrix (CSC) in its index folder; scoring a query is summing the
columns of its tokens. Doing that here keeps bm25s (and scipy) off the query path of a fresh process.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from .textproc import tokenize

DEFAULT_METHOD = "lucene"


def build(docs_tokens: list[list[str]], out_dir: Path, *, method: str = DEFAULT_METHOD,
          k1: float = 1.2, b: float = 0.75) -> None:
    import logging

    import bm25s

    logging.getLogger("bm25s").setLevel(logging.WARNING)  # it logs a DEBUG line per build
    out_dir.mkdir(parents=True, exist_ok=True)
    retriever = bm25s.BM25(method=method, k1=k1, b=b)
    # An empty document would make bm25s drop it and shift ids: give it a placeholder token.
    corpus = [toks if toks else ["\x00empty"] for toks in docs_tokens]
    retriever.index(corpus, show_progress=False)
    retriever.save(str(out_dir))


class BM25Index:
    """Read-only BM25 over a bm25s index folder."""

    def __init__(self, folder: Path):
        self.folder = folder
        # Mapped, not read (pages load as queries touch them), but as plain arrays: a memmap's slices
        # are memmaps too, whose bookkeeping cost more than the slicing (a tenth of a BM25 query).
        self.data = np.asarray(np.load(folder / "data.csc.index.npy", mmap_mode="r"))
        self.indices = np.asarray(np.load(folder / "indices.csc.index.npy", mmap_mode="r"))
        self.indptr = np.load(folder / "indptr.csc.index.npy")
        self.vocab: dict[str, int] = json.loads((folder / "vocab.index.json").read_text("utf-8"))
        params = json.loads((folder / "params.index.json").read_text("utf-8"))
        self.num_docs = int(params["num_docs"])
        nn = folder / "nonoccurrence_array.index.npy"
        self.nonoccurrence = np.load(nn) if nn.exists() else None

    def token_ids(self, tokens: list[str]) -> list[int]:
        return [self.vocab[t] for t in tokens if t in self.vocab]

    def scores(self, tokens: list[str], weights: list[float] | None = None) -> np.ndarray:
        scores = np.zeros(self.num_docs, dtype=np.float32)
        ids = self.token_ids(tokens)
        if weights is not None:
            wmap = [w for t, w in zip(tokens, weights) if t in self.vocab]
        for n, tid in enumerate(ids):
            s, e = self.indptr[tid], self.indptr[tid + 1]
            # Each document occurs at most once per column, so fancy-index add is exact.
            if weights is None or wmap[n] == 1.0:
                scores[self.indices[s:e]] += self.data[s:e]
            else:
                scores[self.indices[s:e]] += wmap[n] * self.data[s:e]
        if self.nonoccurrence is not None and ids:
            scores += self.nonoccurrence[ids].sum()
        return scores

    def search(self, query: str | list[str], k: int = 100) -> tuple[np.ndarray, np.ndarray]:
        tokens = tokenize(query) if isinstance(query, str) else query
        scores = self.scores(tokens)
        return top_k(scores, k)


def top_k(scores: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Indices and scores of the k best positive scores, best first."""
    # BM25 scores are sparse: partition only the documents that scored (a 100k-doc argpartition
    # costs ~0.5 ms, the nonzero scan a tenth of that).
    nz = np.flatnonzero(scores > 0)
    k = min(k, len(nz))
    if k <= 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
    sub = scores[nz]
    part = np.argpartition(-sub, k - 1)[:k] if k < len(nz) else np.arange(len(nz))
    part = part[np.argsort(-sub[part], kind="stable")]
    idx = nz[part]
    return idx, scores[idx]
