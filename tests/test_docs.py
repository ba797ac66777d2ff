import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

from hypothesis import given, settings
from hypothesis import strategies as st

try:
    from apirec.indexer import docs
except ImportError:
    from indexer import docs

MARKDOWN = """\
# mylib

Intro text.

## Loading

### `mylib.load(path, *, strict=False)`

Load a dataset from *path*. Raises if the file is missing.

```python
import mylib as ml
data = ml.load("a.csv", strict=True)
```

## mylib.Client.connect(host, port)

Open a connection to the server.

~~~
from mylib import Client
Client("x").connect("h", 1)
~~~

Setext API
----------

`mylib.Client(timeout=3.0)`

A client object. Thread safe.

    import os.path
    os.path.join("a", "b")

## Installation

Run this:

```bash
pip install mylib
```

- a list item

      not code: a list continuation

```python
unclosed = mylib.oops(
"""


def test_markdown_headings_become_records():
    records, _ = docs.parse_markdown(MARKDOWN, "README.md")
    by = {r.public_path: r for r in records}
    assert set(by) == {"mylib.load", "mylib.Client.connect", "mylib.Client"}
    load = by["mylib.load"]
    assert load.kind == "function"
    assert load.signature == "(path, *, strict=False)"
    assert load.summary == "Load a dataset from *path*."
    assert [(p.name, p.default, p.kind) for p in load.params] == [
        ("path", "", "positional_or_keyword"), ("strict", "False", "keyword_only")]
    assert load.line == 7 and load.file == "README.md" and load.origin == ""
    assert load.examples[0].title == "`mylib.load(path, *, strict=False)`"
    assert 'ml.load("a.csv"' in load.examples[0].code
    assert by["mylib.Client.connect"].kind == "method"
    assert by["mylib.Client.connect"].signature == "(host, port)"
    client = by["mylib.Client"]  # named by the section's first line under a setext heading
    assert client.kind == "class" and client.signature == "(timeout=3.0)"
    assert client.summary == "A client object."
    assert "os.path.join" in client.examples[0].code


def test_markdown_examples_and_names():
    _, examples = docs.parse_markdown(MARKDOWN, "README.md")
    assert len(examples) == 5  # python fence, ~~~ fence, indented, bash, unclosed; not the list item
    py = examples[0]
    assert py.title == "`mylib.load(path, *, strict=False)`" and py.line == 12
    assert py.names == ("mylib.load", "ml.load")
    assert examples[1].names == ("mylib.Client", "Client")  # the call on its result has no known type
    assert examples[2].names == ("os.path.join",)
    assert examples[3].names == ()  # shell is not mined for names
    assert examples[4].code == "unclosed = mylib.oops("
    assert not any("list continuation" in e.code for e in examples)


def test_referenced_names_aliases_and_doctest():
    code = "import numpy as np\nfrom os import path as p\nx = np.linalg.norm(p.join('a'))\ny = x.T\n"
    assert docs.referenced_names(code) == ("numpy.linalg.norm", "np.linalg.norm", "os.path.join", "p.join", "x.T")
    assert docs.referenced_names(">>> import json\n>>> json.loads('{}')\n{}\n") == ("json.loads",)
    assert docs.referenced_names("f().g()") == ()


RST = """\
======
mylib
======

.. module:: mylib

Reading
-------

.. function:: load(path, strict=False) -> Dataset

   Load a dataset from *path*.

   :param path: file to read
   :param bool strict: fail on unknown columns
   :rtype: Dataset

   .. deprecated:: 2.0
      Use :func:`read` instead.

   Example::

       ds = load("a.csv")

.. py:class:: Client(host)

   A network client.

   .. py:method:: connect(port=80)

      Connect to the host.

      .. code-block:: python
         :linenos:

         import mylib
         mylib.Client("h").connect(8080)

   .. attribute:: timeout

      Seconds before giving up.

.. data:: VERSION

   The version string.

>>> import mylib
>>> mylib.load("x")
"""


def test_rst_directives():
    records, examples = docs.parse_rst(RST, "api.rst")
    by = {r.public_path: r for r in records}
    assert set(by) == {"mylib", "mylib.load", "mylib.Client", "mylib.Client.connect", "mylib.Client.timeout",
                       "mylib.VERSION"}
    load = by["mylib.load"]
    assert load.kind == "function" and load.signature == "(path, strict=False) -> Dataset"
    assert load.deprecated and not by["mylib.Client"].deprecated
    assert load.summary == "Load a dataset from *path*."
    assert [(p.name, p.default, p.annotation, p.doc) for p in load.params] == [
        ("path", "", "", "file to read"), ("strict", "False", "bool", "fail on unknown columns")]
    assert load.returns == "Dataset"
    assert load.examples[0].code == 'ds = load("a.csv")'
    assert by["mylib.Client.connect"].kind == "method"
    assert by["mylib.Client.connect"].summary == "Connect to the host."
    assert by["mylib.Client.timeout"].kind == "attribute"
    assert by["mylib.VERSION"].kind == "constant"
    assert by["mylib.Client"].line == 25
    titles = {e.title for e in examples}
    assert titles == {"Reading"}
    assert examples[1].names == ("mylib.Client",) and examples[1].code.startswith("import mylib")
    assert examples[1].line == 35  # first code line, options skipped
    assert examples[2].names == ("mylib.load",)


SPHINX_HTML = """\
<html><body><section id="module-json">
<dl class="py function">
<dt class="sig sig-object py" id="json.loads">
<span class="sig-prename descclassname"><span class="pre">json.</span></span><span class="sig-name descname"><span class="pre">loads</span></span><span class="sig-paren">(</span><em class="sig-param"><span class="n"><span class="pre">s</span></span></em>, <em class="sig-param"><span class="o"><span class="pre">*</span></span></em>, <em class="sig-param"><span class="n"><span class="pre">cls</span></span><span class="o"><span class="pre">=</span></span><span class="default_value"><span class="pre">None</span></span></em><span class="sig-paren">)</span><a class="headerlink" href="#json.loads">¶</a></dt>
<dd><p>Deserialize <em>s</em> to a Python object. More text here.</p>
<dl class="field-list simple"><dt class="field-odd">Parameters<span class="colon">:</span></dt>
<dd class="field-odd"><p><strong>s</strong> (<em>str</em>) – the document</p></dd></dl>
<div class="highlight-python3 notranslate"><div class="highlight"><pre>&gt;&gt;&gt; import json
&gt;&gt;&gt; json.loads('[1]')
</pre></div></div>
</dd></dl>
<dl class="py class">
<dt class="sig sig-object py" id="json.JSONDecoder"><em class="property">class </em><span class="sig-prename descclassname">json.</span><span class="sig-name descname">JSONDecoder</span><span class="sig-paren">(</span><em class="sig-param">strict=True</em><span class="sig-paren">)</span></dt>
<dd><p>Simple JSON decoder.</p>
<div class="deprecated"><p>Deprecated since 3.9.</p></div>
<dl class="py method">
<dt class="sig sig-object py" id="json.JSONDecoder.decode"><span class="sig-name descname">decode</span><span class="sig-paren">(</span><em class="sig-param">s</em><span class="sig-paren">)</span></dt>
<dd><p>Return the Python representation of <em>s</em>.</p></dd></dl>
</dd></dl>
</section></body></html>
"""


def test_sphinx_html():
    records, examples = docs.parse_html(SPHINX_HTML, "json.html")
    by = {r.public_path: r for r in records}
    assert set(by) == {"json.loads", "json.JSONDecoder", "json.JSONDecoder.decode"}
    loads = by["json.loads"]
    assert loads.kind == "function" and loads.signature == "(s, *, cls=None)"
    assert loads.summary == "Deserialize s to a Python object."
    assert [(p.name, p.annotation, p.doc, p.kind) for p in loads.params] == [
        ("s", "str", "the document", "positional_or_keyword"), ("cls", "", "", "keyword_only")]
    assert "json.loads('[1]')" in loads.examples[0].code
    assert examples[0].names == ("json.loads",) and examples[0].title == "json.loads"
    dec = by["json.JSONDecoder"]
    assert dec.kind == "class" and dec.deprecated and "Return the Python" not in dec.doc
    assert by["json.JSONDecoder.decode"].kind == "method" and by["json.JSONDecoder.decode"].signature == "(s)"


JAVADOC_NEW = """\
<!DOCTYPE HTML><html lang="en"><head><!-- Generated by javadoc (17) --><title>ArrayList</title></head><body>
<main role="main"><div class="header">
<div class="sub-title"><span class="package-label-in-type">Package</span>&nbsp;<a href="package-summary.html">java.util</a></div>
<h1 title="Class ArrayList" class="title">Class ArrayList&lt;E&gt;</h1></div>
<section class="class-description" id="class-description">
<div class="block">Resizable-array implementation of the <code>List</code> interface. Implements all optional list operations.</div>
</section>
<section class="details"><ul class="details-list">
<li><section class="constructor-details" id="constructor-detail"><h2>Constructor Details</h2><ul class="member-list">
<li><section class="detail" id="&lt;init&gt;(int)"><h3>ArrayList</h3>
<div class="member-signature"><span class="modifiers">public</span>&nbsp;<span class="element-name">ArrayList</span><wbr><span class="parameters">(int&nbsp;initialCapacity)</span></div>
<div class="block">Constructs an empty list with the specified initial capacity.</div></section></li>
</ul></section></li>
<li><section class="method-details" id="method-detail"><h2>Method Details</h2><ul class="member-list">
<li><section class="detail" id="add(int,E)"><h3>add</h3>
<div class="member-signature"><span class="modifiers">public</span>&nbsp;<span class="return-type">void</span>&nbsp;<span class="element-name">add</span><wbr><span class="parameters">(int&nbsp;index, <a href="ArrayList.html">E</a>&nbsp;element)</span></div>
<div class="block">Inserts the specified element at the specified position in this list. Shifts the element.</div>
<dl class="notes"><dt>Parameters:</dt><dd><code>index</code> - index at which to insert</dd>
<dd><code>element</code> - element to be inserted</dd></dl></section></li>
<li><section class="detail" id="add(E)"><h3>add</h3>
<div class="member-signature"><span class="modifiers">public</span>&nbsp;<span class="return-type">boolean</span>&nbsp;<span class="element-name">add</span><span class="parameters">(E&nbsp;e)</span></div>
<div class="block">Appends the specified element to the end of this list.</div></section></li>
</ul></section></li></ul></section></main></body></html>
"""

JAVADOC_OLD = """\
<html><head><!-- Generated by javadoc (1.8.0) --><title>Pattern</title></head><body>
<div class="header"><div class="subTitle">java.util.regex</div>
<h2 title="Class Pattern" class="title">Class Pattern</h2></div>
<div class="contentContainer"><div class="description"><ul class="blockList"><li class="blockList">
<div class="block">A compiled representation of a regular expression.</div></li></ul></div>
<div class="details"><ul class="blockList"><li class="blockList">
<a name="method.detail"></a><h3>Method Detail</h3>
<a name="compile-java.lang.String-"></a><ul class="blockList"><li class="blockList">
<h4>compile</h4>
<pre>public static&nbsp;<a href="Pattern.html">Pattern</a>&nbsp;compile(<a href="String.html">String</a>&nbsp;regex)</pre>
<div class="block">Compiles the given regular expression into a pattern.</div>
<dl><dt><span class="paramLabel">Parameters:</span></dt><dd><code>regex</code> - The expression to be compiled</dd></dl>
</li></ul></li></ul></div></div></body></html>
"""


def test_javadoc_new_style():
    records, _ = docs.parse_html(JAVADOC_NEW, "ArrayList.html")
    assert all(r.language == "java" for r in records)
    assert [r.public_path for r in records] == [
        "java.util.ArrayList", "java.util.ArrayList.ArrayList", "java.util.ArrayList.add", "java.util.ArrayList.add"]
    cls, ctor, add2, add1 = records
    assert cls.kind == "class" and cls.summary == "Resizable-array implementation of the List interface."
    assert ctor.kind == "constructor" and ctor.signature == "(int initialCapacity)"
    assert add2.kind == "method" and add2.returns == "void"
    assert add2.summary == "Inserts the specified element at the specified position in this list."
    assert [(p.name, p.annotation, p.doc) for p in add2.params] == [
        ("index", "int", "index at which to insert"), ("element", "E", "element to be inserted")]
    assert add1.id != add2.id  # overloads stay distinct records


def test_javadoc_old_style_uses_h2_fallback_and_subtitle_package():
    # Old pages put the class name in an <h2 class="title">; no <h1> means no class page.
    assert docs.parse_html(JAVADOC_OLD, "Pattern.html")[0] == []
    records, _ = docs.parse_html(JAVADOC_OLD.replace("<h2 ", "<h1 ").replace("</h2>", "</h1>"), "Pattern.html")
    assert [r.public_path for r in records] == ["java.util.regex.Pattern", "java.util.regex.Pattern.compile"]
    comp = records[1]
    assert comp.kind == "method" and comp.signature == "(String regex)" and comp.returns == "Pattern"
    assert comp.params[0].doc == "The expression to be compiled"


def test_parse_doc_file_dispatch():
    assert docs.parse_doc_file(pathlib.Path("a/README.md"), MARKDOWN)[0]
    assert docs.parse_doc_file(pathlib.Path("api.rst"), RST)[0]
    assert docs.parse_doc_file(pathlib.Path("api.txt"), RST)[0]
    assert docs.parse_doc_file(pathlib.Path("notes.txt"), "just words\n") == ([], [])
    assert docs.parse_doc_file(pathlib.Path("json.HTML"), SPHINX_HTML)[0]
    assert docs.parse_doc_file(pathlib.Path("x.py"), MARKDOWN) == ([], [])


def test_hostile_inputs_are_fast_and_safe():
    big = "# " + " " * 200_000 + "x\n" + "`" * 3 + "\n" + "a" * 200_000 + "\n" + "(" * 5000
    for parse in (docs.parse_markdown, docs.parse_rst, docs.parse_html):
        records, examples = parse(big, "x")
        assert isinstance(records, list) and isinstance(examples, list)
    deep = "".join(" " * k + ".. note::\n" for k in range(300))
    assert docs.parse_rst(deep)[0] == []


_TEXT = st.text(alphabet=st.sampled_from(list("#`~=-:.*()[]<>/\"' \n\tabcXY_>.,\x00é")), max_size=300) | st.text(max_size=200)


@settings(max_examples=200, deadline=None)
@given(_TEXT)
def test_random_text_never_raises(text):
    for parse in (docs.parse_markdown, docs.parse_rst, docs.parse_html):
        records, examples = parse(text, "f")
        assert all(r.public_path for r in records)
        assert all(isinstance(e, docs.DocExample) for e in examples)
    # Inside an API directive body the field-list and option code paths get exercised too.
    records, _ = docs.parse_rst(".. py:class:: C(a)\n\n   " + text.replace("\n", "\n   "))
    assert records and records[0].public_path == "C"
