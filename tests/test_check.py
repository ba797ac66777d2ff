"""API existence checker on real code strings against the real stdlib index (and a small built one)."""

from __future__ import annotations

import sys
import textwrap
import time
from pathlib import Path

import pytest

from apirec.check import CheckReport, Problem, check_apis, check_report


def problems(code: str, searchers) -> list[Problem]:
    return check_apis(textwrap.dedent(code), searchers)


def test_misspelled_module_function_is_flagged_with_the_real_name(stdlib_searcher):
    code = "import json\n\ndata = json.lods('{}')\n"
    [p] = check_apis(code, [stdlib_searcher])
    assert p.name == "json.lods"
    # The range is the wrong segment, in 0-based str indices.
    assert (p.line, p.character, p.end_character) == (2, 12, 16)
    assert code.splitlines()[p.line][p.character:p.end_character] == "lods"
    assert p.suggestions[0] == "json.loads"
    assert p.message.startswith("json.lods does not exist in json (stdlib ")
    assert "did you mean json.loads" in p.message


def test_correct_code_has_no_problems(stdlib_searcher):
    # Includes members the static index may miss (made at import time: random.choice,
    # hashlib.sha256, re.IGNORECASE, sys.argv, os.path.exists via genericpath): none may be flagged.
    code = """
        import collections
        import hashlib
        import json
        import os.path
        import random
        import re
        import sys
        from collections import OrderedDict, defaultdict
        from collections.abc import Iterable, Mapping
        from json import loads as parse
        from os import path

        def load(p: os.PathLike) -> dict:
            with open(p) as fh:
                data = json.load(fh)
            if os.path.exists(p) and path.isfile(p):
                print(os.path.join(os.path.dirname(p), "x"), sys.argv, os.sep.join(["a"]))
            d = collections.OrderedDict(data)
            collections.OrderedDict.move_to_end(d, "k")
            OrderedDict.fromkeys([])
            collections.OrderedDict.get(d, "k")  # inherited from dict
            random.choice([1, 2]); hashlib.sha256(b"").hexdigest()
            re.compile("x", re.IGNORECASE).match("x")
            json.JSONDecoder().decode("{}")
            return parse(json.dumps(d)) or defaultdict(list)
        """
    assert problems(code, [stdlib_searcher]) == []


def test_not_indexed_module_is_not_checked(stdlib_searcher):
    code = "import numpy as np\nimport json\nnp.arrayy([1]); np.linalg.normm([1])\njson.loads('1')\n"
    report = check_report(code, [stdlib_searcher])
    assert isinstance(report, CheckReport)
    assert report.problems == ()  # numpy is unknown here, not wrong
    assert report.unindexed_modules == ("numpy",)


def test_locally_bound_names_are_not_flagged(stdlib_searcher):
    code = """
        import json
        import collections

        def f(json):              # a parameter shadows the module in f only
            return json.lods()

        class Config:
            pass

        json.custom_hook = print  # the code defines this member itself
        json.custom_hook("x")
        Config.anything
        collections = {}
        collections.itemz()       # rebound at module level
        """
    assert problems(code, [stdlib_searcher]) == []


def test_shadowing_is_scoped_to_the_function(stdlib_searcher):
    code = """
        import json

        def f(json):
            return json.lods()

        def g():
            return json.lods()
        """
    [p] = problems(code, [stdlib_searcher])
    assert (p.name, p.line) == ("json.lods", 7)  # g's reference, not f's parameter


def test_from_import_of_missing_name_is_flagged(stdlib_searcher):
    code = "from json import dumps, lods as parse\nparse('1')\n"
    [p] = check_apis(code, [stdlib_searcher])
    assert p.name == "json.lods"
    assert (p.line, p.character, p.end_character) == (0, 24, 28)
    assert p.suggestions[0] == "json.loads"


def test_submodule_function_and_class_member_typos(stdlib_searcher):
    code = """
        import os.path
        import collections
        import xml.etree.ElementTre
        from collections import OrderedDict

        os.path.joinn("a", "b")
        collections.OrderedDict.move_to_endd({}, 1)
        OrderedDict.popitemm
        """
    found = {p.name: p for p in problems(code, [stdlib_searcher])}
    assert set(found) == {"os.path.joinn", "collections.OrderedDict.move_to_endd",
                          "collections.OrderedDict.popitemm", "xml.etree.ElementTre"}
    assert found["os.path.joinn"].suggestions[0] == "os.path.join"
    assert found["collections.OrderedDict.move_to_endd"].suggestions[0] == "collections.OrderedDict.move_to_end"
    assert found["xml.etree.ElementTre"].suggestions[0] == "xml.etree.ElementTree"
    assert "in collections.OrderedDict (stdlib" in found["collections.OrderedDict.popitemm"].message


def test_positions_are_str_indices_after_non_ascii_text(stdlib_searcher):
    code = "import json\ns = 'héllo wörld ✓'; json.lods(s)\n"
    [p] = check_apis(code, [stdlib_searcher])
    assert code.splitlines()[1][p.character:p.end_character] == "lods"


def test_unsupported_language_is_an_error(stdlib_searcher):
    with pytest.raises(ValueError, match="unsupported language 'cobol'"):
        check_apis("x", [stdlib_searcher], language="cobol")


def test_real_stdlib_sources_give_no_false_alarms(stdlib_searcher):
    # Correct, import-heavy code: every report here would be a false alarm.
    lib = Path(json_file := __import__("json").__file__).parents[1]
    for rel in ("argparse.py", "textwrap.py", "json/decoder.py", "configparser.py", "dataclasses.py",
                "csv.py", "inspect.py"):
        code = (lib / rel).read_text("utf-8")
        assert check_apis(code, [stdlib_searcher]) == [], rel
    assert json_file


def test_two_hundred_lines_check_in_milliseconds(stdlib_searcher):
    block = textwrap.dedent("""
        import json, os.path, collections, re
        def f{i}(p):
            d = json.loads(open(p).read())
            q = os.path.join(os.path.dirname(p), "x")
            c = collections.Counter(d).most_common(3)
            return re.sub("a", "b", q), json.dumpz(c)
        """)
    code = "".join(block.replace("{i}", str(i)) for i in range(29))  # ~200 lines
    assert 190 <= code.count("\n") <= 240
    check_apis(code, [stdlib_searcher])  # warm caches (stdlib imports, sqlite pages)
    t = time.perf_counter()
    found = check_apis(code, [stdlib_searcher])
    elapsed = time.perf_counter() - t
    assert len(found) == 29 and {p.name for p in found} == {"json.dumpz"}
    # Typically 3-6 ms; a loose bound for shared CI machines.
    assert elapsed < 0.25, f"{elapsed * 1000:.0f} ms"


def test_own_package_members_through_bases_and_dynamic_modules(make_tree, tmp_path, apirec_home,
                                                                stdlib_searcher):
    from apirec.build import build_index
    from apirec.search import Searcher

    repo = make_tree({
        "mylib/__init__.py": '''
            """My library."""
            from .shapes import Shape, Circle


            def real_function(x):
                """Do the real thing."""
                return x
            ''',
        "mylib/shapes.py": '''
            class Shape:
                """A shape."""

                def area(self):
                    """Area of the shape."""
                    return 0.0


            class Circle(Shape):
                """A circle."""

                def radius(self):
                    """Radius."""
                    return 1.0
            ''',
        "mylib/lazy.py": '''
            """Members made on demand: the index cannot list them."""


            def __getattr__(name):
                return name
            ''',
    })
    index = tmp_path / "ix"
    build_index(index, [str(repo / "mylib")])
    own = Searcher(index, load_dense=False)
    code = """
        import json
        import mylib
        import mylib.lazy
        from mylib import Circle, real_functio

        mylib.real_function(1); mylib.real_fuction(2)
        Circle.area; Circle.radius; mylib.Circle.perimeter
        mylib.lazy.anything_at_all
        json.lods
        """
    found = {p.name: p for p in problems(code, [stdlib_searcher, own])}
    assert set(found) == {"mylib.real_functio", "mylib.real_fuction", "mylib.Circle.perimeter", "json.lods"}
    assert found["mylib.real_fuction"].suggestions == ("mylib.real_function",)
    assert "perimeter does not exist in mylib.Circle" in found["mylib.Circle.perimeter"].message
    # Only the searcher that knows a module can judge it: without `own`, mylib is unchecked.
    report = check_report(textwrap.dedent(code), [stdlib_searcher])
    assert [p.name for p in report.problems] == ["json.lods"] and report.unindexed_modules == ("mylib",)
    assert sys.modules.get("mylib") is None  # the checked code's own modules are never imported
