"""Facts for builtins and C-implemented standard-library modules, which have no Python source.

Only the running interpreter's own standard library is imported here (it is trusted and already on
the machine); indexed code from anywhere else is never imported.
"""

from __future__ import annotations

import importlib
import inspect
import os
import re
import sys
import sysconfig
from typing import Any

# Never imported even though they are in the stdlib: side effects or test-only helpers.
_NEVER = {"antigravity", "this", "__hello__", "__phello__", "idlelib", "turtledemo", "test"}
_FIRST_LINE_SIG = re.compile(r"^\s*(?:async\s+)?([A-Za-z_][\w.]*)\s*(\(.*?\))\s*(?:-{1,2}>\s*(.+))?$")


def _stdlib_dirs() -> list[str]:
    # In a virtual environment `platstdlib` is the venv's own folder: the C extension modules
    # (`_decimal`, `_socket`, `math`) are in the base interpreter's lib-dynload.
    paths = sysconfig.get_paths()
    base = sysconfig.get_paths(vars={"base": sys.base_prefix, "platbase": sys.base_exec_prefix,
                                     "installed_base": sys.base_prefix,
                                     "installed_platbase": sys.base_exec_prefix})
    dirs = {p for ps in (paths, base) for p in (ps["stdlib"], ps["platstdlib"],
                                                 os.path.join(ps["platstdlib"], "lib-dynload"))}
    return sorted(d for d in dirs if os.path.isdir(d))


def import_stdlib(module: str):
    """Import a standard-library module from the interpreter's own folders only: a `json.py` in the
    indexed repository (or the current directory) must never be the one that runs."""
    dirs = _stdlib_dirs()
    saved = sys.path[:]
    sys.path[:] = dirs
    try:
        mod = importlib.import_module(module)
    finally:
        sys.path[:] = saved
    f = getattr(mod, "__file__", None)
    if f and not any(os.path.realpath(f).startswith(os.path.realpath(d) + os.sep) for d in dirs):
        raise ImportError(f"{module} comes from {f}, not the standard library")
    return mod


def can_inspect(module: str) -> bool:
    top = module.split(".")[0]
    if top in _NEVER or top.startswith(("_test", "_xx", "xx")):
        return False
    return top in sys.stdlib_module_names


def _has_source(module: str) -> bool:
    """A C module whose objects claim a Python module (`_io.open` says `io`) is the real definer.
    Found without importing it (from the stdlib folders only): whether the module happened to be
    imported already must not change the index (`_decimal`'s objects say `decimal`)."""
    mod = sys.modules.get(module)
    if mod is not None:
        return (getattr(mod, "__file__", None) or "").endswith(".py")
    spec = _stdlib_spec(module)
    return bool(spec is not None and (spec.origin or "").endswith(".py"))


def is_present(module: str) -> bool:
    """Whether this interpreter has the module at all (`winreg`, `msvcrt` are in
    `sys.stdlib_module_names` everywhere), found without importing it."""
    return module in sys.builtin_module_names or module in sys.modules or _stdlib_spec(module) is not None


def _stdlib_spec(module: str):
    """The import spec of a top-level module in the stdlib folders only; None if there is none."""
    import importlib.util

    saved = sys.path[:]
    sys.path[:] = _stdlib_dirs()
    try:
        return importlib.util.find_spec(module)
    except (ImportError, ValueError):
        return None
    finally:
        sys.path[:] = saved


def value_repr(obj: Any) -> str:
    """A constant's value as its signature shows it, the same in every run: a set's items sorted (string
    hashing is salted per process), no object addresses (`<capsule object ... at 0x7f...>`)."""
    text = repr(obj)
    if isinstance(obj, (set, frozenset)) and obj:
        try:
            items = "{" + ", ".join(sorted(map(repr, obj))) + "}"
            text = items if type(obj) is set else f"{type(obj).__name__}({items})"
        except TypeError:
            pass
    return re.sub(r" at 0x[0-9a-fA-F]+", "", text)[:60]


def _signature(obj: Any, name: str, doc: str) -> tuple[str, list[dict[str, str]], str]:
    try:
        sig = inspect.signature(obj)
    except Exception:  # also a text signature whose default is missing (`_curses`' ACS_* before initscr)
        sig = None
    if sig is not None:
        params = []
        for p in sig.parameters.values():
            params.append({
                "name": p.name,
                "annotation": "" if p.annotation is p.empty else inspect.formatannotation(p.annotation),
                "default": "" if p.default is p.empty else repr(p.default)[:60],
                "kind": p.kind.name.lower(),
            })
        ret = "" if sig.return_annotation is sig.empty else inspect.formatannotation(sig.return_annotation)
        return str(sig), params, ret
    # Many C functions document their signature on the first docstring line: "loads(s) -> obj".
    first = doc.splitlines()[0] if doc else ""
    m = _FIRST_LINE_SIG.match(first)
    if m and m.group(1).split(".")[-1] == name:
        ret = (m.group(3) or "").strip()
        if ret.endswith(".") or len(ret.split()) > 4:
            ret = ""  # "zip(*iterables) --> Yield tuples until ...": a sentence, not what it returns
        return m.group(2) + (f" -> {ret}" if ret else ""), _doc_params(m.group(2)), ret
    return "", [], ""


def _doc_params(text: str) -> list[dict[str, str]]:
    """Parameters of a docstring signature: "(func, *iterables)", "(object, name[, default])",
    "(iterable, *[, default=obj, key=func])". Bracketed ones are optional (default "..."); the text
    without its brackets is read by the docs' signature parser, so none if it does not parse."""
    from .docs import parse_params

    optional = set(re.findall(r"\w+", "".join(re.findall(r"\[([^\]]*)", text))))
    plain = re.sub(r",?\s*\[\s*,?\s*", ", ", text.replace("]", "")).replace("(, ", "(")
    return [{"name": p.name, "annotation": p.annotation, "kind": p.kind,
             "default": p.default or ("..." if p.name in optional and "var" not in p.kind else "")}
            for p in parse_params(plain)]


def _clean_doc(obj: Any, name: str) -> str:
    doc = inspect.getdoc(obj) or ""
    lines = doc.splitlines()
    # Drop a leading "name(args)" signature line: it is already in `signature`.
    m = _FIRST_LINE_SIG.match(lines[0]) if lines else None
    if m and m.group(1).split(".")[-1] == name.split(".")[-1]:
        ret = (m.group(3) or "").strip()
        # "zip(*iterables) --> Yield tuples until ...": the sentence is the summary; "random() -> x in
        # the interval [0, 1)." says what it returns.
        rest = [ret] if ret.endswith(".") or len(ret.split()) > 4 else []
        if rest and ret[:1].islower():
            rest = ["Return " + ret]
        doc = "\n".join(rest + lines[1:]).strip()
    return doc


def _instance_method(obj: Any) -> bool:
    """A method bound to an instance (not a class): `random.randint` is `_inst.randint`."""
    owner = getattr(obj, "__self__", None)
    return inspect.ismethod(obj) and owner is not None and not inspect.isclass(owner)


def _routine_fact(obj: Any, qual: str, kind: str) -> dict[str, Any]:
    name = qual.rsplit(".", 1)[-1]
    raw_doc = inspect.getdoc(obj) or ""
    sig, params, ret = _signature(obj, name, raw_doc)
    if kind == "method" and params and params[0]["name"] in ("self", "cls", "type", "$self"):
        params = params[1:]
    return {"qual": qual, "kind": kind, "line": 0, "doc": _clean_doc(obj, name), "signature": sig,
            "params": params, "returns": ret, "deprecated": False, "examples": []}


def module_facts(module: str) -> dict[str, Any] | None:
    """Facts in the same shape as `python_ts.extract_module`, from `inspect` of a stdlib module."""
    if not can_inspect(module):
        return None
    try:
        mod = import_stdlib(module)
    except Exception:  # platform-specific modules (e.g. winreg) are simply absent
        return None
    defs: list[dict[str, Any]] = []
    imports: list[dict[str, Any]] = []
    names = getattr(mod, "__all__", None)
    members = names if isinstance(names, (list, tuple)) else [n for n in dir(mod) if not n.startswith("__")]
    for name in members:
        try:
            obj = getattr(mod, name)
        except Exception:
            continue
        if not isinstance(name, str):
            continue
        owner = getattr(obj, "__module__", None)
        if inspect.ismodule(obj):
            continue
        if (inspect.isclass(obj) or inspect.isroutine(obj)) and owner and owner != module and owner != "builtins" \
                and (module == "builtins" or not _has_source(owner)):
            # Defined elsewhere: record a re-export binding so the resolver finds the real definition.
            imports.append({"name": name, "module": owner, "attr": getattr(obj, "__qualname__", name),
                            "line": 0})
            continue
        if inspect.isclass(obj):
            real = getattr(obj, "__name__", name)
            if real != name and real in members and getattr(mod, real, None) is obj:
                # `_socket.SocketType is _socket.socket`, `array.ArrayType is array.array`: a second name
                # of one class, bound as `SocketType = socket` would be (else its members are indexed twice).
                imports.append({"name": name, "module": None, "attr": real, "line": 0, "local": True})
                continue
            defs.append(_class_fact(obj, name))
            defs.extend(_member_facts(obj, name))
            if real != name and real.isidentifier() and owner == module and not hasattr(mod, real):
                # `_thread.LockType` is the class `lock`, the name typeshed (`allocate_lock() -> lock`)
                # and reprs use: listed under that name too.
                defs.append(_class_fact(obj, real))
                defs.extend(_member_facts(obj, real))
        elif inspect.isroutine(obj):
            defs.append(_routine_fact(obj, name, "function"))
        elif isinstance(obj, (int, float, str, bytes, bool, tuple, frozenset)) or obj is None:
            kind = "constant" if name.isupper() else "attribute"
            defs.append({"qual": name, "kind": kind, "line": 0, "doc": "",
                         "signature": f" = {value_repr(obj)}", "params": [], "deprecated": False,
                         "examples": []})
    return {"module": module, "is_package": hasattr(mod, "__path__"), "doc": inspect.getdoc(mod) or "",
            "defs": defs, "imports": imports, "star": [],
            "all": list(names) if isinstance(names, (list, tuple)) else None, "all_dynamic": False,
            "bases": {}, "errors": False}


def _class_fact(cls: type, qual: str) -> dict[str, Any]:
    doc = inspect.getdoc(cls) or ""
    sig, params, _ = _signature(cls, qual, doc)
    bases = [b.__name__ for b in cls.__bases__ if b is not object]
    return {"qual": qual, "kind": "class", "line": 0, "doc": _clean_doc(cls, qual), "signature": sig,
            "params": params, "bases": bases, "deprecated": False, "examples": []}


def _member_facts(cls: type, qual: str) -> list[dict[str, Any]]:
    out = []
    for name, obj in vars(cls).items():
        if name.startswith("_"):
            continue
        classy = isinstance(obj, classmethod) or type(obj).__name__ == "classmethod_descriptor"
        binding = "staticmethod" if isinstance(obj, staticmethod) else "classmethod" if classy else ""
        if isinstance(obj, (staticmethod, classmethod)):
            obj = obj.__func__
        if inspect.isroutine(obj):
            fact = _routine_fact(obj, f"{qual}.{name}", "method")
            out.append({**fact, "decorators": [binding]} if binding else fact)
        else:
            # An enum's members (`signal.Signals.SIGINT`) are constants to users, whether the class
            # keeps them as descriptors or as plain values (it differs between Python versions).
            member = name in getattr(cls, "__members__", ())
            if member or inspect.isdatadescriptor(obj) or isinstance(obj, property):
                out.append({"qual": f"{qual}.{name}", "kind": "constant" if member else "property",
                            "line": 0, "doc": "" if member else inspect.getdoc(obj) or "", "signature": "",
                            "params": [], "deprecated": False, "examples": []})
    return out


def fill_gaps(records: list, version: str) -> list:
    """Public stdlib names the static pass cannot see (`random.choice = _inst.choice`,
    `hashlib.sha256` made in a loop, `re.IGNORECASE` from an enum) filled from `inspect`.

    Only for the running interpreter's own standard library (trusted), and only when the index
    was made from that interpreter's version.
    """
    import warnings

    from apirec.records import ApiRecord, Param, format_signature, summarize

    from .resolve import _is_private_path

    if version != "%d.%d.%d" % sys.version_info[:3]:
        return records
    known: set[str] = set()
    modules: list[str] = []
    attributes: dict[str, int] = {}  # public module attributes: some hold a class made at run time
    by_path: dict[str, int] = {}
    for n, r in enumerate(records):
        if r.origin != "stdlib":
            continue
        by_path.setdefault(r.canonical_path, n)
        known.add(r.public_path)
        known.update(r.aliases)
        if r.kind == "module" and not r.private and not r.public_path.startswith("_"):
            modules.append(r.public_path)
        elif r.kind == "attribute" and not r.private:
            attributes[r.public_path] = n
    records = list(records)
    added: list = []
    moved: dict[str, str] = {}  # public path of a hidden class -> the public name it is exported by
    for module in sorted(set(modules)):
        if not can_inspect(module) or module.split(".")[0] in ("tkinter", "turtle"):
            continue
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                mod = import_stdlib(module)
        except Exception:
            continue
        names = getattr(mod, "__all__", None)
        if not isinstance(names, (list, tuple)):
            names = [n for n in vars(mod) if not n.startswith("_")]
        for name in names:
            if isinstance(name, str) and f"{module}.{name}" in attributes:
                _fill_class(records, attributes.pop(f"{module}.{name}"), mod, name, known, added, version)
            if not isinstance(name, str) or name.startswith("_") or f"{module}.{name}" in known:
                continue
            try:
                obj = getattr(mod, name)
            except Exception:
                continue
            if inspect.ismodule(obj):
                continue
            owner = getattr(obj, "__module__", None)
            if (inspect.isclass(obj) or inspect.isfunction(obj)) and owner and owner != module and names is not getattr(mod, "__all__", None):
                continue  # an ordinary import of another module's API, not this module's
            if inspect.isclass(obj):
                fact = _class_fact(obj, name)
                kind = "class"
            elif inspect.isroutine(obj):
                fact = _routine_fact(obj, name, "function")
                kind = "function"
            elif callable(obj):
                continue
            else:
                kind = "constant" if name.isupper() else "attribute"
                fact = {"doc": "", "signature": f" = {value_repr(obj)}", "params": []}
            params = tuple(Param(name=p["name"], annotation=p.get("annotation", ""), default=p.get("default", ""),
                                 kind=p.get("kind", "positional_or_keyword")) for p in fact.get("params", ()))
            sig = fact.get("signature", "")
            if kind in ("function", "class") and sig.startswith("(") and params:
                sig = format_signature(params, fact.get("returns", ""))
            qual = getattr(obj, "__qualname__", None) if kind in ("class", "function") else None
            canonical = f"{owner}.{qual}" if owner and qual else f"{module}.{name}"
            if canonical in by_path and canonical != f"{module}.{name}":
                # Exported lazily (`concurrent.futures.ThreadPoolExecutor` by a module `__getattr__`):
                # a name of the record the source already gave, with its members and bases.
                n = by_path[canonical]
                old = records[n]
                if old.kind != "class" and (_is_private_path(old.public_path) or (
                        old.kind == "method" and _instance_method(obj) and old.public_path == canonical)):
                    # `hashlib.md5` is `_hashlib.openssl_md5`: the public module's name is the one users
                    # call (a class keeps its path, which its members are listed under). So is a module's
                    # method of its own hidden instance (`random.randint` is `_inst.randint`, a
                    # `random.Random` method; `multiprocessing.Pool`, the default context's), a
                    # function as users call it: `Random.randint` stays a member by its alias.
                    records[n] = old.with_(public_path=f"{module}.{name}", private=False,
                                           aliases=(old.public_path, *old.aliases),
                                           kind="function" if old.kind == "method" else old.kind)
                elif old.kind == "class" and old.private and old.public_path not in moved:
                    # `multiprocessing.Process` is `multiprocessing.context.Process`, which that module's
                    # empty `__all__` hides: the class is public by the name exported, members with it.
                    moved[old.public_path] = f"{module}.{name}"
                else:
                    records[n] = old.with_(aliases=old.aliases + (f"{module}.{name}",))
                known.add(f"{module}.{name}")
                continue
            added.append(ApiRecord(public_path=f"{module}.{name}", canonical_path=canonical, kind=kind,
                                   signature=sig, summary=summarize(fact.get("doc", "")), doc=fact.get("doc", ""),
                                   params=params, origin="stdlib", origin_version=version,
                                   extra=(("filled_by", "inspect"),)))
            known.add(f"{module}.{name}")
            if kind == "class" and canonical == f"{module}.{name}":  # its own class: members too
                added.extend(_filled_members(obj, canonical, known, version))
    if moved:
        for n, r in enumerate(records):
            owner = r.public_path if r.public_path in moved else r.parent if r.parent in moved else None
            if owner is None or r.origin != "stdlib":
                continue
            path = moved[owner] + r.public_path[len(owner):]
            if path in known and path != moved[owner]:
                continue
            records[n] = r.with_(public_path=path, private=_is_private_path(path),
                                 aliases=(r.public_path, *(a for a in r.aliases if a != path)))
    return records + added



def _fill_class(records: list, n: int, mod: Any, name: str, known: set[str], added: list,
                version: str) -> None:
    """`re.Pattern = type(_compiler.compile('', 0))`: the source only says it is an attribute, but it
    holds a class whose members (`match`, `search`, `group`) users call. The record becomes that class,
    its members are added from `inspect`."""
    from apirec.records import summarize

    try:
        obj = getattr(mod, name)
    except Exception:
        return
    rec = records[n]
    if not inspect.isclass(obj) or any(k.startswith(rec.public_path + ".") for k in known):
        return
    fact = _class_fact(obj, name)
    records[n] = rec.with_(kind="class", signature=fact["signature"], doc=fact["doc"],
                           summary=summarize(fact["doc"]))
    added.extend(_filled_members(obj, rec.public_path, known, version))


def _filled_members(cls: type, path: str, known: set[str], version: str) -> list:
    """Records of the public methods and properties of a class filled from `inspect`."""
    from apirec.records import ApiRecord, Param, format_signature, summarize

    out = []
    for m in _member_facts(cls, path):
        member = f"{path}.{m['qual'].rsplit('.', 1)[-1]}"
        if member in known:
            continue
        params = tuple(Param(name=p["name"], annotation=p.get("annotation", ""), default=p.get("default", ""),
                             kind=p.get("kind", "positional_or_keyword")) for p in m.get("params", ()))
        sig = m.get("signature", "")
        if sig.startswith("(") and params:
            sig = format_signature(params, m.get("returns", ""))
        out.append(ApiRecord(public_path=member, canonical_path=member, kind=m["kind"], signature=sig,
                             summary=summarize(m.get("doc", "")), doc=m.get("doc", ""), params=params,
                             returns=m.get("returns", ""), origin="stdlib", origin_version=version,
                             extra=(("filled_by", "inspect"),)
                             + tuple(("binding", b) for b in m.get("decorators", ()))))
        known.add(member)
    return out
