"""An index is a folder of generations; `CURRENT` names the complete one readers use.

    DIR/CURRENT                 {"generation": "gen-000004"}  (replaced atomically)
    DIR/gen-000004/params.json  schema version, model id, counts, sources
    DIR/gen-000004/meta.sqlite  records, file content hashes and extracted facts
    DIR/gen-000004/bm25/        bm25s index
    DIR/gen-000004/dense.faiss  FAISS inner-product index over vectors.npy
    DIR/gen-000004/priors.npy   per-record prior (private, deprecated, kind)

A writer builds a new generation folder, then swaps `CURRENT`; readers never see a half-written
index, and a failed build leaves the previous generation in place.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator

from . import __version__
from .records import ApiRecord

SCHEMA_VERSION = 4
KEEP_GENERATIONS = 2  # the previous one stays for readers that loaded it just before a swap


class IndexLoadError(RuntimeError):
    """A missing, corrupt or outdated index; the message says how to rebuild."""


SCHEMA = """
CREATE TABLE records (
    idx INTEGER PRIMARY KEY,           -- row in the BM25 and FAISS indexes
    id TEXT NOT NULL,
    public_path TEXT NOT NULL,
    canonical_path TEXT NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    language TEXT NOT NULL,
    origin TEXT NOT NULL,
    private INTEGER NOT NULL,
    deprecated INTEGER NOT NULL,
    text_hash TEXT NOT NULL,           -- of the embedded text: unchanged text reuses its vector
    json TEXT NOT NULL
);
CREATE INDEX records_public ON records(public_path);
CREATE INDEX records_name ON records(name);
CREATE INDEX records_canonical ON records(canonical_path);
CREATE INDEX records_id ON records(id);
CREATE TABLE aliases (alias TEXT NOT NULL, idx INTEGER NOT NULL);
CREATE INDEX aliases_alias ON aliases(alias);
CREATE TABLE files (
    key TEXT PRIMARY KEY,              -- absolute path, or inspect:<module>
    kind TEXT NOT NULL,
    source TEXT NOT NULL,
    hash TEXT NOT NULL,
    facts TEXT NOT NULL                -- extracted facts (JSON), reused while the hash holds
);
CREATE TABLE sources (spec TEXT PRIMARY KEY, origin TEXT, version TEXT, files INTEGER, added REAL);
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


def rebuild_hint(index_dir: Path) -> str:
    return f"rebuild it with: apirec index --rebuild --index {index_dir}"


@dataclass
class FileRow:
    key: str
    kind: str
    source: str
    hash: str
    facts: Any


class IndexDir:
    """The folder of an index: locking, generations and the atomic swap."""

    def __init__(self, path: Path):
        self.path = Path(path)

    @property
    def current_file(self) -> Path:
        return self.path / "CURRENT"

    def exists(self) -> bool:
        return self.current_file.exists()

    def current(self) -> Path:
        try:
            gen = json.loads(self.current_file.read_text("utf-8"))["generation"]
        except FileNotFoundError:
            raise IndexLoadError(f"no index at {self.path}; build one with: apirec index SOURCE --index "
                              f"{self.path}") from None
        except (ValueError, KeyError, TypeError):
            raise IndexLoadError(f"the index at {self.path} is corrupt (bad CURRENT file); "
                              + rebuild_hint(self.path)) from None
        folder = self.path / gen
        if not folder.is_dir():
            raise IndexLoadError(f"the index at {self.path} is corrupt (missing {gen}); "
                              + rebuild_hint(self.path))
        return folder

    @contextlib.contextmanager
    def write_lock(self) -> Iterator[None]:
        """One writer at a time per index folder (readers never lock)."""
        self.path.mkdir(parents=True, exist_ok=True)
        with open(self.path / ".lock", "w") as f:
            fcntl.flock(f, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(f, fcntl.LOCK_UN)

    def new_generation(self) -> Path:
        existing = sorted(p.name for p in self.path.glob("gen-*") if p.is_dir())
        n = 1 + max((int(x.split("-")[1]) for x in existing if x.split("-")[1].isdigit()), default=0)
        folder = self.path / f"gen-{n:06d}.tmp"
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
        return folder

    def publish(self, tmp_folder: Path) -> Path:
        """Make a finished generation current: rename it into place, then swap CURRENT atomically."""
        final = tmp_folder.with_name(tmp_folder.name.removesuffix(".tmp"))
        _fsync_tree(tmp_folder)
        os.replace(tmp_folder, final)
        pointer = self.path / f"CURRENT.tmp{os.getpid()}"
        pointer.write_text(json.dumps({"generation": final.name, "published": time.time()}))
        with open(pointer, "rb") as f:
            os.fsync(f.fileno())
        os.replace(pointer, self.current_file)
        _fsync_dir(self.path)
        self._prune(keep=final.name)
        return final

    def _prune(self, keep: str) -> None:
        gens = sorted(p for p in self.path.glob("gen-*") if p.is_dir() and p.name != keep)
        done = [p for p in gens if not p.name.endswith(".tmp")]
        for p in done[: max(0, len(done) - (KEEP_GENERATIONS - 1))]:
            shutil.rmtree(p, ignore_errors=True)
        for p in gens:
            if p.name.endswith(".tmp"):  # left by a killed writer (we hold the lock)
                shutil.rmtree(p, ignore_errors=True)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_tree(path: Path) -> None:
    for dirpath, _, files in os.walk(path):
        for name in files:
            with open(os.path.join(dirpath, name), "rb") as f:
                os.fsync(f.fileno())
        _fsync_dir(Path(dirpath))


# -- the metadata database -------------------------------------------------------------------------


def create_db(path: Path) -> sqlite3.Connection:
    con = sqlite3.connect(str(path))
    con.executescript(SCHEMA)
    return con


def write_records(con: sqlite3.Connection, records: list[ApiRecord], text_hashes: list[str]) -> None:
    con.executemany(
        "INSERT INTO records (idx, id, public_path, canonical_path, name, kind, language, origin, "
        "private, deprecated, text_hash, json) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
        (
            (i, r.id, r.public_path, r.canonical_path, r.name, r.kind, r.language, r.origin,
             int(r.private), int(r.deprecated), th, r.to_json())
            for i, (r, th) in enumerate(zip(records, text_hashes))
        ),
    )
    con.executemany(
        "INSERT INTO aliases (alias, idx) VALUES (?, ?)",
        ((a, i) for i, r in enumerate(records) for a in r.aliases),
    )


def write_files(con: sqlite3.Connection, rows: Iterable[FileRow]) -> None:
    con.executemany(
        "INSERT OR REPLACE INTO files (key, kind, source, hash, facts) VALUES (?,?,?,?,?)",
        ((r.key, r.kind, r.source, r.hash, json.dumps(r.facts, ensure_ascii=False)) for r in rows),
    )


def write_meta(con: sqlite3.Connection, meta: dict[str, Any]) -> None:
    con.executemany("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                    ((k, json.dumps(v)) for k, v in meta.items()))


def open_db(path: Path) -> sqlite3.Connection:
    # Read-only and thread-shareable: the language server queries from worker threads.
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
    return con


def read_params(folder: Path, index_dir: Path) -> dict[str, Any]:
    try:
        params = json.loads((folder / "params.json").read_text("utf-8"))
    except FileNotFoundError:
        raise IndexLoadError(f"the index at {index_dir} is incomplete (no params.json); "
                          + rebuild_hint(index_dir)) from None
    except ValueError:
        raise IndexLoadError(f"the index at {index_dir} is corrupt (params.json); "
                          + rebuild_hint(index_dir)) from None
    if params.get("schema_version") != SCHEMA_VERSION:
        raise IndexLoadError(
            f"the index at {index_dir} has schema version {params.get('schema_version')}, this apirec "
            f"({__version__}) reads version {SCHEMA_VERSION}; " + rebuild_hint(index_dir)
        )
    return params


def load_files(con: sqlite3.Connection) -> dict[str, FileRow]:
    rows = con.execute("SELECT key, kind, source, hash, facts FROM files").fetchall()
    return {k: FileRow(k, kind, src, h, json.loads(f)) for k, kind, src, h, f in rows}
