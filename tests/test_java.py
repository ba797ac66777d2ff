import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

import logging
import zipfile

import pytest

try:
    from apirec.indexer import java
except ImportError:
    from indexer import java

DATA = pathlib.Path(__file__).parent / "data" / "java"

SAMPLE = """\
package com.example.text;

import java.util.List;
import java.util.Map;

/**
 * Utilities for <b>parsing</b> numbers. See {@link java.lang.Integer#parseInt(String)}.
 *
 * <p>Second paragraph.
 */
public class Parser extends AbstractParser implements Comparable<Parser> {

    /** The default radix, {@code 10}. */
    public static final int DEFAULT_RADIX = 10;

    /** A mutable counter. */
    protected int count;

    private int secret;

    int packageField;

    /**
     * Creates a parser.
     * @param radix the radix to use
     */
    public Parser(int radix) {}

    /** Creates a decimal parser. */
    public Parser() { this(10); }

    /**
     * Parses the string argument as a signed integer. The characters must be digits.
     *
     * @param s the text to parse
     * @param radix the radix
     * @return the parsed value
     */
    public int parse(String s, int radix) { return 0; }

    public int parse(String s) { return parse(s, 10); }

    /** Groups values by key. */
    public static <K, V extends Comparable<V>> Map<K, List<V>> group(List<? extends V> values, K... keys) {
        return null;
    }

    /**
     * Old way.
     * @deprecated use {@link #parse(String)} instead
     */
    public int legacy() { return 0; }

    @Deprecated(since = "9")
    protected void older() {}

    private void hidden() {}

    void packageMethod() {}

    /** A nested holder. */
    public static class Holder {
        /** The held value. */
        public Object value;
    }

    private static class Secret {
        public void leak() {}
    }

    /** Colors. */
    public enum Color {
        /** Red. */
        RED,
        GREEN;

        /** Whether it is warm. */
        public boolean warm() { return this == RED; }
    }

    /** A callback. */
    public interface Callback {
        /** Called once. */
        void call(String event);
        int LIMIT = 3;
    }

    public int compareTo(Parser o) { return 0; }
}

class PackagePrivateType {
    public void notApi() {}
}
"""


@pytest.fixture(scope="module")
def sample():
    return {
        r.public_path: r for r in java.extract_java(SAMPLE, file="Parser.java", origin="demo", version="1.0")
    }


def test_types_and_kinds(sample):
    cls = "com.example.text.Parser"
    assert sample[cls].kind == "class"
    assert sample[f"{cls}.Holder"].kind == "class"
    assert sample[f"{cls}.Color"].kind == "class"
    assert dict(sample[f"{cls}.Color"].extra)["type_kind"] == "enum"
    assert dict(sample[f"{cls}.Callback"].extra)["type_kind"] == "interface"
    assert sample[f"{cls}.parse"].kind == "method"
    assert sample[f"{cls}.group"].kind == "method"  # static methods too
    assert sample[f"{cls}.Parser"].kind == "constructor"
    assert sample[f"{cls}.DEFAULT_RADIX"].kind == "constant"
    assert sample[f"{cls}.count"].kind == "attribute"
    assert sample[f"{cls}.Holder.value"].kind == "attribute"
    assert sample[f"{cls}.Color.RED"].kind == "constant"
    assert sample[f"{cls}.Color.warm"].kind == "method"
    assert sample[f"{cls}.Callback.call"].kind == "method"  # implicitly public
    assert sample[f"{cls}.Callback.LIMIT"].kind == "constant"  # interface fields are static final


def test_visibility(sample):
    cls = "com.example.text.Parser"
    assert f"{cls}.older" in sample  # protected is API
    for hidden in ("secret", "packageField", "hidden", "packageMethod", "Secret", "Secret.leak"):
        assert f"{cls}.{hidden}" not in sample, hidden
    assert not any(p.startswith("com.example.text.PackagePrivateType") for p in sample)


def test_common_fields(sample):
    r = sample["com.example.text.Parser.parse"]
    assert r.language == "java"
    assert r.public_path == r.canonical_path == "com.example.text.Parser.parse"
    assert (r.file, r.origin, r.origin_version) == ("Parser.java", "demo", "1.0")
    assert SAMPLE.splitlines()[r.line - 1].strip().startswith("public int parse(String s")


def test_javadoc_cleaning(sample):
    cls = sample["com.example.text.Parser"]
    assert cls.summary == "Utilities for parsing numbers."
    assert "<b>" not in cls.doc and "{@link" not in cls.doc
    assert "java.lang.Integer.parseInt(String)" in cls.doc
    assert "Second paragraph." in cls.doc
    assert sample["com.example.text.Parser.DEFAULT_RADIX"].summary == "The default radix, 10."
    assert sample["com.example.text.Parser.Color.RED"].summary == "Red."


def test_overloads_keep_one_documented_record(sample):
    records = java.extract_java(SAMPLE)
    paths = [r.public_path for r in records]
    assert paths.count("com.example.text.Parser.parse") == 1
    parse = sample["com.example.text.Parser.parse"]
    assert ("overloads", "2") in parse.extra
    # The undocumented one-argument overload must not win over the documented one.
    assert parse.summary == "Parses the string argument as a signed integer."
    assert parse.signature == "(String s, int radix)"
    assert parse.returns == "int"
    assert [(p.name, p.annotation, p.doc) for p in parse.params] == [
        ("s", "String", "the text to parse"),
        ("radix", "int", "the radix"),
    ]
    ctor = sample["com.example.text.Parser.Parser"]
    assert ("overloads", "2") in ctor.extra
    assert ctor.signature == "()"  # both documented: the simplest stands for the name
    assert ctor.summary == "Creates a decimal parser."


def test_generics_in_signature(sample):
    g = sample["com.example.text.Parser.group"]
    assert g.signature == "(List<? extends V> values, K... keys)"
    assert g.returns == "Map<K, List<V>>"
    assert dict(g.extra)["type_parameters"] == "<K, V extends Comparable<V>>"
    assert g.params[1].kind == "var_positional"


def test_deprecated(sample):
    assert sample["com.example.text.Parser.legacy"].deprecated  # @deprecated tag
    assert "parse(String)" in sample["com.example.text.Parser.legacy"].doc
    assert sample["com.example.text.Parser.older"].deprecated  # @Deprecated annotation
    assert not sample["com.example.text.Parser.parse"].deprecated


def test_inherit_doc_does_not_override_real_doc():
    src = """package p;
    public class A {
        /** {@inheritDoc} */
        public String toString(int x) { return ""; }
        /** Real doc. */
        public String toString(int x, int y) { return ""; }
    }"""
    (r,) = [r for r in java.extract_java(src) if r.name == "toString"]
    assert r.summary == "Real doc."


def test_syntax_errors_keep_what_parses():
    src = """package broken;
    /** Fine. */
    public class Ok {
        /** Works. */
        public void good() {}
        public void bad( { int x = ; }
    }
    """
    records = java.extract_java(src)  # must not raise
    paths = {r.public_path for r in records}
    assert "broken.Ok" in paths
    assert "broken.Ok.good" in paths


def test_supertypes_are_resolved():
    _, supers = java.extract_java_unit(SAMPLE)
    assert supers["com.example.text.Parser"] == ["com.example.text.AbstractParser", "java.lang.Comparable"]
    _, supers = java.extract_java_unit((DATA / "Walkable.java").read_text())
    assert supers["demo.coll.Walkable"] == ["java.lang.Iterable"]


def _units(*names):
    records, supers = [], {}
    for name in names:
        r, s = java.extract_java_unit((DATA / name).read_text(), file=name)
        records += r
        supers.update(s)
    return records, supers


def test_inheritance_across_units():
    records, supers = _units("Base.java", "Walkable.java", "Bag.java")
    assert supers["demo.coll.Bag"] == ["demo.coll.Base", "demo.coll.Walkable", "java.io.Serializable"]
    out = java.resolve_inheritance(records, supers)
    by = {r.public_path: r for r in out}
    walk = by["demo.coll.Bag.walk"]  # interface default method
    assert walk.canonical_path == "demo.coll.Walkable.walk"
    assert walk.summary == "Visits every element."
    helper = by["demo.coll.Bag.helper"]  # protected superclass method
    assert helper.canonical_path == "demo.coll.Base.helper"
    assert "demo.coll.Bag.empty" not in by  # static interface methods are not inherited
    assert "demo.coll.Bag.packagePrivate" not in by
    # Bag declares size itself: no duplicate, and its {@inheritDoc} gets the superclass doc.
    sizes = [r for r in out if r.public_path == "demo.coll.Bag.size"]
    assert len(sizes) == 1 and sizes[0].canonical_path == "demo.coll.Bag.size"
    assert sizes[0].summary == "Returns the element count."
    assert len(out) == len({(r.public_path, r.kind) for r in out})


def test_inherited_members_come_in_the_same_order_in_every_process():
    # The order of records is their row in the index (ties in ranking, the dense graph): a build of the
    # same sources gave another order in each process, as string hashing is seeded per process.
    import os
    import subprocess

    script = ("import sys; sys.path.insert(0, 'tests'); import test_java as t\n"
              "from apirec.indexer import java\n"
              "r, s = t._units('Base.java', 'Walkable.java', 'Bag.java')\n"
              "r2, s2 = java.extract_java_unit('package demo.coll; public class Sack extends Base {}')\n"
              "r3, s3 = java.extract_java_unit('package demo.coll; public class Pouch extends Bag {}')\n"
              "s.update(s2); s.update(s3)\n"
              "print([x.public_path for x in java.resolve_inheritance(r + r2 + r3, s)])")
    root = pathlib.Path(__file__).resolve().parents[1]
    outs = {subprocess.run([sys.executable, "-c", script], cwd=root, capture_output=True, text=True,
                           check=True, env={**os.environ, "PYTHONHASHSEED": str(seed)}).stdout
            for seed in range(6)}
    assert len(outs) == 1 and "demo.coll.Pouch.helper" in outs.pop()


def test_inheritance_is_cycle_safe():
    a = "package c; public interface A extends B { void a(); }"
    b = "package c; public interface B extends A { void b(); }"
    records, supers = [], {}
    for src in (a, b):
        r, s = java.extract_java_unit(src)
        records += r
        supers.update(s)
    by = {r.public_path: r for r in java.resolve_inheritance(records, supers)}
    assert by["c.A.b"].canonical_path == "c.B.b"
    assert by["c.B.a"].canonical_path == "c.A.a"


def test_jdk_sources_of_the_jdk_the_user_runs(tmp_path, monkeypatch):
    """JAVA_HOME's sources first, then those of the `java` on PATH; a link to sources that are not
    installed (Debian's src.zip without openjdk-*-source) is passed over."""
    monkeypatch.delenv("APIREC_JDK_SRC", raising=False)
    mine, other = tmp_path / "jdk-mine", tmp_path / "jdk-path"
    for home in (mine, other):
        (home / "lib").mkdir(parents=True)
        (home / "bin").mkdir()
        (home / "bin" / "java").write_text("#!/bin/sh\n")
        (home / "bin" / "java").chmod(0o755)
    (other / "lib" / "src.zip").write_bytes(b"PK\x05\x06" + bytes(18))
    (mine / "lib" / "src.zip").symlink_to(tmp_path / "missing.zip")  # dangling
    monkeypatch.setenv("PATH", str(other / "bin"))
    monkeypatch.setenv("JAVA_HOME", str(mine))
    assert java.find_jdk_src_zip() == other / "lib" / "src.zip"
    (mine / "lib" / "src.zip").unlink()
    (mine / "lib" / "src.zip").write_bytes(b"PK\x05\x06" + bytes(18))
    assert java.find_jdk_src_zip() == mine / "lib" / "src.zip"


# -- the real JDK --------------------------------------------------------------------------------

JDK_ZIP = java.find_jdk_src_zip()
needs_jdk = pytest.mark.skipif(
    JDK_ZIP is None, reason="no JDK src.zip (apt-get install openjdk-17-source, or set APIREC_JDK_SRC)"
)


def _jdk_read(member: str) -> bytes:
    with zipfile.ZipFile(JDK_ZIP) as zf:
        names = set(zf.namelist())
        return zf.read(member if member in names else member.partition("/")[2])


@needs_jdk
def test_jdk_integer():
    by = {r.public_path: r for r in java.extract_java(_jdk_read("java.base/java/lang/Integer.java"))}
    parse = by["java.lang.Integer.parseInt"]
    assert "signed decimal integer" in parse.summary
    assert parse.kind == "method" and parse.returns == "int"
    assert int(dict(parse.extra)["overloads"]) >= 2
    assert by["java.lang.Integer.MAX_VALUE"].kind == "constant"
    assert by["java.lang.Integer.Integer"].deprecated  # both constructors are deprecated since 9
    assert "java.lang.Integer.IntegerCache" not in by  # private nested class


@needs_jdk
def test_jdk_arraylist_constructor():
    by = {r.public_path: r for r in java.extract_java(_jdk_read("java.base/java/util/ArrayList.java"))}
    assert by["java.util.ArrayList.ArrayList"].kind == "constructor"
    assert "java.util.ArrayList.elementData" not in by  # package-private field


@needs_jdk
def test_jdk_sources_are_exported_only():
    names = [name for name, _ in java.iter_jdk_sources(JDK_ZIP, modules=("java.sql",))]
    assert any(n.endswith("java/sql/Connection.java") for n in names)
    assert not any("/sun/" in n or "/internal/" in n or n.endswith("-info.java") for n in names)
    assert java.jdk_version(JDK_ZIP).isdigit()


@needs_jdk
def test_jdk_inherited_methods_reachable():
    files = [
        f"java/util/{n}.java"
        for n in ("ArrayList", "AbstractList", "AbstractCollection", "List", "Collection")
    ] + ["java/lang/Iterable.java"]
    records = java.index_jdk(JDK_ZIP, only=files)
    by = {r.public_path: r for r in records}
    contains_all = by["java.util.ArrayList.containsAll"]
    assert contains_all.canonical_path == "java.util.AbstractCollection.containsAll"
    assert contains_all.summary  # {@inheritDoc}-only doc filled from Collection
    assert by["java.util.ArrayList.spliterator"].canonical_path == "java.util.ArrayList.spliterator"
    assert by["java.util.ArrayList.forEach"].canonical_path == "java.util.ArrayList.forEach"
    assert by["java.util.ArrayList.stream"].canonical_path == "java.util.Collection.stream"
    assert "java.util.ArrayList.of" not in by  # List.of is a static interface method


def test_index_jdk_skips_unparsable_files(tmp_path, monkeypatch, caplog):
    zpath = tmp_path / "src.zip"
    with zipfile.ZipFile(zpath, "w") as zf:
        zf.writestr("java.base/module-info.java", "module java.base { exports java.util; }")
        zf.writestr(
            "java.base/java/util/Good.java", "package java.util; public class Good { public void g() {} }"
        )
        zf.writestr("java.base/java/util/Bad.java", "package java.util; public class Bad {}")
        zf.writestr("java.base/jdk/internal/X.java", "package jdk.internal; public class X {}")
    real = java._Extractor.run

    def flaky(self):
        if self.file.endswith("Bad.java"):
            raise RuntimeError("boom")
        return real(self)

    monkeypatch.setattr(java._Extractor, "run", flaky)
    with caplog.at_level(logging.WARNING, logger=java.log.name):
        records = java.index_jdk(zpath)
    paths = {r.public_path for r in records}
    assert "java.util.Good.g" in paths
    assert not any("Bad" in p or "internal" in p for p in paths)
    assert any("Bad.java" in m for m in caplog.messages)
