"""Source discovery: what files (or inspect-only modules) a source spec stands for.

Specs: a directory or file path, `pkg:NAME` (an installed distribution), `python:stdlib`,
`java:jdk`, and JSON/JSONL API corpora. Discovery only lists and hashes; nothing is imported.
"""

from __future__ import annotations

import hashlib
import logging
import os
import stat
import sys
import sysconfig
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Iterator

from .bindocs import MAX_BYTES, extension_module

log = logging.getLogger(__name__)

MAX_FILE_BYTES = 2_000_000  # larger files are generated code or data, not APIs worth indexing
PY_SUFFIXES = (".py", ".pyi")
DOC_SUFFIXES = (".md", ".markdown", ".rst", ".html", ".htm")
CORPUS_SUFFIXES = (".json", ".jsonl")
TEST_DIRS = {"test", "tests", "testing", "__tests__"}
# In an installed package, `testing` is its public testing API (`numpy.testing.assert_allclose`), not its
# test suite: indexed and recommended like the rest.
PACKAGE_TEST_DIRS = TEST_DIRS - {"testing"}
SKIP_DIRS = {".git", ".hg", ".svn", "__pycache__", ".tox", ".nox", ".venv", "venv", "node_modules",
             ".mypy_cache", ".pytest_cache", ".ruff_cache", "build", "dist", ".eggs", "site-packages"}
# Stdlib parts that are tools or tests, not APIs people call.
STDLIB_SKIP = {"test", "idlelib", "lib2to3", "turtledemo", "ensurepip", "pydoc_data", "__phello__",
               "__hello__", "this", "antigravity", "distutils"}


class SourceError(ValueError):
    """A source spec that cannot be used; the message says what to do."""


@dataclass(frozen=True)
class FileItem:
    """One unit to extract: a file on disk, or an inspect-only stdlib module (path is None)."""

    key: str  # unique within the index: absolute path, or "inspect:<module>"
    kind: str  # "python", "doc", "corpus", "inspect", "java", "binary" (an extension module)
    source: str  # the spec it came from
    origin: str
    version: str
    path: Path | None = None
    module: str = ""  # dotted module name for python files / inspect items
    is_package: bool = False
    hidden: bool = False  # from a test folder: indexed, not recommended
    content_hash: str = ""
    companion: Path | None = None  # the .py behind a .pyi stub: lends docstrings the stub lacks


@dataclass
class Discovery:
    items: list[FileItem] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)

    def skip(self, path: str, reason: str) -> None:
        self.skipped.append((path, reason))
        log.warning("skipped %s: %s", path, reason)


def file_hash(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


MAX_DATA_BYTES = 200_000_000  # JSON corpora and example banks are data: a larger cap


def read_binary(path: Path, disc: Discovery) -> bytes | None:
    """An extension module's bytes (read, never loaded), or None with a counted warning."""
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            disc.skip(str(path), f"over the size cap for a binary ({size} > {MAX_BYTES} bytes)")
            return None
        return path.read_bytes()
    except OSError as e:
        disc.skip(str(path), f"unreadable ({e.strerror or e})")
        return None


def read_checked(path: Path, disc: Discovery, cap: int | None = None) -> bytes | None:
    """File bytes, or None with a counted warning (too big, unreadable, binary, not UTF-8)."""
    cap = MAX_FILE_BYTES if cap is None else cap
    try:
        st = path.stat()
        if not stat.S_ISREG(st.st_mode):
            disc.skip(str(path), "not a regular file")
            return None
        size = st.st_size
        if size > cap:
            disc.skip(str(path), f"over the size cap ({size} > {cap} bytes)")
            return None
        data = path.read_bytes()
    except OSError as e:
        disc.skip(str(path), f"unreadable ({e.strerror or e})")
        return None
    if b"\x00" in data[:8192]:
        disc.skip(str(path), "binary file")
        return None
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        disc.skip(str(path), "not UTF-8")
        return None
    return data


def _module_name(root: Path, path: Path) -> tuple[str, bool]:
    rel = path.relative_to(root).with_suffix("")
    parts = list(rel.parts)
    is_package = parts[-1] == "__init__"
    if is_package:
        parts = parts[:-1]
    if (root / "__init__.py").exists() or (root / "__init__.pyi").exists():
        parts = [root.name, *parts]  # the root is itself a package
    return ".".join(parts) if parts else root.name, is_package


def _ignore_spec(root: Path, extra: list[str] | None = None):
    import pathspec

    lines: list[str] = list(extra or ())
    for name in (".gitignore", ".apirecignore"):
        f = root / name
        if f.is_file():
            try:
                lines.extend(f.read_text("utf-8", "replace").splitlines())
            except OSError:
                pass
    return pathspec.GitIgnoreSpec.from_lines(lines) if lines else None


def walk_python_tree(root: Path, source: str, origin: str, version: str, disc: Discovery,
                     module_root: Path | None = None, include_docs: bool = True,
                     skip_top: set[str] | None = None, only_top: set[str] | None = None,
                     skip_tests: bool = False, ignore: list[str] | None = None) -> None:
    """Add a tree's Python files (and doc/corpus files) to `disc`; `.pyi` wins over `.py`."""
    module_root = module_root or root
    if (root / "src").is_dir() and not (root / "__init__.py").exists() and module_root == root:
        module_root = root / "src"  # src layout
    spec = _ignore_spec(root, ignore)
    root_real = root.resolve()
    by_module: dict[str, FileItem] = {}
    tests = PACKAGE_TEST_DIRS if skip_tests else TEST_DIRS  # skipped (packages) or hidden (repositories)
    # os.walk does not follow directory symlinks, so symlink loops cannot trap it.
    for dirpath, dirnames, filenames in os.walk(root, onerror=lambda e: disc.skip(e.filename, str(e))):
        d = Path(dirpath)
        rel_dir = d.relative_to(root)
        if skip_top and rel_dir.parts and rel_dir.parts[0] in skip_top:
            dirnames[:] = []
            continue
        keep = []
        for name in sorted(dirnames):
            if name in SKIP_DIRS or name.startswith(".") or name.endswith((".egg-info", ".dist-info")):
                continue
            if spec is not None and spec.match_file(str((rel_dir / name).as_posix()) + "/"):
                continue
            if only_top is not None and not rel_dir.parts and name not in only_top:
                continue
            if skip_tests and name in tests:
                continue
            keep.append(name)
        dirnames[:] = keep
        hidden = any(p in tests for p in rel_dir.parts)
        for name in sorted(filenames):
            p = d / name
            rel = (rel_dir / name).as_posix()
            if spec is not None and spec.match_file(rel):
                continue
            if p.is_symlink():
                if not p.exists():
                    disc.skip(str(p), "broken symlink")
                    continue
                try:
                    p.resolve().relative_to(root_real)
                except ValueError:
                    disc.skip(str(p), "symlink out of the source tree")
                    continue
            if not p.is_file():
                disc.skip(str(p), "not a regular file")  # FIFOs, sockets, devices would block a read
                continue
            suffix = p.suffix.lower()
            if only_top is not None and not rel_dir.parts and p.stem not in only_top:
                continue
            if skip_top and not rel_dir.parts and p.stem in skip_top:
                continue
            if suffix in PY_SUFFIXES:
                try:
                    module, is_pkg = _module_name(module_root, p)
                except ValueError:
                    module, is_pkg = _module_name(root, p)
                test_file = name.startswith("test_") or name.endswith("_test.py") or name == "conftest.py"
                item = FileItem(key=str(p.resolve()), kind="python", source=source, origin=origin,
                                version=version, path=p, module=module, is_package=is_pkg,
                                hidden=hidden or test_file)
                prev = by_module.get(module)
                # Stubs win over sources; the .py still lends its docstrings (see build).
                if prev is None:
                    by_module[module] = item
                elif suffix == ".pyi" and prev.path.suffix == ".py":
                    by_module[module] = replace(item, companion=prev.path)
                elif suffix == ".py" and prev.path.suffix == ".pyi":
                    by_module[module] = replace(prev, companion=p)
            elif include_docs and suffix in DOC_SUFFIXES:
                disc.items.append(FileItem(key=str(p.resolve()), kind="doc", source=source, origin=origin,
                                           version=version, path=p, hidden=hidden))
            elif include_docs and suffix in CORPUS_SUFFIXES and _looks_like_corpus(p):
                disc.items.append(FileItem(key=str(p.resolve()), kind="corpus", source=source,
                                           origin=origin, version=version, path=p))
            elif suffix == ".java":
                disc.items.append(FileItem(key=str(p.resolve()), kind="java", source=source,
                                           origin=origin, version=version, path=p, hidden=hidden))
            elif suffix in (".so", ".pyd") and (ext := extension_module(name)):
                # A compiled extension module: its docstrings document what the stubs declare (never loaded).
                try:
                    parts = d.resolve().relative_to(module_root.resolve()).parts
                except ValueError:
                    parts = rel_dir.parts
                disc.items.append(FileItem(key=str(p.resolve()), kind="binary", source=source, origin=origin,
                                           version=version, path=p, hidden=hidden,
                                           module=".".join((*parts, ext))))
    disc.items.extend(by_module.values())


def _looks_like_corpus(path: Path) -> bool:
    try:
        with path.open("rb") as f:
            head = f.read(4096).decode("utf-8", "replace")
    except OSError:
        return False
    try:
        from . import corpus
    except ImportError:
        return False
    try:
        return corpus.is_corpus_file(path, head)
    except Exception:
        return False


# -- specific sources ---------------------------------------------------------------------------------


def stdlib(disc: Discovery, spec: str = "python:stdlib") -> None:
    root = Path(sysconfig.get_paths()["stdlib"])
    version = "%d.%d.%d" % sys.version_info[:3]
    names = {n for n in sys.stdlib_module_names if n not in STDLIB_SKIP}
    has_source = {n for n in names if (root / f"{n}.py").is_file() or (root / n / "__init__.py").is_file()}
    walk_python_tree(root, spec, "stdlib", version, disc, include_docs=False,
                     only_top=has_source, skip_tests=True)
    from .stdlib_inspect import can_inspect, is_present

    # Only what this interpreter has: an absent module (`winreg` here) would be looked for again on
    # every refresh, and a refresh that changed nothing would still write a new generation.
    inspect_only = sorted(n for n in names - has_source if can_inspect(n) and is_present(n)) + ["builtins"]
    for n in inspect_only:
        disc.items.append(FileItem(key=f"inspect:{n}", kind="inspect", source=spec, origin="stdlib",
                                   version=version, module=n, content_hash=f"py{version}"))


def distribution(name: str, disc: Discovery, spec: str) -> None:
    from importlib import metadata

    try:
        dist = metadata.distribution(name)
    except metadata.PackageNotFoundError:
        raise SourceError(f"no installed distribution named {name!r} (pip install {name}?)") from None
    version = dist.version
    dist_name = dist.metadata["Name"] or name
    base = Path(dist.locate_file(""))
    tops: set[str] = set()
    top_txt = dist.read_text("top_level.txt")
    if top_txt:
        tops.update(t.strip() for t in top_txt.splitlines() if t.strip())
    for f in dist.files or ():
        parts = Path(str(f)).parts
        if parts and parts[0].endswith((".dist-info", ".egg-info", ".data")) or not parts:
            continue
        if parts[0] == "..":
            continue
        top = parts[0].removesuffix(".py").removesuffix(".pyi")
        if top.endswith("-stubs"):
            top = top[: -len("-stubs")]
        if f.suffix in PY_SUFFIXES or len(parts) > 1:
            tops.add(parts[0] if len(parts) > 1 else top)
    if not tops:
        raise SourceError(f"distribution {dist_name!r} has no Python files to index")
    for top in sorted(tops):
        p = base / top
        if p.is_dir():
            walk_python_tree(p, spec, dist_name, version, disc, module_root=base, include_docs=False,
                             skip_tests=True)
        else:
            for cand in (base / f"{top}.pyi", base / f"{top}.py"):
                if cand.is_file():
                    disc.items.append(FileItem(key=str(cand.resolve()), kind="python", source=spec,
                                               origin=dist_name, version=version, path=cand,
                                               module=top))
                    break


def installed_distributions() -> list[str]:
    """Names of the current environment's distributions (for `apirec index --installed`)."""
    from importlib import metadata

    names = set()
    for dist in metadata.distributions():
        n = dist.metadata["Name"]
        if n:
            names.add(n)
    return sorted(names, key=str.lower)


def is_path_spec(spec: str) -> bool:
    """Whether a source spec is a folder or file to index (not python:stdlib, java:jdk, pkg:NAME or
    examples:FILE); the same dispatch as `discover`."""
    return spec not in ("python:stdlib", "java:jdk") and not spec.startswith(("pkg:", "examples:"))


def canonical_spec(spec: str) -> str:
    """A source spec as the index records it: a path (or an example bank's path) made absolute, so a
    refresh from another folder finds it and the files it gave keep their source. Other specs, and
    paths that do not exist (discover says so), are returned as they are."""
    if not is_path_spec(spec) and not spec.startswith("examples:"):
        return spec
    prefix, rest = ("examples:", spec[len("examples:"):]) if spec.startswith("examples:") else ("", spec)
    p = Path(rest).expanduser()
    return prefix + str(p.resolve()) if p.exists() else spec


def discover(specs: list[str], progress=None, ignore: list[str] | None = None) -> Discovery:
    """`ignore`: extra gitignore-style patterns for directory sources (editor settings)."""
    disc = Discovery()
    for spec in specs:
        if spec == "python:stdlib":
            stdlib(disc, spec)
        elif spec.startswith("pkg:"):
            distribution(spec[4:], disc, spec)
        elif spec.startswith("examples:"):
            # A bank of solved queries (question -> APIs), e.g. Stack Overflow titles: evidence, not APIs.
            p = Path(spec[len("examples:"):]).expanduser()
            if not p.is_file():
                raise SourceError(f"example bank not found: {p} (JSONL rows with a title/query and apis)")
            disc.items.append(FileItem(key=str(p.resolve()), kind="examples", source=spec, origin=p.stem,
                                       version="", path=p))
        elif spec == "java:jdk":
            disc.items.append(FileItem(key="java:jdk", kind="jdk", source=spec, origin="jdk", version=""))
        else:
            p = Path(spec).expanduser()
            if not p.exists():
                raise SourceError(f"source not found: {spec} (a path, pkg:NAME, python:stdlib or java:jdk)")
            p = p.resolve()
            if p.is_dir():
                walk_python_tree(p, str(p), str(p), "", disc, ignore=ignore)
            elif p.suffix.lower() in CORPUS_SUFFIXES:
                disc.items.append(FileItem(key=str(p), kind="corpus", source=str(p), origin=p.stem,
                                           version="", path=p))
            elif p.suffix.lower() in DOC_SUFFIXES:
                disc.items.append(FileItem(key=str(p), kind="doc", source=str(p), origin=str(p.parent),
                                           version="", path=p))
            elif p.suffix.lower() in PY_SUFFIXES:
                disc.items.append(FileItem(key=str(p), kind="python", source=str(p), origin=str(p.parent),
                                           version="", path=p, module=p.stem))
            else:
                raise SourceError(f"don't know how to index {spec}: not a directory, Python, doc or "
                                  "JSON/JSONL corpus file")
    return disc


def iter_items(disc: Discovery) -> Iterator[FileItem]:
    yield from disc.items
