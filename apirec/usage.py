"""Shipped usage prior: in how many real source files each API is called.

Mined once (``python -m apirec.usage --out apirec/data/usage_python.json.gz``) from a body of real
Python code — the packages of an environment and its standard library — with the same tree-sitter
call extraction the indexer uses. Counts are document frequencies (a file counts once per API), with
each top-level package capped so one huge project cannot dominate. Calls on receivers of unknown type
(`.read`) are also kept per calling package, with the packages each one imports, so the build gives a
method a share only of the calls that could reach it. It ships with apirec like a trained model: it is
general knowledge of what Python code calls, never derived from a test set.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import sys
import sysconfig
from functools import lru_cache
from pathlib import Path
from typing import Any

DATA = Path(__file__).parent / "data" / "usage_python.json.gz"
FILES_PER_PACKAGE = 300
MIN_COUNT = 3
# Standard-library packages the masked call-site benchmark treats as unseen repositories (its
# MASK_REPOS): left out of the mining, so the prior holds none of their calls.
UNSEEN = ("json", "email", "http", "asyncio")


def read_shipped(path: Path, key: str) -> dict[str, Any]:
    """The `key` table of a data file shipped with apirec (gzipped JSON); {} when it is missing or damaged."""
    got = _shipped_file(path).get(key)
    return {} if got is None else got


@lru_cache(maxsize=4)
def _shipped_file(path: Path) -> dict[str, Any]:
    """A shipped data file's tables, read once per process (each file holds several: parsing the
    typeshed file took tens of milliseconds per table, in the first completions that asked)."""
    try:
        with gzip.open(path, "rt", encoding="utf-8") as f:
            got = json.load(f)
    except (OSError, ValueError):
        return {}
    return got if isinstance(got, dict) else {}


@lru_cache(maxsize=1)
def shipped_usage() -> dict[str, int]:
    """name -> file count; `.name` keys are votes for methods of unknown receivers."""
    return read_shipped(DATA, "counts")


@lru_cache(maxsize=1)
def shipped_shared() -> dict[str, dict[str, int]]:
    """`.name` -> calling package ("" for the standard library) -> file count."""
    return read_shipped(DATA, "shared")


@lru_cache(maxsize=1)
def shipped_imports() -> dict[str, frozenset[str]]:
    """package -> the top-level packages its mined files import."""
    return {k: frozenset(v) for k, v in read_shipped(DATA, "imports").items()}


def _iter_files(roots: list[Path], exclude: tuple[str, ...] = (), stdlib: Path | None = None):
    """(package, file) for the Python files under `roots`: the package is the file's top-level package
    or module, "" for the standard library's (none of them imports a third-party package)."""
    skip = {"tests", "test", "testing", "__pycache__", "_vendor", "vendor", "site-packages"}
    for root in roots:
        if not root.is_dir():
            continue
        in_stdlib = stdlib is not None and root.resolve() == stdlib.resolve()
        for top in sorted(root.iterdir()):
            if top.name.endswith((".dist-info", ".egg-info")) or top.name in skip \
                    or top.name.removesuffix(".py") in exclude:
                continue
            files = []
            if top.is_file() and top.suffix == ".py":
                files = [top]
            elif top.is_dir():
                for dirpath, dirnames, filenames in os.walk(top):
                    dirnames[:] = sorted(d for d in dirnames if d not in skip)
                    files.extend(Path(dirpath) / f for f in sorted(filenames) if f.endswith(".py"))
                    if len(files) >= FILES_PER_PACKAGE:
                        break
            package = "" if in_stdlib else top.name.removesuffix(".py")
            yield from ((package, f) for f in files[:FILES_PER_PACKAGE])


# A file's absolute imports, at any depth (optional dependencies are imported inside functions).
_IMPORT = re.compile(rb"^[ \t]*(?:from[ \t]+([A-Za-z_]\w*)|import[ \t]+([A-Za-z_][\w., \t]*))", re.M)


def imported_packages(source: bytes) -> set[str]:
    """The top-level packages a module's text imports absolutely (`import a.b, c` -> a, c)."""
    out: set[str] = set()
    for m in _IMPORT.finditer(source):
        if m.group(1):
            out.add(m.group(1).decode())
        else:
            for part in m.group(2).split(b","):
                name = part.strip().split(b".")[0].split()[0] if part.strip() else b""
                if name:
                    out.add(name.decode())
    return out


def mine(roots: list[Path], exclude: tuple[str, ...] = (), stdlib: Path | None = None) -> dict[str, Any]:
    """Document frequencies of the calls in the Python files under `roots`, skipping the top-level
    packages or modules named in `exclude`; for calls on unknown receivers (`.name`) also per calling
    package, with the packages each package imports, so a method's share can be limited to the code
    that can reach its class (the standard library's `f.read()` never calls a pandas reader's `read`)."""
    from .indexer.python_ts import extract_module

    counts: dict[str, int] = {}
    shared: dict[str, dict[str, int]] = {}
    imports: dict[str, set[str]] = {}
    n = 0
    for package, path in _iter_files(roots, exclude, stdlib):
        try:
            data = path.read_bytes()
        except OSError:
            continue
        if len(data) > 1_000_000:
            continue
        try:
            calls = extract_module(data, path.stem)["calls"]
        except Exception:
            continue
        n += 1
        if package:
            imports.setdefault(package, set()).update(imported_packages(data) - {package})
        for name in calls:
            counts[name] = counts.get(name, 0) + 1
            if name.startswith("."):
                by = shared.setdefault(name, {})
                by[package] = by.get(package, 0) + 1
    counts = {k: v for k, v in counts.items() if v >= MIN_COUNT}
    return {"files": n, "counts": counts, "shared": {k: v for k, v in shared.items() if k in counts},
            "imports": {k: sorted(v) for k, v in imports.items()}}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", type=Path, default=DATA)
    p.add_argument("roots", nargs="*", type=Path,
                   help="folders of Python code (default: this environment's site-packages and stdlib)")
    p.add_argument("--exclude", action="append", metavar="NAME",
                   help=f"a top-level package or module to leave out (repeatable; default: {', '.join(UNSEEN)})")
    args = p.parse_args(argv)
    import site

    roots = args.roots or [Path(p) for p in site.getsitepackages()] + [Path(sysconfig.get_paths()["stdlib"])]
    exclude = tuple(args.exclude) if args.exclude is not None else UNSEEN
    mined = mine(roots, exclude, Path(sysconfig.get_paths()["stdlib"]))
    counts, files = mined["counts"], mined["files"]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    payload = {"files": files, "roots": [str(r) for r in roots], "excluded": list(exclude),
               "python": sys.version.split()[0],
               "counts": dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))),
               "shared": {k: dict(sorted(v.items())) for k, v in sorted(mined["shared"].items())},
               "imports": dict(sorted(mined["imports"].items()))}
    # mtime 0: the same code mined twice gives the same bytes.
    with gzip.GzipFile(args.out, "wb", mtime=0) as f:
        f.write(json.dumps(payload, separators=(",", ":")).encode("utf-8"))
    print(f"{len(counts)} names from {files} files -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
