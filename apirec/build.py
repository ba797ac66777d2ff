"""Build or refresh an index: discover -> plan -> extract -> resolve -> embed -> publish."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sqlite3
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np

from . import __version__, bm25
from .dense import Embedder, ModelSpec, resolve_model
from .plan import RefreshPlan, make_plan
from .records import ApiRecord, Example
from .store import (SCHEMA_VERSION, FileRow, IndexDir, IndexLoadError, create_db, load_files, open_db,
                    read_params, write_files, write_meta, write_records)
from .textproc import split_identifier, tokenize

log = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]  # (stage, done, total)


@dataclass
class BuildReport:
    index: Path
    generation: str = ""
    records: int = 0
    files: int = 0
    computed: int = 0
    kept: int = 0
    deleted: int = 0
    embedded: int = 0
    reused_vectors: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)
    unchanged: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": str(self.index), "generation": self.generation, "records": self.records,
            "files": self.files, "computed": self.computed, "kept": self.kept, "deleted": self.deleted,
            "embedded": self.embedded, "reused_vectors": self.reused_vectors,
            "skipped": [{"path": p, "reason": r} for p, r in self.skipped], "warnings": self.warnings,
            "seconds": {k: round(v, 3) for k, v in self.seconds.items()}, "unchanged": self.unchanged,
        }


# -- texts the indexes see ---------------------------------------------------------------------------


_SHORT_WORDS = frozenset("is to as of in on by at id io os fd up ok".split())


def build_vocab(records: list[ApiRecord]) -> frozenset[str]:
    """English-ish words of the index's docs: what run-together names are split into."""
    import re
    from collections import Counter

    c: Counter[str] = Counter()
    for r in records:
        c.update(w.lower() for w in re.findall(r"[A-Za-z]{3,}", r.summary))
    return frozenset({w for w, n in c.items() if n >= 2} | _SHORT_WORDS)


def _name_segments(name: str, vocab: frozenset[str]) -> list[str]:
    from .textproc import segment, stem

    out = []
    for part in split_identifier(name):
        seg = segment(part, vocab) if vocab else None
        if seg:
            out.extend(stem(p) for p in seg if p not in _SHORT_WORDS)
    return out


def bm25_tokens(r: ApiRecord, vocab: frozenset[str] = frozenset()) -> list[str]:
    name = tokenize(r.name, stopwords=False) + _name_segments(r.name, vocab)
    parent = r.parent.rsplit(".", 1)[-1] if r.parent else ""
    toks = name * 3 + tokenize(parent, stopwords=False)
    toks += tokenize(r.public_path) + _name_segments(r.parent, vocab)
    for a in r.aliases[:3]:
        toks += tokenize(a.rsplit(".", 1)[-1])
    toks += tokenize(" ".join(p.name for p in r.params[:8]), stopwords=False)
    toks += tokenize(r.summary) * 2
    toks += tokenize(r.doc[:600])
    return toks


def embed_text(r: ApiRecord) -> str:
    kind = "" if r.kind in ("function", "method") else f" ({r.kind})"
    summary = r.summary or r.doc[:200]
    # An inherited member reads like its declaration, so it shares that vector (embedded once).
    path = r.canonical_path if any(k == "inherited_from" for k, _ in r.extra) else r.public_path
    return f"{path}{kind}: {summary}"[:500]


HNSW_MIN = 30_000
DENSE_KINDS = frozenset({"function", "method", "class", "module", "property", "constructor"})


def should_embed(r: ApiRecord) -> bool:
    """Private records are never recommended, and undocumented constants are found by name: the
    embedding time goes to what semantic search can actually find."""
    return not r.private and (r.kind in DENSE_KINDS or bool(r.summary))


def text_hash(text: str, model_id: str) -> str:
    return hashlib.blake2b(f"{model_id}\x00{text}".encode(), digest_size=12).hexdigest()


KIND_PRIOR = {"module": -0.15, "attribute": -0.1, "constant": -0.1, "property": -0.03}


USAGE_WEIGHT = 0.15


def usage_of(r: ApiRecord) -> int:
    for k, v in r.extra:
        if k == "usage":
            return int(v)
    return 0


def prior(r: ApiRecord) -> float:
    import math

    p = KIND_PRIOR.get(r.kind, 0.0)
    p += USAGE_WEIGHT * math.log1p(usage_of(r))
    if r.deprecated:
        p -= 0.3
    if not r.summary:
        p -= 0.05
    return p


# -- extraction ------------------------------------------------------------------------------------


def _extract(item, data: bytes | None) -> Any:
    """Facts for one item (JSON-able). Raises on internal errors; the caller skips the file."""
    if item.kind == "python":
        from .indexer import python_ts

        facts = python_ts.extract_module(data, item.module, item.is_package)
        if item.companion is not None:
            # A stub wins, but its definitions borrow docstrings from the .py it describes.
            try:
                body = python_ts.extract_module(item.companion.read_bytes(), item.module, item.is_package)
                docs = {d["qual"]: d["doc"] for d in body["defs"] if d["doc"]}
                for d in facts["defs"]:
                    if not d["doc"] and d["qual"] in docs:
                        d["doc"] = docs[d["qual"]]
                facts["doc"] = facts["doc"] or body["doc"]
                facts["newdocs"] = facts.get("newdocs") or body.get("newdocs", [])  # numpy's _add_newdocs
            except OSError:
                pass
        return facts
    if item.kind == "inspect":
        from .indexer import stdlib_inspect

        return stdlib_inspect.module_facts(item.module)
    if item.kind == "doc":
        from .indexer import docs

        recs, examples = docs.parse_doc_file(item.path, data.decode("utf-8", "replace"))
        return {"records": [r.to_dict() for r in recs],
                "examples": [{"code": e.code, "title": e.title, "line": e.line, "names": list(e.names)}
                             for e in examples]}
    if item.kind == "corpus":
        from .indexer import corpus

        recs, warnings = corpus.parse_corpus(item.path, data.decode("utf-8", "replace"), origin=item.origin)
        for w in warnings:
            log.warning("%s: %s", item.path, w)
        return {"records": [r.to_dict() for r in recs]}
    if item.kind == "java":
        from .indexer import java

        recs, supertypes = java.extract_java_unit(data, str(item.path), item.origin, item.version)
        return {"records": [r.to_dict() for r in recs], "supertypes": supertypes}
    if item.kind == "examples":
        return {"solved": parse_solved(data.decode("utf-8", "replace"), str(item.path))}
    if item.kind == "binary":
        from .indexer import bindocs

        # Read here, not kept from hashing: a refresh of many packages would hold all their binaries.
        return {"module": item.module, "docs": bindocs.docstrings(item.path.read_bytes())}
    if item.kind == "jdk":
        from .indexer import java

        recs = java.index_jdk()
        return {"records": [r.to_dict() for r in recs]}
    raise ValueError(f"unknown item kind {item.kind}")


def parse_solved(text: str, where: str = "") -> list[dict[str, Any]]:
    """Rows `{"title"|"query"|"text": ..., "apis"|"gold": [...]}`; bad rows are skipped with a warning."""
    out = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            q = row.get("title") or row.get("query") or row.get("text")
            apis = row.get("apis") or row.get("gold")
            if not isinstance(q, str) or not isinstance(apis, list) or not apis:
                raise ValueError("needs a title/query and a list of apis")
        except (ValueError, AttributeError) as e:
            log.warning("%s:%d: skipped example row (%s)", where, n, e)
            continue
        out.append({"id": str(row.get("id", n)), "text": q, "apis": [str(a).split("(")[0] for a in apis]})
    return out


FACTS_VERSION = 49  # bump when an extractor's output changes


def _item_hash(item, data: bytes | None) -> str:
    if item.kind == "inspect":
        # The module is part of it: every C module of one interpreter has the same content_hash, and a
        # refresh reuses an old row's facts for a new key of equal hash (a module that failed before,
        # `_curses`, got `_abc`'s facts).
        return f"{FACTS_VERSION}:{item.content_hash}:{item.module}"
    if item.kind == "jdk":
        from .indexer import java

        z = java.find_jdk_src_zip()
        if z is None:
            raise FileNotFoundError("the JDK sources are not installed: apt-get install openjdk-17-source")
        st = z.stat()
        return f"{FACTS_VERSION}:{z}:{st.st_size}:{int(st.st_mtime)}"
    h = hashlib.blake2b(digest_size=16)
    # Python facts depend on the module name (relative imports), so it is part of the content;
    # so is the extractor's version: a better extractor must not reuse facts of an older one.
    h.update(f"{FACTS_VERSION}\x00{item.kind}\x00{item.module}\x00{item.is_package}\x00".encode())
    h.update(data or b"")
    if item.companion is not None:
        try:
            h.update(item.companion.read_bytes())
        except OSError:
            pass
    return h.hexdigest()


# -- assembly ------------------------------------------------------------------------------------------


def assemble(files: dict[str, FileRow], items_meta: dict[str, dict[str, Any]]) -> list[ApiRecord]:
    """All records of an index from the facts of its files (re-exports resolved across files)."""
    from .indexer.resolve import ModuleInfo, resolve

    modules: dict[str, ModuleInfo] = {}
    records: list[ApiRecord] = []
    examples: list[dict[str, Any]] = []
    java_records: list[ApiRecord] = []
    supertypes: dict[str, list[str]] = {}
    binaries: list[tuple[str, list[str]]] = []  # (extension module, its docstrings)
    for key in sorted(files):
        row = files[key]
        meta = items_meta.get(key, {})
        if row.facts is None:
            continue
        if row.kind == "binary":
            binaries.append((row.facts["module"], row.facts["docs"]))
        elif row.kind in ("python", "inspect"):
            mod = row.facts["module"]
            if mod in modules and modules[mod].file != meta.get("file", ""):
                log.info("module %s defined twice; keeping %s", mod, meta.get("file", ""))
            modules[mod] = ModuleInfo(facts=row.facts, origin=meta.get("origin", ""),
                                      version=meta.get("version", ""), file=meta.get("file", ""),
                                      hidden=bool(meta.get("hidden")))
        else:
            recs = [ApiRecord.from_dict(d) for d in row.facts.get("records", ())]
            if meta.get("origin"):
                recs = [r if r.origin else r.with_(origin=meta["origin"], origin_version=meta.get("version", ""))
                        for r in recs]
            if row.kind == "java":
                java_records.extend(recs)
                supertypes.update(row.facts.get("supertypes", {}))
            else:
                records.extend(recs)
            for ex in row.facts.get("examples", ()):
                examples.append({**ex, "file": meta.get("file", "")})
    if modules:
        records.extend(resolve(modules, binaries))
        stdlib_versions = {m.version for m in modules.values() if m.origin == "stdlib"}
        if stdlib_versions:
            from .indexer.stdlib_inspect import fill_gaps

            records = fill_gaps(records, next(iter(stdlib_versions)))
    if java_records:
        from .indexer import java

        records.extend(java.resolve_inheritance(java_records, supertypes) if supertypes else java_records)
    records = _dedupe(records)
    if examples:
        records = _attach_examples(records, examples)
    for i, r in enumerate(records):
        if r.public_path.startswith("builtins."):  # users write `len`, not `builtins.len`
            records[i] = r.with_(public_path=r.public_path[len("builtins."):])
    return _with_usage(records, [_file_calls(row.facts) for row in files.values()
                                 if row.kind == "python" and row.facts])


def _file_calls(facts: dict[str, Any]) -> tuple[str, frozenset[str], dict[str, int]]:
    """(top-level package, packages it imports, call counts) of an indexed Python file."""
    imports = frozenset((imp.get("module") or "").split(".", 1)[0] for imp in facts.get("imports", ()))
    return (facts.get("module") or "").split(".", 1)[0], imports, facts.get("calls", {})


def _with_usage(records: list[ApiRecord], files: list[tuple[str, frozenset[str], dict[str, int]]]) \
        -> list[ApiRecord]:
    """Usage counts: how often real code calls each API (shipped), plus what the indexed code calls."""
    from .usage import shipped_imports, shipped_shared, shipped_usage

    full: dict[str, int] = dict(shipped_usage())
    for _, _, c in files:
        for name, n in c.items():
            full[name] = full.get(name, 0) + n
    same_name: dict[str, int] = {}
    for r in records:
        if r.kind in ("method", "property") and not r.private and r.language == "python":
            same_name[r.name] = same_name.get(r.name, 0) + 1
    shared, imports = shipped_shared(), shipped_imports()
    reach: dict[str, dict[str, int]] = {}  # package -> `.name` counts of the code that can call into it

    def reaching(package: str) -> dict[str, int]:
        # `x.read()` votes for the methods named read that the calling code can reach: its own
        # package's and those of the packages it imports (the standard library's reach every caller).
        if package not in reach:
            got: dict[str, int] = {}
            for name, by in shared.items():
                n = sum(k for q, k in by.items() if q == package or package in imports.get(q, ()))
                if n:
                    got[name] = n
            for top, imported, c in files:
                if top == package or package in imported:
                    for name, n in c.items():
                        if name.startswith("."):
                            got[name] = got.get(name, 0) + n
            reach[package] = got
        return reach[package]

    out = []
    for r in records:
        if r.language != "python":
            # Python's `x.read()` is no vote for Java's InputStream.read: usage counts what Python calls.
            out.append(r)
            continue
        n = full.get(r.public_path, 0) + sum(full.get(a, 0) for a in r.aliases)
        if r.canonical_path != r.public_path and r.canonical_path not in r.aliases:
            n += full.get(r.canonical_path, 0)
        if r.kind in ("method", "property"):
            # Receiver unknown: `x.decode()` is a vote shared by every method named decode.
            calls = full if r.origin == "stdlib" or "." not in r.canonical_path else \
                reaching(r.canonical_path.split(".", 1)[0])
            n += calls.get("." + r.name, 0) // (4 * max(1, same_name.get(r.name, 1)))
        out.append(r.with_(extra=r.extra + (("usage", str(n)),)) if n else r)
    return out


def _dedupe(records: list[ApiRecord]) -> list[ApiRecord]:
    seen: dict[str, int] = {}
    out: list[ApiRecord] = []
    for r in records:
        if r.id in seen:
            continue
        seen[r.id] = len(out)
        out.append(r)
    return out


def _attach_examples(records: list[ApiRecord], examples: list[dict[str, Any]]) -> list[ApiRecord]:
    """Doc code examples become usage examples of every indexed API they name."""
    by_name: dict[str, list[int]] = {}
    for i, r in enumerate(records):
        for n in (r.public_path, r.canonical_path, *r.aliases):
            by_name.setdefault(n, []).append(i)
    extra: dict[int, list[Example]] = {}
    for ex in examples:
        for name in ex.get("names", ()):
            for i in by_name.get(name, ()):
                lst = extra.setdefault(i, [])
                if len(lst) < 5:
                    lst.append(Example(code=ex["code"][:2000], source=ex.get("file", ""),
                                       title=ex.get("title", "")))
    for i, exs in extra.items():
        r = records[i]
        records[i] = r.with_(examples=tuple(list(r.examples) + exs)[:8])
    return records


# -- the build -------------------------------------------------------------------------------------


def _load_previous(index: IndexDir) -> tuple[dict[str, FileRow], dict]:
    """Files and sources of the current generation, if it is usable."""
    if not index.exists():
        return {}, {}
    try:
        folder = index.current()
        read_params(folder, index.path)
        con = open_db(folder / "meta.sqlite")
        files = load_files(con)
        sources = {s: {"origin": o, "version": v} for s, o, v in
                   con.execute("SELECT spec, origin, version FROM sources")}
        con.close()
        return files, sources
    except (IndexLoadError, sqlite3.Error, OSError, ValueError) as e:
        log.warning("the previous index generation is unusable (%s); building from scratch", e)
        return {}, {}


def _previous_vectors(index: IndexDir, model_id: str) -> dict[str, np.ndarray]:
    """The current generation's vectors by text hash, if that model made them (read only when some
    record is written again: a refresh that changes nothing does not need them)."""
    if not index.exists():
        return {}
    try:
        folder = index.current()
        same_model = read_params(folder, index.path).get("model_id") == model_id
        if not same_model or not (folder / "vectors.npy").exists():
            return {}
        con = open_db(folder / "meta.sqlite")
        vectors: dict[str, np.ndarray] = {}
        vecs = np.load(folder / "vectors.npy")
        for idx, th in con.execute("SELECT idx, text_hash FROM records"):
            if idx < len(vecs) and vecs[idx].any():
                vectors[th] = vecs[idx]
        if (folder / "solved_vectors.npy").exists():
            svecs = np.load(folder / "solved_vectors.npy")
            for idx, th in con.execute("SELECT idx, text_hash FROM solved"):
                if idx < len(svecs):
                    vectors[th] = svecs[idx]
        con.close()
        return vectors
    except (IndexLoadError, sqlite3.Error, OSError, ValueError) as e:
        log.warning("the previous index generation's vectors are unusable (%s); embedding again", e)
        return {}


def _absolute_sources(sources: dict, files: dict[str, FileRow]) -> dict:
    """An index made before path sources were recorded absolute holds the spec as typed ("."): when it
    holds one such spec and its files name one folder no spec names, that folder is the spec."""
    from .indexer.sources import is_path_spec

    relative = [s for s in sources if is_path_spec(s) and not Path(s).expanduser().is_absolute()]
    if len(relative) != 1:
        return sources
    named = set(sources)
    unclaimed = {r.source for r in files.values()
                 if r.source not in named and is_path_spec(r.source) and Path(r.source).is_absolute()}
    if len(unclaimed) != 1:
        return sources
    out = {k: v for k, v in sources.items() if k != relative[0]}
    out[unclaimed.pop()] = sources[relative[0]]
    return out


def build_index(index_path: Path, specs: list[str], *, model: str | None = None, rebuild: bool = False,
                refresh_all: bool = False, remove: list[str] | None = None,
                progress: Progress | None = None, embed_threads: int | None = None,
                ignore: list[str] | None = None) -> BuildReport:
    """Add `specs` to the index at `index_path` (re-scanning them), or refresh what it has."""
    from .indexer import sources as sources_mod
    from .indexer.sources import canonical_spec, discover, read_checked

    # `apirec index .` is recorded as the folder's absolute path: a refresh from elsewhere finds it, and
    # its files (whose source is that path) are reused rather than extracted again.
    specs = [canonical_spec(s) for s in specs]
    if remove:  # as given too: an index made before specs were recorded absolute holds "."
        remove = list(dict.fromkeys([*remove, *(canonical_spec(s) for s in remove)]))
    t0 = time.perf_counter()
    index = IndexDir(index_path)
    report = BuildReport(index=index.path)
    spec = resolve_model(model) if not isinstance(model, ModelSpec) else model
    progress = progress or (lambda stage, done, total: None)
    with index.write_lock():
        old_files, old_sources = ({}, {}) if rebuild else _load_previous(index)
        old_sources = _absolute_sources(old_sources, old_files)
        all_specs = dict(old_sources)
        for s in remove or ():
            all_specs.pop(s, None)
        scan = list(dict.fromkeys(list(specs) + (list(all_specs) if refresh_all or rebuild else [])))
        if rebuild:
            scan = list(dict.fromkeys(list(specs) + [s for s in old_sources_of(index) if s not in (remove or [])]))
        progress("discover", 0, len(scan))
        disc = discover(scan, ignore=ignore)
        report.skipped.extend(disc.skipped)
        t1 = time.perf_counter()

        # Hash every discovered item (reading each file once).
        new_hashes: dict[str, tuple[str, str]] = {}
        datas: dict[str, bytes | None] = {}
        items_meta: dict[str, dict[str, Any]] = {}
        items = {}
        for i, item in enumerate(disc.items):
            data = None
            if item.path is not None:
                cap = sources_mod.MAX_DATA_BYTES if item.kind in ("corpus", "examples") else None
                data = (sources_mod.read_binary(item.path, disc) if item.kind == "binary"
                        else read_checked(item.path, disc, cap))
                if data is None:
                    continue
            try:
                h = _item_hash(item, data)
            except FileNotFoundError as e:
                raise SourceUnavailable(str(e)) from None
            items[item.key] = item
            datas[item.key] = None if item.kind == "binary" else data  # binaries are read again when due
            new_hashes[item.key] = (item.source, h)
        report.skipped = list(disc.skipped)
        old_map = {k: (r.source, r.hash) for k, r in old_files.items() if r.source in all_specs or r.source in scan}
        removed_sources = set(remove or ())
        old_map = {k: v for k, v in old_map.items() if v[0] not in removed_sources}
        plan: RefreshPlan = make_plan(old_map, new_hashes, set(scan))
        same = None if rebuild or remove or plan.changed or not old_files else _same_build(
            index, spec.model_id, set(all_specs) | set(specs))
        if same is not None:
            # Nothing to re-read and the same sources, extractor and model (a language server's start
            # on an unchanged workspace): the current generation stands; writing it again cost seconds.
            folder, params = same
            report.unchanged, report.kept = True, len(plan.keep)
            report.generation, report.records, report.files = folder.name, params["records"], params["files"]
            report.seconds = {"discover": t1 - t0, "total": time.perf_counter() - t0}
            return report
        old_vectors = _previous_vectors(index, spec.model_id) if old_files else {}

        files: dict[str, FileRow] = {}
        for k in plan.keep:
            files[k] = old_files[k]
        for new_key, old_key in plan.retag:
            o = old_files[old_key]
            files[new_key] = FileRow(new_key, o.kind, new_hashes[new_key][0], o.hash, o.facts)
        for n, k in enumerate(plan.compute):
            item = items[k]
            progress("extract", n, len(plan.compute))
            try:
                facts = _extract(item, datas.get(k))
            except Exception as e:  # one broken file never stops the index
                disc.skip(str(item.path or item.key), f"extraction failed ({type(e).__name__}: {e})")
                continue
            if facts is None:
                continue
            if isinstance(facts, dict) and facts.get("skipped"):
                disc.skip(str(item.path or item.key), facts["skipped"])
            files[k] = FileRow(k, item.kind, item.source, new_hashes[k][1], facts)
        progress("extract", len(plan.compute), len(plan.compute))
        report.skipped = list(disc.skipped)
        t2 = time.perf_counter()
        for k, item in items.items():
            items_meta[k] = {"origin": item.origin, "version": item.version,
                             "file": str(item.path) if item.path else item.key, "hidden": item.hidden}
        for k, row in files.items():
            if k not in items_meta and k in old_files:
                meta = (row.facts or {}).get("_meta") if isinstance(row.facts, dict) else None
                items_meta[k] = meta or {}
        # Keep per-file meta inside facts so kept files of other sources assemble identically.
        for k, row in files.items():
            if isinstance(row.facts, dict) and k in items:
                row.facts["_meta"] = items_meta[k]

        report.computed, report.kept, report.deleted = len(plan.compute), len(plan.keep), len(plan.delete)
        records = assemble(files, items_meta)
        solved = [ex for k in sorted(files) if files[k].kind == "examples" for ex in files[k].facts.get("solved", ())]
        if not records:
            raise EmptyIndex("nothing to index: the sources gave no APIs"
                             + (f" ({len(report.skipped)} files skipped)" if report.skipped else ""))
        t3 = time.perf_counter()

        texts = [embed_text(r) for r in records]
        hashes = [text_hash(t, spec.model_id) for t in texts]
        wanted = [i for i, r in enumerate(records) if should_embed(r)]
        todo = [i for i in wanted if hashes[i] not in old_vectors]
        dim = next(iter(old_vectors.values())).shape[0] if old_vectors else None
        vectors_new = None
        if todo:
            threads = embed_threads or min(4, os.cpu_count() or 1)
            embedder = Embedder(spec, threads=threads)
            done = [0]

            def tick(n: int) -> None:
                done[0] += n
                progress("embed", done[0], len(unique))

            unique = list(dict.fromkeys(hashes[i] for i in todo))
            first = {}
            for i in todo:
                first.setdefault(hashes[i], i)
            progress("embed", 0, len(unique))
            uvecs = embedder.embed([texts[first[h]] for h in unique], batch_size=64, progress=tick)
            pos = {h: n for n, h in enumerate(unique)}
            vectors_new = uvecs[[pos[hashes[i]] for i in todo]]
            dim = vectors_new.shape[1]
        vectors = np.zeros((len(records), dim or 384), dtype=np.float32)
        for i, h in enumerate(hashes):
            if h in old_vectors:
                vectors[i] = old_vectors[h]
        if vectors_new is not None:
            vectors[todo] = vectors_new
        report.embedded = len(set(hashes[i] for i in todo))
        solved_vectors = None
        if solved:
            s_hashes = [text_hash("q:" + ex["text"], spec.model_id) for ex in solved]
            s_todo = [i for i, h in enumerate(s_hashes) if h not in old_vectors]
            solved_vectors = np.zeros((len(solved), dim or 384), dtype=np.float32)
            for i, h in enumerate(s_hashes):
                if h in old_vectors:
                    solved_vectors[i] = old_vectors[h]
            if s_todo:
                embedder = embedder if todo else Embedder(spec, threads=embed_threads or min(4, os.cpu_count() or 1))
                done2 = [0]

                def tick2(n: int) -> None:
                    done2[0] += n
                    progress("examples", done2[0], len(s_todo))

                solved_vectors[s_todo] = embedder.embed([solved[i]["text"] for i in s_todo], batch_size=64,
                                                        progress=tick2)
            for ex, h in zip(solved, s_hashes):
                ex["text_hash"] = h
            report.embedded += len(s_todo)
        report.reused_vectors = len(wanted) - len(todo)
        t4 = time.perf_counter()

        folder = index.new_generation()
        try:
            _write_generation(folder, records, hashes, vectors, wanted, files, scan, all_specs, disc, spec,
                              solved=len(solved))
            if solved:
                _write_solved(folder, solved, solved_vectors)
            final = index.publish(folder)
        except BaseException:
            import shutil

            shutil.rmtree(folder, ignore_errors=True)
            raise
        t5 = time.perf_counter()
        report.generation = final.name
        report.records = len(records)
        report.files = len(files)
        report.seconds = {"discover": t1 - t0, "extract": t2 - t1, "resolve": t3 - t2, "embed": t4 - t3,
                          "write": t5 - t4, "total": t5 - t0}
        return report


def _same_build(index: IndexDir, model_id: str, sources: set[str]) -> tuple[Path, dict[str, Any]] | None:
    """The current generation's folder and params if it is current (`_is_current`) and was made from
    `sources` with this model by this apirec."""
    try:
        folder = index.current()
        params = read_params(folder, index.path)
    except IndexLoadError:
        return None
    same = (_is_current(params) and params.get("model_id") == model_id
            and set(params.get("sources") or ()) == sources
            and params.get("apirec_version") == __version__)  # another apirec may assemble records otherwise
    return (folder, params) if same else None


def old_sources_of(index: IndexDir) -> list[str]:
    try:
        folder = index.current()
        params = json.loads((folder / "params.json").read_text("utf-8"))
        return list(params.get("sources", []))
    except Exception:
        return []


class SourceUnavailable(RuntimeError):
    pass


class EmptyIndex(RuntimeError):
    pass


def _write_generation(folder: Path, records: list[ApiRecord], hashes: list[str], vectors: np.ndarray,
                      embedded: list[int], files: dict[str, FileRow], scan: list[str], old_sources: dict, disc,
                      spec: ModelSpec, *, solved: int = 0) -> None:
    import faiss

    con = create_db(folder / "meta.sqlite")
    with con:
        write_records(con, records, hashes)
        write_files(con, files.values())
        counts: dict[str, int] = {}
        origins: dict[str, tuple[str, str]] = {}
        for item in disc.items:
            counts[item.source] = counts.get(item.source, 0) + 1
            origins.setdefault(item.source, (item.origin, item.version))
        sources = dict(old_sources)
        for s in scan:
            o, v = origins.get(s, ("", ""))
            sources[s] = {"origin": o, "version": v}
        con.executemany("INSERT OR REPLACE INTO sources (spec, origin, version, files, added) "
                        "VALUES (?,?,?,?,?)",
                        ((s, d["origin"], d["version"],
                          sum(1 for f in files.values() if f.source == s), time.time())
                         for s, d in sources.items()))
        write_meta(con, {"schema_version": SCHEMA_VERSION, "model_id": spec.model_id})
    con.close()
    vocab = build_vocab(records)
    bm25.build([bm25_tokens(r, vocab) for r in records], folder / "bm25")
    np.save(folder / "vectors.npy", vectors)
    # Only embedded records are in the dense index; their ids are record rows. Past HNSW_MIN
    # vectors an exact scan costs milliseconds per query, so a graph index answers instead.
    index = faiss.IndexIDMap2(_dense_index(vectors.shape[1], len(embedded)))
    if embedded:
        ids = np.asarray(embedded, dtype=np.int64)
        index.add_with_ids(vectors[ids], ids)
    faiss.write_index(index, str(folder / "dense.faiss"))
    np.save(folder / "priors.npy", np.array([prior(r) for r in records], dtype=np.float32))
    np.save(folder / "private.npy", np.array([r.private for r in records], dtype=bool))
    params = {
        "schema_version": SCHEMA_VERSION,
        "apirec_version": __version__,
        "model_id": spec.model_id,
        "model_name": spec.name,
        "dim": int(vectors.shape[1]),
        "records": len(records),
        "files": len(files),
        "sources": sorted(set(old_sources) | set(scan)),
        "origins": _origin_counts(records),
        "created": time.time(),
        "bm25_method": bm25.DEFAULT_METHOD,
        "facts_version": FACTS_VERSION,
    }
    if solved:
        params["solved"] = solved  # the example bank's size (written by _write_solved)
    (folder / "params.json").write_text(json.dumps(params, indent=1, sort_keys=True))


def _dense_index(dim: int, n: int):
    """Exact inner product for small indexes; an HNSW graph past HNSW_MIN vectors, where an exact
    scan costs milliseconds per query (recall stays ~0.99 at efSearch 128)."""
    import faiss

    if n < HNSW_MIN:
        return faiss.IndexFlatIP(dim)
    index = faiss.IndexHNSWFlat(dim, 32, faiss.METRIC_INNER_PRODUCT)
    index.hnsw.efConstruction = 64
    index.hnsw.efSearch = 128
    return index


def _write_solved(folder: Path, solved: list[dict[str, Any]], vectors: np.ndarray) -> None:
    """The example bank: its own small index kind (table + BM25 + FAISS) inside the generation."""
    import faiss

    con = sqlite3.connect(str(folder / "meta.sqlite"))
    with con:
        con.execute("CREATE TABLE solved (idx INTEGER PRIMARY KEY, id TEXT, text TEXT, apis TEXT, text_hash TEXT)")
        con.executemany("INSERT INTO solved VALUES (?,?,?,?,?)",
                        ((i, ex["id"], ex["text"], json.dumps(ex["apis"]), ex["text_hash"])
                         for i, ex in enumerate(solved)))
    con.close()
    bm25.build([tokenize(ex["text"]) for ex in solved], folder / "solved_bm25")  # as similar_solved queries
    index = _dense_index(vectors.shape[1], len(solved))
    index.add(vectors)
    faiss.write_index(index, str(folder / "solved.faiss"))
    np.save(folder / "solved_vectors.npy", vectors)


def _origin_counts(records: list[ApiRecord]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for r in records:
        d = out.setdefault(r.origin or "?", {"version": r.origin_version, "records": 0})
        d["records"] += 1
    return out


DEFAULT_SOURCES = ["python:stdlib"]


def ensure_default_index(progress: Progress | None = None) -> Path:
    """The per-user default index (standard library and builtins), built on first use and refreshed
    when this apirec extracts differently or another Python runs it."""
    from .config import default_index_dir

    path = default_index_dir()
    state = index_state(path)
    if state == "stale":
        refresh_default_index(path, progress=progress)
    elif state != "ok":
        build_index(path, DEFAULT_SOURCES, progress=progress, rebuild=state == "outdated")
    return path


def refresh_default_index(path: Path, sources: list[str] | None = None, *,
                          progress: Progress | None = None) -> bool:
    """Refresh a stale default index; where that fails (a read-only cache, a full disk) the stale
    index still answers, with a warning. Whether it was refreshed."""
    try:
        build_index(path, list(sources or DEFAULT_SOURCES), progress=progress)
        return True
    except (OSError, SourceUnavailable) as e:
        log.warning("the default index at %s could not be refreshed (%s); using it as it is", path, e)
        return False


def index_state(path: Path) -> str:
    """"missing", "outdated" (unreadable by this apirec), "stale" (readable, but extracted by another
    apirec or from another Python's standard library: a refresh re-reads what changed) or "ok". The
    default index is apirec's own, so an outdated or stale one is rebuilt rather than refused."""
    index = IndexDir(path)
    if not index.exists():
        return "missing"
    try:
        params = read_params(index.current(), path)
    except IndexLoadError:
        return "outdated"
    return "ok" if _is_current(params) else "stale"


def _is_current(params: dict[str, Any]) -> bool:
    """Whether an index was extracted by this extractor from this Python's standard library and the
    installed versions of its packages."""
    origins = params.get("origins") or {}
    stdlib = origins.get("stdlib") or {}
    if params.get("facts_version") != FACTS_VERSION or (
            stdlib and stdlib.get("version") != "%d.%d.%d" % sys.version_info[:3]):
        return False
    return not _upgraded_packages(params.get("sources") or (), origins)


def _upgraded_packages(sources, origins: dict) -> list[str]:
    """`pkg:` sources whose installed version is not the one indexed (a cached index of pandas 2 must
    not answer for pandas 3). One metadata read each; nothing is imported."""
    from importlib import metadata

    out = []
    for spec in sources:
        if not spec.startswith("pkg:"):
            continue
        try:
            dist = metadata.distribution(spec[4:])
        except metadata.PackageNotFoundError:
            continue  # uninstalled: a refresh would fail; the index still answers for what it holds
        indexed = (origins.get(dist.metadata["Name"] or spec[4:]) or {}).get("version")
        if indexed is not None and indexed != dist.version:
            out.append(spec)
    return out
