"""Fuzzed and mutated files through every extractor and the tokenizer: no crash, no hang."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmarks import reliability as rel


@pytest.mark.slow
def test_fuzz_every_extractor_no_crash_no_hang(tmp_path):
    r = rel.fuzz_extractors(250, seed=99, workers=2, cap_s=60, save_dir=tmp_path / "cases")
    assert r["hangs"] == 0, r["hang_cases"]
    assert r["crashes"] == 0, r["crash_cases"]
    assert sum(r["seed_files"].values()) > 50 and r["calls"] == 250 * len(rel.EXTRACTORS)


SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=list(HealthCheck))


@SETTINGS
@given(st.binary(max_size=3000))
def test_hypothesis_bytes_every_extractor(data):
    res = rel.run_extractors(data, tuple(e for e in rel.EXTRACTORS))
    assert res["errors"] == []


_PY_TOKENS = ["def ", "class ", "(", ")", ":", "\n", "    ", '"""', "'", "import ", "from ", " as ", "@", "=",
              "lambda", "*", "**", ",", "\\", "#", "async ", "await ", "yield", "\t", "\x00", "\ud800", "é", "__all__"]
_DOC_TOKENS = ["```python\n", "```\n", "# ", "## ", "`a.b()`", ".. function:: ", ".. class:: ", "   ", "\n", "- ",
               "<dl class=\"py function\">", "<dt id=\"m.f\">", "</dt>", "<dd>", "</dd></dl>", "{\"name\": ",
               "\"x.y\"", "}", "[", "]", ",", "public class ", "{", "/** ", "*/", "@param ", "{@link ", "<", ">"]


@SETTINGS
@given(st.lists(st.sampled_from(_PY_TOKENS + _DOC_TOKENS) | st.text(max_size=8), max_size=200))
def test_hypothesis_token_soup_every_extractor(parts):
    data = "".join(parts).encode("utf-8", "surrogatepass")
    res = rel.run_extractors(data)
    assert res["errors"] == []


# -- regressions of fixed bugs (run in a child: the bug was a segfault or a recursion) -------------------


def _child(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                          timeout=120, env=rel._env())


def test_java_deeply_nested_types_no_recursion_error():
    p = _child("""
        from apirec.indexer import java
        n = 5000
        src = b"public class A {" + b"public class B {" * n + b"}" * n + b"}"
        recs, sup = java.extract_java_unit(src, "A.java")
        assert 0 < len(recs) <= java.MAX_TYPE_DEPTH + 1, len(recs)
        src = b"public class A { public class B { /** Doc. */ public void f() {} } }"
        assert "A.B.f" in [r.public_path for r in java.extract_java_unit(src, "A.java")[0]]
        print("ok")
    """)
    assert p.returncode == 0 and "ok" in p.stdout, p.stderr[-2000:]


def test_doc_code_example_deep_indentation_no_segfault():
    p = _child("""
        from pathlib import Path
        from apirec.indexer import docs
        code = "".join(" " * i + "`x` y\\n" for i in range(3000))
        recs, ex = docs.parse_doc_file(Path("a.md"), "# t\\n\\n```python\\n" + code + "```\\n")
        assert ex and ex[0].names == ()
        html = '<div class="highlight-python"><pre>' + code + '</pre></div>'
        docs.parse_doc_file(Path("a.html"), html)
        assert docs.referenced_names("import json\\nif x:\\n    json.loads(s)\\n") == ("json.loads",)
        print("ok")
    """)
    assert p.returncode == 0 and "ok" in p.stdout, (p.returncode, p.stderr[-2000:])


# -- regressions of bugs fixed in python_ts (they crashed the indexer and the language server) ---------


def test_python_ts_deep_indentation_no_segfault():
    p = _child("""
        from apirec.indexer import python_ts
        src = "".join(" " * i + "'s' y\\n" for i in range(600)).encode()
        facts = python_ts.extract_module(src, "m")
        print("ok")
    """)
    assert p.returncode == 0 and "ok" in p.stdout, p.returncode


def test_python_ts_deeply_nested_classes_no_recursion_error():
    p = _child("""
        from apirec.indexer import python_ts
        src = "".join(" " * i + f"class C{i}:\\n" for i in range(1000)).encode() + b" " * 1000 + b"x = 1\\n"
        python_ts.extract_module(src, "m")
        print("ok")
    """)
    assert p.returncode == 0 and "ok" in p.stdout, p.stderr[-500:]


def test_html_with_a_malformed_marked_section_does_not_raise():
    """bs4 raised ParserRejectedMarkup (html.parser asserts on `<![\\`): found by the fuzzer."""
    from pathlib import Path

    from apirec.indexer import docs

    assert docs.parse_doc_file(Path("a.html"), "<![\\ x") == ([], [])
    html = ('<p>x</p><![\\ bad <dl class="py function"><dt id="m.f">f()</dt>'
            '<dd><p>Do f.</p></dd></dl>')
    recs, _ = docs.parse_doc_file(Path("a.html"), html)
    assert [r.public_path for r in recs] == ["m.f"]
