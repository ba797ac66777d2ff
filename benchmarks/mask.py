"""Masked member-call cases from a real repository: `receiver.name(` where `name` is defined in it.

    python -m benchmarks.mask REPO_DIR OUT.jsonl [--max 60] [--seed 0] [--blanked DIR]

Each case: {"id", "target", "receiver", "left_context" (the file up to and including the dot),
"right_context" (the rest of the file after the masked name, from its `(`), "repo", "path", "line",
"character"} with 0-based line and character of the masked name's start, the format of the call-site
datasets in ../shared/data (the masked name is in neither context).
Private names (leading `_`) and test files are left out; sampling is seeded, so runs are repeatable.

The repository a ranker indexes must not hold the calls being asked for (an editor's index holds the
file as saved, before the call is typed): `--blanked DIR` writes a copy of the repository, named as it
is, where every masked name is replaced by `masked_`; index that copy, not the original.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import random
import shutil
import sys
from pathlib import Path
from typing import Any

SKIP_DIRS = {"test", "tests", "testing", "__pycache__", ".git"}


def _py_files(root: Path) -> list[Path]:
    out = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS and not d.startswith("."))
        for f in sorted(filenames):
            if f.endswith(".py") and not f.startswith("test_"):
                p = Path(dirpath) / f
                if p.stat().st_size < 400_000:
                    out.append(p)
    return out


def _parse(path: Path) -> tuple[str, ast.AST] | None:
    try:
        src = path.read_text("utf-8")
        return src, ast.parse(src)
    except (OSError, UnicodeDecodeError, SyntaxError, ValueError):
        return None


def defined_names(trees: list[ast.AST]) -> set[str]:
    names = set()
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names.add(node.name)
    return names


def mask_repo(root: Path, *, max_cases: int = 60, seed: int = 0, name: str | None = None) -> list[dict[str, Any]]:
    root = root.resolve()
    name = name or root.name
    parsed = [(p, r) for p in _py_files(root) if (r := _parse(p)) is not None]
    defined = defined_names([t for _, (_, t) in parsed])
    cases: list[dict[str, Any]] = []
    for path, (src, tree) in parsed:
        lines = src.splitlines(keepends=True)
        starts = [0]
        for ln in lines:
            starts.append(starts[-1] + len(ln))
        rel = path.relative_to(root).as_posix()
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            f = node.func
            attr = f.attr
            if attr not in defined or attr.startswith("_") or f.end_lineno is None:
                continue
            line = f.end_lineno - 1
            char = f.end_col_offset - len(attr)
            text = lines[line] if line < len(lines) else ""
            # end_col_offset counts UTF-8 bytes; keep only lines where that equals characters.
            if len(text.encode("utf-8")) != len(text) or char < 1 or text[char - 1] != "." \
                    or text[char:char + len(attr)] != attr or not text[char + len(attr):].lstrip().startswith("("):
                continue
            off = starts[line] + char
            receiver = ast.get_source_segment(src, f.value) or ""
            cases.append({
                "id": f"{name}:{rel}:{line}:{char}", "target": attr, "receiver": receiver,
                # The masked name itself is in neither context (as in the call-site datasets).
                "left_context": src[:off], "right_context": src[off + len(attr):],
                "repo": str(root), "path": rel, "line": line, "character": char,
                "site_kind": "member_call", "source": f"masked from {root}",
            })
    cases.sort(key=lambda c: c["id"])
    rnd = random.Random(seed)
    if len(cases) > max_cases:
        cases = sorted(rnd.sample(cases, max_cases), key=lambda c: c["id"])
    return cases


MASKED = "masked_"


def blanked_copy(cases: list[dict[str, Any]], dest: Path) -> Path:
    """A copy of the cases' repository at `dest`/<its name> with every masked call's name replaced by
    `masked_`; returns the copy's root (index it in place of the repository)."""
    if not cases:
        raise ValueError("no cases: nothing to blank")
    root = Path(cases[0]["repo"])
    out = dest / root.name
    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(root, out, ignore=shutil.ignore_patterns("__pycache__", ".git"))
    sites: dict[str, list[tuple[int, int, str]]] = {}
    for c in cases:
        if Path(c["repo"]) != root:
            raise ValueError(f"cases come from two repositories: {root} and {c['repo']}")
        sites.setdefault(c["path"], []).append((c["line"], c["character"], c["target"]))
    for rel, found in sites.items():
        path = out / rel
        lines = path.read_text("utf-8").splitlines(keepends=True)
        for line, char, target in sorted(found, reverse=True):  # right to left: offsets stay valid
            text = lines[line]
            if text[char:char + len(target)] != target:
                raise ValueError(f"{rel}:{line + 1}: {target!r} is not at character {char}")
            lines[line] = text[:char] + MASKED + text[char + len(target):]
        path.write_text("".join(lines), "utf-8")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.mask", description=__doc__.split("\n\n")[0])
    ap.add_argument("repo", type=Path)
    ap.add_argument("out", type=Path)
    ap.add_argument("--max", type=int, default=60)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--blanked", type=Path, metavar="DIR",
                    help="also write DIR/<repo name>: the repository with the masked names blanked, to index")
    a = ap.parse_args(argv)
    cases = mask_repo(a.repo, max_cases=a.max, seed=a.seed)
    a.out.parent.mkdir(parents=True, exist_ok=True)
    with open(a.out, "w", encoding="utf-8") as f:
        f.writelines(json.dumps(c) + "\n" for c in cases)
    print(f"{len(cases)} cases from {a.repo} -> {a.out}")
    if a.blanked and cases:
        print(f"index this copy, where the masked names are blanked: {blanked_copy(cases, a.blanked)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
