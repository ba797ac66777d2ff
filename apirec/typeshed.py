"""Shipped return types of the standard library, from typeshed's stubs.

The standard library's own source has almost no annotations, so `open(p).`, `s.split()` or
`re.finditer(...)` would type as nothing. typeshed's stubs say what they return. They are mined once
(``python -m apirec.typeshed --out apirec/data/returns_python.json.gz``, by default from the typeshed copy
that jedi bundles) with the indexer's own tree-sitter extraction: each function's and method's return
annotation (of the first overload that returns something definite, as the indexer takes; `None` where
every overload returns None, which completion reads as a procedure), with every name in it qualified
through the stub's imports (`TextIOWrapper` in builtins.pyi is `io.TextIOWrapper`). Functions whose
return a TypeVar of their parameters makes (`random.choice(seq: SupportsLenAndGetItem[_T]) -> _T`) keep
every overload's parameters and return, so completion can read the call's arguments. Four more
tables: `operators` (what a binary operator gives per operand type where it is not the class itself:
`datetime - datetime` is a timedelta), `enums` (the classes that are enums in the stubs, with their
bases), `members` (each stub class's public methods and attributes, for classes no source defines)
and `literal` (the overloads a literal argument picks: `open(p, "rb")`). It ships with apirec like the
usage prior; member completion reads it for standard-library records that carry no return annotation.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import sys
from functools import lru_cache
from pathlib import Path
from typing import Any

DATA = Path(__file__).parent / "data" / "returns_python.json.gz"
# Annotations that type nothing a member could be completed on.
_USELESS = {"None", "Any", "NoReturn", "Never", "object", "typing.Any", "Incomplete"}
# Stub-only spellings of runtime types.
_ALIASES = {"LiteralString": "str", "AnyStr": "str", "StrPath": "str", "ReadableBuffer": "bytes",
            "MaybeNone": "None"}
_NAME = re.compile(r"[A-Za-z_][\w.]*")
_TYPEVAR = re.compile(r"""^\s*=\s*(?:typing\.)?TypeVar\(\s*["']\w+["']\s*(?:,\s*(.*?))?\s*\)\s*$""", re.S)
_DECLARED = re.compile(r"^:\s*([^=]+?)\s*(?:=.*)?$", re.S)
_WRAPPER = re.compile(r"^(?:typing\.|typing_extensions\.)?(?:Final|ClassVar)\[(.+)\]$", re.S)


@lru_cache(maxsize=1)
def shipped_generic() -> tuple[dict[str, list[dict[str, Any]]], frozenset[str]]:
    """(public path -> the overloads of a function whose return its arguments' types make, the TypeVars)."""
    from .usage import read_shipped

    return read_shipped(DATA, "generic"), frozenset(read_shipped(DATA, "typevars") or ())


@lru_cache(maxsize=1)
def shipped_operators() -> dict[str, list[list[str]]]:
    """`module.Class.__op__` -> [right operand's type, result] per overload, where a result is another
    type than the class (`datetime.datetime.__sub__`: a datetime gives a timedelta)."""
    from .usage import read_shipped

    return read_shipped(DATA, "operators") or {}


@lru_cache(maxsize=1)
def shipped_enums() -> dict[str, list[str]]:
    """Standard-library classes that are enums in the stubs, with their stub bases (the source makes
    some enums by decorator: `@_simple_enum(IntEnum) class HTTPStatus:` names no base)."""
    from .usage import read_shipped

    return read_shipped(DATA, "enums") or {}


@lru_cache(maxsize=1)
def shipped_members() -> dict[str, list[str]]:
    """class -> [its public methods, its public attributes and properties] as the stubs declare them,
    space-separated: the members of classes the source does not define (`sys.version_info`'s
    `_version_info`, zlib's compressor objects, `select.poll`)."""
    from .usage import read_shipped

    return read_shipped(DATA, "members")


@lru_cache(maxsize=1)
def shipped_literal() -> dict[str, list[dict[str, Any]]]:
    """public path -> the overloads one argument's literal value picks among (see `_literal_forms`)."""
    from .usage import read_shipped

    return read_shipped(DATA, "literal")


@lru_cache(maxsize=1)
def shipped_returns() -> dict[str, str]:
    """public path of a standard-library function or method -> its return annotation, names qualified."""
    from .usage import read_shipped

    return read_shipped(DATA, "returns")


def _qualify(text: str, module: str, imports: dict[str, str], local: set[str]) -> str:
    def one(m: re.Match) -> str:
        name = m.group()
        head, _, rest = name.partition(".")
        if head in _ALIASES and not rest:
            return _ALIASES[head]
        if head in imports:
            base = imports[head]
        elif head in local:
            base = head if module == "builtins" else f"{module}.{head}"
        else:
            return name
        return f"{base}.{rest}" if rest else base

    return _NAME.sub(one, text)


def mine(root: Path) -> dict[str, str]:
    return mine_all(root)["returns"]


def mine_all(root: Path) -> dict[str, dict[str, Any]]:
    """{"returns": public path -> return annotation, "generic": public path -> every overload's
    parameters and return, for the functions whose return a TypeVar of their parameters makes
    (`random.choice(seq: SupportsLenAndGetItem[_T]) -> _T`), "typevars": the TypeVars' qualified names}."""
    from .indexer.python_ts import extract_module

    out: dict[str, str] = {}
    generic: dict[str, list[dict[str, Any]]] = {}
    typevar_names: set[str] = set()
    nothing: set[str] = set()  # functions declared `-> None`: kept where no overload gives a value
    stubs: list[tuple[str, dict[str, Any], dict[str, str], set[str]]] = []
    members: dict[str, tuple[dict[str, int], dict[str, int]]] = {}  # class -> (methods, attributes)
    reexports: dict[str, str] = {}  # `io.open` -> `_io.open` -> `open` (builtins' keys are bare)
    for path in sorted(root.rglob("*.pyi")):
        rel = path.relative_to(root).with_suffix("")
        parts = list(rel.parts)
        is_package = parts[-1] == "__init__"
        if is_package:
            parts = parts[:-1]
        if not parts or any(p.startswith("@") for p in parts):
            continue
        module = ".".join(parts)
        try:
            facts = extract_module(path.read_bytes(), module, is_package, overloads=True)
        except Exception:  # a stub the grammar cannot read: skip it, keep the rest
            continue
        imports = {}
        aliased = []
        for imp in facts["imports"]:
            if not imp["module"]:
                aliased.append(imp)  # `date = datetime.date`: resolved below, through the imports
                continue
            target = f"{imp['module']}.{imp['attr']}" if imp.get("attr") else imp["module"]
            imports[imp["name"]] = target
        local = {d["qual"].split(".", 1)[0] for d in facts["defs"]}
        for imp in aliased:
            head, _, rest = (imp.get("attr") or "").partition(".")
            base = imports.get(head) or (head if head in local and module == "builtins" else
                                         f"{module}.{head}" if head in local else None)
            if base:
                imports.setdefault(imp["name"], f"{base}.{rest}" if rest else base)
        prefix = "" if module == "builtins" else f"{module}."
        for imp in facts["imports"]:
            if not imp.get("attr"):
                continue
            if imp["module"]:  # `from _io import open as open`: a stub's explicit re-export
                reexports.setdefault(prefix + imp["name"], _key(imp["module"], imp["attr"]))
            else:  # `open = builtins.open` (the extractor's alias of a module's attribute)
                head, _, rest = imp["attr"].partition(".")
                if imports.get(head) == head and rest and "." not in rest:  # of an imported module
                    reexports.setdefault(prefix + imp["name"], _key(head, rest))
        typevars = {d["qual"]: _typevar_type(d.get("signature") or "") for d in facts["defs"]
                    if d["kind"] in ("attribute", "constant") and _TYPEVAR.match(d.get("signature") or "")}
        typevar_names.update(_key(module, q) for q in typevars)
        stubs.append((module, facts, imports, local))
        classes = {d["qual"] for d in facts["defs"] if d["kind"] == "class"}
        for d in facts["defs"]:
            owner, _, name = d["qual"].rpartition(".")
            if owner in classes and not name.startswith("_") and d["kind"] in _MEMBER_KINDS:
                kinds = members.setdefault(_key(module, owner), ({}, {}))
                (kinds[0] if d["kind"] in ("function", "method") else kinds[1])[name] = 1
            ret = (d.get("returns") or "").strip()
            # `-> _Root` with `_Root = TypeVar("_Root", Element, ...)`; a bare TypeVar says nothing.
            ret = typevars.get(ret, ret)
            if d["kind"] == "attribute":
                ret = _declared(d.get("signature") or "")  # `stdout: TextIO`, `environ: _Environ[str]`
            elif d["kind"] not in ("function", "method", "property"):
                continue
            key = d["qual"] if module == "builtins" else f"{module}.{d['qual']}"
            if ret == "None" and d["kind"] in ("function", "method"):
                nothing.add(key)  # `list.append`, `hashlib._Hash.update`: a C function's body cannot say
            if not ret or ret in _USELESS:
                continue
            if key in out:
                continue  # an earlier overload already returned something definite
            qualified = _qualify(ret, module, imports, local)
            head = qualified.split("[", 1)[0].strip()
            if head in _USELESS or (head.startswith("_") and "." not in head):
                continue  # a bare TypeVar (`_T`): nothing to complete on
            out[key] = qualified
    for key in nothing:
        out.setdefault(key, "None")
    _follow(out, reexports)
    operators: dict[str, list[list[str]]] = {}  # `datetime.datetime.__sub__` -> [[operand, result]]
    aliases: dict[str, str] = {}  # `_typeshed.OpenTextMode` -> its qualified TypeAlias text
    literal_forms: dict[str, list[dict[str, Any]]] = {}
    defined: set[str] = set()  # every function and method a stub defines
    bases: dict[str, list[str]] = {}  # class -> its stub bases, qualified, without type arguments
    params: dict[str, list[str]] = {}  # generic class -> its TypeVars in order (`Queue(Generic[_T])`)
    for module, facts, imports, local in stubs:
        for d in facts["defs"]:
            m = _ALIAS.match(d.get("signature") or "") if d["kind"] in ("attribute", "constant") else None
            if m and "." not in d["qual"]:
                aliases[_key(module, d["qual"])] = _qualify(m.group(1), module, imports, local)
    for module, facts, imports, local in stubs:
        for d in facts["defs"]:
            if d["kind"] == "class":
                cls = _key(module, d["qual"])
                written = [_qualify(b, module, imports, local) for b in d.get("bases", ())]
                bases[cls] = [b.split("[", 1)[0].strip() for b in written]
                params[cls] = _type_params(written, typevar_names)
                continue
            if d["kind"] not in ("function", "method"):
                continue
            defined.add(_key(module, d["qual"]))
            forms = facts.get("overloads", {}).get(d["qual"]) or [d]
            if len(forms) > 1:
                got_forms = _literal_forms(forms, module, imports, local, aliases)
                if got_forms:
                    literal_forms[_key(module, d["qual"])] = got_forms
            if d["kind"] == "method" and d["qual"].rsplit(".", 1)[-1] in _BINARY:
                cls = _key(module, d["qual"].rsplit(".", 1)[0])
                got = _operator_forms(forms, cls, module, imports, local)
                if got:
                    operators[_key(module, d["qual"])] = got
            overloads = [{"returns": _qualify((f.get("returns") or "").strip(), module, imports, local),
                          "params": [[p["name"], p["kind"], 1 if "default" in p else 0,
                                      _qualify(p.get("annotation") or "", module, imports, local)]
                                     for p in f.get("params", ())]} for f in forms]
            owner = params.get(_key(module, d["qual"].rsplit(".", 1)[0])) if d["kind"] == "method" else None
            if owner and any(set(_NAME.findall(o["returns"])) & set(owner) for o in overloads):
                # `Queue.get -> _T`: what a receiver declared `Queue[str]` holds
                overloads = [{**o, "owner": owner} for o in overloads]
            elif not any(_binds(o, typevar_names) for o in overloads):
                continue
            generic[_key(module, d["qual"])] = overloads
    _follow(generic, reexports)
    for module, facts, _, _ in stubs:  # `from _heapq import *` in heapq.pyi: heapq.heappop is _heapq's
        for star in facts.get("star", ()):
            if star == "builtins":
                continue
            for name in _direct(generic, star):
                own = _key(module, name)
                if not name.startswith("_") and own not in defined and own not in generic:
                    generic[own] = generic[f"{star}.{name}"]
    _inherit(generic, defined, bases, params, typevar_names)
    _follow(literal_forms, reexports)
    return {"returns": out, "generic": generic, "operators": operators, "enums": _enums(bases),
            "literal": literal_forms,
            "members": {c: [" ".join(m), " ".join(a)] for c, (m, a) in sorted(members.items())},
            "typevars": sorted(typevar_names & {n for g in generic.values() for o in g for n in _names(o)})}


def _enums(bases: dict[str, list[str]]) -> dict[str, list[str]]:
    """The classes whose stub bases reach enum.Enum or enum.Flag (`http.HTTPStatus(IntEnum)`, which the
    source makes an enum with a decorator, `re.RegexFlag`, `signal.Signals`), with those bases."""
    known: dict[str, bool] = {"enum.Enum": True, "enum.Flag": True}

    def reaches(cls: str, seen: frozenset[str]) -> bool:
        if cls not in known:
            known[cls] = cls not in seen and any(reaches(b, seen | {cls}) for b in bases.get(cls, ()))
        return known[cls]

    return {c: bases[c] for c in sorted(bases) if reaches(c, frozenset()) and not c.startswith("enum.")}


_MEMBER_KINDS = frozenset({"function", "method", "property", "attribute"})
_ALIAS = re.compile(r"^:\s*(?:typing\.|typing_extensions\.)?TypeAlias\s*=\s*(.+)$", re.S)
_LITERAL_VALUE = re.compile(r""""([^"]*)"|'([^']*)'|(-?\d+)""")


def _literal_values(ann: str, aliases: dict[str, str], depth: int = 0) -> list[str] | None:
    """The values a `Literal[...]` annotation, a union of them or an alias of those allows (as their
    repr: `'rb'`, `0`), or None where some part allows more (`str`, `int`)."""
    from .context import _split_top

    out: list[str] = []
    for part in _split_top(ann, "|"):
        part = part.strip()
        head = part.split("[", 1)[0].strip()
        if head.rsplit(".", 1)[-1] == "Literal" and "[" in part:
            for m in _LITERAL_VALUE.finditer(part.split("[", 1)[1]):
                out.append(repr(m.group(1) if m.group(1) is not None else m.group(2))
                           if m.group(3) is None else m.group(3))
        elif part in aliases and depth < 5:
            got = _literal_values(aliases[part], aliases, depth + 1)
            if got is None:
                return None
            out.extend(got)
        else:
            return None
    return out


def _literal_forms(forms: list[dict[str, Any]], module: str, imports: dict[str, str], local: set[str],
                   aliases: dict[str, str]) -> list[dict[str, Any]]:
    """The overloads of a function that one argument's literal value picks among (`open(p, "rb")` is a
    BufferedReader, `open(p)` a TextIOWrapper): per overload its return and, per parameter, [name,
    kind, has a default, the literal values it allows or None for any]; [] where no parameter is
    literal or every overload returns the same."""
    out = []
    for f in forms:
        params = []
        for p in f.get("params", ()):
            ann = _qualify((p.get("annotation") or "").strip(), module, imports, local)
            params.append([p["name"], p["kind"], 1 if "default" in p else 0,
                           _literal_values(ann, aliases) if ann else None])
        out.append({"returns": _qualify((f.get("returns") or "").strip(), module, imports, local),
                    "params": params})
    literal = any(p[3] is not None for o in out for p in o["params"])
    return out if literal and len({o["returns"] for o in out}) > 1 else []
# Binary operators whose result may be another type than their left operand's (`datetime - datetime`
# is a timedelta, `int / int` a float).
_BINARY = frozenset({"__add__", "__sub__", "__mul__", "__truediv__", "__floordiv__", "__mod__",
                     "__matmul__", "__pow__"})


def _operator_forms(forms: list[dict[str, Any]], cls: str, module: str, imports: dict[str, str],
                    local: set[str]) -> list[list[str]]:
    """[right operand's type, result] per overload of a binary operator method of `cls` (`Self` as the
    class), or [] where every result is the class itself (completion keeps the left operand's type)."""
    def plain(text: str) -> str:
        t = _qualify(text.strip(), module, imports, local)
        return cls if t.rsplit(".", 1)[-1] == "Self" else t

    got = []
    for f in forms:
        ps = [p for p in f.get("params", ()) if p["name"] not in ("self", "cls")]
        ret = plain(f.get("returns") or "")
        if len(ps) == 1 and ret:
            got.append([plain(ps[0].get("annotation") or ""), ret])
    return got if any(r != cls for _, r in got) else []


def _direct(table: dict[str, Any], owner: str) -> list[str]:
    """The names `table` holds directly under `owner` (a module's functions, a class's methods)."""
    prefix = owner + "."
    return [k[len(prefix):] for k in table if k.startswith(prefix) and "." not in k[len(prefix):]]


def _type_params(bases: list[str], typevars: set[str]) -> list[str]:
    """A class's TypeVars in order, from its bases as written: `Generic[_T]`'s, else those the bases'
    arguments name, in order (`MutableMapping[_KT, _VT]`)."""
    for b in bases:
        if b.split("[", 1)[0].strip().rsplit(".", 1)[-1] == "Generic":
            return [n for n in _NAME.findall(b.split("[", 1)[1] if "[" in b else "") if n in typevars]
    return list(dict.fromkeys(n for b in bases if "[" in b for n in _NAME.findall(b.split("[", 1)[1])
                              if n in typevars))


def _inherit(generic: dict[str, list[dict[str, Any]]], defined: set[str], bases: dict[str, list[str]],
             params: dict[str, list[str]], typevars: set[str]) -> None:
    """Give each class the generic methods it inherits without redefining them (`dict.setdefault` is
    `MutableMapping.setdefault` in the stubs), from its nearest base that has one. What a receiver's
    declared type arguments bind stays only where the class has the base's TypeVars (`Counter` is a
    `dict[_T, int]`: its arguments are not the dict's)."""
    for cls in sorted(bases):
        todo, seen = list(bases[cls]), {cls}
        while todo:
            base = todo.pop(0)
            if base in seen:
                continue
            seen.add(base)
            for name in _direct(generic, base):
                own = f"{cls}.{name}"
                if own not in defined and own not in generic:
                    forms = generic[f"{base}.{name}"]
                    if any("owner" in o for o in forms) and params.get(cls) != forms[0].get("owner"):
                        forms = [{k: v for k, v in o.items() if k != "owner"} for o in forms]
                        if not any(_binds(o, typevars) for o in forms):
                            continue
                    generic[own] = forms
            todo.extend(bases.get(base, ()))


def _names(overload: dict[str, Any]) -> set[str]:
    params = {n for p in overload["params"] for n in _NAME.findall(p[3])}
    return set(_NAME.findall(overload["returns"])) | params


def _binds(overload: dict[str, Any], typevars: set[str]) -> bool:
    """Whether a TypeVar of the overload's return is one a parameter's annotation names."""
    ret = set(_NAME.findall(overload["returns"])) & typevars
    return bool(ret & {n for p in overload["params"] for n in _NAME.findall(p[3])})


# Stubs import decorators and helpers from these (`from typing import overload`) without re-exporting them.
_NOT_REEXPORTED = ("typing.", "typing_extensions.", "abc.", "_typeshed.", "types.", "collections.abc.")


def _typevar_type(signature: str) -> str:
    """What a stub's `= TypeVar("T", A, B, bound=C, default=D)` stands for where one type must do: its
    first constraint, else its bound, else its default ("" for a bare TypeVar)."""
    from .context import _split_top

    m = _TYPEVAR.match(signature)
    if not m:
        return ""
    args = [a.strip() for a in _split_top(m.group(1) or "")]
    named = dict(a.split("=", 1) for a in args if re.match(r"\w+\s*=", a))
    named = {k.strip(): v.strip() for k, v in named.items()}
    plain = [a for a in args if a and not re.match(r"\w+\s*=", a)]
    return plain[0] if plain else named.get("bound") or named.get("default") or ""


def _declared(signature: str) -> str:
    """The type an attribute's stub declares (`: Final[int] = 3` -> `int`), or "" (aliases, assignments)."""
    m = _DECLARED.match(signature)
    if not m:
        return ""
    ann = m.group(1).strip()
    wrapped = _WRAPPER.match(ann)
    if "TypeAlias" in ann or ann.rsplit(".", 1)[-1] == "Final":  # an alias; `Final` alone says no type
        return ""
    return wrapped.group(1).strip() if wrapped else ann


def _key(module: str, name: str) -> str:
    return name if module == "builtins" else f"{module}.{name}"


def _follow(out: dict[str, str], reexports: dict[str, str]) -> None:
    """Give each re-exported function the return of the one it names, through chains of re-exports
    (`io.open` -> `_io.open` -> `builtins.open`); a cycle ends when a pass adds nothing."""
    changed = True
    while changed:
        changed = False
        for alias, target in reexports.items():
            if alias not in out and target in out and not target.startswith(_NOT_REEXPORTED):
                out[alias] = out[target]
                changed = True


def _default_root() -> Path | None:
    try:
        import jedi
    except ImportError:
        return None
    root = Path(os.path.dirname(jedi.__file__)) / "third_party" / "typeshed" / "stdlib"
    return root if root.is_dir() else None


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--typeshed", type=Path, default=None,
                   help="typeshed's stdlib folder (default: the copy jedi bundles)")
    p.add_argument("--out", type=Path, default=DATA)
    args = p.parse_args(argv)
    root = args.typeshed or _default_root()
    if root is None or not root.is_dir():
        print("no typeshed stdlib folder: pass --typeshed DIR (or install jedi, which bundles one)",
              file=sys.stderr)
        return 2
    mined = mine_all(root)
    returns = mined["returns"]
    source = "typeshed stdlib"
    if args.typeshed is None:
        import jedi

        source += f" bundled with jedi {jedi.__version__}"
    args.out.parent.mkdir(parents=True, exist_ok=True)
    # mtime=0: the same stubs give the same bytes (the file is committed).
    with open(args.out, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as gz:
        gz.write(json.dumps({"source": source, "returns": dict(sorted(returns.items())),
                             "generic": dict(sorted(mined["generic"].items())),
                             "operators": dict(sorted(mined["operators"].items())),
                             "enums": mined["enums"],
                             "members": mined["members"],
                             "literal": dict(sorted(mined["literal"].items())),
                             "typevars": mined["typevars"]},
                            separators=(",", ":")).encode("utf-8"))
    print(f"{len(returns)} return types, {len(mined['generic'])} generic functions -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
