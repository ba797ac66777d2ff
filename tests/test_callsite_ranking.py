"""Member-completion ranking rules of apirec.context (issue #4): receiver types guessed from names,
`super()`, selections of a known class, comment intent, the call's shape on the rest of the line and
module aliases used without their import. Real tree-sitter on real temporary packages."""

from __future__ import annotations

import pytest
from trees import write_tree

from apirec.context import RecordSet, member_completions

FRAMES = {
    "frames/__init__.py": '''
        """A tiny table library."""


        class DataFrame:
            """Two-dimensional labelled data."""

            def drop(self, labels, axis=0):
                """Drop the given labels (rows or columns)."""

            def dropna(self, subset=None, how="any"):
                """Remove rows that have missing values."""

            def head(self, n=5) -> "DataFrame":
                """Return the first n rows."""

            def apply(self, func, axis=0):
                """Apply a function along an axis."""

            @property
            def shape(self):
                """The number of rows and columns."""

            def __getattr__(self, name):
                """A column by its name (`df.price`)."""


        class Series:
            """One-dimensional labelled data."""

            def tolist(self):
                """Return the values as a list."""
        ''',
}


@pytest.fixture(scope="module")
def frames(tmp_path_factory):
    return package(tmp_path_factory.mktemp("cs") / "proj", "frames", FRAMES["frames/__init__.py"])


def complete(sources, code, rest=""):
    lines = code.split("\n")
    full = code + rest
    return member_completions(sources, full, len(lines) - 1, len(lines[-1]))


def top(sources, code, rest="", n=3):
    return [h.record.name for h in complete(sources, code, rest)[:n]]


def package(where, name, source):
    """The records of a one-module package `name` written from `source` under `where` (real tree-sitter)."""
    from apirec.lsp.indexes import extract_file

    root = write_tree(where, {f"{name}/__init__.py": source})
    path = root / name / "__init__.py"
    return RecordSet(extract_file(root, path, path.read_bytes()), name=name)


def test_receiver_name_suggests_the_class(frames):
    code = "import frames\n\ndef f(df):\n    return df."
    hits = complete([frames], code)
    assert hits[0].why["source"] == "name-guess" and hits[0].why["type"] == "frames.DataFrame"
    assert {h.record.name for h in hits} >= {"drop", "dropna", "head", "apply"}
    names = [h.record.name for h in hits]
    assert max(names.index(n) for n in ("drop", "dropna", "head", "apply")) < names.index("tolist")
    assert complete([frames], "import frames\n\ndef f(my_series):\n    return my_series.")[0].record.name == "tolist"


def test_a_name_suggests_the_class_it_is_the_head_noun_of(tmp_path):
    # `transp` starts both names; a TransportSocket is a socket, a Transport is what `transp` is.
    net = package(tmp_path / "proj", "net", '''
        class TransportSocket:
            def setsockopt(self, level, opt, value):
                """Set a socket option."""

            def fileno(self):
                """The socket's file descriptor."""

            def getpeername(self):
                """The remote address."""


        class Transport:
            def set_protocol(self, protocol):
                """Set a new protocol."""
        ''')
    hits = complete([net], "import net\n\ndef f(transp):\n    transp.", "(proto)")
    assert hits[0].why["type"] == "net.Transport", hits[0].why


def test_a_name_inside_one_word_of_a_class_name_only(tmp_path):
    # "reader" is spelled inside "threaderror" across its two words: a reader is no ThreadError.
    thr = package(tmp_path / "proj", "thr", '''
        class ThreadError(Exception):
            def with_traceback(self, tb):
                """Set the traceback."""


        class ndarray:
            def reshape(self, shape):
                """A new shape."""
        ''')
    hits = complete([thr], "import thr\n\ndef f(reader):\n    reader.", "()")
    assert not any(h.why.get("type") == "thr.ThreadError" for h in hits), [(h.record.name, h.why)
                                                                           for h in hits]
    # Inside one word it still counts: `arr` for an ndarray.
    hits = complete([thr], "import thr\n\ndef f(arr):\n    arr.", "((2, 3))")
    assert hits[0].why.get("type") == "thr.ndarray", [(h.record.name, h.why) for h in hits]


def test_a_chain_on_a_receiver_whose_name_suggests_the_class(frames):
    # `df` is only a guess (a parameter), yet `df.head(3).` and `df.head(3)["a"].` follow from it.
    for code in ("import frames\n\ndef f(df):\n    return df.head(3).",
                 "import frames\n\ndef f(df):\n    return df.head(3)['a'].",
                 "import frames\n\ndef f(df):\n    return df.price."):
        hits = complete([frames], code)
        assert hits[0].why["source"] == "name-guess" and hits[0].why["type"] == "frames.DataFrame", code


def test_a_lambda_parameter_works_on_the_object_whose_method_takes_it(frames):
    # `row` names no class, but the lambda goes to a DataFrame's method: its members, not a guess.
    code = "import frames\n\ndef f(table: frames.DataFrame):\n    return table.apply(lambda row: row."
    hits = complete([frames], code, "dropna())")
    assert hits[0].why.get("type") == "frames.DataFrame", [(h.record.name, h.why) for h in hits[:3]]
    # Not for a function's keyword argument: `sorted(xs, key=lambda row: row.▮)` says nothing of row.
    code = "import frames\n\ndef f(table: frames.DataFrame, xs):\n    return sorted(xs, key=lambda row: row."
    assert all(h.why.get("type") != "frames.DataFrame" for h in complete([frames], code, "x)"))


def test_an_attribute_a_class_lacks_is_not_that_class(frames):
    # A DataFrame answers any attribute (its columns) and `df.price.` is guessed a DataFrame above; a
    # class without __getattr__ does not: `self.rfile.` in a handler is no handler.
    code = ("import frames\n\nclass Handler:\n    def send(self, data):\n        pass\n\n"
            "    def run(self):\n        self.rfile.")
    hits = complete([frames], code, "()")
    assert all(h.why.get("type") != "Handler" and h.record.name != "send" for h in hits), \
        [(h.record.name, h.why) for h in hits]


def test_a_chain_across_lines_offers_the_members_of_its_type(frames):
    # Method chains written one call per line, and a call whose arguments span lines.
    for code in ("import frames\n\ndef f(df: frames.DataFrame):\n    return (df  # the table\n"
                 "            .head(3)\n            .",
                 "import frames\n\ndef f(df: frames.DataFrame):\n    return df.head(\n        3,\n    )."):
        hits = complete([frames], code)
        assert hits and hits[0].why.get("type") == "frames.DataFrame", (code, [(h.record.name, h.why)
                                                                              for h in hits])
    assert complete([frames], "import frames\n\ndef f():\n    .") == []  # no receiver anywhere
    # Hover and signature help read such a chain too.
    from apirec.context import call_at, record_at

    code = ("import frames\n\ndef f(df: frames.DataFrame):\n    return (df\n            .head(3)\n"
            "            .apply(f")
    assert record_at([frames], code, 4, 16).public_path == "frames.DataFrame.head"
    rec, active = call_at([frames], code, 5, len(code.split("\n")[5]))
    assert rec.public_path == "frames.DataFrame.apply" and active == 0
    # ... and a call whose arguments run on over the next lines, up to the cursor's line.
    code = "import frames\n\ndef f(df: frames.DataFrame):\n    return df.apply(  # rows\n        f,\n        a"
    rec, active = call_at([frames], code, 5, 9)
    assert rec.public_path == "frames.DataFrame.apply" and active == 1
    assert call_at([frames], "import frames\nx = frames.DataFrame(\n    1)\ny = ", 3, 4) is None


def test_a_selection_of_a_known_class_offers_its_members(frames):
    code = "import frames\ntable = frames.DataFrame()\ntable['a']."
    hits = complete([frames], code)
    assert hits and hits[0].why["type"] == "frames.DataFrame"


def test_comment_intent_ranks_the_members_of_a_known_type(frames):
    code = "import frames\ntable = frames.DataFrame()\n# remove the rows with missing values\nclean = table."
    assert top([frames], code, "()", 1) == ["dropna"]
    code = "import frames\ntable = frames.DataFrame()\n# the first rows of the table\nfirst = table."
    assert top([frames], code, "(3)", 1) == ["head"]


def test_keyword_arguments_on_the_rest_of_the_line(frames):
    code = "import frames\ntable = frames.DataFrame()\nout = table."
    assert top([frames], code, "(subset=['a'], how='all')", 1) == ["dropna"]
    assert top([frames], code, "(lambda r: r, axis=1)", 1) == ["apply"]


def test_call_shape_prefers_callables_and_attributes(frames):
    code = "import frames\ntable = frames.DataFrame()\nn = table."
    assert "shape" not in top([frames], code, "(3)", 4)  # a property is not called
    assert top([frames], code, "[0]", 1) == ["shape"]


def test_super_resolves_to_the_first_base(stdlib_searcher):
    code = ("import json\n\nclass Dec(json.JSONDecoder):\n    def decode(self, s):\n"
            "        return super().")
    hits = complete([stdlib_searcher], code, "(s)")
    assert hits[0].why["type"] == "json.JSONDecoder"
    assert {"decode", "raw_decode"} <= {h.record.name for h in hits[:5]}


def test_module_alias_without_its_import(stdlib_searcher):
    # A snippet whose imports are cut off: `jj` is used as a module that defines JSONDecoder.
    code = "d = jj.JSONDecoder()\ns = jj."
    hits = complete([stdlib_searcher], code, "(obj)")
    assert hits[0].why["type"] == "json"
    assert "dumps" in [h.record.name for h in hits[:5]]


def test_same_receiver_usage_beats_the_global_prior(stdlib_searcher):
    code = "def f(conn_pool):\n    conn_pool.checkout()\n    conn_pool.checkout()\n    conn_pool."
    assert top([stdlib_searcher], code, "()", 1) == ["checkout"]


def test_a_module_function_used_in_the_file_counts_once(stdlib_searcher):
    # `json.dumps` twice: on a module receiver, the file's uses of a name are the receiver's uses.
    code = "import json\na = json.dumps(1)\nb = json.dumps(2)\nc = json."
    why = next(h.why for h in complete([stdlib_searcher], code, "(3)") if h.record.name == "dumps")
    assert "same" in why and "file" not in why, why


ARRAYS = {
    "arrs/__init__.pyi": '''
        from typing import Final, Self, TypeAlias, TypeVar

        from arrs._core import ravel
        from arrs._base import _Common

        class ndarray(_Common):
            def reshape(self, shape: int) -> Self: ...
            def tolist(self) -> list: ...

        class matrix(ndarray):
            def getI(self) -> matrix: ...

        _ArrayT = TypeVar("_ArrayT", bound=ndarray)
        _Array1D: TypeAlias = ndarray[tuple[int]]

        def array(obj: _ArrayT) -> _ArrayT: ...
        def arange(stop: int) -> _Array1D: ...

        class _Constructor:
            def __call__(self, shape: int) -> ndarray: ...

        zeros: Final[_Constructor] = ...
        ''',
    "arrs/_typing.pyi": '''
        from typing import TypeAlias

        from arrs import ndarray

        Vector: TypeAlias = ndarray[tuple[int]]
        ''',
    "arrs/typing.pyi": '''
        from arrs._typing import Vector as Vector
        ''',
    "arrs/_base.pyi": '''
        from typing import Self

        class _Common:
            def fill(self, value: float) -> None: ...
            @property
            def T(self) -> Self: ...
        ''',
    "arrs/_core.pyi": '''
        from arrs._typing import Vector

        def ravel(a) -> Vector: ...
        ''',
    # A pandas-like package on top: a descriptor attribute, an `ar.ndarray` annotation (the index does
    # not keep the module's imports) and overloads led by an `inplace=True -> None` one, whose decorator
    # carries a comment as pandas' do.
    "tabs/__init__.py": '''
        from typing import Literal, overload

        import arrs as ar
        from tabs._props import AxisProperty


        class Index:
            def get_loc(self, key):
                """Position of a label."""


        class Table:
            columns = AxisProperty(axis=0)

            @property
            def values(self) -> ar.ndarray:
                """The data as an array."""

            @overload  # type: ignore[override]
            def sort(self, *, inplace: Literal[True]) -> None: ...
            @overload
            def sort(self, *, inplace: Literal[False] = ...) -> Table: ...
            def sort(self, *, inplace=False) -> Table | None:
                """Sort the rows."""
        ''',
    "tabs/_props.pyi": '''
        from tabs import Index

        class AxisProperty:
            def __init__(self, axis: int = ...) -> None: ...
            def __get__(self, obj, type) -> Index: ...
        ''',
}


@pytest.fixture(scope="module")
def arrays(tmp_path_factory):
    from apirec.build import build_index
    from apirec.search import Searcher

    root = write_tree(tmp_path_factory.mktemp("stubs") / "proj", ARRAYS)
    out = tmp_path_factory.mktemp("stubs-index") / "idx"
    build_index(out, [str(root / "arrs"), str(root / "tabs")])
    return Searcher(out, load_dense=False)


@pytest.mark.parametrize("expr, expected", [
    ("arrs.array(x)", "arrs.ndarray"),  # a TypeVar stands for its bound
    ("arrs.arange(3)", "arrs.ndarray"),  # a TypeAlias for its target
    ("arrs.zeros(3)", "arrs.ndarray"),  # a callable object: its __call__'s return
    ("arrs.ravel(x)", "arrs.ndarray"),  # a name the stub imports from elsewhere in its package
    ("arrs.matrix().reshape(2)", "arrs.matrix"),  # an inherited `-> Self` method: the receiver's class
    ("arrs.matrix().T", "arrs.matrix"),  # ... and property, declared in a private base
    ("tabs.Table().values", "arrs.ndarray"),  # `ar.ndarray`: the top-level module defining ndarray
    ("tabs.Table().columns", "tabs.Index"),  # a descriptor: what its __get__ returns
    ("tabs.Table().sort()", "tabs.Table"),  # the implementation's return, not the first overload's
    ("arrs.arange(3) * 2", "arrs.ndarray"),  # an array-like operand keeps its class through operators
    ("(2 < arrs.arange(3)) & (arrs.arange(3) < 8)", "arrs.ndarray"),
    ("-arrs.zeros(3)", "arrs.ndarray"),
    ("1.5 * 2", "float"),  # builtins: the shared type, or a comparison's bool
    ("'a' < 'b'", "bool"),
    ("y != z", None),  # operands of unknown type may be arrays, whose comparisons are masks
])
def test_stub_return_types(arrays, expr, expected):
    from apirec.context import infer_type

    code = f"import arrs\nx = {expr}\nx."
    assert infer_type(code, 2, 2, "x", searchers=[arrays]) == expected


def test_a_callable_object_is_offered_for_a_call(arrays):
    # numpy's ufuncs and constructors are attributes holding callable objects (`zeros: Final[...]`).
    zeros = next(h for h in complete([arrays], "import arrs\nx = arrs.", "(3)") if h.record.name == "zeros")
    assert zeros.why["shape"] > 0


def test_members_inherited_from_a_private_base_are_offered(arrays):
    # numpy's ndarray and io.BufferedIOBase get much of their API from private bases.
    hits = complete([arrays], "import arrs\nx = arrs.arange(3)\nx.", "(0.0)")
    assert "fill" in [h.record.name for h in hits]


def test_shared_method_names_share_their_usage_prior(frames, stdlib_searcher):
    # `.get` is called on dicts, queues, messages...: a class that merely defines `get` gets a share
    # of those calls, not all of them.
    from apirec.context import _Doc, _prior
    from apirec.records import ApiRecord
    from apirec.usage import shipped_usage

    calls = shipped_usage()[".get"]
    get = ApiRecord(public_path="frames.DataFrame.get", canonical_path="frames.DataFrame.get", kind="method")
    alone = _prior(get, "frames.DataFrame", False, _Doc([frames], "x.", 0, 2))
    shared = _prior(get, "frames.DataFrame", False, _Doc([frames, stdlib_searcher], "x.", 0, 2))
    assert alone == calls
    assert shared < calls / 10


def test_module_level_code_takes_the_comments_of_its_paragraph():
    from apirec.context import intent_text

    script = ["import pandas as pd", "", "# convert the second column to floats",
              "df = pd.DataFrame(rows)", "df['b'] = df['b'].", "", "x = 1", "y = x."]
    assert intent_text(script, 4) == "convert the second column to floats"
    assert intent_text(script, 7) == ""  # a blank line ends the paragraph
    func = ["# module comment", "def to_floats(df):", "    # the second column", "    out = df.copy()",
            "    return out."]
    assert intent_text(func, 4) == "to floats the second column"


def test_a_long_intent_keeps_the_comments_nearest_the_line():
    # Over 300 characters: the function's name and its docstring's start, then the comments right
    # above the line (the cut once kept the start of everything and lost "... and reset_index").
    from apirec.context import intent_text

    func = ["def get_value_counts(df):", '    """' + "Counts of the distinct values. " * 12 + '"""',
            "    # " + "some background on what the output is used for " * 3,
            "    # use rename_axis for the name of the column and reset_index",
            "    return df.value_counts().rename_axis('v')."]
    got = intent_text(func, 4)
    assert len(got) <= 300 and got.startswith("get value counts Counts of the distinct values.")
    assert got.endswith("use rename_axis for the name of the column and reset_index")
    short = ["def f(df):", "    # drop the empty rows", "    return df."]
    assert intent_text(short, 2) == "f drop the empty rows"  # short: all of it, in order


def test_the_method_being_written_is_not_offered_first_on_self(frames):
    from apirec.context import _enclosing_function

    code = ("import frames\n\nclass Cleaner(frames.DataFrame):\n    def fix(self):\n        pass\n\n"
            "    def dropna(self):\n        if True:\n"
            "            return self.")
    lines = code.split("\n")
    assert _enclosing_function(lines, len(lines) - 1) == "dropna"
    assert _enclosing_function(["class A:", "    x = y."], 1) is None
    hits = complete([frames], code, "()")
    names = [h.record.name for h in hits]
    assert names.index("fix") < names.index("dropna")
    assert hits[names.index("dropna")].why["recursion"] < 0
    # Another object's method of the same name is delegation, not recursion: no penalty.
    code = code.replace("return self.", "return self.inner.")
    assert all("recursion" not in h.why for h in complete([frames], code, "()"))


DELEGATE = """import frames

class Wrapper:
    def __init__(self):
        self.inner: frames.DataFrame = frames.DataFrame()

    def head(self, n=5):
        \"\"\"Apply this wrapper's function along an axis, then keep n.\"\"\"
        return self.inner."""


def test_a_method_hands_its_work_on_under_its_own_name(frames):
    # `head` in `def head(self, n)` passing its own parameters on is delegation, which outweighs the
    # docstring's words (they spell `apply`); with other arguments, or on a guessed type, no evidence.
    hits = complete([frames], DELEGATE, "(n)")
    assert hits[0].record.name == "head" and hits[0].why["delegate"] > 0
    assert complete([frames], DELEGATE, "(n=n)")[0].record.name == "head"
    splat = DELEGATE.replace("head(self, n=5)", "head(self, *args, **kw)")
    assert complete([frames], splat, "(*args, **kw)")[0].record.name == "head"
    for rest in ("(3)", "(n, 1)", "(m)", "(n"):
        hits = complete([frames], DELEGATE, rest)
        assert hits[0].record.name == "apply" and all("delegate" not in h.why for h in hits), rest
    guessed = DELEGATE.replace("self.inner: frames.DataFrame = frames.DataFrame()", "self.df = None")
    assert all("delegate" not in h.why for h in complete([frames], guessed.replace(".inner.", ".df."), "(n)"))
    # `super().head(n)` in a subclass's own `head`.
    sub = ("import frames\n\nclass Clean(frames.DataFrame):\n    def head(self, n=5):\n"
           "        \"\"\"Apply a function along an axis.\"\"\"\n        out = super().")
    assert top([frames], sub, "(n)", 1) == ["head"]
    assert top([frames], sub, "(5)", 1) == ["apply"]


def test_a_name_suggests_a_class_its_module_re_exports(stdlib_searcher):
    # asyncio.futures defines Future, public as asyncio.Future: `future` in a file that imports the
    # module is still a Future.
    code = "from asyncio import futures\n\ndef run(future):\n    if future."
    hits = complete([stdlib_searcher], code, "():")
    assert hits[0].why.get("type") == "asyncio.Future"
    assert "done" in [h.record.name for h in hits[:5]]


def test_a_module_offers_what_it_defines_and_its_package_re_exports(stdlib_searcher):
    # asyncio.tasks.gather is public as asyncio.gather: `tasks.` still offers it.
    code = "from asyncio import tasks\n\nasync def main(coros):\n    await tasks."
    hits = complete([stdlib_searcher], code, "(*coros)")
    names = [h.record.name for h in hits]
    assert hits[0].why.get("type") == "asyncio.tasks" and "gather" in names[:10]


def test_the_first_argument_says_which_parameter_takes_it(tmp_path):
    # `(lambda ...)` goes to a `func` parameter, `(float)` to a `dtype`: nothing else on the line says so.
    grid = package(tmp_path / "proj", "grid", '''
        class Grid:
            def take(self, indices):
                """Take elements at the given positions."""

            def transform(self, func):
                """Transform every cell with a function."""

            def astype(self, dtype: "DtypeArg"):
                """Cast to a data type."""

            def resize(self, n):
                """Resize the grid to n cells."""


        def double(v):
            """Twice the value."""
        ''')
    code = "import grid\ng = grid.Grid()\nout = g."
    assert top([grid], code, "(lambda v: v * 2)", 1) == ["transform"]
    assert top([grid], code, "(np.float32)", 1) == ["astype"]
    assert top([grid], code, "(float)", 1) == ["astype"]
    assert all("arg" not in h.why for h in complete([grid], code, "(values)"))  # no evidence, no bonus
    # A function passed by name goes to a `func` parameter as a lambda does; a value's attribute does not.
    assert top([grid], code, "(grid.double)", 1) == ["transform"]
    again = "import grid\ng = grid.Grid()\nout = g.resize(3)\nout = g."
    assert top([grid], again, "(g.take)", 1) == ["transform"]
    assert all("arg" not in h.why for h in complete([grid], code, "(g.cells)"))


def test_intent_words_naming_the_receiver_type_do_not_pick_its_member(tmp_path):
    # "the last rows of my DataFrame": `DataFrame` names the receiver, `last rows` the member.
    tbl = package(tmp_path / "proj", "tbl", '''
        class DataFrame:
            def tail(self, n=5):
                """Return the last n rows."""

            def describe(self):
                """Describe a data frame: statistics of the DataFrame data, frame by frame."""

            def copy(self):
                """Copy the object."""
        ''')
    code = "import tbl\n\ndef f(df: tbl.DataFrame):\n    # get the last rows of my DataFrame data frame\n    return df."
    assert top([tbl], code, "(3)", 1) == ["tail"]


def test_a_snake_case_name_spelled_out_in_the_comment(tmp_path):
    stk = package(tmp_path / "proj", "stk", '''
        def column_stack(tup):
            """Stack 1-D arrays as columns into a 2-D array."""

        def stack(arrays, axis=0):
            """Join arrays along a new axis, one row each."""

        def hstack(tup):
            """Stack arrays in sequence horizontally."""
        ''')
    code = "import stk\n# add one element to each row with a column stack of the arrays\nout = stk."
    hits = complete([stk], code, "((a, b))")
    assert hits[0].record.name == "column_stack"


def test_a_compound_name_spelled_by_the_comment_words(tmp_path):
    # `dropna` is "drop" + the start of "NaN"; its doc shares no word with the comment.
    tbl = package(tmp_path / "proj", "tbl", '''
        class Table:
            def dropout(self):
                """Zero random units."""

            def dropper(self):
                """A pipette."""

            def dropna(self):
                """Remove missing values."""
        ''')
    code = "import tbl\n\ndef f(t: tbl.Table):\n    # drop the NaN rows\n    return t."
    hits = complete([tbl], code, "()")
    assert hits[0].record.name == "dropna" and hits[0].why.get("mention"), [(h.record.name, h.why) for h in hits]
    # Only a word's start may end the spelling: `dropper` is not "drop" + "per..." anywhere.
    assert "mention" not in next(h.why for h in hits if h.record.name == "dropper")
    # Other pieces may be a word's start of three letters or more: `cumsum`, "cumulative sum".
    tbl = package(tmp_path / "proj2", "tbl", '''
        class Table:
            def cumsum(self):
                """Running totals."""

            def summary(self):
                """Describe the table."""
        ''')
    code = "import tbl\n\ndef f(t: tbl.Table):\n    # the cumulative sum of each row\n    return t."
    hits = complete([tbl], code, "()")
    assert hits[0].record.name == "cumsum" and hits[0].why.get("mention"), [(h.record.name, h.why)
                                                                            for h in hits]


def test_an_argument_named_as_a_parameter(tmp_path):
    col = package(tmp_path / "proj", "col", '''
        class Column:
            def head(self, n=5):
                """The first n elements."""

            def clip(self, bound):
                """Trim each element."""

            def isin(self, values):
                """Whether each element is contained."""
        ''')
    code = "import col\n\ndef f(c: col.Column):\n    return c."
    for arg, want in (("(values)", "isin"), ("(self.bound)", "clip")):
        hits = complete([col], code, arg)
        assert hits[0].record.name == want and "argname" in hits[0].why, (arg, [h.record.name for h in hits])
    # A name that says what the value is (`arr`), not which parameter it is for, is no evidence.
    assert all("argname" not in h.why for h in complete([col], code, "(arr)"))


def test_an_argument_named_as_a_word_of_the_member(tmp_path):
    loop = package(tmp_path / "proj", "loopy", '''
        class Loop:
            def attach(self, watcher):
                """Attach a watcher to the loop."""

            def run_soon(self, callback):
                """Run a callback on the next turn."""

            def set_debug(self, enabled):
                """Turn the debug mode on or off."""

            def set_exception_handler(self, handler):
                """Install an error handler."""

            def merge_data(self, other):
                """Merge another loop's records."""
        ''')
    code = "import loopy\n\ndef f(lp: loopy.Loop):\n    lp."
    # `set_debug(self._debug)`: no parameter is named `debug`, but the member's name says it.
    for arg, want in (("(self._debug)", "set_debug"), ("(exc)", "set_exception_handler")):
        hits = complete([loop], code, arg)
        assert hits[0].record.name == want and "argword" in hits[0].why, (arg, [(h.record.name, h.why)
                                                                              for h in hits])
    # The data a call works on names nothing it does, and a whole name is no word of it.
    for arg in ("(data)", "(attach)"):
        assert all("argword" not in h.why for h in complete([loop], code, arg)), arg


def test_a_variable_named_after_what_the_member_gives(tmp_path):
    loop = package(tmp_path / "proj", "loopy2", '''
        class Loop:
            def is_closed(self):
                """Whether the loop was closed."""
                return False

            def call_soon(self, callback):
                """Schedule a callback."""
                return Handle()

            def create_future(self):
                """A future attached to the loop."""
                return object()

            def get_buffer(self, size):
                """A buffer to receive into."""
                return bytearray(size)
        ''')
    code = "import loopy2\n\ndef f(lp: loopy2.Loop):\n    {} = lp."
    # As typed, before the call's parentheses: the variable's name is its evidence.
    for target, want in (("fut", "create_future"), ("buf", "get_buffer")):
        hits = complete([loop], code.format(target))
        assert hits[0].record.name == want and "product" in hits[0].why, (target, [(h.record.name, h.why)
                                                                                 for h in hits])
    # The data a call works on says nothing of which call gives it.
    assert all("product" not in h.why for h in complete([loop], code.format("data")))
    # A dict key or a keyword argument names the value as well; a tuple's second name is no keyword.
    code = "import loopy2\n\ndef f(lp: loopy2.Loop, d):\n    {}lp."
    for line in ("d['buf'] = ", "d = {'fut': ", "print(d, fut="):
        hits = complete([loop], code.format(line))
        assert "product" in hits[0].why, (line, [(h.record.name, h.why) for h in hits])
    assert all("product" not in h.why for h in complete([loop], code.format("a, buf = ")))


def test_a_condition_asks_for_a_predicate():
    code = ("class Handler:\n    def send_error(self, code):\n        pass\n\n"
            "    def has_body(self) -> bool:\n        return True\n\n"
            "    def is_cgi(self):\n        return False\n\n"
            "    def handle(self):\n        ")
    for line, want in (("if self.", {"has_body", "is_cgi"}), ("while not self.", {"has_body", "is_cgi"})):
        hits = complete([], code + line, "():")
        assert hits[0].record.name in want, (line, [(h.record.name, h.why) for h in hits])
    assert all("cond" not in h.why for h in complete([], code + "x = self.", "()"))


def test_a_boolean_mask_asks_for_a_predicate(tmp_path):
    col = package(tmp_path / "proj", "col", '''
        class Column:
            def head(self, n=5):
                """The first n elements."""

            def shift(self, periods=1):
                """Shift the elements by some periods."""

            def isnull(self):
                """Detect missing values."""
        ''')
    code = "import col\n\ndef f(c: col.Column):\n    return "
    for line in ("c[c.", "c.loc[~c.", "c[:, c."):
        hits = complete([col], code + line, "()]")
        assert hits[0].record.name == "isnull" and "cond" in hits[0].why, (line, [h.record.name
                                                                                 for h in hits])
    # A result that is compared is no mask; a subscript of something else is no selection.
    assert all("cond" not in h.why for h in complete([col], code + "c[c.", "(-1) != c]"))
    assert all("cond" not in h.why for h in complete([col], code + "other[c.", "()]"))


def test_a_call_on_the_last_lines_repeats():
    code = ("class Sink:\n    def write(self, b):\n        pass\n\n    def close(self):\n        pass\n\n"
            "def dump(sink: Sink, parts):\n    sink.close()\n    sink.close()\n    for p in parts:\n"
            "        pass\n    sink.write(b'[')\n    sink.")
    hits = complete([], code, "(b']')")
    assert hits[0].record.name == "write" and "recent" in hits[0].why, [(h.record.name, h.why) for h in hits]


def test_a_call_repeats_as_it_was_used():
    # `p.add_argument(...)` lines repeat as statements; the line that keeps a value (`args = p.▮`)
    # is another call (`parse_args`), not a repeat.
    code = ("class Parser:\n    def add_argument(self, name):\n        return name\n\n"
            "    def parse_args(self):\n        return {}\n\n"
            "def main(p: Parser):\n    p.add_argument('--n')\n")
    stated = {h.record.name: h.why for h in complete([], code + "    p.", "('--m')")}
    assert "recent" in stated["add_argument"], stated
    for line, rest in (("    args = p.", "()"), ("    args = p.", "")):
        kept = {h.record.name: h.why for h in complete([], code + line, rest)}
        assert "recent" not in kept["add_argument"] and kept["add_argument"]["same"] > 0, (rest, kept)
    assert "recent" in {h.record.name: h.why for h in complete(
        [], code + "    n = p.add_argument('--k')\n    m = p.", "('--j')")}["add_argument"]


def test_a_call_in_the_condition_just_tested_is_not_repeated():
    # `if h.is_cgi():` then `return h.▮()`: the body does what the test allowed (0 of the 10 such
    # calls of the dev call sites were repeated), unlike `sink.write(a)`, `sink.write(b)`.
    code = ("class Handler:\n    def is_cgi(self):\n        pass\n\n    def run_cgi(self):\n        pass\n\n"
            "def send_head(h: Handler):\n    h.run_cgi\n    h.run_cgi\n    x = 1\n"
            "    if h.is_cgi():\n        return h.")
    hits = complete([], code, "()")
    assert "recent" not in hits[0].why and hits[0].record.name == "run_cgi", [(h.record.name, h.why)
                                                                             for h in hits]


def test_a_call_later_on_the_line_is_not_the_one_being_written(frames):
    # `df.▮(...).head(3)`: the comment asks for head, but the line calls it next.
    code = "import frames\n\ndef f(df: frames.DataFrame):\n    # the first rows\n    return df."
    assert complete([frames], code, "()")[0].record.name == "head"
    hits = complete([frames], code, "().head(3)")
    assert hits[0].record.name != "head" and "later" in next(h.why for h in hits if h.record.name == "head")


def test_what_the_receiver_was_called_with_before():
    # `h.send_error(Status.NOT_FOUND)` before: `h.▮(Status.FORBIDDEN)` is likely another one, though
    # `send_line` is the receiver's most used member.
    code = ("class Status:\n    NOT_FOUND = 404\n    FORBIDDEN = 403\n\n"
            "class Handler:\n    def send_error(self, code):\n        pass\n\n"
            "    def send_line(self, line):\n        pass\n\n"
            "def serve(h: Handler):\n" + "    h.send_line('a')\n" * 2 + "    h.send_error(Status.NOT_FOUND)\n"
            "    x = 1\n    y = 2\n    h.")
    hits = complete([], code, "(Status.FORBIDDEN)")
    assert hits[0].record.name == "send_error" and "same_arg" in hits[0].why, [(h.record.name, h.why)
                                                                                for h in hits]
    assert all("same_arg" not in h.why for h in complete([], code, "(x.FORBIDDEN)"))


def test_the_other_branch_calls_a_counterpart():
    # `fut.set_exception(exc)`, then `else: fut.▮(n)`: not the call just made, but its sibling.
    code = ("class Fut:\n    def set_exception(self, exc):\n        pass\n\n"
            "    def set_result(self, value):\n        pass\n\n    def add_done_callback(self, fn):\n"
            "        pass\n\ndef run(fut: Fut, n):\n    try:\n        n = 1\n    except OSError as exc:\n"
            "        fut.set_exception(exc)\n    else:\n        fut.")
    hits = complete([], code, "(n)")
    assert hits[0].record.name == "set_result" and "counterpart" in hits[0].why, \
        [(h.record.name, h.why) for h in hits]
    assert "recent" not in next(h.why for h in hits if h.record.name == "set_exception")


def test_a_member_probed_with_hasattr_is_the_one_used():
    # Duck typing: `if hasattr(other, "timetuple"):` ... `other.▮()` (xmlrpc.client), also for a
    # receiver of a known type whose most used member is another.
    code = ("class When:\n    def timetuple(self):\n        pass\n\n"
            "    def isoformat(self):\n        pass\n\n"
            "def cmp(other: When):\n    s = other.isoformat()\n    t = other.isoformat()\n"
            "    if hasattr(other, 'timetuple'):\n        x = 1\n        o = other.")
    hits = complete([], code, "()")
    assert hits[0].record.name == "timetuple" and "probed" in hits[0].why, [(h.record.name, h.why)
                                                                            for h in hits]
    assert all("probed" not in h.why for h in complete([], code.replace("hasattr(other", "hasattr(s"), "()"))


def test_a_string_literal_says_what_it_is_for(stdlib_searcher):
    # A separator joins; a template with replacement fields is formatted (whatever str's usage prior).
    code = "def show(parts, n):\n    line = {lit}."
    for lit, rest, first in (("', '", "(parts)", "join"), ("'\\n'", "(parts)", "join"),
                             ("'{0}: {1!r}'", "(n, parts)", "format"), ("'{:>8}'", "(n)", "format")):
        hits = complete([stdlib_searcher], code.format(lit=lit), rest)
        assert hits[0].record.name == first and "literal" in hits[0].why, (lit, [h.record.name
                                                                                  for h in hits[:5]])
    hits = complete([stdlib_searcher], code.format(lit="'total'"), "(parts)")
    assert all("literal" not in h.why for h in hits)


def test_what_followed_the_last_call_before_in_the_file():
    # `h.begin(...)` was followed by `h.header(...)` before; after the next `h.begin(...)` that comes
    # again, though `h.log` is the receiver's most used member.
    code = ("class Handler:\n    def begin(self, code):\n        pass\n\n    def header(self, k, v):\n"
            "        pass\n\n    def log(self, msg):\n        pass\n\n"
            "def ok(h: Handler):\n    h.log('a')\n    h.log('b')\n    h.begin(200)\n"
            "    h.header('A', 'b')\n\n"
            "def missing(h: Handler):\n    h.log('c')\n    x = 1\n    y = 2\n    h.begin(404)\n    h.")
    hits = complete([], code, "('B', 'c')")
    assert hits[0].record.name == "header" and "follows" in hits[0].why, [(h.record.name, h.why)
                                                                           for h in hits]
    # Only what followed the call right above counts: after `h.log(...)` nothing is suggested; nor after
    # the other branch's `h.begin(...)`, nor after a call still open on this line.
    for tail in ("log('d')\n    h.", "log('d')\n    if x:\n        h.begin(1)\n    else:\n        h.",
                 "log('d')\n    h.begin(h."):
        hits = complete([], code + tail, "('B', 'c')")
        assert all("follows" not in h.why for h in hits if h.record.name == "header"), tail


def test_a_call_is_not_nested_in_its_own_arguments():
    # `np.where(np.▮(d) != 1)`: `where` is the call just made on `np` but it is still open around the
    # cursor; a call inside its own arguments is rare (none of the 18 dev call sites), no repeat.
    code = ("class Np:\n    def where(self, cond):\n        pass\n\n    def diff(self, a):\n        pass\n\n"
            "def f(np: Np, d):\n    np.diff(d)\n    np.where(d)\n    return np.where(np.")
    hits = complete([], code, "(d) != 1)")
    where = next(h.why for h in hits if h.record.name == "where")
    assert "recent" not in where and hits[0].record.name == "diff", [(h.record.name, h.why) for h in hits]
    # Once closed, the call on the line is a recent one again.
    hits = complete([], code[:-len("np.where(np.")] + "np.where(d) + np.", "(d)")
    assert "recent" in next(h.why for h in hits if h.record.name == "where")


def test_a_member_named_as_a_call_open_around_it_is_unlikely():
    # `np.mean(arr.▮` asks for what to take the mean of, not for `arr.mean`; likewise
    # `'{}'.format(' '.▮` for a join, not a format.
    code = ("class Arr:\n    def mean(self):\n        pass\n\n"
            "    def reshape(self, *shape):\n        pass\n\n"
            "def f(arr: Arr, np):\n    return np.mean(arr.")
    hits = complete([], code, "reshape(-1, 3), axis=1)")
    assert hits[0].record.name == "reshape" and "nested" in next(
        h.why for h in hits if h.record.name == "mean"), [(h.record.name, h.why) for h in hits]
    hits = complete([], code.replace("np.mean(arr.", "np.mean(x) + arr."), "()")
    assert all("nested" not in h.why for h in hits)


def test_subscripts_keep_or_declare_their_type():
    # An ndarray-like's item is what its `__getitem__` declares; an indexer
    # attribute (pandas' `df.iloc`, unannotated `__getitem__`) selects from the object it was taken from.
    code = ("class Arr:\n    def __getitem__(self, key) -> 'Arr':\n        pass\n\n"
            "    def transpose(self):\n        pass\n\n"
            "class _iLocIndexer:\n    def __getitem__(self, key):\n        pass\n\n"
            "class Frame:\n    @property\n    def iloc(self) -> _iLocIndexer:\n        pass\n\n"
            "    def apply(self, func):\n        pass\n\n"
            "def make() -> Arr:\n    pass\n\n"
            "def f(fr: Frame, xs: list):\n    a = make()[:, None]\n    ")
    assert top([], code + "a.", "()", 1) == ["transpose"]
    assert top([], code + "fr.iloc[:, 1:].", "(func)", 1) == ["apply"]


TABLES = '''
from typing import Hashable, Iterable


class Accessor:
    def __init__(self, name, accessor):
        self._accessor = accessor

    def __get__(self, obj, cls):
        return self._accessor(obj)


class StrMethods:
    def upper(self):
        """Convert strings to uppercase."""


class Column:
    str = Accessor("str", StrMethods)

    def unique(self):
        """Unique values."""


class Table:
    def __getitem__(self, key):
        return self._get(key)

    def items(self) -> Iterable[tuple[Hashable, Column]]:
        """Iterate over (column name, column) pairs."""

    def merge(self, other):
        """Join with another table."""
'''


def test_items_of_a_class_whose_getitem_says_nothing(tmp_path):
    # pandas annotates neither `DataFrame.__getitem__` nor what `Series.str` gives: a label's item is what
    # `items()` pairs labels with, a list of labels or a mask selects a smaller table, and an accessor
    # descriptor built with a class gives that class.
    from apirec.context import infer_type

    tables = package(tmp_path, "tables", TABLES)
    head = "import tables\nt = tables.Table()\n"
    for expr, want in (("t['a']", "tables.Column"), ("t['a'].str", "tables.StrMethods"),
                       ("t[['a', 'b']]", "tables.Table"), ("t[t['a'] > 1]", "tables.Table"), ("t[0]", None)):
        code = head + expr + "."
        assert infer_type(code, 2, len(expr) + 1, expr, searchers=[tables]) == want, expr
    # Iterating a call on a receiver of unknown type goes by the class its name suggests.
    code = "import tables\n\ndef f(table):\n    for name, col in table.items():\n        col."
    assert infer_type(code, 4, 12, "col", searchers=[tables]) == "tables.Column"


def test_an_api_corpus_imported_as_a_module_lists_its_methods(tmp_path):
    # A private library known only from its API docs has no module record, just `zoo.feed`, ...
    import json

    from apirec.indexer.corpus import parse_corpus

    rows = [{"api": "zoo.feed", "name": "feed", "signature": "feed(self, food, portion=1)",
             "doc": "Give the animal something to eat."},
            {"api": "zoo.groom", "name": "groom", "signature": "groom(self)", "doc": "Brush the fur."},
            {"api": "zoo.Pen", "name": "Pen", "signature": "Pen(size)", "doc": "An enclosure."}]
    path = tmp_path / "corpus_zoo.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    records, _ = parse_corpus(path)
    zoo = RecordSet(records, name="zoo")
    code = "import zoo as z\n\ndef care(animal):\n    return animal."
    hits = complete([zoo], code, "(food=hay, portion=2)")
    assert hits and hits[0].record.name == "feed" and hits[0].why["source"] == "library"


def test_a_corpus_module_takes_no_method_usage_of_other_libraries(tmp_path):
    # `bn.connect(...)` on an API corpus imported as a module: how often code calls `.connect` on
    # sockets and databases says nothing about this module's function of that name.
    import json

    from apirec.indexer.corpus import parse_corpus

    from apirec.usage import shipped_usage

    assert shipped_usage().get(".connect", 0) > 0  # else this test proves nothing
    rows = [{"api": "bn.connect", "name": "connect", "signature": "connect(arrays, axis=0)",
             "doc": "Join a sequence of arrays."},
            {"api": "bn.filter_condition", "name": "filter_condition", "signature": "filter_condition(cond)",
             "doc": "Return elements chosen depending on a condition."}]
    path = tmp_path / "corpus_bn.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    bn = RecordSet(parse_corpus(path)[0], name="bn")
    hits = complete([bn], "import bn\n\nidx = bn.", "(a == 0)")
    assert {h.record.name for h in hits} == {"connect", "filter_condition"}
    assert all(h.why.get("prior", 0) == 0 for h in hits), [(h.record.name, h.why) for h in hits]


def test_self_leans_to_own_members_but_the_base_api_can_win():
    # A big class's own methods used to come first whatever the evidence; now the depth is a penalty.
    own = "".join(f"    def step_{i}(self):\n        pass\n" for i in range(12))
    code = ("class Base:\n    def is_running(self):\n        return True\n\n"
            f"class Loop(Base):\n{own}    def tick(self):\n        # only while the loop is running\n"
            "        if self.")
    hits = complete([], code, "():")
    names = [h.record.name for h in hits]
    assert names.index("is_running") < 3, names[:5]


def test_a_module_inside_a_package_has_the_package_classes_in_reach(tmp_path):
    # asyncio's locks.py never imports futures, yet its `fut` is an asyncio.Future.
    from apirec.build import build_index
    from apirec.search import Searcher

    root = write_tree(tmp_path / "proj", {
        "aio/__init__.py": "from aio.futures import Future\n__all__ = ['Future']\n",
        "aio/futures.py": '''
            class Future:
                def cancelled(self):
                    """Whether the future was cancelled."""

                def set_result(self, result):
                    """Mark the future done and set its result."""
            ''',
        "aio/locks.py": "",
    })
    build_index(tmp_path / "idx", [str(root / "aio")])
    s = Searcher(tmp_path / "idx", load_dense=False)
    code = "def acquire(waiter):\n    fut = waiter.make()\n    if not fut."
    hits = member_completions([s], code, 2, len("    if not fut."), module="aio.locks")
    assert hits and hits[0].why.get("type") == "aio.Future", hits[:2]
    assert {"cancelled", "set_result"} <= {h.record.name for h in hits}


@pytest.mark.parametrize("comment, line, rest, expected", [
    # Nothing typed before a call's arguments: the builtins, scored on the comment and the arguments.
    ("# Return the number of columns in the dataframe", "    return ", "(df.columns)", "len"),
    ("# make all the column headers lower case", "    data.columns = ", "(str.lower, data.columns)", "map"),
])
def test_a_callee_not_yet_typed_is_ranked_on_the_comment_and_arguments(stdlib_searcher, comment, line, rest,
                                                                       expected):
    from apirec.context import name_completions

    code = f"def f(df, data):\n    {comment}\n{line}{rest}"
    hits = name_completions([stdlib_searcher], code, 2, len(line))
    assert hits[0].record.name == expected, [(h.record.name, h.why) for h in hits[:3]]
    # Without the call's parentheses it is no callee: nothing is offered for an empty prefix.
    assert name_completions([stdlib_searcher], code.replace(rest, ""), 2, len(line)) == []


def test_attributes_set_in_methods_are_members_with_a_type(tmp_path):
    # An indexed class's `self.log = make_logger()` is a member of its instances, typed by what the
    # function returns: `job.sink.` offers the logger's methods (a type, not a guess from the name).
    from apirec.build import build_index
    from apirec.search import Searcher

    root = write_tree(tmp_path / "proj", {"procs/__init__.py": '''
        class Logger:
            def warn(self, msg):
                """Log a warning."""


        def make_logger() -> Logger:
            """A new logger."""


        class Job:
            def __init__(self):
                self.returncode = None
                self.sink = make_logger()
        '''})
    build_index(tmp_path / "idx", [str(root / "procs")])
    procs = Searcher(tmp_path / "idx", load_dense=False)
    code = "import procs\n\njob = procs.Job()\nrc = job."
    assert {"returncode", "sink"} <= {h.record.name for h in complete([procs], code)}
    hits = complete([procs], "import procs\n\njob = procs.Job()\njob.sink.", "('x')")
    assert hits[0].record.name == "warn" and hits[0].why["source"] == "member", hits[0].why


def test_the_variable_the_result_goes_to_names_the_call(tmp_path):
    # `total_count_value = a.▮()`: the name the result is stored under names the member (BeatNumEval/15).
    arr = package(tmp_path / "proj", "arr", '''
        def total_count(a, axis=None):
            """Sum of array elements over a given axis."""

        def count_nonzero(a, axis=None):
            """Counts the number of non-zero values in the array."""

        def absolute(a):
            """Calculate the absolute value element-wise."""
        ''')
    code = "import arr\n# the number of values in the range\ntotal_count_value = arr."
    assert top([arr], code, "(mask)", 1) == ["total_count"]
    # The comment's words alone pick the other; a name with the member's pieces elsewhere names nothing.
    for var in ("result", "value_total_counted"):
        assert top([arr], code.replace("total_count_value", var), "(mask)", 1) == ["count_nonzero"]


def test_a_period_in_prose_is_no_member_use(frames):
    # "...values. Then" and a comment's closing period before the next line (`cleaned = table.▮` as it
    # is typed) read as `.Then` and `.cleaned`: members used in the file, offered first (MonkeyEval/20
    # as typed: `new_kf = kf.▮` offered `new_kf`).
    code = ("import frames\n\ndef f(table):\n    # Keep the rows that have values. Then count them.\n"
            "    cleaned = table.")
    names = [h.record.name for h in complete([frames], code)]
    assert names and not {"cleaned", "Then"} & set(names), names
    # Code still counts, a chain continued on the next line too.
    code = "import frames\n\ndef f(table):\n    n = (table\n         .dropna())\n    cleaned = table."
    hits = complete([frames], code)
    assert hits[0].record.name == "dropna" and hits[0].why["source"] == "file-usage", hits[0].why


def test_the_receiver_is_no_member_use_on_itself(frames):
    # `kf.index.values.▮` (MonkeyEval/79 as typed): the receiver's own `.index` and `.values` were counted
    # as members used in the file and offered on it first.
    code = "import frames\n\ndef f(table):\n    return table.index.values."
    hits = complete([frames], code)
    assert hits and not [h.why for h in hits if h.record.name in ("index", "values")], hits[:2]
    # ... nor the receiver written again on its line, as it is reassigned (`kf.Email = kf.Email.▮`).
    hits = complete([frames], "import frames\n\ndef f(table):\n    table.price = table.price.")
    assert hits and "price" not in [h.record.name for h in hits], hits[:2]
    # A use before the cursor's line still counts, the name being typed too.
    code = ("import frames\n\ndef f(table):\n    x = table.index.values.tolist()\n"
            "    return table.index.values.to")
    hits = complete([frames], code)
    assert hits[0].record.name == "tolist" and hits[0].why["source"] == "file-usage", hits[0].why


def test_a_variable_named_result_asks_for_no_member(tmp_path):
    # `result = char.▮(a1, a2)` under "element-wise string concatenation" (BeatNumEval/30 as typed): the
    # variable says only that a result comes back, and its word put a member called `result` first.
    char = package(tmp_path / "proj", "char", '''
        def add(x1, x2):
            """Return element-wise string concatenation for two arrays of str."""

        def result(a):
            """Return the result array of a string operation."""

        def center(a, width):
            """Return a copy of a with its elements centered in a string of length width."""
        ''')
    code = "import char\n# element-wise string concatenation\nresult = char."
    assert top([char], code, "", 1) == ["add"]
    assert top([char], code.replace("result =", "out ="), "", 1) == ["add"]


def test_an_except_block_handles_the_exception_it_names():
    # In `except CancelledError:` the call is about the cancellation; elsewhere `done` is as likely.
    code = ("class CancelledError(Exception):\n    pass\n\n"
            "class Future:\n    def done(self):\n        pass\n\n    def cancelled(self):\n        pass\n\n"
            "    def result(self):\n        pass\n\n"
            "def wait(fut: Future):\n    try:\n        fut.result()\n    except CancelledError:\n"
            "        if not fut.")
    hits = complete([], code, "():")
    assert hits[0].record.name == "cancelled" and "intent" in hits[0].why, [(h.record.name, h.why)
                                                                          for h in hits]
    plain = complete([], code.replace("except CancelledError:", "finally:"), "():")
    assert "intent" not in plain[0].why


def test_too_few_arguments_for_a_known_member_rule_it_out():
    # `self.header(name)` is called all over the method, but `ctype = self.▮()` passes nothing: calling
    # `header` so would raise TypeError. A call whose arguments continue on the next lines says nothing.
    code = ("class Message:\n    def header(self, name, failobj=None):\n        pass\n\n"
            "    def content_type(self):\n        pass\n\n"
            "    def maintype(self):\n        \"\"\"The main part of the content type.\"\"\"\n"
            "        a = self.header('a')\n        b = self.header('b')\n"
            "        c = self.header('c')\n        n = 0\n        m = 1\n        ctype = self.")
    hits = complete([], code, "()")
    assert hits[0].record.name == "content_type", [(h.record.name, h.why) for h in hits]
    assert [h for h in hits if h.record.name == "header"][0].why["npos"] == -1.5
    for rest in ("(", "(*names)"):
        hits = complete([], code, rest)
        assert hits[0].record.name == "header" and "npos" not in hits[0].why, rest


def test_a_stub_signature_is_one_overload_so_too_few_arguments_count_less(tmp_path):
    # numpy's stub lists `append(arr, values, axis)` first among its overloads; `np.append(a, b)` is fine.
    from apirec.lsp.indexes import extract_file

    root = write_tree(tmp_path / "proj", {"arr/__init__.pyi": '''
        from typing import overload

        @overload
        def append(arr, values, axis: int):
            """Append values to the end of an array."""
        @overload
        def append(arr, values, axis: None = ...): ...
        def asarray(a, dtype=None):
            """Convert the input to an array."""
        '''})
    path = root / "arr" / "__init__.pyi"
    arr = RecordSet(extract_file(root, path, path.read_bytes()), name="arr")
    hits = complete([arr], "import arr\n# add the values to the end of the array\nout = arr.", "(a, b)")
    got = {h.record.name: h.why for h in hits}
    assert got["append"]["npos"] == -0.5 and hits[0].record.name == "append", got


def test_how_the_result_is_used_weighs_what_a_member_gives_back():
    # `ok = h.▮()` wants a value (`ready`), a bare `h.▮()` a procedure (`run`); nothing else tells
    # them apart.
    code = ("class Handler:\n    def ready(self):\n        return True\n\n"
            "    def run(self):\n        print(1)\n\ndef serve(h: Handler):\n")
    used = complete([], code + "    ok = h.", "()")
    assert used[0].record.name == "ready" and used[1].why["use"] == -1.0, [(h.record.name, h.why)
                                                                         for h in used]
    for stmt in ("    h.", "    if h: h."):  # a statement, on its own line or after its clause's colon
        dropped = complete([], code + stmt, "()")
        assert dropped[0].record.name == "run" and dropped[1].why["use"] == -0.5, stmt
    # `return h.▮()` hands on whatever it gives, and a line that goes on a condition from above is no
    # statement of its own: no evidence either way.
    assert all("use" not in h.why for h in complete([], code + "    return h.", "()"))
    cont = complete([], code + "    if (h and  # both\n            h.", "()\n            ):\n        pass")
    assert all("use" not in h.why for h in cont)
    # As typed, nothing after the dot yet: a kept value is no procedure's, call or attribute; a
    # statement may yet be a call or an assignment (`h.name = ...`): no evidence.
    typed = complete([], code + "    ok = h.")
    assert typed[0].record.name == "ready" and typed[1].why["use"] == -1.0, [(h.record.name, h.why)
                                                                           for h in typed]
    assert all("use" not in h.why for h in complete([], code + "    h."))


def test_raise_and_except_ask_for_an_exception_class(tmp_path):
    errs = package(tmp_path / "proj", "errs", '''
        class HeaderDefect(ValueError):
            """A problem found in a header."""


        class ParseError(Exception):
            """The header cannot be parsed."""
        ''')
    code = "import errs\n\ndef parse(v):\n    defects = [errs.HeaderDefect(), errs.HeaderDefect()]\n"
    heads = ("    raise errs.", "    try:\n        pass\n    except errs.", "    except (KeyError, errs.")
    for head in heads:
        hits = complete([errs], code + head, "(v)" if "raise" in head else ":")
        assert hits[0].record.name == "ParseError" and "raise" in hits[0].why, head
    assert complete([errs], code + "    defects.append(errs.", "(v))")[0].record.name == "HeaderDefect"


def test_a_generic_argument_name_is_no_parameter_evidence():
    # `parts.append(value)` is no `remove(value)`: the name says what the value is, not its parameter.
    code = ("class Parts:\n    def add(self, item):\n        pass\n\n"
            "    def remove(self, value):\n        pass\n\n"
            "def collect(parts: Parts, values):\n    parts.add(1)\n    for value in values:\n        parts.")
    hits = complete([], code, "(value)")
    assert hits[0].record.name == "add" and "argname" not in hits[1].why, [(h.record.name, h.why)
                                                                         for h in hits]


def test_a_file_argument_goes_to_a_file_parameter(tmp_path):
    # `json.load(infile)` rather than `json.loads(infile)`: the argument is a file, `load` takes `fp`.
    ser = package(tmp_path / "proj", "ser", '''
        def loads(s, *, cls=None):
            """Deserialize a document from a string."""

        def load(fp, *, cls=None):
            """Deserialize a document from a file."""
        ''')
    code = ("import ser\n\ndef read(infile, text):\n"
            "    # deserialize a document from a string\n    return ser.")
    hits = complete([ser], code, "(infile)")
    assert hits[0].record.name == "load" and hits[0].why["arg"] == 2.0, [(h.record.name, h.why)
                                                                       for h in hits]
    assert complete([ser], code, "(text)")[0].record.name == "loads"


def test_calls_that_built_data_from_literals_are_no_pattern_for_a_call_on_names(tmp_path):
    # A snippet's data is made from literals (`nums.array([1, 2, 3])`); the call being written works on
    # those values (`(data, other)`), and the earlier calls are no evidence of it. A call from a
    # literal again is.
    nums = package(tmp_path / "proj", "nums", '''
        def array(obj):
            """Create an array."""

        def stack(arrays, axis=0):
            """Put arrays side by side along a new axis."""
        ''')
    code = ("import nums\n\ndata = nums.array([1, 2, 3])\nother = nums.array([4, 5, 6])\n"
            "# side by side\nout = nums.")
    hits = complete([nums], code, "(data, other)")
    assert hits[0].record.name == "stack" and all("same" not in h.why for h in hits)
    hits = complete([nums], code, "([7, 8, 9])")
    assert hits[0].record.name == "array" and hits[0].why["same"] > 0


def test_a_for_loop_asks_for_what_iterates_into_its_names(tmp_path):
    # `for k, v in d.▮`: a member whose result iterates, in items that unpack into as many names
    # (`dict.items`, `os.walk`'s 3-tuples), over one the file used before that gives a number.
    store = package(tmp_path / "proj", "store", '''
        from typing import Iterator


        class Store:
            def lookup(self, key) -> int:
                """The count under a key."""

            def close(self) -> None:
                """Close the store."""

            def names(self) -> list[str]:
                """The keys."""

            def pairs(self) -> Iterator[tuple[str, int]]:
                """Each key with its count."""

            def triples(self) -> list[tuple[str, int, int]]:
                """Each key with its count and rank."""
        ''')
    code = "import store\n\ndef f(s: store.Store):\n    n = s.lookup('a') + 1\n    n += 1\n    m = n\n    "
    for line, rest, want in (("for k, v in s.", "():", "pairs"), ("for (k, v) in s.", "", "pairs"),
                             ("for a, b, c in s.", "", "triples"), ("xs = [x for x in s.", "()]", None)):
        hits = complete([store], code + line, rest)
        names = [h.record.name for h in hits]
        if want:
            assert names[0] == want and hits[0].why["iter"] == 2.0, (line, [(h.record.name, h.why)
                                                                            for h in hits])
        else:  # one name: any container, but not a number or nothing
            assert set(names[:3]) == {"names", "pairs", "triples"}, (line, names)
        close = next(h for h in hits if h.record.name == "close")
        assert close.why.get("iter", 0) < 0 or "use" in close.why, (line, close.why)  # gives nothing
    # Not iterated: assigned, or operated on after the call.
    for line, rest in (("n = s.", "()"), ("for x in s.", "(k) + [1]:")):
        assert all("iter" not in h.why for h in complete([store], code + line, rest)), line


def test_a_word_that_begins_a_run_together_name(tmp_path):
    # `dropna` is one token: the spelling check needs the whole name ("drop" + "na"), and the intent's
    # words met only its doc.
    tbl = package(tmp_path / "proj", "tbl", '''
        class Table:
            def drop(self, labels):
                """Drop the given labels (rows or columns)."""

            def dropna(self):
                """Remove missing values."""

            def fillna(self, value):
                """Fill missing values."""

            def head(self, n=5):
                """The first rows."""
        ''')
    code = "import tbl\n\ndef f(t: tbl.Table):\n    # drop rows with missing values\n    return t."
    hits = complete([tbl], code)
    names = [h.record.name for h in hits]
    # Both docs say "missing values"; the comment's verb begins only one of the two names.
    assert names.index("dropna") < names.index("fillna"), [(h.record.name, h.why) for h in hits]


def test_uses_on_self_count_once():
    # The file's uses of `log` are its uses on `self`: counted twice (as the file's and as the
    # receiver's), three calls outweighed the comment that asks to write out the buffer.
    code = '''class Writer:
    def log(self, msg):
        """Write a message to the log."""

    def flush(self):
        """Write out the buffered bytes."""

    def run(self):
        self.log("a")
        self.log("b")
        self.log("c")
        # write out what is buffered
        self.'''
    hits = complete([RecordSet()], code, "()")
    assert hits[0].record.name == "flush", [(h.record.name, h.why) for h in hits]
    log = next(h for h in hits if h.record.name == "log")
    assert "same" in log.why and "file" not in log.why


def test_a_with_binding_is_the_object_a_wrapper_hands_back(tmp_path):
    # `with closing(connect()) as c`: __enter__ returns what __init__ stored, so c is the connection;
    # a subclass whose own __init__ takes other arguments keeps the wrapper's type (which it wraps is
    # not said).
    from apirec.context import infer_type

    source = '''
class Conn:
    def execute(self, sql):
        """Run a statement."""

def connect() -> Conn:
    """Open a connection."""

class Closing:
    def __init__(self, thing):
        self.thing = thing
    def __enter__(self):
        return self.thing
    def __exit__(self, *exc):
        self.thing.close()

class Named(Closing):
    def __init__(self, name, thing):
        super().__init__(thing)
'''
    wraps = package(tmp_path, "wraps", source)
    code = "import wraps\nwith wraps.Closing(wraps.connect()) as c:\n    c."
    assert infer_type(code, 2, 6, "c", searchers=[wraps]) == "wraps.Conn"
    code = "import wraps\nwith wraps.Named('x', wraps.connect()) as c:\n    c."
    assert infer_type(code, 2, 6, "c", searchers=[wraps]) == "wraps.Named"
