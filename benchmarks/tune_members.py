"""Tune the member-completion weights (`apirec.context._W`) on masked call sites of stdlib packages that
no benchmark scores (training data), by coordinate ascent on top-1 (top-5 breaks ties).

    APIREC_HOME=... python benchmarks/tune_members.py [--max 60] [--passes 2] [--json] [--as-typed]

The masks come from `benchmarks/mask.py` (seed 0) on TRAIN_PACKAGES; completion searches the default
index (the standard library), the setting of a user whose editor has only apirec's default index.
The evaluation sets (callsite_*.jsonl and the masks of json, email, http, asyncio) are never read.
Prints the weights found and the training top-1/top-5 before and after. `--passes 0` only evaluates;
`--as-typed` completes as the line is being typed (nothing after the cursor), the dev tables' second row.
"""

from __future__ import annotations

import argparse
import json
import sys
import sysconfig
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

TRAIN_PACKAGES = ("logging", "xml", "urllib", "concurrent", "importlib", "unittest", "multiprocessing",
                  "sqlite3", "zipfile", "html", "wsgiref", "xmlrpc", "dbm", "tomllib", "collections",
                  "encodings", "idlelib", "lib2to3", "pydoc_data", "ctypes")
STEPS = (0.0, 0.5, 0.75, 1.33, 2.0)


def cases(max_cases: int) -> list[dict]:
    from benchmarks.mask import mask_repo
    from benchmarks.runner import MASK_REPOS

    root = Path(sysconfig.get_paths()["stdlib"])
    out = []
    for pkg in TRAIN_PACKAGES:
        if pkg in MASK_REPOS or not (root / pkg).is_dir():
            continue
        out += mask_repo(root / pkg, max_cases=max_cases, seed=0, name=pkg)
    return out


def evaluate(searchers: list, rows: list[dict], as_typed: bool = False) -> tuple[float, float]:
    from apirec.bench import callsite_code, callsite_module
    from apirec.context import member_completions

    top1 = top5 = 0
    for r in rows:
        module, is_pkg = callsite_module(r)
        hits = member_completions(searchers, *callsite_code(r, as_typed), k=10, module=module,
                                  is_package=is_pkg)
        names = [h.record.name for h in hits[:5]]
        top1 += bool(names) and names[0] == r["target"]
        top5 += r["target"] in names
    return top1 / len(rows), top5 / len(rows)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--max", type=int, default=60, help="masked cases per package (default 60)")
    ap.add_argument("--passes", type=int, default=2)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--as-typed", action="store_true", help="nothing after the cursor, as while typing")
    a = ap.parse_args(argv)
    from apirec import context
    from apirec.build import ensure_default_index
    from apirec.search import Searcher

    t0 = time.time()
    rows = cases(a.max)
    searchers = [Searcher(ensure_default_index(), load_dense=False)]
    start = dict(context._W)
    base = best = evaluate(searchers, rows, a.as_typed)
    print(f"{len(rows)} training cases; start top-1 {base[0]:.3f} top-5 {base[1]:.3f}", file=sys.stderr)
    for p in range(a.passes):
        changed = False
        for key in list(context._W):
            if key == "kw_miss":  # tied to kw; tuned through it
                continue
            keep = context._W[key]
            for step in STEPS:
                context._W[key] = round(keep * step, 4) if keep else step
                got = evaluate(searchers, rows, a.as_typed)
                if got > best:
                    best, keep, changed = got, context._W[key], True
                    print(f"pass {p + 1}: {key} = {keep}: top-1 {got[0]:.3f} top-5 {got[1]:.3f}",
                          file=sys.stderr)
            context._W[key] = keep
        if not changed:
            break
    report = {"cases": len(rows), "packages": list(TRAIN_PACKAGES), "as_typed": a.as_typed, "start": start,
              "start_top1": base[0], "start_top5": base[1], "weights": dict(context._W), "top1": best[0],
              "top5": best[1], "seconds": round(time.time() - t0)}
    print(json.dumps(report, indent=1) if a.json else
          f"weights {context._W}\ntop-1 {base[0]:.3f} -> {best[0]:.3f}, top-5 {base[1]:.3f} -> {best[1]:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
