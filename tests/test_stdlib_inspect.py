"""Facts of the standard library's C modules and run-time classes, from `inspect` of the running
interpreter's own stdlib (indexer/stdlib_inspect.py)."""

from __future__ import annotations

import subprocess
import sys


def test_classes_made_at_run_time_are_filled_with_their_members():
    # `re.Pattern = type(_compiler.compile('', 0))`: the source says an attribute, the running stdlib
    # holds a class; the index lists its methods (`pat.match`), and an enum's members as constants.
    import sys

    from apirec.indexer.stdlib_inspect import fill_gaps

    from apirec.records import ApiRecord

    v = "%d.%d.%d" % sys.version_info[:3]
    recs = [ApiRecord(public_path=p, canonical_path=p, kind=k, origin="stdlib", origin_version=v)
            for p, k in (("re", "module"), ("re.Pattern", "attribute"), ("signal", "module"))]
    got = {r.public_path: r for r in fill_gaps(recs, v)}
    assert got["re.Pattern"].kind == "class"
    assert got["re.Pattern.match"].kind == "method" and got["re.Pattern.match"].params[0].name == "string"
    assert got["re.Match.group"].kind == "method"  # a class fill_gaps adds brings its members too
    assert got["signal.Signals.SIGINT"].kind == "constant"
    from apirec.indexer.stdlib_inspect import _member_facts

    members = {m["qual"]: m["kind"] for m in _member_facts(__import__("ssl").Purpose, "Purpose")}
    assert members["Purpose.SERVER_AUTH"] == "constant"  # an enum that keeps its members as plain values
    assert fill_gaps(recs, "2.7.0") == recs  # another interpreter's stdlib: nothing is inspected


def test_c_module_facts_do_not_depend_on_what_was_imported_before():
    # `_decimal`'s objects say they are `decimal`'s: whether `decimal` was imported already once decided
    # whether the index held 166 definitions of them or 20 re-exports.
    script = ("import sys\n{}\nfrom apirec.indexer.stdlib_inspect import module_facts\n"
              "f = module_facts('_decimal')\nprint(len(f['defs']), len(f['imports']))")
    got = [subprocess.run([sys.executable, "-c", script.format(pre)], capture_output=True, text=True,
                          check=True).stdout.split() for pre in ("import decimal", "pass")]
    assert got[0] == got[1] and int(got[0][0]) > 100, got


def test_a_lazily_exported_class_is_a_name_of_its_record():
    # `concurrent.futures.ThreadPoolExecutor` comes from a module `__getattr__`: it names the record the
    # source gave (with its members and bases), not a new memberless class.
    from apirec.indexer.stdlib_inspect import fill_gaps

    from apirec.records import ApiRecord

    v = "%d.%d.%d" % sys.version_info[:3]
    real = "concurrent.futures.thread.ThreadPoolExecutor"
    recs = [ApiRecord(public_path="concurrent.futures", canonical_path="concurrent.futures", kind="module",
                      origin="stdlib", origin_version=v),
            ApiRecord(public_path=real, canonical_path=real, kind="class", origin="stdlib", origin_version=v)]
    got = {r.public_path: r for r in fill_gaps(recs, v)}
    assert "concurrent.futures.ThreadPoolExecutor" not in got
    assert got[real].aliases == ("concurrent.futures.ThreadPoolExecutor",)


def test_a_private_c_function_takes_the_name_its_public_module_gives_it():
    # `hashlib.md5` is `_hashlib.openssl_md5` (bound by `globals()[name] = ...`): users call it by the
    # public name, which search shows and ranks as public; the private one stays an alias.
    import hashlib

    from apirec.indexer.stdlib_inspect import fill_gaps

    from apirec.records import ApiRecord

    v = "%d.%d.%d" % sys.version_info[:3]
    fn = hashlib.md5
    real = f"{fn.__module__}.{fn.__qualname__}"
    assert real.startswith("_")  # otherwise this interpreter has nothing to show here
    recs = [ApiRecord(public_path="hashlib", canonical_path="hashlib", kind="module", origin="stdlib",
                      origin_version=v),
            ApiRecord(public_path=real, canonical_path=real, kind="function", origin="stdlib",
                      origin_version=v, private=True)]
    got = {r.canonical_path: r for r in fill_gaps(recs, v)}
    assert got[real].public_path == "hashlib.md5" and not got[real].private
    assert real in got[real].aliases


def test_a_modules_method_of_its_own_instance_is_public_as_the_modules_function():
    # `random.randint = _inst.randint` (a `random.Random` method bound to a hidden instance): users call
    # `random.randint`, which search shows (and APIBench-Q's gold names); the method stays an alias, so
    # `random.Random().` still lists it. A class's own method (`dict.fromkeys`) is not one of these.
    from apirec.indexer.stdlib_inspect import fill_gaps

    from apirec.records import ApiRecord

    v = "%d.%d.%d" % sys.version_info[:3]
    recs = [ApiRecord(public_path=p, canonical_path=p, kind=k, origin="stdlib", origin_version=v)
            for p, k in (("random", "module"), ("random.Random", "class"),
                         ("random.Random.randint", "method"), ("random.Random.seed", "method"))]
    got = {r.canonical_path: r for r in fill_gaps(recs, v)}
    assert got["random.Random.randint"].public_path == "random.randint"
    assert got["random.Random.randint"].kind == "function"  # as users call it
    assert got["random.Random.randint"].aliases[0] == "random.Random.randint"
    assert got["random.Random"].public_path == "random.Random"  # the class keeps its path
    assert got["random.Random.seed"].public_path == "random.seed"


def test_the_stdlib_folders_include_the_base_interpreters_extension_modules():
    # In a virtual environment `platstdlib` is the venv's folder; the C extension modules live in the
    # base interpreter's lib-dynload, and were missing from venv users' indexes (`select`, `_decimal`).
    import importlib
    import os

    from apirec.indexer.stdlib_inspect import _stdlib_dirs

    found = [m.__file__ for m in map(importlib.import_module, ("_decimal", "select", "_socket"))
             if getattr(m, "__file__", None)]
    assert all(os.path.dirname(f) in _stdlib_dirs() for f in found), (found, _stdlib_dirs())


def test_a_signature_that_cannot_be_read_leaves_the_rest_of_the_module():
    # `_curses.window.border`'s text signature names ACS_* constants that exist only after initscr():
    # reading it raised AttributeError, and the whole module was skipped with a warning.
    import pytest

    pytest.importorskip("_curses")
    from apirec.indexer.stdlib_inspect import module_facts

    defs = {d["qual"]: d for d in module_facts("_curses")["defs"]}
    assert defs["window.border"]["doc"].startswith("Draw a border around the edges of the window.")
    assert "window.addstr" in defs and len(defs) > 100


def test_a_second_name_of_a_c_class_is_a_binding_not_a_second_class():
    # `_socket.SocketType is _socket.socket`, `array.ArrayType is array.array`: indexed once, so search
    # does not list `send` twice and `socket.socket` can take the members it inherits.
    from apirec.indexer.stdlib_inspect import module_facts

    for module, alias, real in (("_socket", "SocketType", "socket"), ("array", "ArrayType", "array")):
        facts = module_facts(module)
        quals = {d["qual"] for d in facts["defs"]}
        assert real in quals and (f"{real}.close" in quals or f"{real}.append" in quals)
        assert alias not in quals and not any(q.startswith(alias + ".") for q in quals)
        assert {"name": alias, "module": None, "attr": real, "line": 0, "local": True} in facts["imports"]


def test_a_class_a_modules_all_hides_is_public_by_the_name_exported():
    # `multiprocessing.Process` is `multiprocessing.context.Process`, and context.py's `__all__ = ()`
    # hid it: search had no `multiprocessing.Process` to show (nor its members under it).
    from apirec.indexer.stdlib_inspect import fill_gaps

    from apirec.records import ApiRecord

    v = "%d.%d.%d" % sys.version_info[:3]
    real = "multiprocessing.context.Process"
    recs = [ApiRecord(public_path="multiprocessing", canonical_path="multiprocessing", kind="module",
                      origin="stdlib", origin_version=v),
            ApiRecord(public_path=real, canonical_path=real, kind="class", origin="stdlib", origin_version=v,
                      private=True),
            ApiRecord(public_path=f"{real}.sentinel_note", canonical_path=f"{real}.sentinel_note",
                      kind="property", origin="stdlib", origin_version=v, private=True)]
    got = {r.canonical_path: r for r in fill_gaps(recs, v)}
    assert got[real].public_path == "multiprocessing.Process" and not got[real].private
    assert real in got[real].aliases
    member = got[f"{real}.sentinel_note"]
    assert member.public_path == "multiprocessing.Process.sentinel_note" and not member.private


def test_discovery_lists_only_the_c_modules_this_interpreter_has():
    # `sys.stdlib_module_names` names winreg and msvcrt everywhere; listed here they gave no facts and
    # were looked for again on every refresh.
    from apirec.indexer.sources import discover

    keys = {i.key for i in discover(["python:stdlib"]).items if i.kind == "inspect"}
    assert {"inspect:_socket", "inspect:builtins"} <= keys
    absent = {n for n in ("winreg", "msvcrt", "_winapi", "nt") if n not in sys.builtin_module_names}
    assert absent and not {f"inspect:{n}" for n in absent} & keys


def test_a_constants_value_reads_the_same_in_every_run():
    # `sre_parse.DIGITS` (a frozenset: salted string hashes order it per process) and `socket.CAPI` (an
    # address) changed on every refresh of the same interpreter's index.
    import subprocess

    from apirec.indexer.stdlib_inspect import value_repr

    assert value_repr(frozenset("cab")) == "frozenset({'a', 'b', 'c'})"
    assert value_repr({2, 1}) == "{1, 2}" and value_repr(set()) == "set()"
    assert value_repr(object()) == "<object object>"
    script = "from apirec.indexer.stdlib_inspect import value_repr; print(value_repr(frozenset('abcdefgh')))"
    runs = {subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                           env={**__import__("os").environ, "PYTHONHASHSEED": seed}).stdout
            for seed in ("1", "2", "3")}
    assert len(runs) == 1
