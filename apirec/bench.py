"""`apirec bench`: rank benchmark datasets, write rankings, print BIKER/CLEAR metrics.

    apirec bench queries   --index DIR --dataset FILE.jsonl --rankings OUT.jsonl [-k 10] [--json]
    apirec bench callsites --dataset FILE.jsonl --rankings OUT.jsonl [--repo DIR] [--index DIR] [--as-typed]
        [--json]
    apirec bench all [--out benchmarks/] [--suites ...] [--quick] [--rebuild]

Metrics come from the independent scorer `benchmarks/scorer.py` (rules of the shared data README),
applied to the rankings this command writes.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

QUERY_FIELDS = ("query", "nl_query", "prompt")
REPO_ROOT = Path(__file__).resolve().parents[1]


class BenchError(RuntimeError):
    """A benchmark that cannot run; the message says what to do."""


def _scorer():
    try:
        from benchmarks import scorer
    except ImportError:
        if str(REPO_ROOT) not in sys.path and (REPO_ROOT / "benchmarks" / "scorer.py").is_file():
            sys.path.insert(0, str(REPO_ROOT))
        try:
            from benchmarks import scorer
        except ImportError:
            raise BenchError("the scorer (benchmarks/scorer.py) is not importable: run from the apirec "
                             "source checkout") from None
    return scorer


# -- datasets ----------------------------------------------------------------------------------------


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    try:
        return _scorer().read_jsonl(path)
    except FileNotFoundError:
        raise BenchError(f"dataset not found: {path}") from None


def write_rankings(path: Path, rankings: list[dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in rankings)


def query_field(rows: list[dict[str, Any]], forced: str | None = None) -> str:
    if forced:
        return forced
    for f in QUERY_FIELDS:
        if any(isinstance(r.get(f), str) and r.get(f).strip() for r in rows):
            return f
    raise BenchError(f"no row has a query field ({', '.join(QUERY_FIELDS)})")


def suggest_sources(dataset: Path, rows: list[dict[str, Any]]) -> list[str]:
    """The `apirec index` sources a dataset needs (for the 'index missing' message)."""
    name = dataset.name
    data = dataset.resolve().parent
    if any(r.get("language") == "java" for r in rows[:20]):
        return ["java:jdk"]
    for lib in ("monkey", "beatnum"):
        if lib in name:
            return [str(data / f"corpus_{lib}.jsonl")]
    if "gorilla" in name:
        return [str(data / "corpus_gorilla_torchhub.jsonl")]
    return ["python:stdlib", "pkg:numpy", "pkg:pandas"]


def _percentile(xs: list[float], q: float) -> float:
    if not xs:
        return 0.0
    s = sorted(xs)
    i = min(len(s) - 1, max(0, int(round(q / 100 * (len(s) - 1)))))
    return s[i]


def latency_stats(ms: list[float]) -> dict[str, float]:
    return {"n": len(ms), "p50_ms": _percentile(ms, 50), "p95_ms": _percentile(ms, 95),
            "mean_ms": sum(ms) / len(ms) if ms else 0.0, "max_ms": max(ms) if ms else 0.0}


def _open_index(path: Path, dataset: Path | None = None, rows: list[dict[str, Any]] | None = None):
    from .search import Searcher
    from .store import IndexDir

    if not IndexDir(path).exists():
        hint = ""
        if dataset is not None:
            hint = f"; build it with: apirec index {' '.join(suggest_sources(dataset, rows or []))} --index {path}"
        raise BenchError(f"no index at {path}{hint}")
    return Searcher(path)


Progress = Callable[[int, int], None]


# -- queries -----------------------------------------------------------------------------------------


def rank_queries(searcher, rows: list[dict[str, Any]], *, k: int = 10, field: str | None = None,
                 progress: Progress | None = None) -> dict[str, Any]:
    """Rank each usable row; returns rankings, the rows ranked, skip counts and latencies."""
    scorer = _scorer()
    field = query_field(rows, field)
    usable, texts, no_gold, no_query, fallback = [], [], 0, 0, {}
    for r in rows:
        # The chosen field, else (where a row leaves it empty) the next of query, nl_query, prompt.
        text, used = None, None
        for f in [field] + [f for f in QUERY_FIELDS if f != field]:
            if isinstance(r.get(f), str) and r[f].strip():
                text, used = r[f], f
                break
        if text is None or "id" not in r:
            no_query += 1
        elif not scorer.gold_of(r):
            no_gold += 1
        else:
            usable.append(r)
            texts.append(text)
            if used != field:
                fallback[used] = fallback.get(used, 0) + 1
    if usable:  # warm-up: model load and first-touch costs are not query latency
        searcher.search(texts[0], k)
    queries = dict(zip((r["id"] for r in usable), texts))
    rankings, lat = _rank_rows(usable, lambda r: searcher.search(queries[r["id"]], max(k, 10),
                                                                 language=r.get("language") or None), progress)
    return {"field": field, "field_fallback": fallback, "rankings": rankings, "rows": usable,
            "skipped_no_gold": no_gold, "skipped_missing_fields": no_query, "latency_ms": lat}


def field_note(res: dict[str, Any]) -> str:
    fb = res.get("field_fallback") or {}
    extra = "; ".join(f"{f} for {n} rows where it is empty" for f, n in fb.items())
    return f"{res.get('field')}" + (f" ({extra})" if extra else "")


def summarize(result: dict[str, Any], by: str | None = None) -> dict[str, Any]:
    """Scorer metrics (method, plus class level for Java) and latency for a ranking result."""
    scorer = _scorer()
    rows, ranks = result["rows"], {r["id"]: r["ranked"] for r in result["rankings"]}
    out: dict[str, Any] = {
        "query_field": field_note(result) if result.get("field") else None,
        "n_rows": len(rows) + result["skipped_no_gold"] + result["skipped_missing_fields"],
        "n_ranked": len(rows), "skipped_no_gold": result["skipped_no_gold"],
        "skipped_missing_fields": result["skipped_missing_fields"],
        "method": scorer.score(rows, ranks, level="method", by=by),
    }
    if any(scorer.row_kind(r) == "java" for r in rows):
        out["class"] = scorer.score(rows, ranks, level="class", by=by)
    out["latency"] = latency_stats(result["latency_ms"])
    return out


def _warn_skips(res: dict[str, Any], err) -> None:
    if res["skipped_no_gold"]:
        err.print(f"[yellow]warning:[/] {res['skipped_no_gold']} rows without gold were skipped")
    if res["skipped_missing_fields"]:
        err.print(f"[yellow]warning:[/] {res['skipped_missing_fields']} rows with missing fields "
                  f"(id / {res.get('field') or 'query'}) were skipped")


def _print_summary(summary: dict[str, Any], title: str) -> None:
    from rich.console import Console
    from rich.table import Table

    con = Console()
    t = Table(title=title)
    cols = ["SR@1", "SR@3", "SR@5", "SR@10", "P@1", "P@5", "P@10", "R@5", "R@10", "MRR", "MAP", "NDCG@10"]
    t.add_column("level")
    t.add_column("n", justify="right")
    for c in cols:
        t.add_column(c, justify="right")
    for lv in ("method", "class"):
        if lv in summary:
            m = summary[lv]["metrics"]
            t.add_row(lv, str(summary[lv]["n"]), *(f"{m.get(c, 0):.3f}" for c in cols))
    con.print(t)
    lat = summary["latency"]
    extra = f"query field: {summary['query_field']}; " if summary.get("query_field") else ""
    con.print(f"{extra}latency p50 {lat['p50_ms']:.1f} ms, p95 {lat['p95_ms']:.1f} ms over {lat['n']} queries")


def _bar(enabled: bool, label: str):
    """A rich progress bar as a `progress(done, total)` callable (a no-op when disabled)."""
    if not enabled:
        return _NullBar()
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    return _RichBar(Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                             transient=True, console=_err_console()))


class _NullBar:
    def __enter__(self):
        return lambda done, total: None

    def __exit__(self, *exc):
        return False


class _RichBar:
    def __init__(self, progress):
        self.progress = progress
        self.task = None

    def __enter__(self):
        self.progress.__enter__()

        def update(done: int, total: int) -> None:
            if self.task is None:
                self.task = self.progress.add_task("", total=total)
            self.progress.update(self.task, completed=done, total=total)

        return update

    def __exit__(self, *exc):
        return self.progress.__exit__(*exc)


def _err_console():
    from rich.console import Console

    return Console(stderr=True)


def cmd_queries(a) -> int:
    dataset = Path(a.dataset)
    rows = read_jsonl(dataset)
    searcher = _open_index(Path(a.index), dataset, rows)
    err = _err_console()
    with _bar(not a.json and err.is_terminal, f"ranking {dataset.name}") as pr:
        res = rank_queries(searcher, rows, k=a.k, field=a.query_field, progress=pr)
    _warn_skips(res, err)
    write_rankings(Path(a.rankings), res["rankings"])
    summary = summarize(res, by=a.by)
    summary.update(dataset=str(dataset), index=str(a.index), rankings=str(a.rankings))
    if a.json:
        print(json.dumps(summary, indent=1))
    else:
        _print_summary(summary, f"{dataset.name} on {a.index}")
    return 0


# -- call sites --------------------------------------------------------------------------------------


def callsite_target(row: dict[str, Any]) -> str | None:
    return row.get("target") or row.get("target_api")


def callsite_code(row: dict[str, Any], as_typed: bool = False) -> tuple[str, int, int]:
    """The code a ranker may see (left context + the rest of the current line) and the 0-based position
    right after the dot. `as_typed`: nothing after the cursor, as when the line is being typed (the call's
    arguments, `(` included, are not written yet)."""
    left = row["left_context"]
    right = "" if as_typed else (row.get("right_context") or "").split("\n", 1)[0]
    line = left.count("\n")
    character = len(left) - (left.rfind("\n") + 1)
    return left + right, line, character


def callsite_module(row: dict[str, Any]) -> tuple[str | None, bool]:
    """(module, is_package) of a case taken from a repository file, named as the language server
    names a workspace file (so relative imports and the file's own indexed records resolve)."""
    repo, path = row.get("repo"), row.get("path")
    if not repo or not path or not str(path).endswith(".py"):
        return None, False
    root = Path(repo)
    base = root / "src" if (root / "src").is_dir() and not (root / "__init__.py").exists() else root
    parts = list(Path(path).with_suffix("").parts)
    if base != root and parts[:1] == ["src"]:
        parts = parts[1:]
    is_pkg = bool(parts) and parts[-1] == "__init__"
    if is_pkg:
        parts = parts[:-1]
    if (base / "__init__.py").exists():
        parts = [base.name, *parts]
    return ".".join(parts) or base.name, is_pkg


def _completions():
    """What the language server completes with: members after a dot, else plain names."""
    try:
        from .context import member_completions, name_completions
    except ImportError as e:
        raise BenchError(f"apirec.context.member_completions is not available ({e}); the call-site "
                         "benchmark needs the language-server context module") from None

    def complete(searchers, code, line, character, **kw):
        return (member_completions(searchers, code, line, character, **kw)
                or name_completions(searchers, code, line, character, k=kw["k"], module=kw["module"]))

    return complete


def repo_index(repo: Path, cache: Path | None = None, progress=None) -> Path:
    """An index of `repo` (the unseen-repository setting), cached by its absolute path; refreshed
    incrementally when it exists."""
    from .build import build_index
    from .config import home

    repo = repo.resolve()
    cache = cache or home() / "bench-repos"
    path = cache / (repo.name + "-" + hashlib.blake2b(str(repo).encode(), digest_size=6).hexdigest())
    build_index(path, [str(repo)], progress=progress)
    return path


def rank_callsites(searchers: list, rows: list[dict[str, Any]], *, k: int = 10,
                   progress: Progress | None = None, as_typed: bool = False) -> dict[str, Any]:
    completions = _completions()
    usable, skipped_missing, skipped_gold = [], 0, 0
    for r in rows:
        # After `receiver.`, or a bare callee (`return ▮(df.columns)`: site_kind "bare_name").
        if "id" not in r or not isinstance(r.get("left_context"), str) or not (
                r["left_context"].endswith(".") or r.get("site_kind") == "bare_name"):
            skipped_missing += 1
        elif not callsite_target(r):
            skipped_gold += 1
        else:
            usable.append(r)

    def complete(r: dict[str, Any]):
        module, is_pkg = callsite_module(r)
        return completions(searchers, *callsite_code(r, as_typed), k=max(k, 10), module=module,
                           is_package=is_pkg)

    if usable:
        complete(usable[0])
    rankings, lat = _rank_rows(usable, complete, progress)
    return {"field": None, "rankings": rankings, "rows": usable, "skipped_no_gold": skipped_gold,
            "skipped_missing_fields": skipped_missing, "latency_ms": lat}


def callsite_searchers(index: Path | None, repo: Path | None, dataset: Path | None = None,
                       rows: list[dict[str, Any]] | None = None, progress=None) -> list:
    from .search import Searcher

    searchers = []
    if repo is not None:
        searchers.append(Searcher(repo_index(repo, progress=progress)))
    if index is not None:
        searchers.append(_open_index(index, dataset, rows))
    else:  # the repository plus the default index, as the editor would have
        from .build import ensure_default_index

        searchers.append(Searcher(ensure_default_index()))
    return searchers


def cmd_callsites(a) -> int:
    dataset = Path(a.dataset)
    rows = read_jsonl(dataset)
    searchers = callsite_searchers(Path(a.index) if a.index else None, Path(a.repo) if a.repo else None,
                                   dataset, rows)
    err = _err_console()
    with _bar(not a.json and err.is_terminal, f"completing {dataset.name}") as pr:
        res = rank_callsites(searchers, rows, k=a.k, progress=pr, as_typed=a.as_typed)
    _warn_skips(res, err)
    write_rankings(Path(a.rankings), res["rankings"])
    summary = summarize(res)
    summary.update(dataset=str(dataset), index=str(a.index) if a.index else None,
                   repo=str(a.repo) if a.repo else None,
                   rankings=str(a.rankings), as_typed=a.as_typed)
    if a.json:
        print(json.dumps(summary, indent=1))
    else:
        _print_summary(summary, f"{dataset.name} member completion")
    return 0


# -- entry -------------------------------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="apirec bench", description="Score apirec on benchmark datasets.")
    sub = p.add_subparsers(dest="cmd", metavar="COMMAND")
    q = sub.add_parser("queries", help="rank each row's query against an index")
    q.add_argument("--index", required=True, type=Path)
    q.add_argument("--dataset", required=True, type=Path)
    q.add_argument("--rankings", required=True, type=Path)
    q.add_argument("-k", type=int, default=10)
    q.add_argument("--query-field", choices=QUERY_FIELDS, help="default: the first of query, nl_query, prompt")
    q.add_argument("--by", help="also report per value of this row field (e.g. source_site)")
    q.add_argument("--json", action="store_true")
    c = sub.add_parser("callsites", help="rank member completions for masked call sites")
    c.add_argument("--dataset", required=True, type=Path)
    c.add_argument("--rankings", required=True, type=Path)
    c.add_argument("--repo", type=Path, help="index this repository first and search it too")
    c.add_argument("--index", type=Path, help="default: the default index")
    c.add_argument("-k", type=int, default=10)
    c.add_argument("--as-typed", action="store_true",
                   help="complete with nothing after the cursor, as while typing (default: the rest of the "
                        "line as written, which the datasets allow)")
    c.add_argument("--json", action="store_true")
    al = sub.add_parser("all", help="run the benchmark suites and write RESULTS.md")
    al.add_argument("rest", nargs=argparse.REMAINDER)
    return p


def _rank_rows(rows: list[dict[str, Any]], rank, progress) -> tuple[list[dict[str, Any]], list[float]]:
    """Rankings (README format) and latencies (ms) of `rank(row) -> list[Hit]` over the rows."""
    rankings, lat = [], []
    for i, r in enumerate(rows):
        t = time.perf_counter()
        hits = rank(r)
        lat.append((time.perf_counter() - t) * 1000)
        rankings.append({"id": r["id"], "ranked": [{"api": h.record.public_path, "source_id": h.record.source_id}
                                                   for h in hits]})
        if progress:
            progress(i + 1, len(rows))
    return rankings, lat


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "all":
        _scorer()  # puts the checkout on sys.path when needed
        from benchmarks.runner import main as run_all

        return run_all(argv[1:])
    p = _parser()
    a = p.parse_args(argv)
    if not a.cmd:
        p.print_help()
        return 2
    try:
        return {"queries": cmd_queries, "callsites": cmd_callsites}[a.cmd](a)
    except BenchError as e:
        _err_console().print(f"[red]error:[/] {e}")
        return 2
    except Exception as e:  # index load errors etc. carry their own advice
        from .store import IndexLoadError

        if isinstance(e, IndexLoadError):
            _err_console().print(f"[red]error:[/] {e}")
            return 2
        raise


if __name__ == "__main__":
    sys.exit(main())
