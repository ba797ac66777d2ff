"""Real tree-sitter on real code strings: what one module's facts hold."""

from apirec.indexer.python_ts import extract_module

CODE = b'''
"""A sample module."""
import os
import numpy as np
from .core import frame as fr
from . import helpers
from ..up import thing

__all__ = ["load", "Client"]
__all__ += ["MAX_SIZE"]

MAX_SIZE = 10
"""Largest size."""
_private = 1


def load(path: str, *, strict: bool = False, **kw: int) -> dict:
    """Load a file.

    :param path: where to read from
    """
    return np.array(os.listdir(path))


@deprecated("use load")
def old_load(path):
    """Old loader."""


class Client(Base):
    """A client.

    >>> c = Client("h")
    >>> c.connect()
    """

    retries = 3

    def __init__(self, host, port=80):
        self.host = host

    def connect(self, timeout=None):
        """Connect to the host."""

    @property
    def url(self):
        """The URL."""

    @url.setter
    def url(self, v):
        pass

    @staticmethod
    def parse(text):
        "Parse text."

try:
    from _speedups import fast
except ImportError:
    def fast(x):
        """Pure-Python fallback."""
'''


def facts():
    return extract_module(CODE, "pkg.mod", is_package=False)


def by_qual(f):
    return {d["qual"]: d for d in f["defs"]}


def test_definitions_kinds_signatures_and_docs():
    d = by_qual(facts())
    assert d["load"]["kind"] == "function"
    assert d["load"]["signature"] == "(path: str, *, strict: bool = False, **kw: int) -> dict"
    assert [p["kind"] for p in d["load"]["params"]] == ["positional_or_keyword", "keyword_only", "var_keyword"]
    assert d["load"]["doc"].startswith("Load a file.")
    assert [p["name"] for p in d["load"]["params"]] == ["path", "strict", "kw"]
    assert d["load"]["params"][1]["kind"] == "keyword_only"
    assert d["Client"]["kind"] == "class" and d["Client"]["bases"] == ["Base"]
    assert d["Client"]["signature"] == "(host, port=80)"  # the constructor's, without self
    assert d["Client.connect"]["kind"] == "method"
    assert [p["name"] for p in d["Client.connect"]["params"]] == ["timeout"]
    assert d["Client.url"]["kind"] == "property"
    assert [p["name"] for p in d["Client.parse"]["params"]] == ["text"]  # staticmethod keeps its first arg
    assert d["Client.retries"]["kind"] == "attribute"
    assert d["MAX_SIZE"]["kind"] == "constant" and d["MAX_SIZE"]["doc"] == "Largest size."
    assert d["old_load"]["deprecated"] is True and d["load"]["deprecated"] is False
    assert d["Client"]["examples"] == ['c = Client("h")\nc.connect()']
    assert d["fast"]["doc"] == "Pure-Python fallback."  # definitions inside try/except count


def test_a_deprecated_parameter_does_not_deprecate_its_function():
    # pandas 3.1 deprecates `inplace` under every method that takes it (dropna, drop_duplicates,
    # sort_values), and `urllib.request.urlopen` warns only when passed `cafile`: they had been marked
    # deprecated, which ranks an API low and strikes it through in editors.
    code = b'''
import warnings

def dropna(axis=0, inplace=False):
    """Remove missing values.

    Parameters
    ----------
    inplace : bool, default False
        Whether to modify the DataFrame rather than creating a new one.

        .. deprecated:: 3.1.0

            This keyword is deprecated and will be removed in pandas 4.0.
    """

def split(s, comments=False):
    """Split the string s using shell-like syntax.

    Args:
        s: the string. Passing None is deprecated.
    """

def urlopen(url, cafile=None):
    """Open the URL url."""
    global _opener
    if cafile:
        warnings.warn("cafile is deprecated", DeprecationWarning, 2)

def old_split(s):
    """Split s.

    .. deprecated:: 2.0
        Use split.
    """

def older_split(s):
    """Split s."""
    warnings.warn("older_split is deprecated", DeprecationWarning, stacklevel=2)

def oldest_split(s):
    """This function is deprecated; use split.

    :param s: the string
    """
'''
    got = {d["qual"]: d["deprecated"] for d in extract_module(code, "m")["defs"]}
    assert got == {"dropna": False, "split": False, "urlopen": False,
                   "old_split": True, "older_split": True, "oldest_split": True}


def test_imports_relative_resolution_all_and_calls():
    f = facts()
    imps = {i["name"]: (i["module"], i["attr"]) for i in f["imports"]}
    assert imps["np"] == ("numpy", None)
    assert imps["fr"] == ("pkg.core", "frame")
    assert imps["helpers"] == ("pkg", "helpers")
    assert imps["thing"] == ("up", "thing")  # two dots from pkg.mod climb to the root
    assert f["all"] == ["load", "Client", "MAX_SIZE"] and f["all_dynamic"] is False
    assert f["calls"]["numpy.array"] == 1 and f["calls"]["os.listdir"] == 1
    assert f["doc"] == "A sample module."


def test_overloads_give_way_to_the_implementation():
    src = b"""
from typing import Literal, overload

class Frame:
    @overload
    def sort(self, *, inplace: Literal[True]) -> None: ...
    @overload
    def sort(self, *, inplace: Literal[False] = ...) -> Frame: ...
    def sort(self, *, inplace: bool = False) -> Frame | None:
        \"\"\"Sort the rows.\"\"\"

@overload
def pick(x: int) -> None: ...
@overload
def pick(x: str) -> str: ...

class UFunc:
    @overload
    def __call__(self, x: float) -> Any: ...
    @overload
    def __call__(self, x: ArrayLike) -> NDArray[Any]: ...
"""
    defs = {d["qual"]: d for d in extract_module(src, "m")["defs"]}
    sort = defs["Frame.sort"]
    assert (sort["signature"], sort["returns"], sort["doc"]) == (
        "(self, *, inplace: bool = False) -> Frame | None", "Frame | None", "Sort the rows.")
    assert defs["pick"]["returns"] == "str"  # overloads alone (a stub): the first that returns something
    assert defs["UFunc.__call__"]["returns"] == "NDArray[Any]"  # ... definite


def test_syntax_errors_keep_what_parses():
    broken = b"def good(a):\n    '''Fine.'''\n\ndef bad(:\n    pass\n\nclass Also:\n    def m(self): pass\n"
    f = extract_module(broken, "m")
    quals = set(by_qual(f))
    assert "good" in quals and "Also" in quals
    assert f["errors"] is True


def test_garbage_input_never_raises():
    for data in (b"", b"\x00\x01\x02", b"(((((" * 2000, "é = 'ü'\n".encode(), b"class\n" * 100):
        extract_module(data, "x")


def test_a_file_past_the_line_cap_is_skipped_with_its_reason(monkeypatch):
    """A generated file of hundreds of thousands of lines would cost the parser ~500 bytes a line."""
    from apirec.indexer import python_ts

    monkeypatch.setattr(python_ts, "MAX_LINES", 50)
    small = extract_module(b"def f():\n    'Doc.'\n" + b"x = 1\n" * 40, "m")
    assert "skipped" not in small and [d["qual"] for d in small["defs"]][:1] == ["f"]
    big = extract_module(b"def f():\n    'Doc.'\n" + b"x = 1\n" * 60, "m")
    assert big["defs"] == [] and big["skipped"] == "62 lines (more than 50): not parsed"


def test_attributes_the_methods_set_on_the_instance():
    # `proc.returncode`, `record.levelname`: set in methods, read by users; the class's own names win.
    code = b'''
class Proc:
    timeout = 3

    def __init__(self, args: list, stdin=None):
        self.args = args
        self.stdout = None
        self.returncode = None
        """The exit status."""
        self._handle = 0
        if stdin:
            self.stdin = open(stdin)
        def later():
            self.inner = 1

    def start(self):
        self.stdout = make_pipe()
        self.timeout = 5
        self.args = "ignored"

    @property
    def pid(self):
        return 1

    def wait(self):
        self.pid = 2
'''
    d = by_qual(extract_module(code, "m", is_package=False))
    assert d["Proc.args"]["kind"] == "attribute" and d["Proc.args"]["signature"] == ": list"  # the param's
    assert d["Proc.stdout"]["signature"] == " = make_pipe()"  # the first informative value, not None
    assert d["Proc.returncode"]["doc"] == "The exit status."
    assert d["Proc.stdin"]["signature"] == " = open(stdin)"  # inside an if
    assert d["Proc.timeout"]["signature"] == " = 3" and d["Proc.pid"]["kind"] == "property"
    assert d["Proc.args"]["instance"] is True and "instance" not in d["Proc.timeout"]
    assert "Proc._handle" not in d and "Proc.inner" not in d


def test_what_a_function_gives_back():
    # Completion weighs it against how the call's result is used (`x = h.▮()` wants a value).
    src = b'''
def value(x):
    """Doc."""
    if x:
        return x + 1
    return None

def nothing(x):
    if not x:
        return
    print(x)

def generator():
    for i in range(3):
        yield i

def outer():
    def inner():
        return 1
    lam = lambda: 2
    inner()

def falls_off():
    x = 1

class Base:
    def abstract(self):
        """Subclasses say."""
        raise NotImplementedError

    def stub(self): ...

    def explicit_none(self):
        return None
'''
    defs = {d["qual"]: d.get("result") for d in extract_module(src, "m")["defs"]}
    assert defs == {"value": "value", "nothing": "none", "generator": "value", "outer": "none",
                    "falls_off": "none", "Base": None, "Base.abstract": "", "Base.stub": "",
                    "Base.explicit_none": "none"}


def test_enter_says_which_constructor_argument_it_hands_back():
    # `with Wrap(conn) as c`: c is the wrapped object (contextlib.closing's pattern), by position.
    code = b'''
class Wrap:
    def __init__(self, name, thing, *, opt=None):
        self.thing = thing
        self.opt = opt
    def __enter__(self):
        """The thing."""
        return self.thing

class ByKeyword(Wrap):
    def __init__(self, *, thing):
        self.thing = thing
    def __enter__(self):
        return self.thing

class Computed:
    def __init__(self, thing):
        self.thing = [thing]
    def __enter__(self):
        return self.thing
'''
    defs = {d["qual"]: d for d in extract_module(code, "m", False)["defs"]}
    assert defs["Wrap.__enter__"]["enters_arg"] == 1
    assert "enters_arg" not in defs["ByKeyword.__enter__"]  # not passed by position
    assert "enters_arg" not in defs["Computed.__enter__"]  # not the argument itself


def test_the_call_names_kept_of_a_file_with_many_are_the_same_every_time():
    # Past MAX_CALL_NAMES the most called names are kept; ties go by name, since tree-sitter hands the
    # calls over in no fixed order (the usage prior mined twice differed).
    from apirec.indexer.python_ts import MAX_CALL_NAMES

    names = [f"f{i:04d}" for i in range(MAX_CALL_NAMES + 5)]
    src = "".join(f"{n}()\n" for n in reversed(names)) + "often()\noften()\n"
    calls = extract_module(src.encode(), "m")["calls"]
    assert len(calls) == MAX_CALL_NAMES and calls["often"] == 2
    assert set(calls) == {"often", *names[: MAX_CALL_NAMES - 1]}
