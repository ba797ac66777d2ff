"""Index real temporary packages end to end: tree-sitter, re-exports, SQLite, bm25s, FAISS, ONNX."""

from __future__ import annotations

import json
import os
import shutil

import pytest

from apirec.build import build_index
from apirec.cli import main
from apirec.indexer import sources
from apirec.indexer.sources import SourceError
from apirec.search import FusionWeights, Searcher
from apirec.store import IndexLoadError

PANDAS_LIKE = {
    "mypd/__init__.py": '''
        """My pandas."""
        from mypd.io.api import read_csv
        from mypd.core.frame import DataFrame
        import mypd.plotting as plotting
        __all__ = ["read_csv", "DataFrame", "plotting"]
        ''',
    "mypd/io/__init__.py": "",
    "mypd/io/api.py": "from mypd.io.parsers.readers import read_csv\n",
    "mypd/io/parsers/__init__.py": "",
    "mypd/io/parsers/readers.py": '''
        def read_csv(filepath, sep=","):
            """Read a comma-separated values (csv) file into DataFrame."""
        ''',
    "mypd/core/__init__.py": "",
    "mypd/core/frame.py": '''
        class DataFrame:
            """Two-dimensional, size-mutable tabular data."""

            def merge(self, right, how="inner"):
                """Merge DataFrame objects with a database-style join."""
        ''',
    "mypd/plotting/__init__.py": '''
        def scatter(x, y):
            """Draw a scatter plot of two columns."""
        ''',
    "mypd/cyc_a.py": "from mypd.cyc_b import thing\n",
    "mypd/cyc_b.py": "from mypd.cyc_a import thing\n",
    "mypd/_internal.py": '''
        def secret_reader():
            """Read secret csv files."""
        ''',
    "mypd/stubbed.py": '''
        def typed(a):
            """Doc from the source."""
        ''',
    "mypd/stubbed.pyi": "def typed(a: int) -> str: ...\n",
    "tests/test_x.py": '''
        def test_reads_csv():
            """Check reading csv files works."""
        ''',
}


@pytest.fixture
def pandas_like(make_tree, tmp_path, apirec_home):
    repo = make_tree(PANDAS_LIKE)
    index = tmp_path / "index"
    report = build_index(index, [str(repo)])
    return repo, index, report


def test_reexports_give_public_paths(pandas_like):
    repo, index, report = pandas_like
    s = Searcher(index)
    hits = s.search("read a csv file", k=5)
    top = hits[0].record
    assert top.public_path == "mypd.read_csv"
    assert top.canonical_path == "mypd.io.parsers.readers.read_csv"
    assert "mypd.io.api.read_csv" in top.aliases
    assert hits[0].why["bm25"]["rank"] >= 1 and "dense" in hits[0].why  # both retrievers explain
    (merge,) = s.lookup("mypd.DataFrame.merge")
    assert merge.canonical_path == "mypd.core.frame.DataFrame.merge"
    assert merge.signature == '(right, how="inner")'
    (scatter,) = s.lookup("mypd.plotting.scatter")
    assert scatter.kind == "function"


def test_stub_wins_and_borrows_source_docstring(pandas_like):
    _, index, _ = pandas_like
    (typed,) = Searcher(index, load_dense=False).lookup("mypd.stubbed.typed")
    assert typed.signature == "(a: int) -> str"
    assert typed.summary == "Doc from the source."


def test_docstrings_of_c_objects_from_add_newdoc(make_tree, tmp_path, apirec_home):
    # numpy documents what it writes in C from Python: add_newdoc(module, name, doc), for methods
    # add_newdoc(module, class, (method, doc)) and through a helper that wraps it.
    repo = make_tree({
        "arr/__init__.py": "from arr._core import zeros, ndarray\n",
        "arr/_core.pyi": '''
            class _Common:
                def min(self, axis=None) -> int: ...
            class ndarray(_Common):
                def reshape(self, shape): ...
                def astype(self, dtype): ...
            def zeros(shape, dtype=None) -> ndarray: ...
            ''',
        "arr/_docs.pyi": "",  # numpy ships a stub beside it: the .py's calls count all the same
        "arr/_docs.py": '''
            from arr._utils import add_newdoc

            add_newdoc("arr._core", "zeros",
                """
                zeros(shape, dtype=None)
                --

                zeros(shape, dtype=None)

                Return a new array of given shape, filled with zeros.
                """)
            add_newdoc("arr._core", "ndarray", ("reshape", """Gives a new shape to an array."""))
            add_newdoc("arr._core", "ndarray", ("min", """Return the minimum along a given axis."""))

            def _method_doc(name, params, doc):
                add_newdoc("arr._core", "ndarray", (name, doc))

            _method_doc("astype", "dtype", """
                a.astype(dtype)

                Copy of the array, cast to a specified type.
                """)
            ''',
    })
    build_index(tmp_path / "ix", [str(repo)])
    s = Searcher(tmp_path / "ix", load_dense=False)
    (zeros,) = s.lookup("arr.zeros")
    assert zeros.summary == "Return a new array of given shape, filled with zeros."  # not its signature
    assert s.lookup("arr.ndarray.reshape")[0].summary == "Gives a new shape to an array."
    assert s.lookup("arr.ndarray.astype")[0].summary == "Copy of the array, cast to a specified type."
    # The stub declares `min` on a private base: the class gets its own, documented member (as at run
    # time) with the base's signature.
    (amin,) = s.lookup("arr.ndarray.min")
    assert amin.summary == "Return the minimum along a given axis." and amin.signature == "(axis=None) -> int"
    hit = next(h for h in s.search("array filled with zeros", k=5) if h.record.public_path == "arr.zeros")
    assert {"fill", "zero"} <= set(hit.why["matched_terms"])  # its words are in the BM25 index


def test_members_of_a_base_without_a_public_name_are_listed_under_its_subclass(make_tree, tmp_path,
                                                                               apirec_home):
    # `io.IOBase(_io._IOBase)`, `socket.socket(_socket.socket)`: the docs list `io.IOBase.readlines`,
    # and the base's members have no other public path. A public base keeps its members.
    repo = make_tree({
        "face/__init__.py": ("from face.api import Socket, Reader, Stream, Sub, Conn\n"
                             "from _face import ConnType\n"),
        "_face.py": '''
            class Conn:
                def send(self, data: bytes) -> int:
                    """Send data to the peer."""
                def fileno(self) -> int:
                    """Return the file descriptor."""
            ConnType = Conn
            ''',
        "face/_impl.py": '''
            class _Base:
                def close(self):
                    """Flush and close the stream."""
                def _internal(self): ...
            class _Lines(_Base):
                def readlines(self, hint=-1) -> list:
                    """Return a list of lines from the stream."""
            class Socket:
                def recv(self, bufsize: int) -> bytes:
                    """Receive up to bufsize bytes from the socket."""
                def send(self, data: bytes) -> int:
                    """Send data to the socket."""
            ''',
        "face/api.py": '''
            import _face
            import face._impl as _impl
            from face._impl import _Lines

            class Conn(_face.Conn):
                def fileno(self) -> int:
                    """Return the descriptor, or -1 once closed."""

            class Socket(_impl.Socket):
                def send(self, data: bytes) -> int:
                    """Send data, retrying on EINTR."""
            class Reader(_Lines):
                """A line reader."""
            class Stream(_Lines):
                """A stream of bytes."""
                def fileno(self) -> int:
                    """Return the file descriptor."""
            class Public:
                def size(self) -> int:
                    """Size in bytes."""
            class Sub(Public):
                """A public subclass of a public class."""
            ''',
    })
    build_index(tmp_path / "ix", [str(repo)])
    s = Searcher(tmp_path / "ix", load_dense=False)
    (recv,) = s.lookup("face.Socket.recv")
    assert recv.summary == "Receive up to bufsize bytes from the socket."
    assert recv.signature == "(bufsize: int) -> bytes"
    assert not recv.private
    assert s.lookup("face.Socket.send")[0].summary == "Send data, retrying on EINTR."  # its own override
    # Through a chain of private bases.
    assert s.lookup("face.Reader.readlines")[0].summary == "Return a list of lines from the stream."
    assert s.lookup("face.Reader.close")[0].summary == "Flush and close the stream."
    assert all(r.public_path != "face.Reader._internal" for r in s.lookup("face.Reader._internal"))
    # One record for a member several subclasses inherit, named under the one with more of its own.
    (lines,) = s.lookup("face.Reader.readlines")
    assert lines.public_path == "face.Stream.readlines" and "face.Reader.readlines" in lines.aliases
    # The class that fronts its accelerator's class of the same name is where users find its members,
    # though the accelerator's class has a public name of its own (`socket.socket`, `socket.SocketType`).
    (send,) = s.lookup("face.Conn.send")
    assert send.public_path == "face.Conn.send" and "face.ConnType.send" in send.aliases
    assert s.lookup("face.Conn.fileno")[0].summary == "Return the descriptor, or -1 once closed."
    assert s.lookup("face.ConnType.fileno")[0].summary == "Return the file descriptor."
    # A public base's members stay there.
    assert all(r.public_path != "face.Sub.size" for r in s.lookup("face.Sub.size"))
    hit = s.search("read the lines of a stream into a list", k=3)[0]
    assert hit.record.public_path == "face.Stream.readlines"


def test_a_modules_name_for_a_method_of_its_own_instance_is_a_function(make_tree, tmp_path, apirec_home):
    # numpy.random's stub: `_rand: RandomState`, `randint = _rand.randint`; random.py: `_inst = Random()`.
    # `np.random.randint` had no record at all.
    repo = make_tree({
        "rnd/__init__.py": "from rnd.mtrand import RandomState, randint, shuffle\n",
        "rnd/mtrand.pyi": '''
            __all__ = ["RandomState", "randint", "shuffle"]
            class RandomState:
                def randint(self, low: int, high: int | None = None) -> int:
                    """Return random integers from low (inclusive) to high (exclusive)."""
                def shuffle(self, x) -> None:
                    """Modify a sequence in-place by shuffling its contents."""
            _rand: RandomState
            _inst = RandomState(5)
            randint = _rand.randint
            shuffle = _inst.shuffle
            ''',
    })
    build_index(tmp_path / "ix", [str(repo)])
    s = Searcher(tmp_path / "ix", load_dense=False)
    (randint,) = s.lookup("rnd.randint")
    assert randint.public_path == "rnd.randint" and randint.kind == "function"
    assert randint.signature == "(low: int, high: int | None = None) -> int"
    assert "rnd.RandomState.randint" in randint.aliases  # still the class's member by that name
    assert s.lookup("rnd.shuffle")[0].summary == "Modify a sequence in-place by shuffling its contents."
    assert [r.public_path for r in s.lookup("rnd.RandomState.randint")] == ["rnd.randint"]


def test_instances_annotated_with_each_other_do_not_stop_the_index(make_tree, tmp_path, apirec_home):
    # `a: b.x` and `b: a.y` (nonsense, but a file may say it): the rest is indexed.
    repo = make_tree({"loop.pyi": '''
        a: b.x
        b: a.y
        c = a.z
        def fine() -> int:
            """Still indexed."""
        '''})
    build_index(tmp_path / "ix", [str(repo)])
    assert Searcher(tmp_path / "ix", load_dense=False).lookup("loop.fine")[0].summary == "Still indexed."


def test_docstrings_assigned_after_the_definition(make_tree, tmp_path, apirec_home):
    # posixpath: `splitext.__doc__ = genericpath._splitext.__doc__`; a copy of a copy, a literal, and
    # a definition's own docstring is not replaced.
    repo = make_tree({
        "paths/__init__.py": ("from paths.posix import splitext, join, basename\n"
                              "from paths.nt import ntsplit\n"),
        "paths/generic.py": '''
            def _splitext(p, sep):
                """Split the extension from a pathname."""
            ''',
        "paths/posix.py": '''
            from paths import generic

            def splitext(p):
                return generic._splitext(p, "/")
            splitext.__doc__ = generic._splitext.__doc__

            def join(a, *p):
                return a
            join.__doc__ = ("Join two or more pathname components, "
                            "inserting '/' as needed.")

            def basename(p):
                """Returns the final component of a pathname."""
            basename.__doc__ = generic._splitext.__doc__
            ''',
        "paths/nt.py": '''
            from paths.posix import splitext

            def ntsplit(p):
                return splitext(p)
            ntsplit.__doc__ = splitext.__doc__
            ''',
    })
    build_index(tmp_path / "ix", [str(repo)])
    s = Searcher(tmp_path / "ix", load_dense=False)
    assert s.lookup("paths.splitext")[0].summary == "Split the extension from a pathname."
    assert s.lookup("paths.ntsplit")[0].summary == "Split the extension from a pathname."
    assert s.lookup("paths.join")[0].summary == ("Join two or more pathname components, inserting '/' as "
                                                "needed.")
    assert s.lookup("paths.basename")[0].summary == "Returns the final component of a pathname."
    assert not s.lookup("paths.posix.splitext.__doc__")  # the assignment is not an attribute of its own


def test_private_names_and_tests_are_not_recommended_by_default(pandas_like):
    _, index, _ = pandas_like
    s = Searcher(index)
    names = [h.record.public_path for h in s.search("read secret csv files", k=10)]
    assert not any("secret_reader" in n or "test_reads_csv" in n for n in names)
    names = [h.record.public_path for h in s.search("read secret csv files", k=10, include_private=True)]
    assert "mypd._internal.secret_reader" in names


def test_import_cycle_terminates_and_stays_unresolved(pandas_like):
    _, index, _ = pandas_like
    assert Searcher(index, load_dense=False).lookup("mypd.cyc_a.thing") == []


def test_incremental_refresh_recomputes_only_changed_files(pandas_like):
    repo, index, first = pandas_like
    (repo / "mypd/plotting/__init__.py").write_text(
        'def scatter(x, y):\n    """Draw a scatter plot of two columns."""\n\n'
        'def histogram(values):\n    """Draw a histogram of values."""\n')
    (repo / "mypd/cyc_b.py").unlink()
    report = build_index(index, [str(repo)])
    assert report.computed == 1 and report.deleted == 1
    assert report.kept == first.files - 2
    assert report.reused_vectors > 0 and report.embedded >= 1
    s = Searcher(index)
    assert s.lookup("mypd.plotting.histogram")[0].summary == "Draw a histogram of values."
    assert s.lookup("mypd.cyc_b") == []
    # Nothing changed: the same records again, every vector reused.
    again = build_index(index, [str(repo)])
    assert again.computed == 0 and again.embedded == 0 and again.records == report.records


def test_a_folder_given_by_a_relative_path_refreshes_from_anywhere(make_tree, tmp_path, apirec_home,
                                                                   monkeypatch):
    # `apirec index . --index IDX` recorded "."; `apirec index --refresh --index IDX` run elsewhere then
    # looked for "." there, and even run in place extracted every file again (their source was the
    # absolute path, which no recorded spec named).
    repo = make_tree({"lib/__init__.py": "def parse(text):\n    \"\"\"Parse a text.\"\"\"\n",
                      "lib/util.py": "def clean(text):\n    \"\"\"Clean a text.\"\"\"\n"})
    monkeypatch.chdir(repo)
    first = build_index(tmp_path / "ix", ["."])
    assert first.computed == 2
    monkeypatch.chdir(tmp_path)
    again = build_index(tmp_path / "ix", [], refresh_all=True)
    assert again.computed == 0 and again.kept == 2 and again.records == first.records
    assert Searcher(tmp_path / "ix", load_dense=False).lookup("lib.util.clean")
    # An index made before recorded "." as typed: its one folder the files name is taken for it.
    import sqlite3

    from apirec.store import IndexDir

    folder = IndexDir(tmp_path / "ix").current()
    con = sqlite3.connect(folder / "meta.sqlite")
    con.execute("UPDATE sources SET spec = '.'")
    con.commit()
    con.close()
    legacy = build_index(tmp_path / "ix", [], refresh_all=True)
    assert legacy.computed == 0 and legacy.kept == 2 and legacy.records == first.records


def test_failed_reindex_loses_nothing(pandas_like, tmp_path):
    _, index, _ = pandas_like
    before = Searcher(index, load_dense=False).folder.name
    with pytest.raises(SourceError):
        build_index(index, [str(tmp_path / "does-not-exist")])
    s = Searcher(index)
    assert s.folder.name == before
    assert s.search("read a csv file", k=1)[0].record.public_path == "mypd.read_csv"


def test_corrupt_and_outdated_index_say_how_to_rebuild(pandas_like):
    _, index, _ = pandas_like
    folder = Searcher(index, load_dense=False).folder
    params = json.loads((folder / "params.json").read_text())
    params["schema_version"] = -1
    (folder / "params.json").write_text(json.dumps(params))
    with pytest.raises(IndexLoadError, match="apirec index --rebuild"):
        Searcher(index)
    (index / "CURRENT").write_text("{not json")
    with pytest.raises(IndexLoadError, match="corrupt.*apirec index --rebuild"):
        Searcher(index)


def test_index_made_by_another_extractor_is_stale(pandas_like, monkeypatch):
    # The default index is refreshed then (ensure_default_index): an upgraded apirec's extraction
    # reaches users who never run `apirec index` themselves.
    from apirec import build

    _, index, _ = pandas_like
    assert build.index_state(index) == "ok"
    monkeypatch.setattr(build, "FACTS_VERSION", build.FACTS_VERSION + 1)  # an upgraded extractor
    assert build.index_state(index) == "stale"
    report = build_index(index, [], refresh_all=True)  # what `apirec index --refresh --index DIR` does
    assert report.computed > 0 and report.embedded == 0  # re-extracted; unchanged texts keep their vectors
    assert build.index_state(index) == "ok"
    assert Searcher(index, load_dense=False).lookup("mypd.read_csv")


def test_a_refresh_that_finds_nothing_changed_keeps_the_generation(make_tree, tmp_path, apirec_home,
                                                                     monkeypatch):
    # The language server indexes its workspace at every start: an unchanged one must not be written
    # again (seconds for a large one). A changed file, a new source or a new extractor still rebuild.
    from apirec import build

    repo = make_tree({"pkg/__init__.py": "def area(r):\n    \"\"\"Area of a circle.\"\"\"\n"})
    index = tmp_path / "ix"
    first = build_index(index, [str(repo)])
    again = build_index(index, [str(repo)])
    assert again.unchanged and again.generation == first.generation and again.records == first.records
    (repo / "pkg" / "__init__.py").write_text("def area(r):\n    \"\"\"Area of a disc.\"\"\"\n")
    changed = build_index(index, [], refresh_all=True)
    assert not changed.unchanged and changed.generation != first.generation
    assert Searcher(index, load_dense=False).lookup("pkg.area")[0].summary == "Area of a disc."
    other = make_tree({"more.py": "def volume(r):\n    \"\"\"Volume of a ball.\"\"\"\n"})
    assert not build_index(index, [str(other)]).unchanged
    rebuilt = build_index(index, [], refresh_all=True)
    assert rebuilt.unchanged
    monkeypatch.setattr(build, "FACTS_VERSION", build.FACTS_VERSION + 1)  # an upgraded extractor
    assert not build_index(index, [], refresh_all=True).unchanged


def test_a_class_attribute_bound_to_a_method_is_that_method(make_tree, tmp_path, apirec_home):
    # `update = __update = MutableMapping.update` in OrderedDict, `__str__ = output` in Morsel:
    # completion must offer them as calls, with the method's signature and doc.
    repo = make_tree({"mymap/__init__.py": (
        "from ._base import Base\n\n\nclass Ordered(Base):\n"
        "    update = __update = Base.update\n\n"
        "    def output(self, header='Set-Cookie:'):\n"
        "        \"\"\"Return a string suitable for HTTP.\"\"\"\n\n"
        "    show = output\n    size = 3\n    other = Base\n"),
        "mymap/_base.py": ("class Base:\n    def update(self, other=(), /, **kw):\n"
                           "        \"\"\"Update from other.\"\"\"\n")})
    build_index(tmp_path / "ix", [str(repo)])
    s = Searcher(tmp_path / "ix", load_dense=False)
    (upd,) = s.lookup("mymap.Ordered.update")
    assert upd.kind == "method" and upd.summary == "Update from other."
    assert upd.signature.startswith("(other=()")
    (show,) = s.lookup("mymap.Ordered.show")
    assert show.kind == "method" and show.signature.startswith("(header=") and "HTTP" in show.summary
    assert s.lookup("mymap.Ordered.size")[0].kind == "attribute"  # a value, not a method
    assert s.lookup("mymap.Ordered.other")[0].kind != "method"  # a class, not a method


def test_a_member_documented_as_an_alias_takes_the_doc_of_its_target(make_tree, tmp_path, apirec_home):
    repo = make_tree({"myframe.py": (
        "class Frame:\n    def isna(self):\n        \"\"\"Detect missing values.\n\n        More.\"\"\"\n\n"
        "    def isnull(self):\n        \"\"\"Frame.isnull is an alias for Frame.isna.\"\"\"\n\n"
        "    def other(self):\n        \"\"\"Frame.other is an alias for Frame.missing.\"\"\"\n\n"
        "    def notnull(self):\n        \"\"\"Frame.notnull is an alias for Frame.notna.\n\n"
        "        Detect existing values.\"\"\"\n")})
    build_index(tmp_path / "ix", [str(repo)])
    s = Searcher(tmp_path / "ix", load_dense=False)
    (isnull,) = s.lookup("myframe.Frame.isnull")
    assert isnull.summary == "Detect missing values." and "alias for Frame.isna" in isnull.doc
    assert s.lookup("myframe.Frame.other")[0].summary.startswith("Frame.other is an alias")  # no target
    (notnull,) = s.lookup("myframe.Frame.notnull")  # pandas: the alias sentence, then the doc
    assert notnull.summary == "Detect existing values." and "alias for Frame.notna" in notnull.doc


def test_a_stale_default_index_that_cannot_be_refreshed_still_answers(pandas_like, monkeypatch, caplog):
    # A read-only or full cache must not turn an upgrade into an error: the old index answers.
    from apirec import build
    from apirec.config import default_index_dir

    _, index, _ = pandas_like
    monkeypatch.setenv("APIREC_HOME", str(index.parent / "home"))
    shutil.copytree(index, default_index_dir())
    monkeypatch.setattr(build, "FACTS_VERSION", build.FACTS_VERSION + 1)
    assert build.index_state(default_index_dir()) == "stale"
    lock = default_index_dir() / ".lock"
    lock.unlink(missing_ok=True)
    lock.mkdir()  # the refresh cannot take the write lock
    with caplog.at_level("WARNING"):
        assert build.ensure_default_index() == default_index_dir()
    assert "could not be refreshed" in caplog.text
    top = Searcher(default_index_dir()).search("read a csv file", k=1)[0]
    assert top.record.public_path == "mypd.read_csv"


def test_bad_files_are_skipped_with_counted_warnings(make_tree, tmp_path, apirec_home, monkeypatch):
    repo = make_tree({
        "good.py": 'def fine():\n    """A fine function."""\n',
        "broken.py": "def ok():\n    '''Still found.'''\n\ndef nope(:\n",
        "big.py": "x = 1\n" * 200,
        "ignored_by_git.py": 'def hidden():\n    """Ignored."""\n',
        "skipme/mod.py": 'def also_hidden():\n    """Ignored too."""\n',
        ".gitignore": "ignored_by_git.py\n",
        ".apirecignore": "skipme/\n",
    })
    (repo / "binary.py").write_bytes(b"\x00\x01def x(): pass")
    (repo / "latin1.py").write_bytes("s = 'caf\xe9'\n".encode("latin-1"))
    (repo / "dir.py").mkdir()  # a directory with a .py name cannot be read as a file
    (repo / "loop").symlink_to(repo)  # a symlink loop must not trap the walk
    monkeypatch.setattr(sources, "MAX_FILE_BYTES", 1000)
    report = build_index(tmp_path / "ix", [str(repo)])
    reasons = {os.path.basename(p): r for p, r in report.skipped}
    assert "binary file" in reasons["binary.py"]
    assert "UTF-8" in reasons["latin1.py"]
    assert "size cap" in reasons["big.py"]
    s = Searcher(tmp_path / "ix", load_dense=False)
    assert s.lookup("good.fine") and s.lookup("broken.ok")
    assert not s.lookup("ignored_by_git.hidden") and not s.lookup("skipme.mod.also_hidden")


def test_json_corpus_keeps_row_ids(tmp_path, apirec_home):
    corpus = tmp_path / "corpus_tiny.jsonl"
    rows = [{"id": 7, "api": "tiny.frame.TinyFrame.mean(axis=None)", "name": "mean",
             "signature": "mean(axis=None)", "doc": "Return the mean of the values over an axis."},
            {"id": 8, "api": "tiny.frame.TinyFrame.dropna()", "name": "dropna", "signature": "dropna()",
             "doc": "Remove missing values."}]
    corpus.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    build_index(tmp_path / "ix", [str(corpus)])
    hits = Searcher(tmp_path / "ix").search("average of the values", k=2)
    assert hits[0].record.source_id == "7"


def test_a_name_bound_twice_keeps_its_own_name_and_both_are_members(make_tree, tmp_path, apirec_home):
    # numpy's stubs bind `nansum = sum` and `concat = concatenate`: the public path is the name the
    # function was defined under, and module completion offers every name the module binds.
    repo = make_tree({
        "mynp/__init__.py": '''
            from mynp._core.fromnumeric import amin, sum
            from mynp._core.multiarray import concatenate
            from mynp.lib._nan import nansum
            min = amin
            concat = concatenate
            __all__ = ["amin", "min", "sum", "nansum", "concatenate", "concat"]
            ''',
        "mynp/_core/__init__.py": "",
        "mynp/_core/fromnumeric.py": '''
            def amin(a):
                """Minimum of an array."""

            def sum(a):
                """Sum of array elements."""
            ''',
        "mynp/_core/multiarray.py": '''
            def concatenate(arrays):
                """Join arrays along an axis."""
            ''',
        "mynp/lib/__init__.py": "",
        "mynp/lib/_nan.py": "from mynp._core.fromnumeric import sum\nnansum = sum\n__all__ = ['nansum']\n",
    })
    index = tmp_path / "index"
    build_index(index, [str(repo)])
    s = Searcher(index, load_dense=False)
    assert s.exact("mynp._core.fromnumeric.sum").public_path == "mynp.sum"
    assert s.exact("mynp._core.multiarray.concatenate").public_path == "mynp.concatenate"
    members = {r.name: r for r in s.lookups.members("mynp")}
    assert {"amin", "min", "sum", "nansum", "concatenate", "concat"} <= set(members)
    assert members["min"].canonical_path == "mynp._core.fromnumeric.amin"
    assert s.lookups.by_id(members["min"].id).public_path == "mynp.min"  # resolvable by its id


def test_a_name_imported_for_the_type_checker_only_is_no_re_export(make_tree, tmp_path, apirec_home):
    # pandas.core.apply imports GroupBy under `if TYPE_CHECKING:`; as a re-export it beat the real one
    # on the alphabet, and GroupBy's methods were shown as pandas.core.apply.GroupBy.sum.
    repo = make_tree({
        "mylib/__init__.py": "",
        "mylib/grouping/__init__.py": "from mylib.grouping.groupby import GroupBy\n",
        "mylib/grouping/groupby.py": '''
            class GroupBy:
                """Rows grouped by keys."""

                def sum(self):
                    """Sum of each group."""
            ''',
        "mylib/apply.py": '''
            import typing
            if typing.TYPE_CHECKING:
                from mylib.grouping import GroupBy
            else:
                from mylib.grouping.groupby import GroupBy as Grouped

            def run(g: "GroupBy"):
                """Run a function over groups."""
            ''',
    })
    index = tmp_path / "index"
    build_index(index, [str(repo)])
    s = Searcher(index, load_dense=False)
    cls = s.exact("mylib.grouping.groupby.GroupBy")
    assert cls.public_path == "mylib.grouping.GroupBy"
    assert "mylib.apply.GroupBy" not in cls.aliases
    assert "mylib.apply.Grouped" in cls.aliases  # the run-time branch binds a name as usual
    assert s.exact("mylib.grouping.groupby.GroupBy.sum").public_path == "mylib.grouping.GroupBy.sum"


def _installed(site, name: str, files: dict[str, str]) -> None:
    """A real installed distribution: the files plus the .dist-info that importlib.metadata reads."""
    from trees import write_tree

    write_tree(site, files)
    info = site / f"{name}-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n")
    (info / "RECORD").write_text("".join(f"{f},,\n" for f in files))


def test_an_installed_library_answers_only_questions_that_involve_it(make_tree, tmp_path, apirec_home,
                                                                      monkeypatch, capsys):
    # "remove the newline from a string" is about str, not about pandas' `.str.strip`, whose doc says
    # the same: a library's APIs come after the base's unless the question or the code involves it.
    site = tmp_path / "site"
    _installed(site, "framekit", {"framekit/__init__.py": '''
        def strip(text):
            """Remove the whitespace at both ends of every line of text."""


        class Frame:
            """A table of named columns and rows."""

            def column(self, name):
                """The column of that name, as a list of the column's values."""

            def drop_rows(self):
                """Drop the rows of the frame that have missing values in a column."""

            def sort_rows(self, by):
                """Sort the rows of the frame by the values of a column."""
        '''})
    monkeypatch.syspath_prepend(str(site))
    helpers = "".join(f'def helper_{i}(text):\n    """Helper {i} of the text tools."""\n' for i in range(30))
    repo = make_tree({"textutil.py": '''
        def tidy(text):
            """Cut blanks off the ends."""
        ''', "helpers.py": helpers})
    index = tmp_path / "index"
    build_index(index, [str(repo), "pkg:framekit"])
    s = Searcher(index)
    q = "remove the whitespace at both ends of every line of text"

    def ranked(query, **kw):
        return {h.record.public_path: h for h in s.search(query, k=40, **kw)}

    s.weights = FusionWeights(scope=0.0)
    assert list(ranked(q))[0] == "framekit.strip"  # the better match on its words alone
    s.weights = FusionWeights()
    got = ranked(q)
    assert list(got)[0] == "textutil.tidy"
    assert got["framekit.strip"].why["off_scope"] < 0  # --explain says why it went down
    assert "off_scope" not in got["textutil.tidy"].why  # the base is never out of scope
    # Its name, an import in the code, or its own vocabulary ("column") bring the library back.
    named = list(ranked(q + " with framekit"))
    assert named.index("framekit.strip") < named.index("textutil.tidy")
    assert list(ranked(q, modules=["framekit.table"]))[0] == "framekit.strip"
    assert "off_scope" not in ranked(q + " in a column")["framekit.strip"].why
    assert main(["search", q, "--index", str(index), "--explain", "-k", "40"]) == 0
    assert "a library the question does not involve -0.04" in " ".join(capsys.readouterr().out.split())
    # The editor's comment recommendations pass the open file's imports.
    from apirec.lsp.features import nl_hits
    from apirec.lsp.indexes import IndexSet

    indexes = IndexSet(lambda *a, **kw: None)
    indexes.extra["mine"] = s
    assert nl_hits(q, indexes, 3)[0].record.public_path == "textutil.tidy"
    assert nl_hits(q, indexes, 3, {"fk": "framekit"})[0].record.public_path == "framekit.strip"


def test_an_installed_packages_testing_api_is_indexed_and_its_tests_are_not(tmp_path, apirec_home,
                                                                            monkeypatch):
    # `numpy.testing.assert_allclose` is public API that users call; `numpy/tests` is numpy's own suite.
    site = tmp_path / "site"
    _installed(site, "numkit", {
        "numkit/__init__.py": "from numkit import testing\n",
        "numkit/testing/__init__.py": '''
            def assert_allclose(actual, desired, rtol=1e-07):
                """Raise an AssertionError if two objects are not equal up to desired tolerance."""
            ''',
        "numkit/testing/tests/test_utils.py": "def test_allclose():\n    pass\n",
        "numkit/tests/test_core.py": "def test_core():\n    pass\n",
    })
    monkeypatch.syspath_prepend(str(site))
    build_index(tmp_path / "ix", ["pkg:numkit"])
    s = Searcher(tmp_path / "ix", load_dense=False)
    rec = s.exact("numkit.testing.assert_allclose")
    assert rec is not None and not rec.private
    assert s.search("assert two arrays are equal up to a tolerance", k=1)[0].record == rec
    assert s.exact("numkit.tests.test_core.test_core") is None
    assert s.exact("numkit.testing.tests.test_utils.test_allclose") is None


def test_an_index_of_a_package_since_upgraded_is_stale(tmp_path, apirec_home, monkeypatch):
    # A cached index of pandas 2 must not answer for the pandas 3 installed since: the benchmarks and
    # the default index refresh an index that is not "ok".
    from apirec import build

    site = tmp_path / "site"
    _installed(site, "numkit", {"numkit/__init__.py": "def total(a):\n    \"\"\"Sum of the values.\"\"\"\n"})
    monkeypatch.syspath_prepend(str(site))
    index = tmp_path / "ix"
    build_index(index, ["pkg:numkit"])
    assert build.index_state(index) == "ok"
    meta = site / "numkit-1.0.dist-info" / "METADATA"
    meta.write_text(meta.read_text().replace("Version: 1.0", "Version: 2.0"))
    assert build.index_state(index) == "stale"
    build_index(index, [], refresh_all=True)
    assert build.index_state(index) == "ok"


# pandas' layout in small: members defined on an internal base (`NDFrame`) of the public classes.
_TABLES_BASE = '''
    class Base:
        def tail(self, n=5):
            """Return the last n rows of the table."""

        def head(self, n=5):
            """Return the first n rows of the table."""
    '''


def test_a_member_of_an_internal_base_is_shown_under_the_public_class(make_tree, tmp_path, capsys):
    # pandas' `tail` is defined on `pandas.core.generic.NDFrame`; users write `pandas.DataFrame.tail`.
    repo = make_tree({
        "tables/__init__.py": "from tables.core.frame import Frame\nfrom tables.core.column import Column\n",
        "tables/core/__init__.py": "",
        "tables/core/generic.py": _TABLES_BASE,
        "tables/core/frame.py": '''
            from tables.core.generic import Base


            class Frame(Base):
                def head(self, n=5):
                    """Return the first n rows of the frame, its own way."""
            ''',
        "tables/core/column.py": '''
            from tables.core import generic


            class Column(generic.Base):
                """One column."""
            ''',
    })
    index = tmp_path / "index"
    build_index(index, [str(repo)])
    s = Searcher(index)
    got = {h.record.public_path: h for h in s.search("return the last n rows of the frame", k=10)}
    assert "tables.Frame.tail" in got and "tables.core.generic.Base.tail" not in got, list(got)
    hit = got["tables.Frame.tail"]
    assert hit.why["inherited_from"] == "tables.core.generic.Base"
    assert hit.record.canonical_path == "tables.core.generic.Base.tail"
    assert s.lookups.by_id(hit.record.id) == hit.record  # the editor resolves it by the id it carries
    # A question that names the other subclass shows it there; a name a subclass defines stays its own.
    assert "tables.Column.tail" in {h.record.public_path for h in s.search("last n rows of a column", k=10)}
    heads = {h.record.public_path: h for h in s.search("return the first n rows of the frame", k=10)}
    assert "inherited_from" not in heads["tables.Frame.head"].why
    assert heads["tables.Column.head"].why["inherited_from"] == "tables.core.generic.Base"
    assert main(["search", "return the last n rows of the table", "--index", str(index), "--explain"]) == 0
    assert "inherited from tables.core.generic.Base" in " ".join(capsys.readouterr().out.split())


def test_a_member_a_class_inherits_is_found_under_the_class(make_tree, tmp_path, capsys):
    # `apirec show pandas.DataFrame.fillna` (and an agent's get_api) had answered `pandas.Index.fillna`
    # or "no API named ...": the index holds the member once, as `pandas.core.generic.NDFrame.fillna`.
    repo = make_tree({
        "tables/__init__.py": ("from tables.core.frame import Frame, Grid\n"
                               "from tables.core.column import Column\n"),
        "tables/core/__init__.py": "",
        "tables/core/generic.py": _TABLES_BASE,
        "tables/core/frame.py": '''
            from typing import Generic, TypeVar

            from tables.core.generic import Base

            T = TypeVar("T")


            class Frame(Base):
                def head(self, n=5):
                    """Return the first n rows of the frame, its own way."""


            class Grid(Frame, Generic[T]):
                """A frame of cells."""
            ''',
        "tables/core/column.py": '''
            from tables.core import generic


            class Column(generic.Base):
                """One column."""
            ''',
    })
    index = tmp_path / "index"
    build_index(index, [str(repo)])
    s = Searcher(index)
    # A base as named, through an imported module, two levels up.
    for path in ("tables.Frame.tail", "tables.Column.tail", "tables.Grid.tail"):
        [rec] = s.lookup(path, inherited=True)
        assert (rec.public_path, rec.canonical_path) == (path, "tables.core.generic.Base.tail")
        assert "tables.core.generic.Base.tail" in rec.aliases
    [own] = s.lookup("tables.Grid.head", inherited=True)  # the nearest base's own member, as in the MRO
    assert own.canonical_path == "tables.core.frame.Frame.head"
    assert "tables.core.generic.Base.tail" in [r.public_path for r in s.lookup("tail")]  # by short name
    assert s.lookup("tables.Frame.nothing", inherited=True) == []
    assert s.inherited("tables.core.generic.Base.nothing") is None
    assert main(["show", "tables.Frame.tail", "--index", str(index)]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert out.startswith("tables.Frame.tail(n=5) method")
    assert "defined as tables.core.generic.Base.tail" in out and "Return the last n rows" in out
    from apirec.mcp_server import ApiService

    got = ApiService([index]).get_api("tables.Column.tail")
    assert got["name"] == "tables.Column.tail" and got["canonical_path"] == "tables.core.generic.Base.tail"


def test_python_usage_is_no_vote_for_java_apis():
    # The shipped usage counts what Python code calls: `f.read()` says nothing about InputStream.read.
    from apirec.build import _with_usage, usage_of
    from apirec.records import ApiRecord
    from apirec.usage import shipped_usage

    assert shipped_usage().get(".read", 0) > 0  # else this test proves nothing
    py = ApiRecord(public_path="tapes.Tape.read", canonical_path="tapes.Tape.read", kind="method")
    java = ApiRecord(public_path="java.io.InputStream.read", canonical_path="java.io.InputStream.read",
                     kind="method", language="java")
    got = {r.language: usage_of(r) for r in _with_usage([py, java], [("tapes", frozenset(), {".read": 40})])}
    assert got["python"] > 0 and got["java"] == 0, got


def test_a_method_gets_the_calls_of_unknown_receivers_only_from_code_that_reaches_its_package(monkeypatch):
    # The standard library's `f.read()` cannot call a data library's reader: a `.read` vote goes to the
    # methods of the caller's own package, of what it imports, and of the standard library.
    import apirec.usage as usage
    from apirec.build import _with_usage, usage_of
    from apirec.records import ApiRecord

    monkeypatch.setattr(usage, "shipped_usage", lambda: {".read": 800})
    monkeypatch.setattr(usage, "shipped_shared", lambda: {".read": {"": 700, "frames": 60, "plots": 40}})
    monkeypatch.setattr(usage, "shipped_imports", lambda: {"plots": frozenset({"frames"}), "frames": frozenset()})

    def rec(path, origin=""):
        return ApiRecord(public_path=path, canonical_path=path, kind="method", origin=origin)

    records = [rec("frames.io.Reader.read"), rec("tapes.Tape.read"), rec("io.BufferedReader.read", "stdlib")]
    got = {r.public_path: usage_of(r) for r in _with_usage(records, [])}
    # 3 methods share each vote (a quarter of it): frames' from its own and plots' calls, io's from all.
    assert got == {"frames.io.Reader.read": 100 // 12, "tapes.Tape.read": 0, "io.BufferedReader.read": 800 // 12}
    # An indexed file (the user's code) that imports tapes votes for its methods too.
    got = {r.public_path: usage_of(r) for r in _with_usage(records, [("app", frozenset({"tapes"}), {".read": 24})])}
    assert got["tapes.Tape.read"] == 24 // 12 and got["io.BufferedReader.read"] == 824 // 12
