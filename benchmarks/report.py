"""RESULTS.md and PNG plots from results.json (written by benchmarks.runner; no numbers by hand)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from . import scorer

COLS = ("n", "SR@1", "SR@3", "SR@5", "SR@10", "P@1", "P@5", "R@5", "MRR", "MAP", "NDCG@10")
ORDER = ("java", "python", "private", "gorilla", "callsites", "speed", "editor")


def _f(v: Any) -> str:
    if v is None:
        return "–"
    if isinstance(v, float):
        return f"{v:.3f}" if v < 10 else f"{v:.0f}"
    return str(v)


def _table(headers: list[str], rows: list[list[Any]]) -> list[str]:
    out = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    out += ["| " + " | ".join(_f(c) for c in r) + " |" for r in rows]
    return out


def _plot_curves(out: Path, key: str, suite: dict[str, Any], table: dict[str, Any]) -> str | None:
    """SR@k for k = 1..10 of every system of a table, re-scored from its rankings files."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    rdir = out / "rankings"
    files = sorted(rdir.glob(f"{table['curve']}.*.jsonl"))
    ds = _dataset_of(table)
    if not files or ds is None or not ds.is_file():
        return None
    rows = scorer.read_jsonl(ds)
    fig, ax = plt.subplots(figsize=(5, 3.4))
    ks = list(range(1, 11))
    for f in files:
        ranks = scorer.read_rankings(f)
        rows_r = [r for r in rows if str(r.get("id")) in ranks] or rows
        res = scorer.score(rows_r, ranks, ks=ks)
        ax.plot(ks, [res["metrics"][f"SR@{k}"] for k in ks], marker="o", ms=3,
                label=f.name[len(table["curve"]) + 1:-len(".jsonl")])
    ax.set_xlabel("k")
    ax.set_ylabel("SR@k (hit@k)")
    ax.set_ylim(0, 1)
    ax.set_title(table["dataset"][:60], fontsize=9)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7)
    fig.tight_layout()
    path = out / "plots" / f"sr_{table['curve']}.png"
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return os.path.relpath(path, out)


def _dataset_of(table: dict[str, Any]) -> Path | None:
    for c in table.get("commands", []):
        parts = c.split()
        if "--dataset" in parts:
            return Path(parts[parts.index("--dataset") + 1])
    return None


def _plot_latency(out: Path, dists: dict[str, list[float]], name: str) -> str | None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    dists = {k: v for k, v in dists.items() if v}
    if not dists:
        return None
    fig, ax = plt.subplots(figsize=(5, 3.4))
    for k, v in dists.items():
        ax.hist(v, bins=50, alpha=0.5, label=f"{k} (n={len(v)})")
    ax.set_xlabel("search latency (ms)")
    ax.set_ylabel("queries")
    ax.legend(fontsize=7)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    path = out / "plots" / f"latency_{name}.png"
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return os.path.relpath(path, out)


# The recommender's goals (issue "Recommender quality"): (suite, dataset prefix, level, subset, metric, goal).
GOALS = (
    ("java", "biker_test_filtered259", "method", None, "SR@1", 0.50),
    ("java", "biker_test_filtered259", "method", None, "SR@5", 0.80),
    ("java", "biker_test_filtered259", "method", None, "MRR", 0.62),
    ("java", "biker_test_filtered259", "class", None, "MRR", 0.85),
    ("python", "apibench_q_python_dev", None, "Stack Overflow", "SR@5", 0.55),
    ("python", "apibench_q_python_dev", None, "all", "SR@5", 0.75),
    ("private", "monkeyeval", None, None, "SR@1", 0.80),
    ("private", "monkeyeval", None, None, "R@5", 0.92),
    ("private", "beatnumeval", None, None, "SR@1", 0.80),
    ("private", "beatnumeval", None, None, "R@5", 0.92),
    ("gorilla", "gorilla_torchhub", None, None, "exact@1", 0.30),
)


def _goals(suites: dict[str, Any]) -> list[str]:
    """Goals next to the measured values, read from the suites' own tables (nothing typed by hand)."""
    rows = []
    for suite, prefix, level, subset, metric, goal in GOALS:
        value = None
        for t in suites.get(suite, {}).get("tables", []):
            if not t["dataset"].startswith(prefix):
                continue
            for r in t["rows"]:
                if r["system"] == "apirec" and r.get("level") == level and r.get("subset") == subset:
                    value = r.get(metric)
        met = "" if value is None else ("yes" if value >= goal else "no")
        rows.append([f"{prefix}" + (f" ({level})" if level else "") + (f" [{subset}]" if subset else ""),
                     metric, goal, value, met])
    for name in ("callsite_", "mask_"):
        for t in suites.get("callsites", {}).get("tables", []):
            if t["dataset"].startswith(name):
                r = next((r for r in t["rows"] if r["system"] == "apirec"), None)
                if r:
                    rows.append([t["dataset"].split(" ")[0], "SR@1", 0.60, r.get("SR@1"),
                                 "yes" if (r.get("SR@1") or 0) >= 0.60 else "no"])
                    rows.append([t["dataset"].split(" ")[0], "SR@5", 0.90, r.get("SR@5"),
                                 "yes" if (r.get("SR@5") or 0) >= 0.90 else "no"])
    # Speed goals (lower is better): warm search p95 over a ≥ 50k-record index, LSP completion p95 and
    # ≥ 4× faster than jedi, server RSS with a ≥ 50k-record index.
    for r in suites.get("speed", {}).get("speed", []):
        if (r.get("records") or 0) >= 50_000 and r.get("p95_ms") is not None:
            rows.append([f"warm search, {r.get('index')} ({r.get('records')} records)", "p95 ms", "≤ 10",
                         r["p95_ms"], "yes" if r["p95_ms"] <= 10 else "no"])
    e = suites.get("editor", {}).get("editor")
    if e and e.get("apirec_lsp"):
        p95 = e["apirec_lsp"].get("p95_ms")
        rows.append(["LSP completion (stdio)", "p95 ms", "≤ 15", p95, "yes" if p95 is not None and p95 <= 15 else "no"])
        if e.get("speedup_p50") is not None:
            rows.append(["LSP completion vs jedi", "p50 speed-up", "≥ 4×", e["speedup_p50"],
                         "yes" if e["speedup_p50"] >= 4 else "no"])
        big = e.get("large_index_rss")
        if big:
            rows.append([f"LSP server RSS, {big['records']} records", "MB", "≤ 500", big["rss_mb"],
                         "yes" if big["records"] >= 50_000 and big["rss_mb"] <= 500 else "no"])
    if not rows:
        return []
    md = ["## Goals of the recommender (dev data)", "",
          "Each value is read from the suite tables above; the goals are those of the recommender-quality issue "
          "(call sites: top-1 ≥ 0.60, top-5 ≥ 0.90 on every member-completion set).", ""] + \
        _table(["dataset", "metric", "goal", "apirec", "met"], rows) + [""]
    tried = Path(__file__).with_name("goals_not_met.md")
    if any(r[-1] == "no" for r in rows) and tried.exists():
        md += tried.read_text(encoding="utf-8").rstrip("\n").split("\n") + [""]
    return md


def write_report(results: dict[str, Any], out: Path) -> Path:
    suites = results.get("suites", {})
    md = ["# apirec benchmark results", "",
          "Generated by `python -m benchmarks` (= `apirec bench all`) from `results.json`; every figure "
          "below comes from the command written next to it, scored by the independent "
          "`benchmarks/scorer.py` (rules of `../shared/data/README.md`).", ""]
    if results.get("quick"):
        md += ["**Quick (smoke) run: a few rows and tiny indexes; the figures check the harness, "
               "not accuracy.**", ""]
    m = results.get("machine", {})
    md += [f"Machine: Python {m.get('python')}, {m.get('cpus')} CPUs, {m.get('platform')}.", ""]
    md += ["| suite | seconds | finished | status |", "|---|---|---|---|"]
    total = 0.0
    for name in ORDER:
        s = suites.get(name)
        if s:
            total += s.get("seconds", 0)
            md.append(f"| {name} | {s.get('seconds', 0):.0f} | {s.get('finished', '')} | "
                      f"{'error: ' + s['error'] if s.get('error') else 'ok'} |")
    md += [f"| all | {total:.0f} | | |", ""]
    lat_all: dict[str, list[float]] = {}
    for name in ORDER:
        s = suites.get(name)
        if not s:
            continue
        from .runner import SUITE_TITLES

        md += [f"## {SUITE_TITLES[name]}", "", f"Run alone: `{s.get('command')}` ({s.get('seconds', 0):.0f} s).", ""]
        if s.get("error"):
            md += [f"**Failed:** {s['error']}", ""]
            continue
        if s.get("specs"):
            md += [f"Index: `apirec index {' '.join(s['specs'])} --index {s.get('index')}`", ""]
        for t in s.get("tables", []):
            md += [f"### {t['dataset']}", ""]
            extra = t.get("extra_cols", [])
            has_level = any("level" in r for r in t["rows"])
            has_subset = any("subset" in r for r in t["rows"])
            headers = ["system"] + (["level"] if has_level else []) + (["subset"] if has_subset else []) + \
                list(COLS) + extra
            body = [[r["system"]] + ([r.get("level")] if has_level else []) + ([r.get("subset")] if has_subset else [])
                    + [r.get(c) for c in COLS] + [r.get(c) for c in extra] for r in t["rows"]]
            md += _table(headers, body) + [""]
            info = []
            if t.get("query_field"):
                info.append(f"query field: `{t['query_field']}`")
            if t.get("skipped"):
                info.append(f"skipped rows: {t['skipped']['no_gold']} without gold, "
                            f"{t['skipped']['missing']} with missing fields")
            if t.get("latency"):
                info.append(f"apirec latency p50 {t['latency']['p50_ms']:.1f} ms, p95 {t['latency']['p95_ms']:.1f} ms")
            if t.get("index"):
                info.append(f"index `{t['index']}`")
            if info:
                md += ["; ".join(info) + ".", ""]
            md += ["Commands:", ""] + [f"    {c}" for c in t.get("commands", [])] + [""]
            img = _plot_curves(out, name, s, t) if t.get("curve") else None
            if img:
                md += [f"![SR@k]({img})", ""]
        if s.get("latency_ms"):
            lat_all[name] = s["latency_ms"]
        if s.get("speed"):
            headers = ["index", "records", "queries", "p50 ms", "p95 ms", "mean ms", "cold CLI s", "RSS MB",
                       "parse rec/s", "embed rec/s", "embedded", "build s", "built at"]
            keys = ["index", "records", "queries", "p50_ms", "p95_ms", "mean_ms", "cold_cli_s", "rss_mb",
                    "parse_rec_s", "embed_rec_s", "embedded", "build_s", "built_at"]
            md += _table(headers, [[r.get(k) for k in keys] for r in s["speed"]]) + [""]
            img = _plot_latency(out, s.get("latency_dists", {}), "speed")
            if img:
                md += [f"![latency]({img})", ""]
        if s.get("editor"):
            headers = ["engine", "positions", "p50 ms", "p95 ms", "max ms", "deleted name back in top 5"]
            rows = [[label, d.get("n"), d.get("p50_ms"), d.get("p95_ms"), d.get("max_ms"), d.get("top5_recovered")]
                    for label, d in s["editor"]["rows"]]
            md += _table(headers, rows) + [""]
            e = s["editor"]
            md += [f"Server RSS with the default index loaded ({e.get('index_records')} records): "
                   f"{e.get('server_rss_mb')} MB; jedi / apirec (LSP) p50 {e.get('speedup_p50')}×, "
                   f"p95 {e.get('speedup_p95')}×.", ""]
            if e.get("large_index_rss"):
                big = e["large_index_rss"]
                md += [f"Server RSS with {big['records']} records loaded (the default index plus "
                       f"{', '.join(big['index_paths'])} through `indexPaths`, after 50 completions and 3 NL "
                       f"searches): {big['rss_mb']} MB.", ""]
            md += [f"Command: `{e.get('command')}`", ""]
        for n in s.get("notes", []):
            md += [f"- {n}"]
        md += [""]
    md += _goals(suites)
    img = _plot_latency(out, lat_all, "suites")
    if img:
        md += ["## Query latency per suite", "", f"![latency]({img})", ""]
    path = out / "RESULTS.md"
    path.write_text("\n".join(md) + "\n")
    return path


if __name__ == "__main__":
    import sys

    out = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).parent)
    write_report(json.loads((out / "results.json").read_text()), out)
