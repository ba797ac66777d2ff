"""All benchmark suites from one command; writes rankings, results.json, plots and RESULTS.md.

    python -m benchmarks [--out benchmarks/] [--suites java python private gorilla callsites speed]
                         [--quick] [--rebuild] [--cache DIR] [--limit N]
    apirec bench all ...   (the same)

Indexes are built once into the cache folder (`--cache`, `$APIREC_BENCH_CACHE`, else
`$APIREC_HOME/bench`) and reused unless `--rebuild`. `--quick` runs a smoke subset of every suite
(few rows, tiny indexes) into a scratch folder: it checks the harness, not accuracy.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from apirec.usage import UNSEEN as MASK_REPOS  # stdlib packages used as unseen "repositories"

from . import scorer

REPO = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("APIREC_BENCH_DATA") or REPO.parent / "shared" / "data")
Q = DATA / "apirec"
C = DATA / "apicomp"

# The JDK index with the Stack Overflow example bank (training pairs; test titles were removed).
JDK_SPECS: list[str] = [
    "java:jdk",
    f"examples:{Q / 'so_pairs_java.jsonl'}",
]
PY_SPECS: list[str] = ["python:stdlib", "pkg:numpy", "pkg:pandas"]
CORPUS_SPECS = {
    "monkey": [str(C / "corpus_monkey.jsonl")],
    "beatnum": [str(C / "corpus_beatnum.jsonl")],
    "gorilla": [str(C / "corpus_gorilla_torchhub.jsonl")],
}
QUICK_JAVA = [str(REPO / "tests" / "data" / "java")]
TRIVIAL_PY = ["len", "map", "zip", "sum", "join"]
SUITES = ("java", "python", "private", "gorilla", "callsites", "speed", "editor")
SUITE_TITLES = {
    "java": "1. Java query → API (BIKER, APIBench-Q Java, CLEAR)",
    "python": "2. APIBench-Q Python (dev)",
    "private": "3. Private-library and public-twin query → API (PrivateLibrary)",
    "gorilla": "4. Gorilla TorchHub",
    "callsites": "5. Call-site member completion (apirec vs jedi)",
    "speed": "6. Speed and memory",
    "editor": "7. Editor completion latency (language server vs jedi)",
}
TABLE_COLS = ("SR@1", "SR@3", "SR@5", "SR@10", "P@1", "P@5", "R@5", "R@10", "MRR", "MAP", "NDCG@10")


def _stdlib_dir() -> Path:
    import sysconfig

    return Path(sysconfig.get_paths()["stdlib"])


DEBIAN_JDK17_SRC = "/usr/lib/jvm/java-17-openjdk-*/lib/src.zip"


def pin_jdk_sources(console: Any) -> str:
    """The JDK sources the Java suites index: $APIREC_JDK_SRC, else Debian's openjdk-17-source, the
    JDK the Java datasets are scored against (../shared/data/README.md). Not the `java` on PATH, which
    differs between machines (another JDK alone moves the Java figures by a few cases)."""
    import glob

    from apirec.indexer.java import find_jdk_src_zip

    if not os.environ.get("APIREC_JDK_SRC"):
        found = [p for p in sorted(glob.glob(DEBIAN_JDK17_SRC)) if os.path.isfile(p)]
        if found:
            os.environ["APIREC_JDK_SRC"] = found[0]
        else:
            console.print("[yellow]Debian's openjdk-17-source is not installed: the Java suites index "
                          "another JDK, so their figures are not comparable with RESULTS.md[/]")
    src = find_jdk_src_zip()
    return str(src) if src else ""


class Ctx:
    def __init__(self, out: Path, cache: Path, quick: bool, rebuild: bool, limit: int | None):
        from rich.console import Console

        self.out, self.cache, self.quick, self.rebuild = out, cache, quick, rebuild
        self.limit = limit if limit is not None else (5 if quick else None)
        self.console = Console(stderr=True)
        self.searchers: dict[str, Any] = {}
        self.builds: dict[str, dict[str, Any]] = {}
        self.rdir = out / "rankings"
        self.pdir = out / "plots"
        self.rdir.mkdir(parents=True, exist_ok=True)
        self.pdir.mkdir(parents=True, exist_ok=True)
        self._rebuilt: set[str] = set()
        self.jdk_src = ""

    # -- indexes -------------------------------------------------------------------------------------
    def index(self, name: str, specs: list[str]) -> Path:
        """The cached index `name` of `specs`: built when missing (or once per run with --rebuild)."""
        from apirec.build import build_index, index_state
        from apirec.store import IndexDir

        path = self.cache / "idx" / name
        if name == "stdlib":  # the per-user default index: the one the test suite and LSP use
            return self._default_index()
        if "java:jdk" in specs:
            self.jdk_src = pin_jdk_sources(self.console)
        rebuild = self.rebuild and name not in self._rebuilt
        if IndexDir(path).exists() and not rebuild:
            if _loadable(path):
                have = _sources(path)
                missing = [s for s in specs if s not in have]
                # Sources the suite no longer asks for (the cache was moved, a spec changed): a refresh
                # would look for them; they are dropped.
                extra = [s for s in have if s not in specs]
                if not missing and not extra and index_state(path) == "ok":
                    return path
                if not missing and not extra:
                    # Extracted by another apirec: re-read its sources (unchanged texts keep their vectors).
                    self.console.print(f"[bold]refreshing[/] {name}: apirec index --index {path}")
                    with _build_bar(self.console, name) as pr:
                        build_index(path, [], refresh_all=True, progress=pr)
                    return path
                # A cached index without some of the specs, or with others: add and drop them (the rest
                # is reused), and re-read the rest as a refresh would.
                args = " ".join([*missing, *(f"--remove {s}" for s in extra)])
                self.console.print(f"[bold]indexing[/] {name}: apirec index {args} --refresh --index {path}")
                with _build_bar(self.console, name) as pr:
                    build_index(path, missing, refresh_all=True, remove=extra, progress=pr)
                return path
            self.console.print(f"[yellow]the cached index {path} is stale (older schema?); rebuilding[/]")
            rebuild = True
        self.console.print(f"[bold]indexing[/] {name}: apirec index {' '.join(specs)} --index {path}")
        t = time.perf_counter()
        with _build_bar(self.console, name) as pr:
            if name == "py" and not rebuild and not path.exists() and _loadable(self._default_index()):
                # Start from the default (stdlib) index and add numpy and pandas: the stdlib vectors are reused.
                shutil.copytree(IndexDir(self._default_index()).path, path)
                rep = build_index(path, [s for s in specs if s != "python:stdlib"], progress=pr)
            else:
                rep = build_index(path, specs, rebuild=rebuild, progress=pr)
        self._rebuilt.add(name)
        d = rep.to_dict()
        d.update(specs=specs, wall_s=time.perf_counter() - t, built_at=time.strftime("%Y-%m-%d %H:%M"))
        (path.parent / f"{name}.build.json").write_text(json.dumps(d, indent=1))
        return path

    def _default_index(self) -> Path:
        from apirec.build import DEFAULT_SOURCES, build_index, ensure_default_index

        path = ensure_default_index()
        if not _loadable(path) and "stdlib" not in self._rebuilt:
            self.console.print(f"[yellow]the default index {path} is stale (older schema?); rebuilding[/]")
            with _build_bar(self.console, "stdlib") as pr:
                build_index(path, DEFAULT_SOURCES, rebuild=True, progress=pr)
            self._rebuilt.add("stdlib")
        return path

    def build_report(self, name: str) -> dict[str, Any] | None:
        p = self.cache / "idx" / f"{name}.build.json"
        return json.loads(p.read_text()) if p.is_file() else None

    def searcher(self, path: Path):
        from apirec.search import Searcher

        key = str(path)
        if key not in self.searchers:
            self.searchers[key] = Searcher(path)
        return self.searchers[key]

    def rows(self, path: Path) -> list[dict[str, Any]]:
        rows = scorer.read_jsonl(path)
        return rows[: self.limit] if self.limit else rows


def _sources(path: Path) -> list[str]:
    from apirec.build import old_sources_of
    from apirec.store import IndexDir

    return old_sources_of(IndexDir(path))


def _loadable(path: Path) -> bool:
    """Whether this apirec can read the index (its schema and model match)."""
    from apirec.store import IndexDir, IndexLoadError, read_params

    try:
        idx = IndexDir(path)
        return idx.exists() and bool(read_params(idx.current(), idx.path))
    except (IndexLoadError, OSError, ValueError):
        return False


class _build_bar:
    def __init__(self, console, name):
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self.p = Progress(TextColumn(f"index {name}: {{task.description}}"), BarColumn(), MofNCompleteColumn(),
                          TimeElapsedColumn(), console=console, transient=True)
        self.tasks: dict[str, Any] = {}

    def __enter__(self):
        self.p.__enter__()

        def cb(stage: str, done: int, total: int) -> None:
            if stage not in self.tasks:
                self.tasks[stage] = self.p.add_task(stage, total=total or None)
            self.p.update(self.tasks[stage], completed=done, total=total or None)

        return cb

    def __exit__(self, *exc):
        return self.p.__exit__(*exc)


def _bar(ctx: Ctx, label: str):
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from apirec.bench import _RichBar

    return _RichBar(Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                             console=ctx.console, transient=True))


def _write(path: Path, rankings: list[dict[str, Any]]) -> None:
    from apirec.bench import write_rankings

    write_rankings(path, rankings)


def _fixed(rows: list[dict[str, Any]], make: Callable[[dict[str, Any]], list[dict[str, Any]]]) -> list[dict[str, Any]]:
    return [{"id": r["id"], "ranked": make(r)} for r in rows if scorer.gold_of(r)]


def _scored(ctx: Ctx, rows, rk_path: Path, *, level="method", by=None) -> dict[str, Any]:
    """The independent scorer applied to the rankings file as written."""
    return scorer.score(rows, scorer.read_rankings(rk_path), level=level, by=by)


def _row(system: str, res: dict[str, Any], **extra) -> dict[str, Any]:
    return {"system": system, "n": res["n"], **{k: res["metrics"].get(k) for k in TABLE_COLS}, **extra}


def _ours_queries(ctx: Ctx, key: str, dataset: Path, index: Path, rows, by=None,
                  learned: bool = True) -> dict[str, Any]:
    from dataclasses import replace

    from apirec.bench import rank_queries

    s = ctx.searcher(index)
    weights = s.weights
    if not learned:  # the ablation: the hand-tuned fusion alone
        s.weights = replace(weights, learned=False)
    try:
        with _bar(ctx, f"{key}") as pr:
            res = rank_queries(s, rows, k=10, progress=pr)
    finally:
        s.weights = weights
    if not learned:
        key += ".fused"
    rk = ctx.rdir / f"{key}.apirec.jsonl"
    _write(rk, res["rankings"])
    from apirec.bench import field_note, latency_stats

    return {"rk": rk, "field": field_note(res), "latency": latency_stats(res["latency_ms"]),
            "latency_ms": res["latency_ms"], "skipped_no_gold": res["skipped_no_gold"],
            "skipped_missing_fields": res["skipped_missing_fields"],
            "command": ("" if learned else "APIREC_RERANKER=off ")
                       + f"apirec bench queries --index {index} --dataset {dataset} --rankings {rk}"
                       + (f" --by {by}" if by else "")}


def _score_cmd(dataset: Path, rk: Path, extra: str = "") -> str:
    return f"python -m benchmarks.scorer --dataset {dataset} --rankings {rk}{extra}"


# -- suites --------------------------------------------------------------------------------------------


def suite_java(ctx: Ctx) -> dict[str, Any]:
    index = ctx.index("java-quick" if ctx.quick else "jdk", QUICK_JAVA if ctx.quick else JDK_SPECS)
    # Popularity baseline: the 10 APIs most often named by the Stack Overflow training pairs.
    pop = Counter(a for r in scorer.read_jsonl(Q / "so_pairs_java.jsonl") for a in r.get("apis", ()))
    top10 = [a for a, _ in pop.most_common(10)]
    tables, lat = [], []
    for key, name in (("biker259", "biker_test_filtered259.jsonl"), ("biker413", "biker_test413.jsonl"),
                      ("apibenchq_java500", "apibench_q_java_test500.jsonl"),
                      ("clear227", "clear_so_test227.jsonl")):
        ds = Q / name
        rows = ctx.rows(ds)
        ours = _ours_queries(ctx, key, ds, index, rows)
        fused = _ours_queries(ctx, key, ds, index, rows, learned=False)
        base = ctx.rdir / f"{key}.popular10.jsonl"
        _write(base, _fixed(rows, lambda r: [{"api": a, "source_id": None} for a in top10]))
        lines = []
        for level in ("method", "class"):
            lines.append(_row("apirec", _scored(ctx, rows, ours["rk"], level=level), level=level))
            lines.append(_row("apirec without the learned reranker", _scored(ctx, rows, fused["rk"], level=level),
                              level=level))
            lines.append(_row("popular-10 (SO training pairs)", _scored(ctx, rows, base, level=level), level=level))
        lat += ours["latency_ms"]
        tables.append({"dataset": name, "rows": lines, "query_field": ours["field"],
                       "skipped": {"no_gold": ours["skipped_no_gold"], "missing": ours["skipped_missing_fields"]},
                       "latency": ours["latency"],
                       "commands": [ours["command"], _score_cmd(ds, ours["rk"]), fused["command"],
                                    _score_cmd(ds, fused["rk"])],
                       "curve": key})
    from apirec.indexer.java import jdk_version

    jdk = [f"JDK sources: {ctx.jdk_src} (JDK {jdk_version(ctx.jdk_src) or 'version unknown'})."] \
        if ctx.jdk_src else []
    return {"tables": tables, "index": str(index), "specs": QUICK_JAVA if ctx.quick else JDK_SPECS,
            "latency_ms": lat, "notes": [*jdk,
                "popular-10: the ten APIs most often named in so_pairs_java.jsonl (training data), same list "
                "for every query. Class level truncates both sides to package.Class (gold_class) and "
                "de-duplicates the ranked classes.",
                "apirec's Java ranking ends with the shipped learned reranker (apirec/data/reranker-java.json), "
                "trained on 20,000 rows of so_pairs_java.jsonl (training data, with each row's own example-bank "
                "entry left out) by `apirec train-reranker ../shared/data/apirec/so_pairs_java.jsonl --index "
                "<jdk index>`. 'without the learned reranker' is the same index with APIREC_RERANKER=off."]}


def suite_python(ctx: Ctx) -> dict[str, Any]:
    index = ctx.index("stdlib" if ctx.quick else "py", PY_SPECS)
    ds = Q / "apibench_q_python_dev.jsonl"
    rows = ctx.rows(ds)
    if ctx.quick:  # both sites in the smoke subset
        allrows = scorer.read_jsonl(ds)
        rows = [r for r in allrows if r.get("source_site") == "Stack Overflow"][:3] + \
               [r for r in allrows if r.get("source_site") != "Stack Overflow"][:3]
    ours = _ours_queries(ctx, "apibenchq_python", ds, index, rows, by="source_site")
    base = ctx.rdir / "apibenchq_python.trivial.jsonl"
    _write(base, _fixed(rows, lambda r: [{"api": a, "source_id": None} for a in TRIVIAL_PY]))
    lines = []
    for system, rk in (("apirec", ours["rk"]), ("trivial [len, map, zip, sum, join]", base)):
        res = _scored(ctx, rows, rk, by="source_site")
        lines.append(_row(system, res, subset="all"))
        for site, g in res["by"]["source_site"].items():
            lines.append(_row(system, g, subset=site))
    lines.sort(key=lambda x: (x["subset"] != "all", x["subset"]))
    return {"tables": [{"dataset": ds.name, "rows": lines, "query_field": ours["field"], "latency": ours["latency"],
                        "skipped": {"no_gold": ours["skipped_no_gold"], "missing": ours["skipped_missing_fields"]},
                        "commands": [ours["command"], _score_cmd(ds, ours["rk"], " --by source_site")],
                        "curve": "apibenchq_python"}],
            "index": str(index), "specs": ["python:stdlib"] if ctx.quick else PY_SPECS,
            "latency_ms": ours["latency_ms"]}


def suite_private(ctx: Ctx) -> dict[str, Any]:
    py = ctx.index("stdlib" if ctx.quick else "py", PY_SPECS)
    tables, lat = [], []
    for key, name, idx in (("monkeyeval", "monkeyeval.jsonl", ctx.index("monkey", CORPUS_SPECS["monkey"])),
                           ("beatnumeval", "beatnumeval.jsonl", ctx.index("beatnum", CORPUS_SPECS["beatnum"])),
                           ("pandaseval", "pandaseval.jsonl", py), ("numpyeval", "numpyeval.jsonl", py)):
        ds = C / name
        rows = ctx.rows(ds)
        ours = _ours_queries(ctx, key, ds, idx, rows)
        base = ctx.rdir / f"{key}.apiretriever_top5.jsonl"
        _write(base, _fixed(rows, lambda r: [{"api": a, "source_id": None} for a in r.get("apiretriever_top5") or []]))
        lines = [_row("apirec", _scored(ctx, rows, ours["rk"])),
                 _row("APIRetriever top-5 (shipped)", _scored(ctx, rows, base))]
        lat += ours["latency_ms"]
        tables.append({"dataset": name, "index": str(idx), "rows": lines, "query_field": ours["field"],
                       "latency": ours["latency"],
                       "skipped": {"no_gold": ours["skipped_no_gold"], "missing": ours["skipped_missing_fields"]},
                       "commands": [ours["command"], _score_cmd(ds, ours["rk"])], "curve": key})
    return {"tables": tables, "latency_ms": lat, "notes": [
        "Query text: the `nl_query` field (the task's comments), falling back to `prompt` where it is empty. "
        "Gold: `gold_api_names`, matched on the ranked name's last component. APIRetriever ranks only 5 "
        "names, so its @10 figures equal its @5 ones."]}


def suite_gorilla(ctx: Ctx) -> dict[str, Any]:
    idx = ctx.index("gorilla", CORPUS_SPECS["gorilla"])
    ds = C / "gorilla_torchhub.jsonl"
    corpus = scorer.read_jsonl(C / "corpus_gorilla_torchhub.jsonl")
    api = {str(r["id"]): r.get("api") for r in corpus}
    rows = ctx.rows(ds)
    ours = _ours_queries(ctx, "gorilla_torchhub", ds, idx, rows)
    lines = []
    systems = [("apirec", ours["rk"])]
    for field, label in (("shipped_bm25_top1_id", "Gorilla BM25 top-1 (shipped)"),
                         ("shipped_gpt_index_top1_id", "Gorilla GPT-index top-1 (shipped)")):
        rk = ctx.rdir / f"gorilla_torchhub.{field}.jsonl"
        _write(rk, _fixed(rows, lambda r, f=field: [] if r.get(f) is None else
                          [{"api": api.get(str(r[f]), ""), "source_id": str(r[f])}]))
        systems.append((label, rk))
    for label, rk in systems:
        ranks = scorer.read_rankings(rk)
        res = scorer.score(rows, ranks)
        dom = scorer.same_domain_at_1(rows, ranks, corpus)
        lines.append({**_row(label, res), "exact@1": res["metrics"]["SR@1"], "same-domain@1": dom["same_domain@1"]})
    return {"tables": [{"dataset": ds.name, "index": str(idx), "rows": lines, "query_field": ours["field"],
                        "latency": ours["latency"],
                        "skipped": {"no_gold": ours["skipped_no_gold"], "missing": ours["skipped_missing_fields"]},
                        "commands": [ours["command"],
                                     _score_cmd(ds, ours["rk"], f" --corpus {C / 'corpus_gorilla_torchhub.jsonl'}")],
                        "extra_cols": ["exact@1", "same-domain@1"], "curve": "gorilla_torchhub"}],
            "latency_ms": ours["latency_ms"],
            "notes": ["exact@1: the top-1 corpus row is a gold row (`gold_corpus_ids`); same-domain@1: it has the "
                      "`domain` of a gold row. The shipped baselines give only a top-1."]}


def _jedi_rank(rows: list[dict[str, Any]], progress=None) -> tuple[list[dict[str, Any]], list[float]]:
    import jedi

    from apirec.bench import callsite_code

    out, lat = [], []
    if rows:  # warm-up, as for apirec: jedi's first completion loads and caches the library
        code, line, ch = callsite_code(rows[0])
        try:
            r0 = rows[0]
            jedi.Script(code=code, path=Path(r0["repo"]) / r0["path"] if r0.get("repo") else None
                        ).complete(line + 1, ch)
        except Exception:
            pass
    for i, r in enumerate(rows):
        code, line, ch = callsite_code(r)
        path = Path(r["repo"]) / r["path"] if r.get("repo") and r.get("path") else None
        t = time.perf_counter()
        try:
            comps = jedi.Script(code=code, path=path).complete(line + 1, ch)
        except Exception:
            comps = []
        lat.append((time.perf_counter() - t) * 1000)
        out.append({"id": r["id"], "ranked": [{"api": c.name, "source_id": None} for c in comps[:50]]})
        if progress:
            progress(i + 1, len(rows))
    return out, lat


def suite_callsites(ctx: Ctx) -> dict[str, Any]:
    from apirec.bench import BenchError, latency_stats, rank_callsites

    py = ctx.index("stdlib" if ctx.quick else "py", PY_SPECS)
    stdlib = ctx.index("stdlib", ["python:stdlib"])
    cases: list[tuple[str, Path, list[Path]]] = []
    for lib, idx in (("monkey", None), ("beatnum", None), ("pandas", py), ("numpy", py)):
        if ctx.quick and lib not in ("monkey", "numpy"):
            continue
        if idx is None:
            idx = ctx.index(lib, CORPUS_SPECS[lib])
        cases.append((f"callsite_{lib}", C / f"callsite_{lib}.jsonl", [idx]))
    mdir = ctx.cache / ("masks-quick" if ctx.quick else "masks")
    from .mask import blanked_copy, mask_repo

    for repo in (MASK_REPOS[:1] if ctx.quick else MASK_REPOS):
        root = _stdlib_dir() / repo
        mpath = mdir / f"mask_{repo}.jsonl"
        blank = mdir / "blanked" / repo
        if not mpath.is_file() or not blank.is_dir() or ctx.rebuild:
            mpath.parent.mkdir(parents=True, exist_ok=True)
            masked = mask_repo(root, max_cases=ctx.limit or 50, seed=0, name=repo)
            mpath.write_text("".join(json.dumps(c) + "\n" for c in masked))
            blanked_copy(masked, blank.parent)
        # The unseen-repository setting: the repository's own index first, then the stdlib index. The
        # repository is indexed with the masked calls blanked, so its usage counts do not hold the answers.
        cases.append((f"mask_{repo}", mpath, [ctx.index(f"repo-{repo}-blanked", [str(blank)]), stdlib]))
    tables, unavailable = [], None
    for key, ds, idxs in cases:
        rows = ctx.rows(ds)
        lines, cmds, lat_ours = [], [], None
        if unavailable is None:
            try:
                with _bar(ctx, key) as pr:
                    res = rank_callsites([ctx.searcher(p) for p in idxs], rows, k=10, progress=pr)
                rk = ctx.rdir / f"{key}.apirec.jsonl"
                _write(rk, res["rankings"])
                lat_ours = latency_stats(res["latency_ms"])
                lines.append(_row("apirec", _scored(ctx, rows, rk), p50_ms=lat_ours["p50_ms"],
                                  p95_ms=lat_ours["p95_ms"]))
                cmds.append(f"apirec bench callsites --dataset {ds} --rankings {rk} --index {idxs[-1]}"
                            + (f" --repo {mdir / 'blanked' / key[5:]}" if key.startswith("mask_") else ""))
                cmds.append(_score_cmd(ds, rk))
                # The same sites as they are typed: nothing after the dot yet (no `(`, no arguments).
                with _bar(ctx, f"{key} (as typed)") as pr:
                    typed = rank_callsites([ctx.searcher(p) for p in idxs], rows, k=10, progress=pr,
                                           as_typed=True)
                trk = ctx.rdir / f"{key}.astyped.apirec.jsonl"
                _write(trk, typed["rankings"])
                # No latency: this pass runs on the caches the first one warmed.
                lines.append(_row("apirec, as typed", _scored(ctx, rows, trk), p50_ms=None, p95_ms=None))
                cmds.append(cmds[-2].replace(f"--rankings {rk}", f"--rankings {trk}") + " --as-typed")
                cmds.append(_score_cmd(ds, trk))
            except BenchError as e:
                unavailable = str(e)
        with _bar(ctx, f"{key} (jedi)") as pr:
            jr, jlat = _jedi_rank([r for r in rows if scorer.gold_of(r)], progress=pr)
        jrk = ctx.rdir / f"{key}.jedi.jsonl"
        _write(jrk, jr)
        jl = latency_stats(jlat)
        lines.append(_row(f"jedi {_jedi_version()}", _scored(ctx, rows, jrk), p50_ms=jl["p50_ms"],
                          p95_ms=jl["p95_ms"]))
        cmds.append(_score_cmd(ds, jrk))
        tables.append({"dataset": ds.name if not key.startswith("mask_") else f"{key} (generated: {ds})",
                       "rows": lines, "commands": cmds, "extra_cols": ["p50_ms", "p95_ms"], "curve": key})
    notes = ["Both rankers see the same code: the left context plus the rest of the current line, and the "
             "same 0-based position right after the dot. `apirec, as typed` sees the left context only "
             "(`--as-typed`): what an editor offers while the line is being written, before the call's "
             "parentheses and arguments that tell a method from an attribute and one method from another "
             "(every site here is a call); its latency is not shown (it runs second, on warm caches). The "
             "goals are read from the `apirec` row. Masked cases: `python -m benchmarks.mask` on stdlib "
             f"packages {', '.join(MASK_REPOS)} (seed 0), searching [repository index, stdlib index]. The "
             "repository index is built from a copy where the masked names are blanked (`--blanked`), and "
             "the shipped usage prior is mined without these packages (`apirec.usage.UNSEEN`)."]
    if unavailable:
        notes.append(f"apirec rows missing: {unavailable}")
    return {"tables": tables, "notes": notes, "unavailable": unavailable}


def _jedi_version() -> str:
    import jedi

    return jedi.__version__


def _rss_of_loaded(index: Path) -> float:
    # VmHWM (peak RSS of this process image): ru_maxrss would carry the parent's peak across exec.
    code = ("import sys; from pathlib import Path; from apirec.search import Searcher; s=Searcher(Path(sys.argv[1]));"
            "s.search('read a file', 10); print([l.split()[1] for l in open('/proc/self/status') "
            "if l.startswith('VmHWM:')][0])")
    out = subprocess.run([sys.executable, "-c", code, str(index)], capture_output=True, text=True, check=True)
    return int(out.stdout.strip().splitlines()[-1]) / 1024


def _cold_cli(index: Path, query: str, runs: int, language: str | None) -> list[float]:
    cmd = [sys.executable, "-m", "apirec", "search", query, "--index", str(index), "--json"]
    if language:
        cmd += ["--language", language]
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(cmd, capture_output=True, check=True, cwd=REPO)
        times.append(time.perf_counter() - t)
    return times


def suite_speed(ctx: Ctx) -> dict[str, Any]:
    from apirec.bench import latency_stats

    targets = [("stdlib", ctx.index("stdlib", ["python:stdlib"]), Q / "apibench_q_python_dev.jsonl", None)]
    if not ctx.quick:
        targets.insert(0, ("jdk", ctx.index("jdk", JDK_SPECS), Q / "biker_test413.jsonl", "java"))
    n_q = 20 if ctx.quick else 1000
    lines, dists = [], {}
    for name, idx, qfile, lang in targets:
        s = ctx.searcher(idx)
        qs = [r["query"] for r in scorer.read_jsonl(qfile)]
        if lang == "java":
            qs += [r["query"] for r in scorer.read_jsonl(Q / "apibench_q_java_test500.jsonl")]
            qs += [r["query"] for r in scorer.read_jsonl(Q / "clear_so_test227.jsonl")]
        qs = qs[:n_q]
        s.search(qs[0], 10)
        lat = []
        with _bar(ctx, f"latency {name}") as pr:
            for i, q in enumerate(qs):
                t = time.perf_counter()
                s.search(q, 10, language=lang)
                lat.append((time.perf_counter() - t) * 1000)
                pr(i + 1, len(qs))
        dists[name] = lat
        ls = latency_stats(lat)
        cold = _cold_cli(idx, "read a json file" if lang != "java" else "convert a string to an integer",
                         1 if ctx.quick else 3, lang)
        rep = ctx.build_report(name) if name != "stdlib" else (None if ctx.quick else _fresh_default_build())
        sec = (rep or {}).get("seconds", {})
        lines.append({
            "index": name, "records": s.n, "queries": ls["n"], "p50_ms": ls["p50_ms"], "p95_ms": ls["p95_ms"],
            "mean_ms": ls["mean_ms"], "cold_cli_s": sorted(cold)[len(cold) // 2],
            "rss_mb": _rss_of_loaded(idx),
            "parse_rec_s": rep["records"] / sec["extract"] if rep and sec.get("extract") else None,
            "embed_rec_s": rep["embedded"] / sec["embed"] if rep and sec.get("embed") and rep.get("embedded") else None,
            "embedded": (rep or {}).get("embedded"), "build_s": sec.get("total"),
            "built_at": (rep or {}).get("built_at"),
        })
    return {"speed": lines, "latency_dists": dists, "notes": [
        f"Warm latency: `Searcher.search(q, 10)` over the first {n_q} queries of the datasets (one process, "
        "after one warm-up query). Cold CLI: wall time of `python -m apirec search ... --json` in a fresh "
        "process (median). RSS: peak resident memory of a process that loaded the index and ran one query. "
        "Throughput: parse = records / BuildReport.seconds['extract'], embed = embedded texts / "
        "seconds['embed'], from the build that made the index (built_at). For stdlib the figures come from a "
        "fresh first-use build: `apirec index python:stdlib --index TMP --json` with an empty APIREC_HOME, so "
        "build_s includes exporting the embedding model to ONNX (wall time of that process)."]}


def _fresh_default_build() -> dict[str, Any]:
    """What a new user's first `apirec search` pays: the stdlib index built in an empty APIREC_HOME."""
    import subprocess
    import sys
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, APIREC_HOME=tmp)
        t = time.perf_counter()
        r = subprocess.run([sys.executable, "-m", "apirec", "index", "python:stdlib", "--index", f"{tmp}/ix",
                            "--json"], capture_output=True, text=True, env=env, timeout=1200)
        wall = time.perf_counter() - t
    if r.returncode != 0:
        return {}
    rep = json.loads(r.stdout)
    rep["seconds"]["total"] = wall
    rep["built_at"] = time.strftime("%Y-%m-%d %H:%M")
    return rep


def suite_editor(ctx: Ctx) -> dict[str, Any]:
    """benchmarks/lsp_latency.py: the real server over stdio, in-process completion and jedi, same positions."""
    import subprocess
    import sys

    n = 30 if ctx.quick else 300
    cmd = [sys.executable, str(REPO / "benchmarks" / "lsp_latency.py"), "--n", str(n)]
    if not ctx.quick:  # the RSS goal is for a ≥ 50k-record index: the default one plus numpy and pandas
        cmd += ["--rss-index", str(ctx.index("py", PY_SPECS))]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=1200, cwd=REPO)
    if r.returncode != 0:
        raise RuntimeError(f"lsp_latency.py failed: {r.stderr[-500:]}")
    data = json.loads(r.stdout.split("\n\n|", 1)[0])
    labels = (("apirec_lsp", "apirec (LSP, stdio)"), ("apirec_inprocess", "apirec (in-process)"), ("jedi", "jedi"))
    data["rows"] = [(label, data[key]) for key, label in labels if key in data]
    data["command"] = "python benchmarks/lsp_latency.py " + " ".join(cmd[2:])
    return {"editor": data, "notes": [
        "Positions: `receiver.name` accesses in the stdlib's own json, email and http packages; the member name is "
        "deleted and completion asked right after the dot. 'Back in top 5' is a sanity check, not accuracy."]}


RUNNERS = {"java": suite_java, "python": suite_python, "private": suite_private, "gorilla": suite_gorilla,
           "callsites": suite_callsites, "speed": suite_speed, "editor": suite_editor}


# -- driver --------------------------------------------------------------------------------------------


def run(out: Path, suites: list[str], *, quick: bool = False, rebuild: bool = False, cache: Path | None = None,
        limit: int | None = None, argv: list[str] | None = None) -> dict[str, Any]:
    from apirec.config import home

    cache = Path(cache or os.environ.get("APIREC_BENCH_CACHE") or home() / "bench")
    ctx = Ctx(out, cache, quick, rebuild, limit)
    res_path = out / "results.json"
    results: dict[str, Any] = json.loads(res_path.read_text()) if res_path.is_file() else {}
    results.setdefault("suites", {})
    for name in suites:
        ctx.console.rule(SUITE_TITLES[name])
        t = time.perf_counter()
        try:
            r = RUNNERS[name](ctx)
            r["error"] = None
        except Exception as e:  # one broken suite must not cost the others
            import traceback

            traceback.print_exc()
            r = {"error": f"{type(e).__name__}: {e}"}
        r["seconds"] = time.perf_counter() - t
        r["command"] = "python -m benchmarks --suites " + name + (" --quick" if quick else "")
        r["finished"] = time.strftime("%Y-%m-%d %H:%M")
        results["suites"][name] = r
        ctx.console.print(f"{name}: {r['seconds']:.0f} s" + (f" [red]{r['error']}[/]" if r["error"] else ""))
    results["quick"] = quick
    results["machine"] = _machine()
    res_path.write_text(json.dumps(results, indent=1, default=str))
    from .report import write_report

    write_report(results, out)
    return results


def _machine() -> dict[str, Any]:
    import platform

    return {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, help="where RESULTS.md, results.json, rankings/ and plots/ go "
                                             "(default: benchmarks/; with --quick a scratch folder)")
    ap.add_argument("--suites", nargs="+", choices=SUITES + tuple("1234567"), default=list(SUITES))
    ap.add_argument("--quick", action="store_true", help="smoke subset: few rows, tiny indexes")
    ap.add_argument("--rebuild", action="store_true", help="rebuild the cached indexes")
    ap.add_argument("--cache", type=Path, help="index cache (default $APIREC_BENCH_CACHE or $APIREC_HOME/bench)")
    ap.add_argument("--limit", type=int, help="only the first N rows of each dataset")
    a = ap.parse_args(argv)
    suites = [SUITES[int(s) - 1] if s.isdigit() else s for s in a.suites]
    if not DATA.is_dir():
        print(f"error: the benchmark data is not at {DATA} (set APIREC_BENCH_DATA)", file=sys.stderr)
        return 2
    out = a.out
    if out is None:
        if a.quick:
            import tempfile

            out = Path(tempfile.mkdtemp(prefix="apirec-bench-quick-"))
        else:
            out = REPO / "benchmarks"
    t = time.perf_counter()
    res = run(out, suites, quick=a.quick, rebuild=a.rebuild, cache=a.cache, limit=a.limit)
    print(f"wrote {out / 'RESULTS.md'} in {time.perf_counter() - t:.0f} s")
    return 1 if any(res["suites"][s].get("error") for s in suites) else 0
