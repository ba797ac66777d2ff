"""API existence checker: flag referenced APIs that do not exist at the indexed version.

The guard against invented APIs (``json.lods``, ``os.path.joinn``) in generated code. The code is
parsed with tree-sitter and never executed. Used by the MCP server (`check_apis` tool) and the
language server (diagnostics); the public API below is stable:

    check_apis(code, searchers, language="python") -> list[Problem]
    check_report(code, searchers, language="python") -> CheckReport   # + modules it could not check
    Problem(name, line, character, end_character, message, suggestions)

What is checked: every dotted name rooted at an imported name (``np.foo``, ``os.path.joinn(...)``,
``collections.OrderedDict.move_to_endd``) and every ``from M import name`` / ``import M.sub``. A
name is reported only when its parent (a module or a class) is in an index and the member is not,
under its public path, an alias or its canonical path. Precision over recall, because a false
"does not exist" teaches the user to ignore the checker:

* modules that are not indexed are not checked (unknown is not wrong), nor names that the code
  binds itself (assignments, parameters, ``def``/``class``, ``json.x = ...``);
* dunder names and chains through functions, constants and call results are not checked
  (no type inference);
* the index can miss dynamically created members (``random.choice = _inst.choice``, star
  re-exports, C modules). Before reporting, a stdlib member is confirmed by introspecting the
  standard library of this interpreter when the index's stdlib version equals it (the user's code
  is never imported), and any other member by its parent's source file: a parent whose file uses
  ``import *`` or a module ``__getattr__``, mentions the name, or has a sibling submodule of that
  name is treated as unknown. Class members are looked up through the indexed base classes; a
  base that is not indexed makes the member unknown.
"""

from __future__ import annotations

import difflib
import importlib
import importlib.util
import logging
import platform
import re
import sqlite3
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .records import ApiRecord, base_paths, written_bases

if TYPE_CHECKING:
    from .search import Searcher

log = logging.getLogger(__name__)

__all__ = ["SUPPORTED_LANGUAGES", "CheckReport", "Problem", "check_apis", "check_report"]

SUPPORTED_LANGUAGES = ("python",)
_CONTAINERS = ("module", "class")
# Standard-library modules that do something visible on import: never introspected.
_NO_IMPORT = frozenset({"antigravity", "this", "idlelib", "tkinter", "turtle", "turtledemo", "__main__",
                        "__hello__", "__phello__", "pydoc", "webbrowser", "ensurepip", "venv", "lib2to3"})
_MAX_BASE_DEPTH = 8


@dataclass(frozen=True)
class Problem:
    """One referenced API that does not exist.

    `name` is the resolved dotted path (``numpy.foo`` for ``np.foo``); `line`, `character` and
    `end_character` are 0-based and locate the offending segment (``lods`` in ``json.lods``) on
    one line, counted in Python str indices (code points). `suggestions` are the closest real
    names, full dotted paths, best first.
    """

    name: str
    line: int
    character: int
    end_character: int
    message: str
    suggestions: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "line": self.line, "character": self.character,
                "end_character": self.end_character, "message": self.message,
                "suggestions": list(self.suggestions)}


@dataclass(frozen=True)
class CheckReport:
    """`problems` as `check_apis` returns them; `unindexed_modules`: imported top-level modules
    that no index knows, so references into them were not checked."""

    problems: tuple[Problem, ...]
    unindexed_modules: tuple[str, ...]


def check_apis(code: str, searchers: list[Searcher], language: str = "python") -> list[Problem]:
    """Referenced APIs of `code` that do not exist in any of `searchers`' indexes, in source order.

    Raises ValueError for a language other than "python".
    """
    return list(check_report(code, searchers, language).problems)


def check_report(code: str, searchers: list[Searcher], language: str = "python") -> CheckReport:
    """`check_apis` plus the imported modules that could not be checked."""
    if language not in SUPPORTED_LANGUAGES:
        raise ValueError(f"unsupported language {language!r}: the API checker supports "
                         + ", ".join(SUPPORTED_LANGUAGES))
    return _Checker(code, searchers).run()


# -- tree-sitter -------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _language():
    import tree_sitter_python as tsp
    from tree_sitter import Language

    return Language(tsp.language())


@lru_cache(maxsize=1)
def _queries():
    from tree_sitter import Query

    lang = _language()
    refs = Query(lang, """
        (import_statement) @import
        (import_from_statement) @from
        (attribute) @attr
    """)
    binds = Query(lang, """
        (assignment left: (_) @t)
        (augmented_assignment left: (_) @t)
        (for_statement left: (_) @t)
        (for_in_clause left: (_) @t)
        (as_pattern_target) @t
        (named_expression name: (_) @t)
        (function_definition name: (_) @t)
        (class_definition name: (_) @t)
        (parameters) @p
        (lambda_parameters) @p
    """)
    return refs, binds


_PATTERN_NODES = frozenset({"pattern_list", "tuple_pattern", "list_pattern", "tuple", "list",
                            "parenthesized_expression", "list_splat_pattern", "as_pattern_target",
                            "expression_list"})


def _target_names(node, out: set[str], setattrs: set[str]) -> None:
    """Names bound by an assignment target; attribute targets go to `setattrs` as dotted text."""
    t = node.type
    if t == "identifier":
        out.add(node.text.decode("utf-8", "replace"))
    elif t == "attribute":
        setattrs.add(node.text.decode("utf-8", "replace").replace(" ", ""))
    elif t in _PATTERN_NODES:
        for c in node.named_children:
            _target_names(c, out, setattrs)


_SCOPES = frozenset({"function_definition", "lambda", "class_definition", "module"})


def _scope_of(node):
    """The nearest enclosing function, lambda, class body or the module."""
    n = node.parent
    while n is not None and n.type not in _SCOPES:
        n = n.parent
    return n if n is not None else node


def _param_names(params, out: set[str]) -> None:
    for c in params.named_children:
        t = c.type
        if t == "identifier":
            out.add(c.text.decode("utf-8", "replace"))
        elif t in ("default_parameter", "typed_default_parameter"):
            name = c.child_by_field_name("name")
            if name is not None:
                _param_names_one(name, out)
        elif t in ("typed_parameter", "list_splat_pattern", "dictionary_splat_pattern") and c.named_children:
            _param_names_one(c.named_children[0], out)


def _param_names_one(node, out: set[str]) -> None:
    if node.type == "identifier":
        out.add(node.text.decode("utf-8", "replace"))
    elif node.named_children:
        _param_names_one(node.named_children[0], out)


# -- the checker -------------------------------------------------------------------------------------

_FOUND, _MISSING, _UNKNOWN = "found", "missing", "unknown"


class _Checker:
    def __init__(self, code: str, searchers: list[Searcher]):
        self.code = code
        self.data = code.encode("utf-8", "surrogatepass")
        self.searchers = list(searchers)
        self._find_cache: dict[str, list[ApiRecord]] = {}
        self._lines: list[bytes] | None = None
        self.problems: list[Problem] = []
        self.unindexed: set[str] = set()

    # -- index access ---------------------------------------------------------------------------
    def find(self, path: str) -> list[ApiRecord]:
        """Records whose public path, canonical path or an alias is exactly `path`."""
        got = self._find_cache.get(path)
        if got is None:
            got = []
            for s in self.searchers:
                for r in s.lookup(path, limit=20):
                    if r.public_path == path or r.canonical_path == path or path in r.aliases:
                        got.append(r)
            self._find_cache[path] = got
        return got

    def member_names(self, parents: Iterable[str]) -> set[str]:
        names: set[str] = set()
        for p in parents:
            for s in self.searchers:
                names.update(_member_names(s, p))
        return names

    # -- positions ------------------------------------------------------------------------------
    def col(self, row: int, byte_col: int) -> int:
        if self._lines is None:
            self._lines = self.data.split(b"\n")
        line = self._lines[row] if row < len(self._lines) else b""
        prefix = line[:byte_col]
        return byte_col if prefix.isascii() else len(prefix.decode("utf-8", "replace"))

    # -- main -----------------------------------------------------------------------------------
    def run(self) -> CheckReport:
        from tree_sitter import Parser, QueryCursor

        tree = Parser(_language()).parse(self.data)
        refs_q, binds_q = _queries()
        # name -> byte ranges of the scopes where the code binds it itself (a module-level binding
        # covers the whole file). A name bound in a function is local to all of that function.
        shadow: dict[str, list[tuple[int, int]]] = {}
        setattrs: set[str] = set()
        for name, nodes in QueryCursor(binds_q).captures(tree.root_node).items():
            for n in nodes:
                names: set[str] = set()
                if name == "p":
                    _param_names(n, names)
                    scope = n.parent or n
                elif n.parent is not None and n.parent.type in ("function_definition", "class_definition"):
                    _target_names(n, names, setattrs)
                    scope = _scope_of(n.parent)
                elif n.parent is not None and n.parent.type == "for_in_clause":
                    _target_names(n, names, setattrs)
                    scope = n.parent.parent or n.parent  # the comprehension
                else:
                    _target_names(n, names, setattrs)
                    scope = _scope_of(n)
                rng = (scope.start_byte, scope.end_byte) if scope.type != "module" else (0, len(self.data) + 1)
                for b in names:
                    shadow.setdefault(b, []).append(rng)
        caps = QueryCursor(refs_q).captures(tree.root_node)

        # local name -> import targets ("np" -> {"numpy"}); a name imported twice keeps both.
        imported: dict[str, set[str]] = {}
        for node in caps.get("import", ()):
            for child in node.children_by_field_name("name"):
                if child.type == "aliased_import":
                    dotted = child.child_by_field_name("name")
                    alias = child.child_by_field_name("alias")
                    parts = self._parts(dotted)
                    if alias is not None and parts:
                        imported.setdefault(_txt(alias), set()).add(".".join(_txt(p) for p in parts))
                else:
                    parts = self._parts(child)
                    if parts:
                        imported.setdefault(_txt(parts[0]), set()).add(_txt(parts[0]))
                self._check_import_path(parts)
        for node in caps.get("from", ()):
            mod = node.child_by_field_name("module_name")
            if mod is None or mod.type != "dotted_name":
                continue  # relative import: not resolvable without the package
            module = ".".join(_txt(p) for p in self._parts(mod))
            self._check_import_path(self._parts(mod))
            for child in node.children_by_field_name("name"):
                if child.type == "aliased_import":
                    dotted, local = child.child_by_field_name("name"), child.child_by_field_name("alias")
                else:
                    dotted, local = child, None
                parts = self._parts(dotted)
                if not parts:
                    continue
                target = module + "." + ".".join(_txt(p) for p in parts)
                imported.setdefault(_txt(local) if local is not None else _txt(parts[0]), set()).add(target)
                self._check_from_name(module, parts)


        for node in caps.get("attr", ()):
            parent = node.parent
            if parent is not None and parent.type == "attribute" and parent.child_by_field_name("object") == node:
                continue  # not the outermost link of the chain
            segs = self._chain(node)
            if not segs:
                continue
            written = [_txt(s) for s in segs]
            if written[0] not in imported:
                continue
            if any(a <= node.start_byte < b for a, b in shadow.get(written[0], ())):
                continue  # the code rebinds the name here: not the imported module any more
            if any(".".join(written[:i]) in setattrs for i in range(2, len(written) + 1)):
                continue  # the code assigns this attribute itself
            targets = imported[written[0]]
            if len(targets) != 1:
                continue  # e.g. try: import simplejson as json / except: import json
            self._check_chain(next(iter(targets)), segs[1:], written[1:])
        self.problems.sort(key=lambda p: (p.line, p.character))
        return CheckReport(tuple(self.problems), tuple(sorted(self.unindexed)))

    def _parts(self, dotted) -> list:
        if dotted is None or dotted.type != "dotted_name":
            return []
        return [c for c in dotted.named_children if c.type == "identifier"]

    def _chain(self, node) -> list:
        segs = []
        while node.type == "attribute":
            attr = node.child_by_field_name("attribute")
            if attr is None:
                return []
            segs.append(attr)
            node = node.child_by_field_name("object")
            if node is None:
                return []
        if node.type != "identifier":
            return []
        segs.append(node)
        segs.reverse()
        return segs

    # -- checks ---------------------------------------------------------------------------------
    def _check_import_path(self, parts: list) -> None:
        """`import a.b.c` / `from a.b import x`: each submodule must exist if `a` is indexed."""
        if not parts:
            return
        root = _txt(parts[0])
        self._check_chain(root, parts[1:], [_txt(p) for p in parts[1:]])

    def _check_from_name(self, module: str, parts: list) -> None:
        names = [_txt(p) for p in parts]
        # The module path itself was checked by _check_import_path; a missing module stops here.
        self._check_chain(module, parts, names)

    def _check_chain(self, root: str, seg_nodes: list, names: list[str]) -> None:
        recs = [r for r in self.find(root) if r.kind in _CONTAINERS]
        if not recs:
            if not self.find(root) and "." not in root:
                self.unindexed.add(root)
            elif not self.find(root) and not self.find(root.split(".")[0]):
                self.unindexed.add(root.split(".")[0])
            return
        path = root
        for node, name in zip(seg_nodes, names):
            if name.startswith("__") and name.endswith("__"):
                return
            verdict, found = self._member(recs, path, name, depth=0)
            if verdict == _UNKNOWN:
                return
            if verdict == _MISSING:
                self._report(recs, path, name, node)
                return
            path = f"{path}.{name}"
            recs = [r for r in found if r.kind in _CONTAINERS]
            if not recs:
                return  # a function, constant, ...: its members depend on the value's type

    def _member(self, parents: list[ApiRecord], path: str, name: str, depth: int) -> tuple[str, list[ApiRecord]]:
        """Does `name` exist in the module/class `path` (records `parents`)?"""
        prefixes = _parent_paths(parents, path)
        for p in prefixes:
            got = self.find(f"{p}.{name}")
            if got:
                return _FOUND, got
        verdict = _MISSING
        # Inherited class members: through the indexed bases.
        for r in parents:
            if r.kind != "class" or depth >= _MAX_BASE_DEPTH:
                continue
            for base in written_bases(r):
                brecs = self._resolve_base(base, r)
                if not brecs:
                    verdict = _UNKNOWN  # a base we cannot see may define it
                    continue
                v, got = self._member(brecs, brecs[0].public_path, name, depth + 1)
                if v == _FOUND:
                    return _FOUND, got
                if v == _UNKNOWN:
                    verdict = _UNKNOWN
        if verdict == _UNKNOWN:
            return _UNKNOWN, []
        # The index may miss dynamic members: confirm before reporting.
        runtime = self._runtime_has(parents, path, name)
        if runtime is True:
            return _UNKNOWN, []  # exists, but nothing more is known about it
        if runtime is None and not all(_source_rules_out(r, name) for r in parents):
            return _UNKNOWN, []
        return _MISSING, []

    def _resolve_base(self, base: str, cls: ApiRecord) -> list[ApiRecord]:
        for cand in base_paths(base, cls):
            got = [r for r in self.find(cand) if r.kind == "class"]
            if got:
                return got
        return []

    def _runtime_has(self, parents: list[ApiRecord], path: str, name: str) -> bool | None:
        """For the stdlib of this very interpreter: does the member exist? None: cannot tell."""
        if not parents or not all(r.origin == "stdlib" and r.origin_version == platform.python_version()
                                   for r in parents):
            return None
        answers = {_stdlib_has(p, name) for p in _parent_paths(parents, path)}
        if True in answers:
            return True
        if False in answers:
            return False
        return None

    def _report(self, parents: list[ApiRecord], path: str, name: str, node) -> None:
        full = f"{path}.{name}"
        prefixes = _parent_paths(parents, path)
        names = self.member_names(prefixes)
        for p in prefixes:
            names.update(_stdlib_dir(p) if parents[0].origin == "stdlib" else ())
        if not name.startswith("_"):
            names = {n for n in names if not n.startswith("_")}
        close = difflib.get_close_matches(name, sorted(names), n=3, cutoff=0.6)
        suggestions = tuple(f"{path}.{c}" for c in close)
        owner = parents[0]
        where = f"{owner.origin} {owner.origin_version}".strip()
        msg = f"{full} does not exist in {path}" + (f" ({where})" if where else "")
        msg += f"; did you mean {' or '.join(suggestions)}?" if suggestions else "."
        row, bcol = node.start_point
        erow, ecol = node.end_point
        start = self.col(row, bcol)
        end = self.col(row, ecol) if erow == row else start + len(name)
        self.problems.append(Problem(name=full, line=row, character=start, end_character=end,
                                     message=msg, suggestions=suggestions))


def _member_names(s: Searcher, parent: str) -> list[str]:
    """Names of the direct members of `parent` in one index.

    A range scan on the public-path index ("json." <= path < "json/"): `Searcher.members` uses
    LIKE, which scans the whole table (~15 ms on the stdlib index).
    """
    try:
        rows = s.db.execute("SELECT public_path, canonical_path, kind FROM records "
                            "WHERE public_path >= ? AND public_path < ?", (parent + ".", parent + "/")).fetchall()
    except sqlite3.Error:  # an index without the expected table layout: the public, slower way
        rows = [(r.public_path, r.canonical_path, r.kind) for r in s.members(parent, limit=5000)]
    n = len(parent) + 1
    # Not a module the parent merely imports (json.codecs): no one means that.
    out = [p[n:] for p, c, k in rows if "." not in p[n:] and not (k == "module" and c != p)]
    try:  # other public names of members (os.path)
        out += [a[n:] for (a,) in s.db.execute("SELECT alias FROM aliases WHERE alias >= ? AND alias < ?",
                                               (parent + ".", parent + "/")) if "." not in a[n:]]
    except sqlite3.Error:
        log.debug("no aliases table in %s", s.index_dir.path)
    return out


def _txt(node) -> str:
    return node.text.decode("utf-8", "replace")


def _parent_paths(parents: list[ApiRecord], path: str) -> list[str]:
    out = [path]
    for r in parents:
        for p in (r.public_path, r.canonical_path, *r.aliases):
            if p and p not in out:
                out.append(p)
    return out


# -- confirmation outside the index --------------------------------------------------------------


def _stdlib_object(path: str) -> tuple[bool, Any]:
    from .indexer.stdlib_inspect import import_stdlib

    """(ok, object) for a standard-library dotted path, importing only stdlib modules."""
    parts = path.split(".")
    top = parts[0]
    if top not in sys.stdlib_module_names and top != "builtins" or top in _NO_IMPORT:
        return False, None
    for i in range(len(parts), 0, -1):
        modname = ".".join(parts[:i])
        try:
            # Only from the interpreter's own stdlib folders: the LSP/MCP server's cwd may hold a `json.py`.
            obj = import_stdlib(modname)
        except ImportError:
            continue
        except Exception:  # noqa: BLE001  (a module that fails to import here: no answer)
            return False, None
        for p in parts[i:]:
            try:
                obj = getattr(obj, p)
            except Exception:  # noqa: BLE001  (a property or lazy attribute may raise anything)
                return False, None
        return True, obj
    return False, None


@lru_cache(maxsize=4096)
def _stdlib_has(parent: str, name: str) -> bool | None:
    ok, obj = _stdlib_object(parent)
    if not ok:
        return None
    try:
        if hasattr(obj, name):
            return True
    except Exception:  # noqa: BLE001  (hasattr runs a __getattr__, which may raise anything)
        return None
    if isinstance(obj, type(sys)):
        spec_name = f"{obj.__name__}.{name}"
        try:
            return importlib.util.find_spec(spec_name) is not None
        except (ImportError, ValueError):
            return False
    return False


@lru_cache(maxsize=1024)
def _stdlib_dir(parent: str) -> tuple[str, ...]:
    ok, obj = _stdlib_object(parent)
    if not ok:
        return ()
    try:
        names = dir(obj)
        prefix = getattr(obj, "__name__", "") + "."
        # Leave out modules the parent merely imports (json.codecs): no one means those.
        return tuple(n for n in names
                     if not (isinstance(getattr(obj, n, None), type(sys))
                             and not getattr(getattr(obj, n), "__name__", "").startswith(prefix)))
    except Exception:  # noqa: BLE001  (dir() and getattr run library code)
        return ()


_DYNAMIC = re.compile(r"^\s*from\s+\S+\s+import\s+\*|^def\s+__getattr__\s*\(", re.MULTILINE)


@lru_cache(maxsize=1024)
def _source_text(file: str) -> str | None:
    try:
        p = Path(file)
        if p.stat().st_size > 5_000_000:
            return None
        return p.read_text("utf-8", errors="replace")
    except (OSError, ValueError):
        return None


def _source_rules_out(r: ApiRecord, name: str) -> bool:
    """True when the parent's source gives no hint that `name` could exist (so the index is trusted).

    Records without a source file (corpora, generated stubs) are trusted as they are.
    """
    if not r.file:
        return True
    text = _source_text(r.file)
    if text is None:
        return True  # nothing better than the index to go by
    if _DYNAMIC.search(text) or re.search(rf"\b{re.escape(name)}\b", text):
        return False
    if r.kind == "module" and Path(r.file).name == "__init__.py":
        folder = Path(r.file).parent
        if (folder / f"{name}.py").exists() or (folder / name).is_dir():
            return False
    return True

