"""Re-export resolution: module facts of a whole package set -> ApiRecords under public paths.

A separate fixed-point pass (as griffe does): names bound by `from .x import y`, `import a.b as c`,
`from m import *` and `Name = Other` are followed to where they are defined, with cycle detection,
so `pandas.read_csv` is found although it is defined in `pandas.io.parsers.readers`.
"""

from __future__ import annotations

import inspect
import logging
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from apirec.records import ApiRecord, Example, Param, format_signature, summarize

log = logging.getLogger(__name__)

# Public names the docs promise although the definition lives elsewhere.
PREFERRED_MODULE_ALIASES = {os.path.__name__: "os.path", os.name: "os"}  # posix -> os
_MAX_ROUNDS = 50
# A doc that opens with naming the member this one is an alias of, as its own paragraph or all of it.
_ALIAS_DOC = re.compile(r"\s*[\w.]+ is an alias (?:for|of) `*([\w.]+?)`*(?:\(\))?\.?[ \t]*(?:\n\s*\n|\s*$)")
# A module attribute that holds an instance: `: RandomState` (a stub's annotation), ` = Random()`.
_INSTANCE_OF = re.compile(r"\s*(?::\s*([A-Za-z_][\w.]*)|=\s*([A-Za-z_][\w.]*)\(.*\))\s*")
# The value of a class attribute that names another object: ` = __update = MutableMapping.update`.
_ALIAS_VALUE = re.compile(r"\s*=\s*(?:[A-Za-z_]\w*\s*=\s*)*([A-Za-z_][\w.]*)\s*$")


@dataclass
class ModuleInfo:
    facts: dict[str, Any]
    origin: str = ""
    version: str = ""
    file: str = ""
    language: str = "python"
    hidden: bool = False  # test folders and the like: indexed, never recommended by default
    defs: dict[str, dict[str, Any]] = field(default_factory=dict)


def _is_private_path(path: str) -> bool:
    # Dunder methods (`__init__` included: a class carries its constructor's signature) are
    # protocol, not API users search for.
    return any(p.startswith("_") for p in path.split("."))


class Resolver:
    def __init__(self, modules: dict[str, ModuleInfo], binaries: Iterable[tuple[str, list[str]]] = ()):
        self.modules = modules
        self.binaries = list(binaries)  # (extension module, the docstrings its file holds)
        for info in modules.values():
            info.defs = {d["qual"]: d for d in info.facts.get("defs", ())}
        # names[module][name] = canonical target ("module" or "module.qual"); None = unresolvable
        self.names: dict[str, dict[str, str]] = {m: {} for m in modules}
        self.star_bound: dict[str, set[str]] = {m: set() for m in modules}
        self.newdocs: dict[str, str] = {}  # set by records(), after the fixed point
        self._instances: set[str] = set()  # instances whose class is being looked up

    # -- the fixed point ---------------------------------------------------------------------------
    def _lookup(self, module: str, name: str) -> str | None:
        """Canonical target of `module.name`, with what is known so far."""
        info = self.modules.get(module)
        if info is not None:
            if name in info.defs:
                return f"{module}.{name}"
            bound = self.names[module].get(name)
            if bound is not None:
                return bound
        sub = f"{module}.{name}"
        if sub in self.modules:
            return sub
        return None

    def _lookup_dotted(self, module: str, dotted: str) -> str | None:
        """Follow `a.b.c` starting in `module`'s namespace; attributes of classes kept as text. A
        module's instance stands for its class: `randint = _rand.randint` with `_rand: RandomState`
        (numpy.random) or `_inst = Random()` binds the class's method."""
        parts = dotted.split(".")
        target = self._lookup(module, parts[0])
        for i, p in enumerate(parts[1:], 1):
            if target is None:
                return None
            if target in self.modules:
                target = self._lookup(target, p)
            else:
                if i == 1:
                    target = self._instance_class(target) or target
                return target + "." + ".".join(parts[i:])
        return target

    def _instance_class(self, target: str) -> str | None:
        """The class of a module-level instance (`_rand: RandomState`, `_inst = Random()`), if this
        module defines or imports it; None for anything else."""
        owner, _, name = target.rpartition(".")
        info = self.modules.get(owner)
        d = info.defs.get(name) if info is not None else None
        if d is None or d.get("kind") not in ("attribute", "constant") or target in self._instances:
            return None
        m = _INSTANCE_OF.fullmatch(d.get("signature") or "")
        if m is None:
            return None
        self._instances.add(target)  # `a: b.x` with `b: a.y` must not recurse for ever
        try:
            cls = self._lookup_dotted(owner, m.group(1) or m.group(2))
        finally:
            self._instances.discard(target)
        if cls is None or cls in self.modules:
            return None
        cls_owner, _, cls_name = cls.rpartition(".")
        cls_info = self.modules.get(cls_owner)
        found = cls_info.defs.get(cls_name) if cls_info is not None else None
        return cls if found is not None and found.get("kind") == "class" else None

    def _exported_names(self, module: str) -> list[str]:
        info = self.modules[module]
        all_names = info.facts.get("all")
        if all_names is not None and not info.facts.get("all_dynamic"):
            return list(all_names)
        names = set(all_names or ())
        names.update(q for q in info.defs if "." not in q and not q.startswith("_"))
        names.update(n for n in self.names[module] if not n.startswith("_"))
        return sorted(names)

    def run(self) -> int:
        """Iterate bindings until nothing changes. Returns the number of rounds."""
        for rnd in range(1, _MAX_ROUNDS + 1):
            changed = False
            for module, info in self.modules.items():
                table = self.names[module]
                bound: set[str] = set()
                for imp in info.facts.get("imports", ()):
                    name = imp["name"]
                    if name in info.defs:
                        continue  # a local definition shadows the import (try/except fallbacks)
                    if name in bound:
                        continue  # `if posix: import posixpath as path / else: import ntpath as path`
                    bound.add(name)
                    if imp.get("local"):
                        target = self._lookup_dotted(module, imp["attr"])
                    elif imp["attr"] is None:
                        target = imp["module"] if imp["module"] in self.modules else None
                    else:
                        target = self._lookup(imp["module"], imp["attr"]) if imp["module"] else None
                    # A binding that would point at itself is a cycle: leave it unresolved.
                    if target is not None and target != f"{module}.{name}" and table.get(name) != target:
                        table[name] = target
                        changed = True
                for star in info.facts.get("star", ()):
                    if star not in self.modules or star == module:
                        continue
                    for name in self._exported_names(star):
                        if name.startswith("_") or name in info.defs or name in table:
                            continue
                        target = self._lookup(star, name)
                        if target is not None and target != f"{module}.{name}":
                            table[name] = target
                            self.star_bound[module].add(name)
                            changed = True
            if not changed:
                return rnd
        log.warning("re-export resolution stopped after %d rounds (import cycle?)", _MAX_ROUNDS)
        return _MAX_ROUNDS

    # -- public names ------------------------------------------------------------------------------
    def _public_edges(self) -> dict[str, list[str]]:
        """canonical target -> public names `module.name` that export it."""
        edges: dict[str, list[str]] = {}
        for module, info in self.modules.items():
            if info.hidden or _is_private_path(module):
                continue
            top = module.split(".")[0]
            explicit = info.facts.get("all")
            exported = set(explicit or ())
            imports = info.facts.get("imports", ())
            plain = {i["name"] for i in imports if i["attr"] is None and i["module"] == i["name"]}
            # Names bound only under `if TYPE_CHECKING:` exist for the type checker, not at run time.
            typing_only = {i["name"] for i in imports if i.get("typing")} - {
                i["name"] for i in imports if not i.get("typing")}
            for name, target in self.names[module].items():
                if name.startswith("_"):
                    continue
                # An ancestor package bound inside its own submodule (`import json` in json.tool)
                # is a back-reference, never an export; so is a plain `import x` outside __all__.
                if target == module or module.startswith(target + "."):
                    continue
                if name in plain and name not in exported or name in typing_only:
                    continue
                # Without __all__, only names imported from the same package count as re-exports
                # (`import os` in a module does not make `mymod.os` an API).
                # `from x import *` re-exports on purpose (os re-exports posix that way).
                if name not in exported and name not in self.star_bound[module]:
                    if explicit is not None and not info.facts.get("all_dynamic"):
                        continue
                    # `from _io import open` in io fronts its own accelerator; `from _x import Y`
                    # elsewhere is an ordinary import.
                    if target.split(".")[0].lstrip("_") != top:
                        continue
                edges.setdefault(target, []).append(f"{module}.{name}")
        return edges

    def _newdocs(self) -> dict[str, str]:
        """Docstrings given apart from the definition, by canonical path: those `add_newdoc(...)` calls
        give objects written in C, and `X.__doc__ = ...` assignments (a copy of another object's doc:
        `splitext.__doc__ = genericpath._splitext.__doc__`)."""
        out: dict[str, str] = {}
        copies: list[tuple[str, str]] = []  # (target, source) canonical paths
        for info in self.modules.values():
            for nd in info.facts.get("newdocs", ()):
                if nd["module"] not in self.modules:
                    continue
                target = self._lookup_dotted(nd["module"], nd["name"])
                if not target or target in out:
                    continue
                if nd.get("from"):
                    source = self._lookup_dotted(nd["module"], nd["from"])
                    if source:
                        copies.append((target, source))
                else:
                    out[target] = inspect.cleandoc(nd["doc"])
        if copies:
            by_canonical = self._defs_by_canonical()
            for _ in range(3):  # a copy of a copy (ntpath's splitext, then another module's)
                for target, source in copies:
                    doc = out.get(source) or (by_canonical.get(source, (None, None, {}))[2].get("doc") or "")
                    if doc and target not in out:
                        out[target] = inspect.cleandoc(doc)
        if self.binaries:
            self._binary_docs(out)
        return out

    def _binary_docs(self, out: dict[str, str]) -> None:
        """Docs a package's extension modules hold for what its stubs declare without one (see
        indexer.bindocs): an extension with a stub of its own name documents that stub's definitions
        (pandas' `_libs/lib.pyi`); any other documents its package's undocumented module-level
        functions and attributes (numpy's ufuncs: `maximum: _UFunc_Nin2_Nout1[...]`)."""
        from . import bindocs

        by_top: dict[str, list[list[str]]] = {}
        for module, docs in self.binaries:
            info = self.modules.get(module)
            if info is not None:  # the extension's own stub (pandas' `_libs/lib.pyi`): its definitions
                own = {q: f"{module}.{q}" for q, d in info.defs.items()
                       if not d.get("doc") and f"{module}.{q}" not in out
                       and not any(p.startswith("_") for p in q.split("."))}
                classes = frozenset(q for q in own if info.defs[q].get("kind") == "class")
                for q, doc in bindocs.match_module(docs, set(own), classes).items():
                    out.setdefault(own[q], doc)
                continue
            by_top.setdefault(module.split(".")[0], []).append(docs)
        targets: dict[str, dict[str, list[str]]] = {top: {} for top in by_top}  # top -> short name -> paths
        for m, info in self.modules.items():
            names = targets.get(m.split(".")[0])
            if names is None:
                continue
            for q, d in info.defs.items():
                if ("." in q or q.startswith("_") or d.get("doc")
                        or d.get("kind") not in ("attribute", "function") or f"{m}.{q}" in out):
                    continue
                names.setdefault(q, []).append(f"{m}.{q}")
        for top, doc_lists in by_top.items():
            names = targets[top]
            for docs in doc_lists:  # one file at a time: each keeps its own order
                open_names = {n for n, paths in names.items() if any(p not in out for p in paths)}
                for name, doc in bindocs.match(docs, open_names).items():
                    for canonical in names[name]:
                        out.setdefault(canonical, doc)

    def _defs_by_canonical(self) -> dict[str, tuple[str, ModuleInfo, dict[str, Any]]]:
        """Every definition by canonical path, with its module's name and info."""
        return {f"{m}.{q}": (m, info, d) for m, info in self.modules.items() for q, d in info.defs.items()}

    def _inherited_newdocs(self) -> None:
        """numpy documents `ndarray.min` with add_newdoc, but its stubs declare `min` on a private base
        shared with the scalar types (`_ArrayOrScalarCommon`), so the doc had no record to go to and
        `arr.min` was an undocumented inherited stub. As at run time, where `min` is ndarray's own, the
        class gets its own member: the base's declaration with the doc."""
        if not self.newdocs:
            return
        by_canonical = self._defs_by_canonical()
        for target, doc in self.newdocs.items():
            owner, _, member = target.rpartition(".")
            if target in by_canonical or owner not in by_canonical:
                continue
            module, info, cls = by_canonical[owner]
            if cls["kind"] != "class":
                continue
            found = self._base_member(module, cls, member, by_canonical, set())
            if found is not None:
                qual = f"{cls['qual']}.{member}"
                base_module, base_def = found
                line = base_def.get("line", 0) if base_module == module else cls.get("line", 0)
                info.defs[qual] = {**base_def, "qual": qual, "doc": doc, "line": line}

    def _new_bases(self, module: str, cls: dict[str, Any], by_canonical: dict, seen: set[str]):
        """(canonical, module, info, definition) of each base of `cls` defined in the index and not in
        `seen` (which it joins), in the order written."""
        for base in cls.get("bases") or ():
            target = self._lookup_dotted(module, base.split("[", 1)[0].strip())
            if target is None or target in seen or target not in by_canonical:
                continue
            seen.add(target)
            yield (target, *by_canonical[target])

    def _base_member(self, module: str, cls: dict[str, Any], member: str, by_canonical: dict,
                     seen: set[str]) -> tuple[str, dict[str, Any]] | None:
        """(module, definition) of `member` on the nearest base of `cls` that declares it."""
        for _, base_module, base_info, base_cls in self._new_bases(module, cls, by_canonical, seen):
            got = base_info.defs.get(f"{base_cls['qual']}.{member}")
            if got is not None:
                return base_module, got
            if len(seen) < 20:
                got = self._base_member(base_module, base_cls, member, by_canonical, seen)
                if got is not None:
                    return got
        return None

    def _method_aliases(self) -> None:
        """A class attribute bound to a method is that method under another name (`update =
        __update = MutableMapping.update` in OrderedDict, `__str__ = output`): its signature, doc and
        kind, not an attribute's, so completion offers it as the call it is. (A module function bound
        in a class body is left as it is: its first parameter would be the instance.)"""
        by_canonical: dict[str, tuple[str, ModuleInfo, dict[str, Any]]] | None = None
        for module, info in self.modules.items():
            for qual, d in list(info.defs.items()):
                if d.get("kind") != "attribute" or "." not in qual:
                    continue
                m = _ALIAS_VALUE.match(d.get("signature") or "")
                if m is None:
                    continue
                target = m.group(1)
                found = info.defs.get(f"{qual.rsplit('.', 1)[0]}.{target}") if "." not in target else None
                if found is None:
                    canonical = self._lookup_dotted(module, target)
                    if canonical is None:
                        continue
                    if by_canonical is None:
                        by_canonical = self._defs_by_canonical()
                    found = by_canonical.get(canonical, (None, None, None))[2]
                if found is not None and found.get("kind") == "method":
                    info.defs[qual] = {**found, "qual": qual, "kind": "method", "line": d.get("line", 0)}

    def _alias_docs(self) -> None:
        """A doc that opens with "DataFrame.isnull is an alias for DataFrame.isna." says what the
        member does only after that (pandas), or not at all: the sentence moves to the end, and a doc
        that is nothing else takes the target's doc first, so the summary says what it does."""
        for info in self.modules.values():
            for qual, d in list(info.defs.items()):
                doc = d.get("doc") or ""
                m = _ALIAS_DOC.match(doc) if "alias" in doc[:200] else None
                if m is None or "." not in qual:
                    continue
                rest = doc[m.end():].strip()
                if not rest:
                    target = info.defs.get(f"{qual.rsplit('.', 1)[0]}.{m.group(1).rsplit('.', 1)[-1]}")
                    rest = (target.get("doc") or "").strip() if target is not None and target is not d else ""
                    if not rest or _ALIAS_DOC.match(rest):
                        continue
                info.defs[qual] = {**d, "doc": f"{rest}\n\n{doc[:m.end()].strip()}"}

    def _inherited_names(self, edges: dict[str, list[str]]) -> dict[str, list[str]]:
        """Public names a base's members get under a public subclass: canonical member -> paths.

        Where the base has no public name (`io.IOBase(_io._IOBase)`, numpy's `_ArrayOrScalarCommon`)
        its members would have none at all; where the subclass fronts its accelerator's class of the
        same name (`socket.socket(_socket.socket)`, public also as `socket.SocketType`), the subclass
        is the name the docs and users use. Members of other bases stay under their own class (every
        subclass's copy would flood the index); search shows them under a more public subclass."""
        by_canonical = self._defs_by_canonical()
        members: dict[str, list[str]] = {}  # class canonical -> its direct members' names
        for canonical in by_canonical:
            owner, _, name = canonical.rpartition(".")
            if owner in by_canonical:
                members.setdefault(owner, []).append(name)
        found: dict[str, list[tuple[int, list[str]]]] = {}
        for module, info in self.modules.items():
            if info.hidden or _is_private_path(module):
                continue
            for qual, cls in info.defs.items():
                if cls.get("kind") != "class" or not cls.get("bases") or _is_private_path(qual):
                    continue
                path = f"{module}.{qual}"
                names = [path] + _alias_names(path, edges)
                taken = set(members.get(path, ()))
                pending, seen = [(module, cls)], {path}
                while pending and len(seen) < 20:
                    at_module, at_cls = pending.pop(0)
                    for target, base_module, base_info, base_cls in self._new_bases(at_module, at_cls,
                                                                                    by_canonical, seen):
                        # Only through such bases: a public base's own private bases are its business.
                        if base_info.origin == info.origin and self._lends_names(target, path, edges):
                            pending.append((base_module, base_cls))
                            for name in members.get(target, ()):
                                if name not in taken and not name.startswith("_"):
                                    found.setdefault(f"{target}.{name}", []).append(
                                        (-len(members.get(path, ())), [f"{n}.{name}" for n in names]))
                        taken.update(members.get(target, ()))  # an earlier base's member wins, as in the MRO
        # Of several subclasses (numpy's `ndarray` and `generic`), the one with the most members of its
        # own is named first: the fuller API is where users meet the member.
        return {k: [p for _, paths in sorted(v, key=lambda t: t[0]) for p in paths] for k, v in found.items()}

    @staticmethod
    def _lends_names(base: str, cls: str, edges: dict[str, list[str]]) -> bool:
        """Whether `base`'s members are listed under its subclass `cls` (see `_inherited_names`)."""
        if not _is_private_path(base):
            return False
        if all(_is_private_path(a) for a in _alias_names(base, edges)):
            return True
        b_top, c_top = base.split(".")[0], cls.split(".")[0]
        return b_top.startswith("_") and b_top.lstrip("_") == c_top and (
            base.rsplit(".", 1)[-1].lstrip("_") == cls.rsplit(".", 1)[-1])

    def records(self) -> list[ApiRecord]:
        self.run()
        self.newdocs = self._newdocs()
        self._inherited_newdocs()
        self._method_aliases()
        self._alias_docs()
        edges = self._public_edges()
        inherited = self._inherited_names(edges)
        out: list[ApiRecord] = []
        for module, info in self.modules.items():
            # Module record.
            candidates = [module] + _alias_names(module, edges)
            out.append(self._record(info, module, None, candidates))
            for qual, d in info.defs.items():
                canonical = f"{module}.{qual}"
                extra = inherited.get(canonical, [])
                candidates = [canonical] + _alias_names(canonical, edges) + extra
                order = {p: n for n, p in enumerate(extra, 1)}
                out.append(self._record(info, canonical, d, candidates, order))
        return out

    def _record(self, info: ModuleInfo, canonical: str, d: dict[str, Any] | None,
                candidates: list[str], order: dict[str, int] | None = None) -> ApiRecord:
        public = [c for c in dict.fromkeys(candidates) if not _is_private_path(c)]
        depth = d["qual"].count(".") + 1 if d is not None else 1
        order = order or {}  # among equally good inherited names, the first given (see _inherited_names)
        best = min(public, key=lambda c: (_path_cost(c, canonical, depth)[:-1], order.get(c, 0), c)) \
            if public else canonical
        aliases = tuple(c for c in dict.fromkeys(candidates) if c != best)
        private = (not public) or info.hidden
        if d is None:
            doc = info.facts.get("doc", "")
            return ApiRecord(
                public_path=best, canonical_path=canonical, kind="module", language=info.language,
                summary=summarize(doc), doc=doc, aliases=aliases, origin=info.origin,
                origin_version=info.version, file=info.file, line=1, private=private,
            )
        doc = d.get("doc", "") or self.newdocs.get(canonical, "")
        params = tuple(
            Param(name=p["name"], annotation=p.get("annotation", ""), default=p.get("default", ""),
                  kind=p.get("kind", "positional_or_keyword"), doc=p.get("doc", ""))
            for p in d.get("params", ())
        )
        params = _with_param_docs(params, doc)
        kind = d["kind"]
        if kind == "method" and d["qual"].endswith(".__init__"):
            kind = "constructor"
        elif kind == "method" and best.rpartition(".")[0] in self.modules:
            kind = "function"  # a module's name for it (`numpy.random.randint`, `tarfile.open`): called so
        signature = d.get("signature", "")
        if kind in ("function", "method", "constructor", "class") and signature.startswith("("):
            head = signature.split(")", 1)[0].strip("( ")
            if params or head in ("self", "cls", "self, /", "cls, /", "$self", "$cls", ""):
                # Rebuilt from parameters: `self`/`cls` are dropped there (users do not pass them).
                signature = format_signature(params, d.get("returns", ""))
        if not private and _hidden_by_all(info, d["qual"].split(".")[0], public, canonical):
            private = True
        return ApiRecord(
            public_path=best, canonical_path=canonical, kind=kind, language=info.language,
            signature=signature, summary=summarize(doc), doc=doc, params=params,
            returns=d.get("returns", ""), aliases=aliases, origin=info.origin,
            origin_version=info.version, file=info.file, line=d.get("line", 0),
            deprecated=bool(d.get("deprecated")), private=private,
            examples=tuple(Example(code=c, source="docstring") for c in d.get("examples", ())),
            extra=tuple(("bases", ",".join(d["bases"])) for _ in [0] if d.get("bases"))
            + ((("instance", "1"),) if d.get("instance") else ())
            + ((("result", d["result"]),) if d.get("result") else ())
            + ((("enters", str(d["enters_arg"])),) if d.get("enters_arg") is not None else ())
            + tuple(("binding", b) for b in [_binding(d)] if b and kind == "method"),
        )


def _binding(d: dict) -> str:
    """'classmethod' or 'staticmethod' for a method so decorated: called on the class (`datetime.now()`),
    seldom on an instance."""
    for dec in d.get("decorators") or ():
        name = dec.split("(")[0].rsplit(".", 1)[-1]
        if name in ("classmethod", "staticmethod"):
            return name
    return ""


def _hidden_by_all(info: ModuleInfo, name: str, public: list[str], canonical: str) -> bool:
    """A module's explicit `__all__` leaves out this name and nothing else exports it."""
    all_names = info.facts.get("all")
    if all_names is None or info.facts.get("all_dynamic") or name in all_names:
        return False
    return all(p == canonical for p in public)


def _alias_names(canonical: str, edges: dict[str, list[str]]) -> list[str]:
    """Public names of `canonical` through every exporting prefix (`os.path` -> `posixpath`)."""
    parts = canonical.split(".")
    out: list[str] = []
    for i in range(len(parts), 0, -1):
        prefix = ".".join(parts[:i])
        rest = parts[i:]
        for public in edges.get(prefix, ()):
            out.append(".".join([public, *rest]))
            # one more hop: a public name of a module that is itself re-exported elsewhere
            for public2 in edges.get(public, ()):
                out.append(".".join([public2, *rest]))
    # The preferred module's name of the definition and of each alias: `genericpath.exists` is
    # exported by posixpath, and so is `os.path.exists`, the name users call.
    for name in [canonical, *out]:
        for src, dst in PREFERRED_MODULE_ALIASES.items():
            if name == src or name.startswith(src + "."):
                out.append(dst + name[len(src):])
    return out


def _path_cost(path: str, canonical: str, depth: int = 1) -> tuple:
    preferred = any(path.startswith(v + ".") for v in PREFERRED_MODULE_ALIASES.values())
    # Among equally short names, the module that fronts the definer wins (`io` for `_io`).
    home = path.split(".")[0] == canonical.split(".")[0].lstrip("_")
    # Then the names it was defined under: `numpy.sum`, not its alias `numpy.nansum = sum` in the stubs,
    # and `GroupBy.sum`, not `Grouped.sum` through `import GroupBy as Grouped` (`depth`: how many
    # trailing names are the definition's own: 2 for a method).
    renamed = path.split(".")[-depth:] != canonical.split(".")[-depth:]
    return (0 if preferred else 1, path.count("."), not home, path != canonical, renamed, path)


def _with_param_docs(params: tuple[Param, ...], doc: str) -> tuple[Param, ...]:
    if not doc or not params or ":param" not in doc and "Parameters" not in doc and "Args" not in doc:
        return params
    try:
        import docstring_parser

        parsed = docstring_parser.parse(doc)
    except Exception:
        return params
    docs = {p.arg_name: (p.description or "") for p in parsed.params}
    return tuple(p if p.doc or p.name not in docs else Param(p.name, p.annotation, p.default,
                                                             " ".join(docs[p.name].split()), p.kind)
                 for p in params)


def resolve(modules: dict[str, ModuleInfo],
            binaries: Iterable[tuple[str, list[str]]] = ()) -> list[ApiRecord]:
    return Resolver(modules, binaries).records()
