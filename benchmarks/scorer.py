"""Independent scorer: a dataset + a rankings file -> BIKER/CLEAR metrics.

Implements the matching and metric rules of `../shared/data/README.md` and nothing else; it does not
import apirec, so any ranker's output can be scored by it.

    python -m benchmarks.scorer --dataset FILE.jsonl --rankings RANKINGS.jsonl [--level method|class]
                                [--by source_site] [--corpus CORPUS.jsonl] [--json]

Matching (after stripping `(...)` and a leading `builtins.` from both sides):
- Java, method level: exact name.  Java, class level: both sides truncated to `package.Class`
  (the gold is `gold_class`); the ranked list is de-duplicated after truncation.
- Python: a ranked name matches a gold when equal or when it ends with `.` + gold.
- rows with `gold_is_simple_name`: last component, case-insensitive.
- rows with `gold_api_names`: the ranked name's last component equals a gold name.
- Gorilla rows (`gold_corpus_ids`): the ranked item's `source_id` is one of them.
- call sites (`target`, or `target_api`): the ranked name's last component equals the target.

Metrics over rows with gold (a gold counts once: a second ranked item matching an already-found gold
is not relevant): SR@k (= hit@k), P@k (relevant in top k / k), R@k (golds found in top k / golds),
MRR, MAP (mean of AP = sum of P@i at relevant ranks / number of golds), NDCG@10 (binary gains).
A row with gold but no ranking line counts as a miss; a ranking line whose id is not in the dataset
is an error naming the ids.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

KS = (1, 3, 5, 10)


class ScoreError(ValueError):
    """Bad rankings (unknown ids, malformed lines)."""


# -- reading ---------------------------------------------------------------------------------------


def read_jsonl(path: str | Path) -> list[dict[str, Any]]:
    rows = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if line.strip():
                try:
                    rows.append(json.loads(line))
                except json.JSONDecodeError as e:
                    raise ScoreError(f"{path}:{n}: invalid JSON ({e.msg})") from None
    return rows


def read_rankings(path: str | Path) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for n, r in enumerate(read_jsonl(path), 1):
        if not isinstance(r, dict) or "id" not in r or not isinstance(r.get("ranked"), list):
            raise ScoreError(f"{path}: line {n} is not {{\"id\", \"ranked\": [...]}}")
        items = []
        for it in r["ranked"]:
            if isinstance(it, str):
                it = {"api": it, "source_id": None}
            if not isinstance(it, dict):
                raise ScoreError(f"{path}: line {n}: a ranked item is not an object")
            items.append(it)
        out[str(r["id"])] = items
    return out


# -- matching --------------------------------------------------------------------------------------

_PARENS = re.compile(r"\(.*$", re.DOTALL)


def norm(name: Any) -> str:
    """Strip `(...)` (and anything after it) and a leading `builtins.`."""
    s = _PARENS.sub("", str(name or "")).strip()
    s = s.removeprefix("builtins.")
    return s


def last(name: str) -> str:
    return name.rsplit(".", 1)[-1]


def java_class(name: str) -> str:
    """`java.util.Map.Entry.getKey` -> `java.util.Map`: the package plus the first capitalised part."""
    parts = norm(name).split(".")
    for i, p in enumerate(parts):
        if p[:1].isupper():
            return ".".join(parts[: i + 1])
    return ".".join(parts)


def row_kind(row: dict[str, Any]) -> str:
    if "gold_corpus_ids" in row:
        return "gorilla"
    if "target" in row or "target_api" in row:
        return "callsite"
    if "gold_api_names" in row:
        return "api_names"
    if row.get("language") == "java":
        return "java"
    return "python"


def gold_of(row: dict[str, Any], level: str = "method") -> list[str]:
    """The row's golds, normalised and de-duplicated (order kept); [] when it has none."""
    kind = row_kind(row)
    if kind == "gorilla":
        g = [str(x) for x in row.get("gold_corpus_ids") or []]
    elif kind == "callsite":
        t = row.get("target", row.get("target_api"))
        g = [norm(t)] if t else []
    elif kind == "api_names":
        g = [norm(x) for x in row.get("gold_api_names") or []]
    elif kind == "java" and level == "class":
        g = [java_class(x) for x in (row.get("gold_class") or [java_class(x) for x in row.get("gold") or []])]
    else:
        g = [norm(x) for x in row.get("gold") or []]
    return list(dict.fromkeys(x for x in g if x))


def matcher(row: dict[str, Any], level: str = "method"):
    """`match(item, gold) -> bool` for this row's rules."""
    kind = row_kind(row)
    if kind == "gorilla":
        return lambda it, g: it.get("source_id") is not None and str(it.get("source_id")) == g
    if kind in ("callsite", "api_names"):
        return lambda it, g: last(norm(it.get("api"))) == g
    if row.get("gold_is_simple_name"):
        return lambda it, g: last(norm(it.get("api"))).lower() == last(g).lower()
    if kind == "java":
        if level == "class":
            return lambda it, g: java_class(it.get("api")) == g
        return lambda it, g: norm(it.get("api")) == g
    return lambda it, g: (lambda a: a == g or a.endswith("." + g))(norm(it.get("api")))


def prepare_ranked(row: dict[str, Any], ranked: list[dict[str, Any]], level: str) -> list[dict[str, Any]]:
    if row_kind(row) == "java" and level == "class":
        seen, out = set(), []
        for it in ranked:
            c = java_class(it.get("api"))
            if c not in seen:
                seen.add(c)
                out.append(it)
        return out
    return ranked


def relevance(row: dict[str, Any], ranked: list[dict[str, Any]], level: str = "method") -> tuple[list[int], int]:
    """Binary relevance of each ranked position (a gold is credited once) and the number of golds."""
    golds = gold_of(row, level)
    match = matcher(row, level)
    found: set[str] = set()
    rel = []
    for it in prepare_ranked(row, ranked, level):
        hit = next((g for g in golds if g not in found and match(it, g)), None)
        if hit is not None:
            found.add(hit)
        rel.append(1 if hit is not None else 0)
    return rel, len(golds)


def row_metrics(rel: list[int], n_gold: int, ks: Iterable[int] = KS) -> dict[str, float]:
    m: dict[str, float] = {}
    for k in ks:
        top = sum(rel[:k])
        m[f"SR@{k}"] = 1.0 if top else 0.0
        m[f"P@{k}"] = top / k
        m[f"R@{k}"] = top / n_gold
    first = next((i for i, r in enumerate(rel, 1) if r), None)
    m["MRR"] = 1.0 / first if first else 0.0
    hits, ap = 0, 0.0
    for i, r in enumerate(rel, 1):
        if r:
            hits += 1
            ap += hits / i
    m["MAP"] = ap / n_gold
    dcg = sum(1.0 / math.log2(i + 1) for i, r in enumerate(rel[:10], 1) if r)
    idcg = sum(1.0 / math.log2(i + 1) for i in range(1, min(n_gold, 10) + 1))
    m["NDCG@10"] = dcg / idcg if idcg else 0.0
    return m


def check_ids(dataset: list[dict[str, Any]], rankings: dict[str, Any]) -> None:
    ids = {str(r.get("id")) for r in dataset}
    unknown = [i for i in rankings if i not in ids]
    if unknown:
        shown = ", ".join(unknown[:10]) + (f" (and {len(unknown) - 10} more)" if len(unknown) > 10 else "")
        raise ScoreError(f"the rankings name {len(unknown)} id(s) not in the dataset: {shown}")


def score(dataset: list[dict[str, Any]], rankings: dict[str, list[dict[str, Any]]], *, level: str = "method",
          ks: Iterable[int] = KS, by: str | None = None) -> dict[str, Any]:
    """Mean metrics over rows with gold; `by` also splits them by that row field."""
    check_ids(dataset, rankings)
    ks = tuple(ks)
    per: list[tuple[dict[str, Any], dict[str, float]]] = []
    skipped = missing = 0
    for row in dataset:
        if row_kind(row) == "java" and level == "class" and not gold_of(row, "class"):
            skipped += 1
            continue
        n_gold = len(gold_of(row, level))
        if not n_gold:
            skipped += 1
            continue
        ranked = rankings.get(str(row.get("id")))
        if ranked is None:
            missing += 1
            ranked = []
        rel, n = relevance(row, ranked, level)
        per.append((row, row_metrics(rel, n, ks)))
    out: dict[str, Any] = {"level": level, "n": len(per), "skipped_no_gold": skipped,
                           "missing_rankings": missing, "metrics": _mean([m for _, m in per])}
    if by:
        groups: dict[str, list[dict[str, float]]] = {}
        for row, m in per:
            groups.setdefault(str(row.get(by)), []).append(m)
        out["by"] = {by: {g: {"n": len(ms), "metrics": _mean(ms)} for g, ms in sorted(groups.items())}}
    return out


def _mean(ms: list[dict[str, float]]) -> dict[str, float]:
    if not ms:
        return {}
    return {k: sum(m[k] for m in ms) / len(ms) for k in ms[0]}


def same_domain_at_1(dataset: list[dict[str, Any]], rankings: dict[str, list[dict[str, Any]]],
                     corpus: list[dict[str, Any]]) -> dict[str, Any]:
    """Gorilla: share of rows whose top-1 corpus row has the `domain` of (one of) the gold corpus rows."""
    check_ids(dataset, rankings)
    domain = {str(r.get("id")): r.get("domain") for r in corpus}
    n = ok = 0
    for row in dataset:
        golds = gold_of(row)
        if not golds:
            continue
        n += 1
        ranked = rankings.get(str(row.get("id"))) or []
        if ranked:
            top = domain.get(str(ranked[0].get("source_id")))
            if top is not None and top in {domain.get(g) for g in golds}:
                ok += 1
    return {"n": n, "same_domain@1": ok / n if n else 0.0}


def score_files(dataset: str | Path, rankings: str | Path, *, level: str | None = None,
                by: str | None = None, corpus: str | Path | None = None) -> dict[str, Any]:
    """Everything the CLI prints: method level, plus class level for Java rows, plus Gorilla domain."""
    rows = read_jsonl(dataset)
    ranks = read_rankings(rankings)
    levels = [level] if level else (["method", "class"] if any(row_kind(r) == "java" for r in rows)
                                    else ["method"])
    out: dict[str, Any] = {"dataset": str(dataset), "rankings": str(rankings)}
    for lv in levels:
        out[lv] = score(rows, ranks, level=lv, by=by)
    if corpus:
        out["gorilla"] = same_domain_at_1(rows, ranks, read_jsonl(corpus))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.scorer", description=__doc__.split("\n\n")[0])
    ap.add_argument("--dataset", required=True)
    ap.add_argument("--rankings", required=True)
    ap.add_argument("--level", choices=["method", "class"])
    ap.add_argument("--by", help="also report per value of this row field (e.g. source_site)")
    ap.add_argument("--corpus", help="Gorilla corpus: also report same-domain@1")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args(argv)
    try:
        res = score_files(a.dataset, a.rankings, level=a.level, by=a.by, corpus=a.corpus)
    except (ScoreError, OSError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    if a.json:
        print(json.dumps(res, indent=1))
        return 0
    for lv in ("method", "class"):
        if lv in res:
            r = res[lv]
            print(f"{lv} level: n={r['n']} (skipped {r['skipped_no_gold']} without gold, "
                  f"{r['missing_rankings']} without ranking)")
            print("  " + "  ".join(f"{k}={v:.3f}" for k, v in r["metrics"].items()))
            for field, groups in r.get("by", {}).items():
                for g, gr in groups.items():
                    print(f"  {field}={g}: n={gr['n']}  " + "  ".join(
                        f"{k}={gr['metrics'][k]:.3f}" for k in ("SR@1", "SR@5", "SR@10", "MRR")))
    if "gorilla" in res:
        print(f"same-domain@1={res['gorilla']['same_domain@1']:.3f} (n={res['gorilla']['n']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
