"""apirec.context on the real stdlib index: receivers, type inference, ranking, fallbacks, helpers."""

from __future__ import annotations

import pytest
from trees import write_tree

from apirec.context import (call_at, call_snippet, infer_type, member_completions, module_imports,
                            name_completions, nl_comment_query, receiver_at, record_at, unknown_attributes)


def names(searcher, code, n=5, **kw):
    lines = code.split("\n")
    return [h.record.name for h in member_completions([searcher], code, len(lines) - 1, len(lines[-1]), **kw)][:n]


def test_module_imports():
    code = ("import numpy as np\nfrom os import path as p, sep\nimport a.b.c\n"
            "try:\n    import simplejson as json\nexcept ImportError:\n    import json\n")
    assert module_imports(code) == {"np": "numpy", "p": "os.path", "sep": "os.sep", "a": "a", "json": "json"}


@pytest.mark.parametrize("line,receiver", [
    ("x = np.", ("np", "")), ("foo(a).bar[0].ba", ("foo(a).bar[0]", "ba")), ("''.", ("''", "")),
    ("# np.", None), ("s = 'np.", None), ("1.", None), ("x", None),
    # an f-string's replacement fields are code; its text, and `{{` escapes, are not
    ('f"{user.na', ("user", "na")), ("rf'{a}-{b[0].", ("b[0]", "")), ("f'{a}{{user.", None),
    ("f'{d}' + s.", ("s", "")), ('f"{x}".', ('f"{x}"', "")), ("f'{a:>{w}} {x.", ("x", "")),
    ("""f'{self.__class__.__name__}({", ".""", ('", "', "")), ("'{user.", None),
])
def test_receiver_at(line, receiver):
    assert receiver_at(line, len(line)) == receiver


def test_completion_inside_an_f_string_field(stdlib_searcher):
    code = "import os\n\ndef show(d):\n    print(f\"{len(d)} entries under {os.path."
    assert "basename" in names(stdlib_searcher, code, 10)


@pytest.mark.parametrize("code,receiver,expected", [
    ("import numpy as np\nnp.", "np", "numpy"),
    ("from os import path\npath.", "path", "os.path"),
    ("import json as js\n\n# parse it\nx = js.", "js", "json"),  # a comment between the import and the code
    ("from json import (JSONDecoder,  # the class\n    loads)\n\n# c\nd = JSONDecoder()\nd.", "d",
     "json.JSONDecoder"),
    ("x = 'a'\nx.", "x", "str"),
    ("def f(p: 'Path | None'):\n    p.", "p", None),  # Path is not imported: unknown, not a guess
    ("from pathlib import Path\ndef f(p: Optional[Path]):\n    p.", "p", "pathlib.Path"),
    ("import json\nclass A:\n    def __init__(self):\n        self.d = json.JSONDecoder()\n    def g(self):\n        self.d.",
     "self.d", "json.JSONDecoder"),
    ("class A:\n    def g(self):\n        self.", "self", "__main__.A"),
    ("def f(*args, **kw):\n    kw.", "kw", "dict"),  # splats, whatever their items' annotation
    ("def f(x, *rest: int):\n    rest.", "rest", "tuple"),
    ("def f(x, sep=', '):\n    sep.", "sep", "str"),  # an unannotated parameter's literal default
    ("def f(x, sep=None):\n    sep.", "sep", None),
    # `for` targets: an element of what is iterated, by its annotation.
    ("from typing import Iterator\nimport json\ndef gen() -> Iterator[json.JSONDecoder]: ...\n"
     "def f():\n    for d in gen():\n        d.", "d", "json.JSONDecoder"),
    ("import json\ndef pairs() -> list[tuple[int, json.JSONDecoder]]: ...\n"
     "def f():\n    for n, d in pairs():\n        d.", "d", "json.JSONDecoder"),
    ("import json\ndef decs() -> list[json.JSONDecoder]: ...\n"
     "def f():\n    for i, d in enumerate(decs()):\n        d.", "d", "json.JSONDecoder"),
    ("import json\ndef decs() -> list[json.JSONDecoder]: ...\n"
     "def f(names):\n    for name, d in zip(names, decs()):\n        d.", "d", "json.JSONDecoder"),
    ("def f(rows):\n    for r in rows:\n        r.", "r", None),
    # The standard library through typeshed's return types (shipped: apirec/data/returns_python.json.gz).
    ("f = open('x')\nf.", "f", "io.TextIOWrapper"),
    ("import io\nf = io.open('x', 'rb')\nf.", "f", "io.BufferedReader"),  # a stub's re-export
    # ... and the types its stubs declare for attributes (`stderr: IO[AnyStr] | None`, `stdout: TextIO`).
    ("import subprocess\np = subprocess.Popen(['ls'])\np.stderr.", "p.stderr", "typing.IO"),
    ("import sys\nsys.stdout.", "sys.stdout", "typing.TextIO"),
    ("import sys\ndef f():\n    sys.argv.", "sys.argv", "list"),
    ("import os\nos.environ.", "os.environ", "os._Environ"),
    # A C function's docstring return is prose ("lock object"): typeshed's is taken; `lock` is the C
    # class `_thread.LockType` by its own name; a TypeVar return stands for its first constraint.
    ("import threading\nlock = threading.Lock()\nlock.", "lock", "_thread.lock"),
    # An item of a container whose annotation names its items: `d[k]`, `d.get(k)`, `xs.pop()`, a loop.
    ("import json\ndef f(d: dict[str, json.JSONDecoder]):\n    d['a'].", "d['a']", "json.JSONDecoder"),
    ("import re\nm = re.match('a', 'b')\n(m.group(1) or '').", "(m.group(1) or '')", "str"),  # parenthesized
    ("import json\ndef f(d: dict[str, json.JSONDecoder]):\n    d.get('a').", "d.get('a')",
     "json.JSONDecoder"),
    ("import json\ndef f(xs: list[json.JSONDecoder]):\n    xs.pop().", "xs.pop()", "json.JSONDecoder"),
    ("import json\ndef f(xs: list[json.JSONDecoder]):\n    xs[1:].", "xs[1:]", "list"),
    ("import json\ndef f(xs: 'list[json.JSONDecoder] | None'):\n    for x in xs:\n        x.", "x",
     "json.JSONDecoder"),
    ("import json\ndef f(d: dict[str, json.JSONDecoder]):\n    for k, v in d.items():\n        v.", "v",
     "json.JSONDecoder"),
    ("import json\ndef f(d: dict[str, json.JSONDecoder]):\n    for k in d:\n        k.", "k", "str"),
    ("import json\nclass A:\n    def __init__(self):\n        self.m: dict[str, json.JSONDecoder] = {}\n"
     "    def g(self):\n        self.m['x'].", "self.m['x']", "json.JSONDecoder"),
    # An override with no annotation returns what the overridden method is declared to return; the
    # class is the one `concurrent.futures` exports lazily (a module `__getattr__`).
    ("import concurrent.futures\nex = concurrent.futures.ThreadPoolExecutor()\nfut = ex.submit(print)\nfut.",
     "fut", "concurrent.futures.Future"),
    # A script's names bound inside module-level `with`/`if`/`for` blocks; a later binding wins.
    ("import json\nwith open('x') as f:\n    d = json.JSONDecoder()\n    d.", "d", "json.JSONDecoder"),
    ("import json\nif __name__ == '__main__':\n    d = json.JSONDecoder()\n    x = 1\nd.", "d",
     "json.JSONDecoder"),
    ("import json\nfor i in range(3):\n    d = json.JSONDecoder()\nd = 'a'\nd.", "d", "str"),
    ("import json\nif True:\n    d = json.JSONDecoder()\n" + "    x = 1\n" * 500 + "    d.", "d",
     "json.JSONDecoder"),  # the cursor's own block is read whole, however long
    ("import time\nt = time.localtime()\nt.", "t", "time.struct_time"),
    ("import xml.etree.ElementTree as ET\nroot = ET.parse('x').getroot()\nroot.", "root",
     "xml.etree.ElementTree.Element"),
    ("def g(s: str):\n    for w in s.split():\n        w.", "w", "str"),
    ("import re\ndef f(s):\n    for m in re.finditer('x', s):\n        m.", "m", "re.Match"),
    ("import socket\ndef f(s: socket.socket):\n    conn, addr = s.accept()\n    conn.", "conn", "socket.socket"),
    # ... in a script's module-level loops and `with` blocks too.
    ("with open('x') as f:\n    f.", "f", "io.TextIOWrapper"),
    ("import re\nfor i, m in enumerate(re.finditer('a', s)):\n    n = 1\n    m.", "m", "re.Match"),
    # A slice of a sequence is one of its kind; an item of bytes is not.
    ("def f(data: bytes):\n    head = data[:4]\n    head.", "head", "bytes"),
    ("import sys\nargs = sys.argv[1:]\nargs.", "args", "list"),
    ("def f(data: bytes):\n    b = data[0]\n    b.", "b", None),
    # Names bound in `else:`, `except:` and `elif` bodies (a function-local import there too).
    ("def f(x):\n    if x:\n        pass\n    else:\n        import subprocess\n"
     "        p = subprocess.Popen(['x'])\n        p.", "p", "subprocess.Popen"),
    ("import json\ndef f(x):\n    try:\n        pass\n    except OSError:\n        d = json.JSONDecoder()\n"
     "    finally:\n        d.", "d", "json.JSONDecoder"),
    ("import json\ndef f(x):\n    if x:\n        d = 'a'\n    elif x > 1:\n        d = json.JSONDecoder()\n"
     "    d.", "d", "json.JSONDecoder"),
    # A name bound again from its own value means its earlier binding there (`x = x.strip()`), in a
    # function, in a script, in a script's block, and for a loop over itself.
    ("def f(text: str):\n    text = text.strip()\n    text.", "text", "str"),
    ("import re\np = re.compile('a')\nm = p.match('b')\np = m.re\np.", "p", "re.Pattern"),
    ("import re\nif True:\n    p = re.compile('a')\n    p = p\n    p.", "p", "re.Pattern"),
    ("def f(words: list[str]):\n    for w in words:\n        for w in w:\n            w.", "w", "str"),
    ("import re\nm = re.match('a', 'b')\nm = m\nm.", "m", "re.Match"),
    # An assignment expression, an `except ... as` name, a comprehension's own loop variable.
    ("import re\nif (m := re.match('a', s)):\n    m.", "m", "re.Match"),
    ("import re\ndef f(s):\n    while (m := re.search('a', s)) is not None:\n        m.", "m", "re.Match"),
    ("def f():\n    try:\n        pass\n    except (KeyError, ValueError) as err:\n        err.", "err",
     "KeyError"),
    ("try:\n    pass\nexcept OSError as e:\n    e.", "e", "OSError"),
    ("def f(lines: list[str]):\n    return [x.▮ for x in lines]", "x", "str"),
    # `with X() as v` is what X's `__enter__` gives; iterating a C class goes by its `__next__` (typeshed).
    ("import tempfile\nwith tempfile.TemporaryDirectory() as d:\n    d.", "d", "str"),
    ("with open('p') as f:\n    for line in f:\n        line.", "line", "str"),
    ("import os\nfor entry in os.scandir('.'):\n    entry.", "entry", "os.DirEntry"),
    ("import csv\ndef f(fh):\n    for row in csv.reader(fh):\n        row.", "row", "list"),
    # `with C(...) as v` is the wrapped object where `__enter__` hands back a constructor argument
    # (`contextlib.closing`).
    ("import sqlite3\nfrom contextlib import closing\n"
     "with closing(sqlite3.connect('db')) as conn:\n    conn.", "conn", "sqlite3.Connection"),
    ("import contextlib, json\nwith contextlib.nullcontext(json.JSONDecoder()) as d:\n    d.", "d",
     "json.JSONDecoder"),
    # A name bound to a call keeps the items its return declares (`list[str]`): by index and by loop.
    ("def f(line: str):\n    parts = line.split(',')\n    parts[0].", "parts[0]", "str"),
    ("import os\nnames = os.listdir('.')\nfor n in names:\n    n.", "n", "str"),
    ("def f(c, b, d):\n    a = b if c else d\n    a[0].", "a[0]", None),  # no call: nothing declared
    # ... as the receiver's class declares it (text mode's `list[str]`, not the C base's `list[bytes]`).
    ("lines = open('x').readlines()\nfor line in lines:\n    line.", "line", "str"),
    ("for line in open('x').readlines():\n    line.", "line", "str"),
    # An untyped dict's `setdefault(k, default)` gives what the default is.
    ("groups = {}\nfor w in ws:\n    groups.setdefault(w[0], set()).", "groups.setdefault(w[0], set())",
     "set"),
    # A container literal, comprehension or copy whose items have one type keeps it: by index, by loop,
    # by a mapping's views; items of different types say nothing.
    ("def f():\n    words = ['a', 'b']\n    for w in words:\n        w.", "w", "str"),
    ("from pathlib import Path\npaths = (Path('a'), Path('b'))\npaths[0].", "paths[0]", "pathlib.Path"),
    ("cfg = {'a': 1, 'b': 2}\nfor k, v in cfg.items():\n    k.", "k", "str"),
    ("names = [line.strip() for line in open('x')]\nfor n in names:\n    n.", "n", "str"),
    ("import json\nd = {k: json.JSONDecoder() for k in 'ab'}\nd.get('a').", "d.get('a')", "json.JSONDecoder"),
    ("def f(words: list[str]):\n    ws = sorted(words, key=len)\n    ws[0].", "ws[0]", "str"),
    ("class Foo:\n    pass\ndef f():\n    foos = [Foo(), Foo()]\n    foos[0].", "foos[0]", "__main__.Foo"),
    ("words = ['a', 1]\nfor w in words:\n    w.", "w", None),
    ("for w in ['a', 'b']:\n    w.", "w", "str"),
    # ... and a container a call makes: a defaultdict's values are what its factory makes, a Counter's
    # keys the items counted, a deque's items those it was given.
    ("from collections import defaultdict\ngroups = defaultdict(list)\ngroups['a'].", "groups['a']", "list"),
    ("import collections\ng = collections.defaultdict(set)\nfor k, v in g.items():\n    v.", "v", "set"),
    ("from collections import Counter\nc = Counter(['a', 'b'])\nfor k in c:\n    k.", "k", "str"),
    ("from collections import deque\nq = deque(['a'])\nq.popleft().", "q.popleft()", "str"),
    ("def defaultdict(f):\n    return {}\ng = defaultdict(list)\ng['a'].", "g['a']", None),  # not the class
    # A method whose stub returns a TypeVar of its class gives what the receiver's declaration binds.
    ("import queue\ndef f(q: queue.Queue[str]):\n    x = q.get()\n    x.", "x", "str"),
    ("import asyncio\nasync def f(q: asyncio.Queue[bytes]):\n    x = await q.get()\n    x.", "x", "bytes"),
    ("from concurrent.futures import Future\ndef f(fut: Future[str]):\n    fut.result().", "fut.result()",
     "str"),
    ("import queue\nclass W:\n    def __init__(self):\n        self.q: queue.Queue[str] = queue.Queue()\n"
     "    def run(self):\n        self.q.get().", "self.q.get()", "str"),
    ("import queue\nq = queue.Queue()\nq.get().", "q.get()", None),
    # A loop target keeps what its declaration holds (`files` of os.walk is a `list[str]`); `Any` items
    # have no members to offer.
    ("import os\nfor root, dirs, files in os.walk('.'):\n    for f in files:\n        f.", "f", "str"),
    ("import csv\ndef f(fh):\n    for row in csv.DictReader(fh):\n        row['a'].", "row['a']", "str"),
    ("def f(d: dict[str, list[bytes]]):\n    for k, v in d.items():\n        v[0].", "v[0]", "bytes"),
    ("import re\nfor m in re.findall('a', s):\n    m.", "m", None),
    # A name inside a loop target's nested tuple: in a function, in a script, in a comprehension.
    ("def f(d: dict[str, bytes]):\n    for i, (k, v) in enumerate(d.items()):\n        v.", "v", "bytes"),
    ("words = ['a', 'b']\nfor i, (a, b) in enumerate(zip(words, words)):\n    b.", "b", "str"),
    ("def f(d: dict[str, bytes]):\n    return [v.▮ for i, (k, v) in enumerate(d.items())]", "v", "bytes"),
    ("def f(a, b):\n    xs = list(a) + list(b)\n    xs[0].", "xs[0]", None),
    # A call whose stub returns what its arguments are (a TypeVar of its parameters): an item of the
    # sequence passed, the argument itself, an untyped dict's default; the first overload the call fits.
    ("import random\nwords = ['a', 'b']\nw = random.choice(words)\nw.", "w", "str"),
    ("import copy, json\nd = copy.deepcopy(json.JSONDecoder())\nd.", "d", "json.JSONDecoder"),
    ("from pathlib import Path\ndef f(ps: list[Path]):\n    p = max(ps, key=len)\n    p.", "p",
     "pathlib.Path"),
    ("from pathlib import Path\ndef f(a: Path, b: Path):\n    p = min(a, b)\n    p.", "p", "pathlib.Path"),
    ("d = {}\nx = d.get('k', '')\nx.", "x", "str"),
    ("d = {}\nd.setdefault('k', []).", "d.setdefault('k', [])", "list"),
    ("it = iter(x)\nv = next(it, '')\nv.", "v", "str"),
    ("import heapq\ndef f(h: list[str]):\n    heapq.heappop(h).", "heapq.heappop(h)", "str"),
    ("import random\nfrom pathlib import Path\nfor p in random.sample([Path('a')], 1):\n    p.", "p",
     "pathlib.Path"),
    ("d = {}\nx = d.get('k')\nx.", "x", None),  # nothing binds what an untyped dict holds
    # A member of an enum is of the enum's class, not of the value written (the stubs say which stdlib
    # classes are enums: the source makes HTTPStatus one by decorator); a plain class attribute keeps it.
    ("import enum\nclass Color(enum.Enum):\n    RED = 1\nc = Color.RED\nc.", "c", "__main__.Color"),
    ("from enum import IntEnum\nclass B(IntEnum):\n    pass\nclass C(B):\n    X = 1\nC.X.", "C.X",
     "__main__.C"),
    ("class Color:\n    RED = 1\nColor.RED.", "Color.RED", "int"),
    ("from http import HTTPStatus\ns = HTTPStatus.NOT_FOUND\ns.", "s", "http.HTTPStatus"),
    # The stub overload a literal argument picks: open's mode (a variable mode keeps the first overload).
    ("f = open('a', 'rb')\nf.", "f", "io.BufferedReader"),
    ("f = open('a', mode='wb')\nf.", "f", "io.BufferedWriter"),
    ("f = open('a', 'rb', buffering=0)\nf.", "f", "io.FileIO"),
    ("f = open('a', m)\nf.", "f", "io.TextIOWrapper"),
    ("with open('a', 'rb') as f:\n    data = f.read()\n    data.", "data", "bytes"),
    ("import gzip\nwith gzip.open('a.gz', 'rt') as f:\n    f.", "f", "io.TextIOWrapper"),
    # A module's name for a class's `-> Self` method (`tarfile.open = TarFile.open`) makes that class.
    ("import tarfile\nt = tarfile.open('a.tar')\nt.", "t", "tarfile.TarFile"),
    # A binary operator gives what the stubs' overloads of the left operand's say for the right one's type.
    ("import datetime\nnow = datetime.datetime.now()\nd = now - datetime.datetime(2020, 1, 1)\nd.", "d",
     "datetime.timedelta"),
    ("import datetime\nnow = datetime.datetime.now()\nd = now - datetime.timedelta(days=1)\nd.", "d",
     "datetime.datetime"),
    ("from datetime import date\ndef f(a: date, b: date):\n    (b - a).", "(b - a)", "datetime.timedelta"),
    ("def f(a: int, b: int):\n    r = a / b\n    r.", "r", "float"),
    ("def f(a: int, b: int):\n    r = a // b\n    r.", "r", "int"),
    # A script's `with` header whose items hold commas (call arguments, several items).
    ("with open('out.txt', 'w') as f:\n    f.", "f", "io.TextIOWrapper"),
    ("with open('a') as f, open('b', 'w') as g:\n    g.", "g", "io.TextIOWrapper"),
    # A loop over `self.xs` declared `list['Node']` in the class being written; unpacking at module level
    # and of an awaited call.
    ("class Node:\n    def __init__(self):\n        self.children: list['Node'] = []\n    def walk(self):\n"
     "        for c in self.children:\n            c.", "c", "__main__.Node"),
    ("import socket\ns = socket.socket()\nconn, addr = s.accept()\nconn.", "conn", "socket.socket"),
    # isinstance narrows in the body of its `if` (not after it) and after an assert; cast says the type;
    # sorted/reversed/filter/iter/next keep the items' type; a str's items are str.
    ("import json\ndef f(x):\n    if isinstance(x, json.JSONDecoder):\n        x.", "x", "json.JSONDecoder"),
    ("import json\ndef f(x):\n    if isinstance(x, json.JSONDecoder):\n        pass\n    x.", "x", None),
    ("import json\ndef f(x):\n    if not isinstance(x, json.JSONDecoder):\n        x.", "x", None),
    # ... and below an `if not isinstance(...)` whose body leaves (raise, return), with no else.
    ("def f(s):\n    if not isinstance(s, (bytes, bytearray)):\n        raise TypeError('x')\n    s.", "s",
     "bytes"),
    ("def f(s):\n    if not isinstance(s, bytes):\n        print(s)\n    s.", "s", None),
    ("import json\ndef f(x):\n    assert isinstance(x, (json.JSONDecoder, str))\n    x.", "x",
     "json.JSONDecoder"),
    ("import json\nfrom typing import cast\ndef f(x):\n    d = cast('json.JSONDecoder', x)\n    d.", "d",
     "json.JSONDecoder"),
    ("import json\ndef f(xs: list[json.JSONDecoder]):\n    for x in sorted(xs, key=id):\n        x.", "x",
     "json.JSONDecoder"),
    ("import json\ndef f(xs: list[json.JSONDecoder]):\n    x = next(iter(xs))\n    x.", "x",
     "json.JSONDecoder"),
    ("def f(s: str):\n    for i, ch in enumerate(s):\n        ch.", "ch", "str"),
    # Items of a container attribute a class of this file declares (a dataclass field), and what a
    # function of this file with no annotation returns first (recursion stops).
    ("import json\nclass Box:\n    items: list[json.JSONDecoder]\n\ndef f(b: Box):\n    for it in b.items:\n"
     "        it.", "it", "json.JSONDecoder"),
    ("import json\ndef make(x):\n    if x:\n        return None\n    return json.JSONDecoder()\n\nmake(1).",
     "make(1)", "json.JSONDecoder"),
    ("def f():\n    return f()\n\nf().", "f()", None),
    # `x or default`, `A if c else B`; an attribute set to None in __init__ and to an object later; self and
    # cls in decorated methods; type(self)() and self.__class__(); chained and starred assignments.
    ("import asyncio\nclass A:\n    def __init__(self, loop=None):\n"
     "        self._loop = loop or asyncio.get_event_loop()\n    def g(self):\n        self._loop.",
     "self._loop", "asyncio.AbstractEventLoop"),
    ("import json\ndef f(c):\n    d = None if c else json.JSONDecoder()\n    d.", "d", "json.JSONDecoder"),
    ("import json\nclass A:\n    def __init__(self):\n        self.d = None\n    def start(self):\n"
     "        self.d = json.JSONDecoder()\n    def g(self):\n        self.d.", "self.d", "json.JSONDecoder"),
    ("class A:\n    @property\n    def foo(self):\n        self.", "self", "__main__.A"),
    ("class A:\n    @classmethod\n    def make(cls):\n        obj = cls()\n        obj.", "obj",
     "__main__.A"),
    ("class A:\n    def clone(self):\n        obj = type(self)()\n        obj.", "obj", "__main__.A"),
    ("class A:\n    def clone(self):\n        obj = self.__class__()\n        obj.", "obj", "__main__.A"),
    # `+ * %` on a str, bytes, list or tuple give one back, whatever the other operand
    ("def f(user, pw):\n    raw = '%s:%s' % (user, pw)\n    raw.", "raw", "str"),
    ("def f(n):\n    xs = [0] * n\n    xs.", "xs", "list"),
    ("def f(a, b):\n    s = '%s in %s' % (a, b)\n    s.", "s", "str"),  # words inside a literal
    ("def page(t):\n    s = \'\'\'<b>%s</b>\'\'\' % (t,)\n    s.", "s", "str"),
    # a method of the file without annotation: what it first returns, iterated too
    ("import os\n\nclass P:\n    def kids(self):\n        return os.listdir('.')\n\n"
     "def f(p: P):\n    for c in p.kids():\n        c.", "c", "str"),
    # An attribute whose first value says nothing (an unannotated parameter) takes a later one's type
    ("class U:\n    def __init__(self, seq):\n        if isinstance(seq, U):\n"
     "            self.data = seq.data\n        else:\n            self.data = str(seq)\n\n"
     "    def f(self):\n        return self.data.",
     "self.data", "str"),
    ("class U:\n    def __init__(self, seq):\n        self.data = seq\n\n    def reset(self):\n"
     "        self.data = []\n\n    def f(self):\n        return self.data.", "self.data", "list"),
    # `X.__new__(cls, ...)` in a `__new__` or a classmethod: an instance of the class passed
    ("class S(str):\n    def __new__(cls, v):\n        self = str.__new__(cls, v)\n        self.",
     "self", "__main__.S"),
    ("class A:\n    def __new__(cls):\n        obj = super().__new__(cls)\n        obj.",
     "obj", "__main__.A"),
    ("import json\ndef f():\n    x = y = json.JSONDecoder()\n    x.", "x", "json.JSONDecoder"),
    ("import json\ndef f(xs: list[json.JSONDecoder]):\n    first, *rest = xs\n    first.", "first",
     "json.JSONDecoder"),
    ("def f(line: str):\n    key, value = line.split('=', 1)\n    value.", "value", "str"),
    # Items of a list built by append above (a declaration says more).
    ("import json\ndef f(xs):\n    out = []\n    for x in xs:\n        out.append(json.JSONDecoder())\n"
     "    for d in out:\n        d.", "d", "json.JSONDecoder"),
    ("import json\ndef f(xs):\n    out = []\n    out.append(json.JSONDecoder())\n    out[0].", "out[0]",
     "json.JSONDecoder"),
    ("import json\ndef f(out: list[str]):\n    out.append(json.JSONDecoder())\n    for d in out:\n        d.",
     "d", "str"),
    # A literal that ends in an escaped backslash closes at its second quote: `'\\'`, then `, 'x'`
    ("import json\ndef f(p):\n    d = json.JSONDecoder(p.replace('\\\\', '/'), 'x')\n    d.", "d",
     "json.JSONDecoder"),
    ("import asyncio\nasync def f():\n    reader, writer = await asyncio.open_connection('h', 1)\n"
     "    writer.",
     "writer", "asyncio.StreamWriter"),
])
def test_infer_type(stdlib_searcher, code, receiver, expected):
    lines = code.split("\n")
    # ▮: the cursor, where it is not at the end
    character = lines[-1].index("▮") if "▮" in lines[-1] else len(lines[-1])
    code = code.replace("▮", "")
    assert infer_type(code, len(lines) - 1, character, receiver, searchers=[stdlib_searcher]) == expected


def test_return_annotations_and_inheritance(stdlib_searcher):
    # Path.parent has no annotation in the stdlib source, but a local function's return type counts.
    code = "from collections import OrderedDict\ndef make() -> OrderedDict:\n    ...\nmake()."
    got = names(stdlib_searcher, code, 30)
    assert "move_to_end" in got and "items" in got  # own member and one inherited from dict


def test_a_builtin_types_members_keep_their_shared_usage(stdlib_searcher):
    # `.encode` calls are mostly on str, though ~190 codec classes in the stdlib define an `encode`: the
    # shared count is not split among them for a str receiver (it was: `encode` fell out of the top 10).
    got = names(stdlib_searcher, "def f(user, pw):\n    creds = '{0}:{1}'.format(user, pw).", 10)
    assert "encode" in got, got


def test_alternate_constructors_rank_low_on_an_instance(stdlib_searcher):
    # `datetime.now()` is called on the class; on an instance (`d = datetime.now()`), `d.now()` is rare.
    on_instance = names(stdlib_searcher, "from datetime import datetime\nd = datetime.now()\nd.", 5)
    assert "now" not in on_instance and "replace" in on_instance, on_instance
    for code in ("from datetime import datetime\ndatetime.", "from datetime import datetime as dt\ndt."):
        assert "now" in names(stdlib_searcher, code, 3), code


def test_a_c_method_gives_what_typeshed_declares(stdlib_searcher):
    # `dict.copy` is C: no body says it returns a value, typeshed does; a bare `d.copy()` drops it.
    code = "def f(d: dict):\n    d."
    lines = code.split("\n")
    bare = member_completions([stdlib_searcher], code + "()", 1, len(lines[-1]), k=40)
    assert next(h for h in bare if h.record.name == "copy").why.get("use") == -0.5
    used = member_completions([stdlib_searcher], "def f(d: dict):\n    x = d.()", 1, 10, k=40)
    assert "use" not in next(h for h in used if h.record.name == "copy").why
    # `list.append` is declared `-> None`: its result is no value to keep.
    kept = member_completions([stdlib_searcher], "def f(xs: list):\n    x = xs.()", 1, 11, k=40)
    assert next(h for h in kept if h.record.name == "append").why.get("use") == -1.0


def test_a_struct_sequences_fields_come_before_tuple_methods(stdlib_searcher):
    got = names(stdlib_searcher, "import os\nst = os.stat('x')\nst.", 3)
    assert got and all(n.startswith("st_") for n in got), got
    assert "index" in names(stdlib_searcher, "t = (1, 2)\nt.", 3)  # a plain tuple keeps them


def test_completion_on_compiled_patterns_and_matches(stdlib_searcher):
    got = names(stdlib_searcher, "import re\npat = re.compile('a')\npat.", 10)
    assert {"match", "sub", "search"} <= set(got), got
    got = names(stdlib_searcher, "import re\ndef f(s):\n    m = re.match('a', s)\n    m.", 3)
    assert "group" in got, got


def test_member_ranking_and_prefix(stdlib_searcher):
    assert names(stdlib_searcher, "import os\nos.path.", 1) == ["join"]  # most used first
    assert names(stdlib_searcher, "import re\nre.", 1) == ["compile"]
    assert names(stdlib_searcher, "[].", 1) == ["append"]
    assert sorted(names(stdlib_searcher, "import json\njson.lo")) == ["load", "loads"]  # prefix filter
    assert all(not n.startswith("_") for n in names(stdlib_searcher, "import json\njson.", 50))
    assert names(stdlib_searcher, "import json\njson._", 50)  # private only when asked for


def test_local_class_members_first(stdlib_searcher):
    code = "class A(dict):\n    def run(self):\n        pass\n    def go(self):\n        self."
    top = names(stdlib_searcher, code, 20)
    assert top[0] == "run" and "items" in top[:3]  # own first, then what the base offers
    assert top.index("go") > top.index("items")  # `go` is being written: it rarely recurses


def test_unknown_receiver_falls_back_to_file_usage(stdlib_searcher):
    hits = member_completions([stdlib_searcher], "def f(x):\n    x.foo()\n    x.foo()\n    x.bar\n    x.", 4, 6)
    assert [h.record.name for h in hits[:2]] == ["foo", "bar"]
    assert hits[0].why["source"] == "file-usage" and hits[5].why["source"] == "frequent"


def test_a_builtin_is_no_member_of_an_object_of_unknown_type(stdlib_searcher):
    # A comment that names `getattr` or `sorted` finds the builtins in the index, but `x.getattr` is no
    # attribute of anything; a module imported under a name the index lacks may have a function of
    # that name (`ndbm.open`), for which the builtin's record stands in.
    code = "def f(x):\n    # get the attribute or a default, like getattr, then sort the result\n    x."
    names = [h.record.name for h in member_completions([stdlib_searcher], code, 2, 6, k=50)]
    assert names and "getattr" not in names and "sorted" not in names
    code = ("try:\n    from dbm import nowhere\nexcept ImportError:\n    nowhere = None\n"
            "# open the database file\nd = nowhere.")
    names = [h.record.name for h in member_completions([stdlib_searcher], code, 5, 12, k=50)]
    assert "open" in names


def test_parsed_arguments_are_attributes_of_the_namespace(stdlib_searcher):
    # `args.` after parse_args(): the arguments the file's parsers declare, named as argparse names
    # them (dest=, the first long option with `-` as `_`, a positional's name), with their help.
    code = ("import argparse\n"
            "parser = argparse.ArgumentParser()\n"
            "parser.add_argument('-v', '--verbose', action='store_true', help='Say more.')\n"
            "parser.add_argument('path')\n"
            "parser.add_argument('--dry-run')\n"
            "group = parser.add_mutually_exclusive_group()\n"
            "group.add_argument(\n    '-q', dest='quiet',\n    help='Say ' 'less.')\n"
            "parser.add_argument('--info', action='help')\n"
            "args = parser.parse_args()\n"
            "print(args.path)\n"
            "args.")
    hits = member_completions([stdlib_searcher], code, 12, 5)
    by_name = {h.record.name: h for h in hits}
    assert set(by_name) == {"verbose", "path", "dry_run", "quiet"}, list(by_name)
    assert hits[0].record.name == "path"  # used on the namespace already
    assert by_name["verbose"].record.summary == "Say more." and by_name["quiet"].record.doc == "Say less."
    assert by_name["quiet"].record.kind == "attribute" and by_name["quiet"].record.origin == "file"
    # A name typed after the dot narrows them as it does any member.
    assert [h.record.name for h in member_completions([stdlib_searcher], code + "dr", 12, 7)] == ["dry_run"]
    # Each holds what argparse puts there: a flag's bool, a list for nargs, type='s, a default's type.
    code = ("import argparse, pathlib\np = argparse.ArgumentParser()\np.add_argument('--limit', type=int)\n"
            "p.add_argument('files', nargs='+')\np.add_argument('-v', action='store_true')\n"
            "p.add_argument('--out', type=pathlib.Path)\np.add_argument('--rate', default=0.5)\n"
            "args = p.parse_args()\n")
    for receiver, want in (("args.limit", "int"), ("args.files", "list"), ("args.files[0]", "str"),
                           ("args.v", "bool"), ("args.out", "pathlib.Path"), ("args.rate", "float")):
        assert infer_type(code + receiver + ".", 8, len(receiver) + 1, receiver,
                          searchers=[stdlib_searcher]) == want, receiver


def test_an_enum_lists_its_members_and_one_member_its_name_and_value(stdlib_searcher):
    code = "import enum\nclass Color(enum.Enum):\n    RED = 1\n    GREEN = 2\n"
    names = [h.record.name for h in member_completions([stdlib_searcher], code + "Color.", 4, 6)]
    assert names[:2] == ["GREEN", "RED"] and {"name", "value"} <= set(names)
    names = [h.record.name for h in member_completions([stdlib_searcher], code + "c = Color.RED\nc.", 5, 2)]
    assert names == ["value", "name"]  # (not the enum's other members)
    # A stdlib enum made by a decorator: its members first, then what IntEnum gives (int's methods).
    code = "from http import HTTPStatus\nHTTPStatus."
    names = [h.record.name for h in member_completions([stdlib_searcher], code, 1, 11, k=100)]
    assert names[0] == "ACCEPTED" and "to_bytes" in names and names.index("OK") < names.index("to_bytes")
    names = [h.record.name for h in member_completions([stdlib_searcher], code + "OK.", 1, 14, k=100)]
    assert names[:2] == ["value", "name"] and "to_bytes" in names and "NOT_FOUND" not in names


def test_a_namedtuple_call_makes_a_class_of_its_fields(stdlib_searcher):
    # The file's own `namedtuple(...)` / `NamedTuple(...)` (a class, and what calling it makes), the
    # standard library's (urlparse's result derives from one, platform.uname's is written as its base).
    def names(code, k=8):
        lines = code.split("\n")
        return [h.record.name for h in member_completions([stdlib_searcher], code, len(lines) - 1,
                                                          len(lines[-1]), k=k)]

    assert names("from collections import namedtuple\nPoint = namedtuple('Point', ['x', 'y'])\n"
                 "p = Point(1, 2)\np.")[:2] == ["x", "y"]
    assert names("import collections\nP = collections.namedtuple('P', 'a, b')\ndef f(p: P):\n    p.")[:2] \
        == ["a", "b"]
    assert names("from typing import NamedTuple\nP = NamedTuple('P', [('x', int), ('name', str)])\n"
                 "P(1, 'a').name.")[:3] == ["join", "split", "startswith"]  # a str, as declared
    assert {"scheme", "netloc", "path", "query"} <= set(names("import urllib.parse\n"
                                                             "u = urllib.parse.urlparse(s)\nu.", k=50))
    assert {"system", "node", "machine"} <= set(names("import platform\nu = platform.uname()\nu.", k=50))


def test_a_modules_attribute_chain_is_no_member_to_offer(stdlib_searcher):
    # `urllib.request.urlopen` names a function of a submodule; an object of unknown type has no such
    # member, though a name used on it (`page.read`) is offered.
    code = "import urllib.request, os.path\npage = urllib.request.urlopen(u)\np = os.path.join(a, b)\n"
    hits = member_completions([stdlib_searcher], code + "page.", 3, 5)
    assert not [h for h in hits if h.why["source"] == "file-usage"], [(h.record.name, h.why) for h in hits]
    assert "urlopen" not in [h.record.name for h in hits]  # `join` may come as a frequent method (str.join)
    names = [h.record.name for h in member_completions([stdlib_searcher], code + "page.read()\npage.", 4, 5)]
    assert names[0] == "read", names[:5]


def test_a_sort_keys_lambda_works_on_an_item_of_what_is_sorted(stdlib_searcher):
    for code in ("def f(words: list[str]):\n    return max(words, key=lambda w: w.",
                 "import os\nnames = os.listdir('.')\nnames.sort(key=lambda n: n."):
        lines = code.split("\n")
        hits = member_completions([stdlib_searcher], code, len(lines) - 1, len(lines[-1]))
        assert hits[0].why.get("type") == "str", [(h.record.public_path, h.why) for h in hits[:3]]


def test_name_completions(stdlib_searcher):
    hits = name_completions([stdlib_searcher], "import json\npri", 1, 3)
    assert hits[0].record.name == "print"
    assert name_completions([stdlib_searcher], "import json\njs", 1, 2)[0].why["source"] == "file"


def test_hover_signature_and_unknown_apis(stdlib_searcher):
    assert record_at([stdlib_searcher], "import os\nos.path.join('a')", 1, 9).public_path == "os.path.join"
    rec, active = call_at([stdlib_searcher], "import json\njson.dumps(x, ", 1, 14)
    assert rec.public_path == "json.dumps" and active == 1
    bad = unknown_attributes([stdlib_searcher], "import json\njson.lods(s)\njson.loads(s)\n# json.nope\n")
    assert [(d["line"], d["name"], d["suggestions"][:1]) for d in bad] == [(1, "lods", ["loads"])]


@pytest.mark.parametrize("line,query", [
    ("# read a csv file into a dataframe", "read a csv file into a dataframe"),
    ("    # apirec: parse json", "parse json"),
    ("# type: ignore", None), ("# noqa", None), ("#!/usr/bin/env python", None), ("# x = f(y)", None),
    ("x = 1  # read a file", None), ("# TODO fix this", None), ("# word", None),
])
def test_nl_comment_query(line, query):
    assert nl_comment_query(line) == query


def test_call_snippet(stdlib_searcher):
    loads = stdlib_searcher.lookup("json.loads")[0]
    assert call_snippet(loads, "json") == "json.loads(${1:s})"
    assert call_snippet(loads, "json", snippet=False) == "json.loads(s)"


@pytest.mark.parametrize("code, want", [
    ("import math\n\n# length of the hypotenuse\nmath.", "hypot"),  # "Multidimensional Euclidean distance"
    ("import shutil\n\n# duplicate the folder with everything in it\nshutil.", "copytree"),
])
def test_a_comment_finds_a_member_by_what_it_means(stdlib_searcher, monkeypatch, code, want):
    # No word of the comment is in the member's name or doc: the comment's embedding against the
    # member's indexed one finds it among a module's many members. Among the first three, not first:
    # `math.cos` and `hypot` score within a hundredth of each other, which the CPU's arithmetic
    # (int8 kernels with or without AVX-512 VNNI) decides.
    import apirec.context as context

    assert want in names(stdlib_searcher, code)[:3]
    monkeypatch.setattr(context, "_MEANING", 0.0)
    assert want not in names(stdlib_searcher, code)[:3]


def test_similarity_compares_a_text_with_the_records_this_index_holds(stdlib_searcher):
    from dataclasses import replace

    (hypot,) = stdlib_searcher.lookup("math.hypot")
    (ceil,) = stdlib_searcher.lookup("math.ceil")
    stranger = replace(hypot, public_path="elsewhere.hypot", canonical_path="elsewhere.hypot", origin="x")
    got = stdlib_searcher.similarity("length of the hypotenuse", [hypot, ceil, stranger])
    assert set(got) == {hypot.id, ceil.id}  # not a record of this index: no vector, no answer
    assert got[hypot.id] > got[ceil.id]


def test_completion_without_vectors_ranks_by_words_alone(tmp_path, apirec_home):
    # An index whose vectors are gone (a partial copy, a disk error): completion answers all the same.
    from apirec.build import build_index
    from apirec.search import Searcher

    funcs = "".join(f"def helper_{i}(x):\n    \"\"\"Helper number {i}.\"\"\"\n\n\n" for i in range(40))
    shout = "def shout(s):\n    \"\"\"Upper-case it.\"\"\"\n"
    repo = write_tree(tmp_path / "repo", {"tools.py": funcs + shout})
    build_index(tmp_path / "ix", [str(repo)])
    s = Searcher(tmp_path / "ix")
    code = "import tools\n\n# make the text loud\ntools."
    assert s.similarity("make the text loud", s.members("tools"))  # with its vectors it answers
    (s.folder / "vectors.npy").unlink()
    s = Searcher(tmp_path / "ix")
    with pytest.raises(OSError):
        s.similarity("make the text loud", s.members("tools"))
    got = names(s, code, n=50)
    assert "shout" in got and len(got) == 41


def test_unknown_receiver_ranks_by_the_intent_of_the_comment(stdlib_searcher):
    code = "def encode(obj, enc):\n    # serialize obj to a JSON formatted str\n    return enc."
    hits = member_completions([stdlib_searcher], code, 2, 15)
    top = [h.record.name for h in hits[:3]]
    assert "dumps" in top or "encode" in top, top
    assert hits[0].why["source"] == "intent"
    from apirec.context import intent_text

    assert intent_text(code.split("\n"), 2) == "encode serialize obj to a JSON formatted str"


def test_lookups_remember_answers_within_a_bound(stdlib_searcher):
    from apirec.lookups import Lookups

    lk = Lookups(stdlib_searcher.db, stdlib_searcher.priors)
    first = lk.members("json")
    assert "loads" in {r.name for r in first} and lk.members("json") is first  # asked once
    calls = []
    for i in range(5):
        lk.memo("k", i, lambda: calls.append(1), bound=3)
    lk.memo("k", 4, lambda: calls.append(1), bound=3)
    assert len(calls) == 5  # the fourth entry started the kind over; the fifth is remembered
    assert lk.exact("json.loads")[0].public_path == "json.loads"
    assert lk.by_id(lk.exact("json.loads")[0].id).public_path == "json.loads"


def test_lookups_members_are_all_direct_children_however_many_descendants(tmp_path):
    # javax.swing has 50,000 descendants; a capped scan of descendants lost most of its 134 members.
    import numpy as np

    from apirec.lookups import Lookups
    from apirec.records import ApiRecord
    from apirec.store import create_db, write_records

    recs = [ApiRecord("big", "big", "module"), ApiRecord("big.Zed", "big.Zed", "class"),
            ApiRecord("big.helper", "big._impl.helper", "function")]
    recs += [ApiRecord(f"big.Aaa.m{i:05d}", f"big.Aaa.m{i:05d}", "method") for i in range(20_001)]
    recs += [ApiRecord("big.Aaa", "big.Aaa", "class"), ApiRecord("big._impl.Hidden", "big._impl.Hidden", "class")]
    con = create_db(tmp_path / "meta.sqlite")
    write_records(con, recs, ["h"] * len(recs))
    lk = Lookups(con, np.zeros(len(recs)))
    assert sorted(r.public_path for r in lk.members("big")) == ["big.Aaa", "big.Zed", "big.helper"]
    assert len(lk.members("big.Aaa")) == 20_001
    assert [r.public_path for r in lk.defined_in("big._impl")] == ["big.helper"]
    assert lk.module_classes("big") == ["big.Aaa", "big.Zed"]


def test_typeshed_return_types_are_mined_with_qualified_names(tmp_path):
    from apirec.typeshed import mine, shipped_returns

    write_tree(tmp_path, {
        "builtins.pyi": """
            from io import TextIOWrapper
            from typing import LiteralString, TypeVar, overload

            _T = TypeVar("_T")

            class str:
                def split(self) -> list[LiteralString]: ...
                def join(self, it) -> str: ...
            @overload
            def open(file: str) -> TextIOWrapper: ...
            @overload
            def open(file: str, mode: str) -> bytes: ...
            def first(xs: list[_T]) -> _T: ...
            def nothing() -> None: ...
            @overload
            def maybe(x: int) -> None: ...
            @overload
            def maybe(x: str) -> str: ...
            """,
        "pkg/__init__.pyi": """
            class Conn:
                def peer(self) -> tuple[Conn, int]: ...
            """,
    })
    got = mine(tmp_path)
    assert got["open"] == "io.TextIOWrapper"  # the first overload, its name qualified by the stub's import
    assert got["str.split"] == "list[str]"  # a stub-only spelling of a runtime type
    assert got["pkg.Conn.peer"] == "tuple[pkg.Conn, int]"  # the stub's own class, qualified
    assert "first" not in got  # a bare TypeVar: nothing to complete on
    # `-> None` says the function is a procedure (`list.append`: its C body cannot say), unless
    # another overload gives a value.
    assert got["nothing"] == "None" and got["maybe"] == "str"
    assert shipped_returns()["re.compile"].startswith("re.Pattern")


def test_typeshed_generic_signatures_are_mined_with_every_overload(tmp_path):
    # A function whose return a TypeVar of its parameters makes keeps every overload (which one applies
    # depends on the call); so does a method whose return a TypeVar of its class makes (`list.pop`), with
    # the class's TypeVars in order (what a receiver declared `list[str]` binds); a class gets the generic
    # methods it inherits in the stubs (`dict.setdefault` is `MutableMapping.setdefault`), without the
    # base's TypeVars where its own differ.
    from apirec.typeshed import mine_all

    write_tree(tmp_path, {
        "builtins.pyi": """
            from typing import Generic, MutableMapping, TypeVar, overload
            from _typeshed import SupportsLenAndGetItem

            _T = TypeVar("_T")
            _KT = TypeVar("_KT")
            _VT = TypeVar("_VT")

            def choice(seq: SupportsLenAndGetItem[_T]) -> _T: ...
            @overload
            def pick(x: int) -> int: ...
            @overload
            def pick(x: _T, default: _T) -> _T: ...
            class list(Generic[_T]):
                def pop(self) -> _T: ...
            class dict(MutableMapping[_KT, _VT]):
                def keys(self) -> list[_KT]: ...
            """,
        "typing.pyi": """
            _KT = TypeVar("_KT")
            _VT = TypeVar("_VT")
            class MutableMapping(Generic[_KT, _VT]):
                def setdefault(self, key: _KT, default: _VT, /) -> _VT: ...
            """,
    })
    got = mine_all(tmp_path)
    assert got["generic"]["choice"] == [{"returns": "_T", "params": [
        ["seq", "positional_or_keyword", 0, "_typeshed.SupportsLenAndGetItem[_T]"]]}]
    assert [o["returns"] for o in got["generic"]["pick"]] == ["int", "_T"]
    base = got["generic"]["typing.MutableMapping.setdefault"]
    assert base[0]["owner"] == ["typing._KT", "typing._VT"]
    assert got["generic"]["dict.setdefault"] == [{k: v for k, v in o.items() if k != "owner"} for o in base]
    assert got["generic"]["list.pop"][0]["owner"] == ["_T"]
    assert got["generic"]["dict.keys"][0]["owner"] == ["_KT", "_VT"]
    assert {"_T", "typing._VT"} <= set(got["typevars"])


def test_typeshed_binary_operators_are_mined_where_they_give_another_type(tmp_path):
    # `datetime - datetime` is a timedelta, `datetime - timedelta` a datetime (`Self`): each overload's
    # operand and result; an operator that gives the class back in every overload (`+` here) is left out.
    from apirec.typeshed import mine_all

    write_tree(tmp_path, {"datetime.pyi": """
        from typing import overload
        from typing_extensions import Self

        class timedelta:
            def __add__(self, value: timedelta, /) -> timedelta: ...
        class datetime:
            @overload
            def __sub__(self, value: Self, /) -> timedelta: ...
            @overload
            def __sub__(self, value: timedelta, /) -> Self: ...
            def __add__(self, value: timedelta, /) -> Self: ...
        """})
    ops = mine_all(tmp_path)["operators"]
    assert ops == {"datetime.datetime.__sub__": [["datetime.datetime", "datetime.timedelta"],
                                                 ["datetime.timedelta", "datetime.datetime"]]}


def test_typeshed_enums_are_mined_with_their_stub_bases(tmp_path):
    from apirec.typeshed import mine_all

    write_tree(tmp_path, {
        "enum.pyi": "class Enum: ...\nclass ReprEnum(Enum): ...\nclass IntEnum(int, ReprEnum): ...\n",
        "http/__init__.pyi": ("from enum import IntEnum\nclass HTTPStatus(IntEnum): ...\n"
                              "class Other(int): ...\n"),
    })
    assert mine_all(tmp_path)["enums"] == {"http.HTTPStatus": ["enum.IntEnum"]}


def test_a_shipped_data_file_is_read_once_for_all_its_tables(tmp_path, monkeypatch):
    # Each table of the typeshed file was a parse of the whole file, tens of milliseconds, paid by the
    # first completions that asked; a damaged file gives empty tables.
    import gzip
    import json

    import apirec.usage as usage

    path = tmp_path / "data.json.gz"
    with gzip.open(path, "wt", encoding="utf-8") as f:
        json.dump({"returns": {"a": "int"}, "enums": {"E": ["enum.Enum"]}}, f)
    opened = []
    real_open = gzip.open
    monkeypatch.setattr(usage.gzip, "open", lambda *a, **k: opened.append(a[0]) or real_open(*a, **k))
    assert usage.read_shipped(path, "returns") == {"a": "int"}
    assert usage.read_shipped(path, "enums") == {"E": ["enum.Enum"]}
    assert usage.read_shipped(path, "missing") == {}
    assert opened == [path]
    bad = tmp_path / "bad.json.gz"
    bad.write_bytes(b"not gzip")
    assert usage.read_shipped(bad, "returns") == {}


def test_warm_loads_what_the_first_completion_would(stdlib_index):
    # The language server warms its default index off the request path: the first completion after
    # start had taken 130-150 ms loading the query model and the lexical search's tables.
    from apirec.context import warm
    from apirec.search import Searcher

    s = Searcher(stdlib_index, load_dense=False)
    assert s._embedder is None
    warm(s)
    assert s._embedder is not None and s.lookups.memo("frequent", 100, lambda: None)


def test_typeshed_class_members_are_mined(tmp_path):
    from apirec.typeshed import mine_all

    write_tree(tmp_path, {"zlib.pyi": """
        class _Compress:
            def compress(self, data: bytes, /) -> bytes: ...
            def _private(self) -> None: ...
            level: int
            @property
            def name(self) -> str: ...
        def compressobj(level: int = -1) -> _Compress: ...
        """})
    assert mine_all(tmp_path)["members"] == {"zlib._Compress": ["compress", "level name"]}


def test_a_class_only_the_stubs_define_has_their_members(stdlib_searcher):
    # `sys.version_info` is a `sys._version_info`, zlib's compressor a `zlib._Compress`: classes no
    # Python source defines, listed with the stubs' members, which keep the stubs' returns.
    def names(code):
        lines = code.split("\n")
        return [h.record.name for h in member_completions([stdlib_searcher], code, len(lines) - 1,
                                                          len(lines[-1]), k=10)]

    assert {"major", "minor", "micro"} <= set(names("import sys\nsys.version_info."))
    assert set(names("import zlib\nc = zlib.compressobj()\nc.")) == {"compress", "copy", "flush"}
    code = "import zlib\nc = zlib.compressobj()\nout = c.compress(b'x')\nout."
    assert infer_type(code, 3, 4, "out", searchers=[stdlib_searcher]) == "bytes"


def test_typeshed_literal_overloads_are_mined_through_aliases(tmp_path):
    from apirec.typeshed import mine_all

    write_tree(tmp_path, {
        "_typeshed/__init__.pyi": """
            from typing import Literal
            from typing_extensions import TypeAlias
            ReadText: TypeAlias = Literal["r", "rt"]
            WriteText: TypeAlias = Literal["w"]
            TextMode: TypeAlias = ReadText | WriteText
            """,
        "builtins.pyi": """
            from typing import Literal, overload
            from _typeshed import TextMode
            @overload
            def open(file: str, mode: TextMode = "r") -> TextIOWrapper: ...
            @overload
            def open(file: str, mode: Literal["rb"], buffering: Literal[0]) -> FileIO: ...
            class TextIOWrapper: ...
            class FileIO: ...
            """,
    })
    got = mine_all(tmp_path)["literal"]["open"]
    assert [o["returns"] for o in got] == ["TextIOWrapper", "FileIO"]
    assert got[0]["params"][1] == ["mode", "positional_or_keyword", 1, ["'r'", "'rt'", "'w'"]]
    assert got[1]["params"][2][3] == ["0"] and got[0]["params"][0][3] is None


def test_a_call_fits_the_overload_its_arguments_can_fill():
    from apirec.context import _fit_overload

    get = [["key", "positional_only", 0, "_KT"], ["default", "positional_only", 1, "None"]]
    assert _fit_overload(get, ["k"], {}) == {"key": "k"}
    assert _fit_overload(get, ["k", "[]"], {}) is None  # a parameter annotated None takes only None
    assert _fit_overload(get, ["k", "None"], {}) == {"key": "k", "default": "None"}
    assert _fit_overload(get, [], {"key": "k"}) is None  # positional-only
    top = [["iterable", "positional_only", 0, "Iterable[_T]"], ["key", "keyword_only", 1, "None"]]
    assert _fit_overload(top, ["xs"], {"key": "None"}) == {"iterable": "xs", "key": "None"}
    assert _fit_overload(top, ["a", "b"], {}) is None and _fit_overload(top, ["a"], {"other": "1"}) is None
    assert _fit_overload([["x", "positional_or_keyword", 0, "_T"]], [], {"x": "v"}) == {"x": "v"}


def test_typeshed_attribute_declarations_are_mined(tmp_path):
    # `sys.stdout` is an object whose type only the stub declares; `Final` alone and aliases say nothing.
    from apirec.typeshed import mine

    write_tree(tmp_path, {"sys.pyi": """
        from typing import Final, TextIO, TypeAlias, TypeVar
        from _typeshed import MaybeNone

        stdout: TextIO | MaybeNone
        maxsize: Final[int]
        flags: Final = 3
        _Handle: TypeAlias = int
        _R = TypeVar("_R", Popen, Popen | None, default=Popen | None)
        _B = TypeVar("_B", bound=dict[str, int])
        _T = TypeVar("_T")
        class Popen:
            returncode: int | MaybeNone
            def root(self) -> _R: ...
            def table(self) -> _B: ...
            def anything(self) -> _T: ...
        """})
    got = mine(tmp_path)
    assert got["sys.Popen.root"] == "sys.Popen" and got["sys.Popen.table"] == "dict[str, int]"
    assert "sys.Popen.anything" not in got
    assert got["sys.stdout"] == "typing.TextIO | None"
    assert got["sys.maxsize"] == "int" and got["sys.Popen.returncode"] == "int | None"
    assert "sys.flags" not in got and "sys._Handle" not in got


def test_typeshed_re_exports_and_aliases_carry_their_returns(tmp_path):
    # io.pyi re-exports _io's `open`, which _io.pyi binds to builtins.open: `io.open(p, 'rb').` types
    # as the builtin's return. A stub's `Date = date` alias is its class; helpers such as `overload` that
    # stubs import from typing are not re-exported.
    from apirec.typeshed import mine, shipped_returns

    write_tree(tmp_path, {
        "builtins.pyi": """
            from _io import TextIOWrapper

            def open(file: str) -> TextIOWrapper: ...
            """,
        "_io.pyi": """
            import builtins

            open = builtins.open
            class TextIOWrapper: ...
            """,
        "io.pyi": """
            from _io import open as open
            """,
        "typing.pyi": """
            def overload(func: Callable) -> Callable: ...
            """,
        "clock.pyi": """
            from typing import overload

            class date: ...
            Date = date
            def today() -> Date: ...
            """,
    })
    got = mine(tmp_path)
    assert got["io.open"] == got["_io.open"] == got["open"] == "_io.TextIOWrapper"
    assert got["clock.today"] == "clock.date"
    assert "clock.overload" not in got
    assert shipped_returns()["io.open"] == "io.TextIOWrapper"  # the shipped file is mined the same way
