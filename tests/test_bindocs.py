"""Docstrings of compiled extension modules, read from the file's bytes (never loaded)."""

from __future__ import annotations

import os
import sysconfig
from pathlib import Path

import pytest
from apirec.indexer import bindocs

from apirec.build import build_index
from apirec.cli import main
from apirec.search import Searcher


def _ufunc_doc(summary: str, *calls: str) -> str:
    examples = "\n".join(f">>> np.{c}([1, 2], [3, 4])" for c in calls)
    return (f"{summary}\n\nParameters\n----------\nx1, x2 : array_like\n    Input arrays.\n\n"
            f"Returns\n-------\ny : ndarray\n    The result.\n\nExamples\n--------\n{examples}\n")


def _binary(*docs: str) -> bytes:
    # What a compiler leaves in a shared object: code, then NUL-terminated string constants.
    code = b"\x7fELF\x02\x01\x01\x00" + bytes(range(1, 32)) * 8
    return code + b"\x00".join(d.encode() for d in docs) + b"\x00"


def test_docstrings_are_read_from_the_bytes_and_matched_by_name_and_examples():
    docs = bindocs.docstrings(_binary(
        "dumps(obj, /, default=None)\n--\n\nSerialize obj to a JSON formatted str, quickly and in C code.",
        "short", "not a docstring, just some long diagnostic message text: cannot add loop to the ufunc",
        _ufunc_doc("Add arguments element-wise.", "add", "arange", "arange"),
        _ufunc_doc("Natural logarithm, element-wise.", "log"),
        _ufunc_doc("Base-2 logarithm of `x`.", "log2"),
        _ufunc_doc("Logarithm of the sum of exponentiations of the inputs.", "log", "log", "logaddexp"),
        _ufunc_doc("Element-wise maximum of array elements.", "maximum"),
    ))
    assert len(docs) == 6  # the text-signature doc and the five numpydoc ones
    got = bindocs.match(docs, {"dumps", "add", "arange", "log", "log2", "logaddexp", "maximum", "pi"})
    assert got["dumps"] == "Serialize obj to a JSON formatted str, quickly and in C code."
    # The first call of an example names the function; of the names called, the one that keeps the
    # file's order is the docstring's own (logaddexp's examples call log first, but log2 came before).
    assert {n: d.split("\n")[0] for n, d in got.items() if n != "dumps"} == {
        "add": "Add arguments element-wise.", "log": "Natural logarithm, element-wise.",
        "log2": "Base-2 logarithm of `x`.",
        "logaddexp": "Logarithm of the sum of exponentiations of the inputs.",
        "maximum": "Element-wise maximum of array elements."}
    assert bindocs.match(docs, {"sqrt"}) == {}  # no docstring shows it
    assert bindocs.extension_module("_umath.cpython-311-x86_64-linux-gnu.so") == "_umath"
    assert bindocs.extension_module("_speedups.abi3.so") == "_speedups"
    assert bindocs.extension_module("fast.pyd") == "fast"
    assert bindocs.extension_module("libtorch_cpu.so") is None  # a bundled library, not a module
    assert bindocs.extension_module("libscipy_openblas64_-ff651d7f.so") is None


def test_an_extension_module_documents_what_the_stubs_declare(make_tree, tmp_path, capsys):
    pkg = make_tree({
        "numkit/__init__.pyi": (
            "from typing import Any\n\n"
            "maximum: Any\nlogaddexp: Any\n\n"
            "def dumps(obj: object) -> str: ...\n\n"
            "def total(a: list) -> float:\n    \"\"\"Sum of the values.\"\"\"\n"),
        "numkit/_core/__init__.py": "",
    }, name="site")
    (pkg / "numkit" / "_core" / "_umath.cpython-311-x86_64-linux-gnu.so").write_bytes(_binary(
        _ufunc_doc("Logarithm of the sum of exponentiations of the inputs.", "logaddexp"),
        _ufunc_doc("Element-wise maximum of array elements.\n\nCompare two arrays and return a new array "
                   "containing the element-wise maxima.", "maximum"),
        "dumps(obj, /)\n--\n\nSerialize obj to a JSON formatted str.",
        "total(a)\n--\n\nA docstring the stub's own doc wins over."))
    index = tmp_path / "index"
    report = build_index(index, [str(pkg)])
    assert report.files == 3  # the stub, the subpackage and the binary
    s = Searcher(index)
    assert s.exact("numkit.maximum").summary == "Element-wise maximum of array elements."
    assert s.exact("numkit.dumps").summary == "Serialize obj to a JSON formatted str."
    assert s.exact("numkit.total").summary == "Sum of the values."
    top = [h.record.public_path for h in s.search("element-wise maxima of two arrays", k=3)]
    assert top[0] == "numkit.maximum", top
    assert main(["show", "numkit.logaddexp", "--index", str(index)]) == 0
    assert "Logarithm of the sum of exponentiations" in capsys.readouterr().out


def test_numpy_ufuncs_get_their_docs():
    core = Path(sysconfig.get_paths()["purelib"]) / "numpy" / "_core"
    so = next(core.glob("_multiarray_umath*.so"), None)
    if so is None:
        pytest.skip("numpy's compiled core is not installed here")
    docs = bindocs.docstrings(so.read_bytes())
    names = {"add", "subtract", "maximum", "minimum", "sqrt", "exp", "log", "log2", "logaddexp", "isnan",
             "logical_and", "cos", "tan", "absolute"}
    got = {n: d.split("\n")[0] for n, d in bindocs.match(docs, names).items()}
    assert got["maximum"] == "Element-wise maximum of array elements."
    assert got["sqrt"] == "Return the non-negative square-root of an array, element-wise."
    assert got["log"] == "Natural logarithm, element-wise."
    assert got["logaddexp"] == "Logarithm of the sum of exponentiations of the inputs."
    assert got["tan"] == "Compute tangent element-wise."
    assert got["isnan"].startswith("Test element-wise for NaN")
    assert set(got) == names, sorted(names - set(got))
    assert os.path.getsize(so) < bindocs.MAX_BYTES


def _cython_doc(summary: str, example: str) -> str:
    # Cython keeps a docstring as the source wrote it, indented.
    return (f"\n    {summary}\n\n    Parameters\n    ----------\n    obj : object\n\n"
            f"    Returns\n    -------\n    bool\n\n"
            f"    Examples\n    --------\n    >>> {example}\n    True\n    ")


def test_an_extension_documents_its_own_stub_in_source_order(make_tree, tmp_path):
    pkg = make_tree({
        "tables/__init__.py": "from tables._libs.lib import is_bool, is_number, is_scalar, Stamp\n",
        "tables/_libs/__init__.py": "",
        "tables/_libs/lib.pyi": (
            "def is_scalar(obj: object) -> bool: ...\n"
            "def is_bool(obj: object) -> bool: ...\n"
            "def is_number(obj: object) -> bool:\n    \"\"\"Its own doc.\"\"\"\n\n"
            "class Stamp:\n    @classmethod\n    def now(cls) -> Stamp: ...\n"
            "    @property\n    def year(self) -> int: ...\n\n"
            "class Offset: ...\n\n"
            "class Span:\n    def view(self, dtype: str) -> int: ...\n\n"
            "def make_stamp(seed: int | None = None) -> Stamp: ...\n"),
    }, name="site")
    (pkg / "tables" / "_libs" / "lib.cpython-311-x86_64-linux-gnu.so").write_bytes(_binary(
        _cython_doc("Return True if given object is scalar.", "tb.api.is_scalar(1)"),  # not in name order
        _cython_doc("Return True if given object is boolean.", "tb.api.is_bool(True)"),
        _cython_doc("Return the current time.", "tb.Stamp.now()"),
        _cython_doc("Return the year of the stamp.", "tb.Stamp('2024').year"),
        _cython_doc("Return the month of the stamp.", "tb.Stamp('2024').month"),
        _cython_doc("Return True if given object is a number.", "tb.api.is_number(1)"),
        # A member's examples make its class first; the class is not what this one documents.
        _cython_doc("Return whether a stamp is on this offset.", "tb.Offset(1).is_on_offset(ts)"),
        # No Returns section, but the examples go on to call a member the stub declares (`Span.view`).
        "Array view compatibility.\n\nParameters\n----------\ndtype : str\n\nExamples\n--------\n"
        ">>> sp = tb.Span(1)\n>>> sp.view('i8')\n",
        # Cython's embedded signature names the function.
        "make_stamp(seed=None)\n\nConstruct a new Stamp.\n\nParameters\n----------\nseed : int\n"))
    index = tmp_path / "index"
    build_index(index, [str(pkg)])
    s = Searcher(index)
    assert s.exact("tables.is_scalar").summary == "Return True if given object is scalar."
    assert s.exact("tables.is_bool").summary == "Return True if given object is boolean."
    assert s.exact("tables.Stamp.now").summary == "Return the current time."
    assert s.exact("tables.is_number").summary == "Its own doc."
    # Two docstrings call Stamp first (a property's examples make one to read it from): neither is its.
    assert s.exact("tables.Stamp").summary == "" and s.exact("tables.Stamp.year").summary == ""
    assert s.exact("tables._libs.lib.Offset").summary == ""
    assert s.exact("tables._libs.lib.Span").summary == ""
    assert s.exact("tables._libs.lib.make_stamp").summary == "Construct a new Stamp."
