"""The indexes one server searches, and keeping the workspace's own index fresh.

Fan-out order: [workspace (overlay of re-extracted files over the on-disk workspace index), the
default index, extra index folders, extra package indexes]. Every index loads or builds in a background
thread; until it is ready it is simply left out, so a slow index never blocks a request.
"""

from __future__ import annotations

import fnmatch
import gc
import hashlib
import logging
import os
import threading
import time
from pathlib import Path
from typing import Any, Callable, Iterable

from apirec.context import RecordSet, _members
from apirec.records import ApiRecord, Hit

log = logging.getLogger(__name__)

MIN_DENSE = 0.45  # cosine: below this and with no query term in common, a hit is noise
Notify = Callable[[str, bool], None]  # (message, is_error)
Progress = Callable[[str, int, int], None]


class WorkspaceSource:
    """The workspace index with freshly re-extracted files laid over it (by file path)."""

    def __init__(self, searcher: Any | None):
        self.searcher = searcher
        self.files: dict[str, list[ApiRecord]] = {}  # path -> records of its current content
        self.hashes: dict[str, str] = {}  # path -> content hash of what `files` holds
        self.overlay = RecordSet(name="overlay")
        self.lock = threading.Lock()

    def set_file(self, path: str, records: list[ApiRecord] | None, digest: str) -> None:
        with self.lock:
            self.files[path] = records or []
            self.hashes[path] = digest
            # Rebuilt whole: a few hundred records at most, microseconds.
            self.overlay = RecordSet((r for rs in self.files.values() for r in rs), name="overlay")

    def _keep(self, r: ApiRecord) -> bool:
        return r.file not in self.files

    def members(self, parent: str, limit: int = 500) -> list[ApiRecord]:
        out = list(self.overlay.members(parent))
        if self.searcher is not None:
            out += [r for r in _members(self.searcher, parent) if self._keep(r)]
        return out[:limit]

    def lookup(self, name: str, limit: int = 20) -> list[ApiRecord]:
        out = list(self.overlay.by_path.get(name, ()))
        if self.searcher is not None:
            out += [r for r in self.searcher.lookup(name, limit) if self._keep(r)]
        if not out:
            out = self.overlay.lookup(name, limit)
        return out[:limit]

    def get(self, record_id: str) -> ApiRecord | None:
        r = self.overlay.get(record_id)
        if r is None and self.searcher is not None:
            r = get_record(self.searcher, record_id)
            if r is not None and not self._keep(r):
                return None
        return r

    def search(self, query: str, k: int, *, dense: bool = True, modules: Iterable[str] = ()) -> list[Hit]:
        hits = []
        if self.searcher is not None:
            # dense=False on the typing path (member completion): no query embedding there.
            hits = [h for h in self.searcher.search(query, k=k, dense=dense, modules=modules)
                    if self._keep(h.record)]
        q = set(query.lower().split())
        for r in self.overlay.by_id.values():  # overlay records: a plain word match is enough
            words = set((r.name.replace("_", " ") + " " + r.summary).lower().split())
            if q & words and not r.private:
                hits.append(Hit(record=r, score=0.01 * len(q & words), rank=0, why={"overlay": True}))
        return hits


def get_record(src: Any, record_id: str) -> ApiRecord | None:
    if isinstance(src, (RecordSet, WorkspaceSource)):
        return src.get(record_id)
    lk = getattr(src, "lookups", None)
    return lk.by_id(record_id) if lk is not None else None


def content_hash(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def module_name(root: Path, path: Path) -> tuple[str, bool]:
    """The module a workspace file defines, as the indexer names it (src layout included)."""
    base = root / "src" if (root / "src").is_dir() and not (root / "__init__.py").exists() else root
    try:
        rel = path.relative_to(base)
    except ValueError:
        rel = path.relative_to(root)
    parts = list(rel.with_suffix("").parts)
    is_pkg = parts[-1] == "__init__"
    if is_pkg:
        parts = parts[:-1]
    if (base / "__init__.py").exists():
        parts = [base.name, *parts]
    return ".".join(parts) or base.name, is_pkg


def extract_file(root: Path, path: Path, data: bytes) -> list[ApiRecord]:
    """Records of one workspace file, extracted and resolved alone (tree-sitter, milliseconds)."""
    from apirec.indexer import python_ts
    from apirec.indexer.resolve import ModuleInfo, resolve

    module, is_pkg = module_name(root, path)
    facts = python_ts.extract_module(data, module, is_pkg)
    return resolve({module: ModuleInfo(facts=facts, origin=str(root), file=str(path))})


class IndexSet:
    def __init__(self, notify: Notify):
        self.notify = notify
        self.workspace = WorkspaceSource(None)
        self.root: Path | None = None
        self.default: Any | None = None
        self.extra: dict[str, Any] = {}  # label -> Searcher
        self.ignore: list[str] = []
        self.state: dict[str, str] = {}  # label -> "loading" | "ready" | "error: ..."
        self._rebuild_timer: threading.Timer | None = None
        self._build_lock = threading.Lock()
        self.workspace_dir: Path | None = None

    # -- the fan-out -----------------------------------------------------------------------------
    def sources(self) -> list[Any]:
        out: list[Any] = []
        if self.workspace.searcher is not None or len(self.workspace.overlay):
            out.append(self.workspace)
        if self.default is not None:
            out.append(self.default)
        out.extend(self.extra.values())
        return out

    def labelled(self) -> list[tuple[str, Any]]:
        out = [("workspace", self.workspace)]
        if self.default is not None:
            out.append(("default", self.default))
        out.extend(self.extra.items())
        return out

    def label_for(self, r: ApiRecord) -> str:
        if r.origin == "file":
            return "file"
        if self.root is not None and (r.origin == str(self.root) or r.file.startswith(str(self.root) + os.sep)):
            return "workspace"
        if r.origin == "stdlib" or r.origin == "builtins":
            return "default"
        for label, s in self.extra.items():
            if r.origin in (getattr(s, "params", {}) or {}).get("origins", {}):
                return label
        return "default"

    def record(self, record_id: str, index: str | None = None) -> ApiRecord | None:
        pairs = self.labelled()
        pairs.sort(key=lambda p: p[0] != index)  # the named index first, then the others
        for _, src in pairs:
            r = get_record(src, record_id)
            if r is not None:
                return r
        return None

    def search(self, query: str, k: int = 10, modules: Iterable[str] = ()) -> list[Hit]:
        """NL search over every index, merged by each index's fused score (one formula, one scale).
        `modules`: what the open file imports (its libraries are in scope whatever the words).

        A small index ranks *something* first whatever the query, so a hit must also be relevant on
        its own: a query term in its text, or a close embedding."""
        best: dict[str, Hit] = {}
        for label, src in self.labelled():
            try:
                hits = src.search(query, k, modules=modules) if hasattr(src, "search") else []
            except Exception as e:  # a broken or loading index must not break the others
                log.warning("search in %s failed: %s", label, e)
                continue
            for h in hits:
                dense = (h.why.get("dense") or {}).get("score", 0.0)
                if not (h.why.get("matched_terms") or h.why.get("overlay") or dense >= MIN_DENSE):
                    continue
                key = h.record.public_path
                if key not in best or best[key].score < h.score:
                    best[key] = h
        ranked = sorted(best.values(), key=lambda h: -h.score)[:k]
        return [Hit(record=h.record, score=h.score, rank=i, why=h.why) for i, h in enumerate(ranked, 1)]

    # -- loading -----------------------------------------------------------------------------------
    def _thread(self, name: str, fn: Callable[[], None]) -> threading.Thread:
        def run():
            try:
                fn()
            except Exception as e:  # reported, never fatal
                self.state[name] = f"error: {e}"
                self.notify(f"apirec: {name} index unavailable: {e}", True)
        t = threading.Thread(target=run, name=f"apirec-{name}", daemon=True)
        t.start()
        return t

    def load_default(self) -> threading.Thread:
        from apirec.build import ensure_default_index
        from apirec.search import Searcher

        def go():
            self.state["default"] = "loading"
            path = ensure_default_index()
            s = Searcher(path, load_dense=False)
            from apirec.context import warm

            warm(s)  # what completion reads on first use, loaded off the request path
            self.default = s
            # The index's long-lived objects leave the collector's view: a full collection in a long
            # session then scans only what requests allocate (no multi-ms pause in a completion).
            gc.collect()
            gc.freeze()
            self.state["default"] = "ready"
            self.notify(f"apirec: default index ready ({s.n} APIs)", False)
        return self._thread("default", go)

    def load_extra(self, index_paths: list[str], packages: list[str]) -> list[threading.Thread]:
        from apirec.config import home
        from apirec.search import Searcher

        threads = []
        wanted = {f"index:{p}" for p in index_paths} | {p for p in packages}
        for label in list(self.extra):
            if label not in wanted:
                self.extra.pop(label, None)
        for p in index_paths:
            label = f"index:{p}"
            if label in self.extra:
                continue

            def go(p=p, label=label):
                self.state[label] = "loading"
                self.extra[label] = Searcher(Path(p).expanduser(), load_dense=False)
                self.state[label] = "ready"
            threads.append(self._thread(label, go))
        for spec in packages:
            if spec in self.extra:
                continue

            def go_pkg(spec=spec):
                from apirec.build import build_index
                from apirec.store import IndexDir

                self.state[spec] = "loading"
                path = home() / "packages" / spec[4:].replace("/", "_")
                if not IndexDir(path).exists():
                    build_index(path, [spec])
                self.extra[spec] = Searcher(path, load_dense=False)
                self.state[spec] = "ready"
                self.notify(f"apirec: {spec} indexed", False)
            threads.append(self._thread(spec, go_pkg))
        return threads

    # -- the workspace -----------------------------------------------------------------------------
    def workspace_index_dir(self, root: Path) -> Path:
        from apirec.config import home

        digest = hashlib.blake2b(str(root).encode(), digest_size=8).hexdigest()
        return home() / "workspaces" / digest

    def index_workspace(self, root: Path, progress: Progress, done: Callable[[str], None]) -> threading.Thread:
        from apirec.build import EmptyIndex, build_index
        from apirec.search import Searcher

        self.root = root.resolve()
        self.workspace_dir = self.workspace_index_dir(self.root)

        def go():
            self.state["workspace"] = "loading"
            t0 = time.perf_counter()
            try:
                with self._build_lock:
                    rep = build_index(self.workspace_dir, [str(self.root)], progress=progress,
                                      ignore=self.ignore)
                self.workspace.searcher = Searcher(self.workspace_dir, load_dense=False)
                msg = f"indexed {rep.records} workspace APIs from {rep.files} files in {time.perf_counter() - t0:.1f} s"
            except EmptyIndex:
                msg = "the workspace has no Python APIs to index"
            self.state["workspace"] = "ready"
            done(msg)
        return self._thread("workspace", go)

    def in_workspace(self, path: Path) -> bool:
        if self.root is None:
            return False
        try:
            rel = path.resolve().relative_to(self.root)
        except (ValueError, OSError):
            return False
        return not any(fnmatch.fnmatch(rel.as_posix(), g) or fnmatch.fnmatch(path.name, g) for g in self.ignore)

    def file_changed(self, path: Path, data: bytes | None) -> int | None:
        """Re-extract one workspace file (None data: deleted). Returns its record count, or None when
        nothing changed (same content hash) or the file is not ours."""
        if path.suffix not in (".py", ".pyi") or not self.in_workspace(path):
            return None
        key = str(path.resolve())
        digest = content_hash(data) if data is not None else "deleted"
        if self.workspace.hashes.get(key) == digest:
            return None
        recs = extract_file(self.root, Path(key), data) if data is not None else []
        self.workspace.set_file(key, recs, digest)
        self._schedule_rebuild()
        return len(recs)

    def _schedule_rebuild(self, delay: float = 5.0) -> None:
        """Fold the overlay into the on-disk workspace index later (batched, in the background)."""
        if self.workspace_dir is None:
            return
        if self._rebuild_timer is not None:
            self._rebuild_timer.cancel()
        self._rebuild_timer = threading.Timer(delay, self._rebuild)
        self._rebuild_timer.daemon = True
        self._rebuild_timer.start()

    def _rebuild(self) -> None:
        from apirec.build import EmptyIndex, build_index
        from apirec.search import Searcher

        snapshot = dict(self.workspace.hashes)
        try:
            with self._build_lock:
                build_index(self.workspace_dir, [str(self.root)], ignore=self.ignore)
            searcher = Searcher(self.workspace_dir, load_dense=False)
        except EmptyIndex:
            searcher = None
        except Exception as e:
            self.notify(f"apirec: background workspace re-index failed: {e}", True)
            return
        with self.workspace.lock:
            self.workspace.searcher = searcher
            # Files unchanged since the snapshot are now on disk; newer edits stay in the overlay.
            for path, digest in snapshot.items():
                if self.workspace.hashes.get(path) == digest:
                    self.workspace.files.pop(path, None)
                    self.workspace.hashes.pop(path, None)
            self.workspace.overlay = RecordSet((r for rs in self.workspace.files.values() for r in rs))

    def status(self) -> dict[str, Any]:
        return {"indexes": dict(self.state), "root": str(self.root) if self.root else None,
                "workspace_dir": str(self.workspace_dir) if self.workspace_dir else None,
                "overlay_files": len(self.workspace.files),
                "ready": all(v == "ready" for v in self.state.values()) and bool(self.state)}
