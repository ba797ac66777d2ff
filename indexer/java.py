"""Java API extraction with tree-sitter-java (no compiling, no running) and JDK ``src.zip`` indexing.

One compilation unit gives records for its accessible types and members plus the supertypes of each
declared type; :func:`resolve_inheritance` then makes inherited members reachable under subclasses.
"""

from __future__ import annotations

import glob
import html
import logging
import os
import pathlib
import re
import shutil
import subprocess
import time
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache

from apirec.records import ApiRecord, Param, summarize

log = logging.getLogger(__name__)

JDK_MODULES = (
    "java.base",
    "java.sql",
    "java.desktop",
    "java.net.http",
    "java.logging",
    "java.xml",
    "java.prefs",
    "java.management",
    "java.scripting",
    "java.compiler",
    "java.datatransfer",
    "java.naming",
    "java.rmi",
)

# Used to resolve an unqualified supertype when no global type set is at hand: java.lang is imported
# implicitly but shadowed by same-package types, so only names known to live there are resolved to it.
_JAVA_LANG = frozenset(
    """
    Appendable AutoCloseable CharSequence Cloneable Comparable Iterable Readable Runnable
    Thread.UncaughtExceptionHandler Boolean Byte Character Class ClassLoader ClassValue Double
    Enum Float InheritableThreadLocal Integer Long Math Module ModuleLayer Number Object Package
    Process ProcessBuilder ProcessHandle Record Runtime RuntimePermission SecurityManager Short
    StackWalker StrictMath String StringBuffer StringBuilder System Thread ThreadGroup
    ThreadLocal Throwable Void ArithmeticException ArrayIndexOutOfBoundsException
    ArrayStoreException ClassCastException ClassNotFoundException CloneNotSupportedException
    EnumConstantNotPresentException Exception IllegalAccessException IllegalArgumentException
    IllegalCallerException IllegalMonitorStateException IllegalStateException
    IllegalThreadStateException IndexOutOfBoundsException InstantiationException
    InterruptedException LayerInstantiationException NegativeArraySizeException
    NoSuchFieldException NoSuchMethodException NullPointerException NumberFormatException
    ReflectiveOperationException RuntimeException SecurityException
    StringIndexOutOfBoundsException TypeNotPresentException UnsupportedOperationException
    AbstractMethodError AssertionError BootstrapMethodError ClassCircularityError
    ClassFormatError Error ExceptionInInitializerError IllegalAccessError
    IncompatibleClassChangeError InstantiationError InternalError LinkageError
    NoClassDefFoundError NoSuchFieldError NoSuchMethodError OutOfMemoryError StackOverflowError
    UnknownError UnsatisfiedLinkError UnsupportedClassVersionError VerifyError
    VirtualMachineError Deprecated FunctionalInterface Override SafeVarargs SuppressWarnings
    """.split()  # noqa: SIM905
)

_TYPE_DECLS = {
    "class_declaration": "class",
    "interface_declaration": "interface",
    "enum_declaration": "enum",
    "record_declaration": "record",
    "annotation_type_declaration": "annotation",
}
_IMPLICITLY_PUBLIC = {"interface", "annotation"}  # members of these are public unless `private`
# Types nested deeper than this are skipped: real code stops at a handful of levels, and the walk over
# nested types recurses (a generated or hostile file 1,000 classes deep raised RecursionError).
MAX_TYPE_DEPTH = 64


# --------------------------------------------------------------------------------------------------
# Parsing


@lru_cache(maxsize=1)
def _parser():
    import tree_sitter_java
    from tree_sitter import Language, Parser

    return Parser(Language(tree_sitter_java.language()))


def _text(node) -> str:
    return node.text.decode("utf-8", "replace")


def _fold(s: str) -> str:
    return " ".join(s.split())


def _type_text(node) -> str:
    """Type as written, whitespace-folded, without type annotations such as ``@Nullable``."""
    if node is None:
        return ""
    s = _fold(_text(node))
    if "@" in s:
        s = re.sub(r"@[\w.]+(\([^)]*\))?\s*", "", s)
    return s


def _modifiers(decl) -> tuple[set[str], bool]:
    """(keyword modifiers, has @Deprecated annotation)."""
    mods: set[str] = set()
    deprecated = False
    for c in decl.children:
        if c.type == "modifiers":
            for m in c.children:
                if m.type in ("marker_annotation", "annotation"):
                    name = m.child_by_field_name("name")
                    if name is not None and _text(name).rsplit(".", 1)[-1] == "Deprecated":
                        deprecated = True
                else:
                    mods.add(m.type)
            break
    return mods, deprecated


def _javadoc_node(decl):
    """The ``/** ... */`` comment directly before a declaration (modifiers included), if any."""
    prev = decl.prev_sibling
    if prev is not None and prev.type == "block_comment":
        raw = prev.text
        if raw.startswith(b"/**") and raw != b"/**/":
            return prev
    return None


# --------------------------------------------------------------------------------------------------
# Javadoc


@dataclass
class Javadoc:
    doc: str = ""
    summary: str = ""
    params: dict[str, str] = field(default_factory=dict)
    returns: str = ""
    deprecated: bool = False
    inherit_only: bool = False  # the description is just {@inheritDoc}: let an overload/super win


_INLINE_TAG = re.compile(r"\{@(\w+)\s*")
_BLOCK_TAG = re.compile(r"^@(\w+)\b\s*(.*)$")
# Private-use stand-ins so that `<`, `>`, `&` inside {@code ...} survive HTML stripping.
_LT, _GT, _AMP = "\ue000", "\ue001", "\ue002"


def _link_text(body: str) -> str:
    """``{@link A#b(int) label}`` -> ``label``; ``{@link A#b(int)}`` -> ``A.b(int)``."""
    body = body.strip()
    depth = 0
    for i, ch in enumerate(body):  # split the reference from the label outside parentheses
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch.isspace() and depth == 0:
            label = body[i:].strip()
            if label:
                return label
            break
    ref = body.split()[0] if body else ""
    if ref.startswith("#"):
        return ref[1:]
    return ref.replace("#", ".")


def _expand_inline(s: str) -> str:
    out: list[str] = []
    pos = 0
    while True:
        m = _INLINE_TAG.search(s, pos)
        if m is None:
            out.append(s[pos:])
            break
        out.append(s[pos : m.start()])
        depth, i = 1, m.end()
        while i < len(s) and depth:  # balanced braces: {@code Map<K, V> {}} is legal
            if s[i] == "{":
                depth += 1
            elif s[i] == "}":
                depth -= 1
            i += 1
        body = s[m.end() : i - 1] if depth == 0 else s[m.end() :]
        tag = m.group(1)
        if tag in ("code", "literal"):
            out.append(body.replace("<", _LT).replace(">", _GT).replace("&", _AMP))
        elif tag in ("link", "linkplain"):
            out.append(_link_text(body).replace("<", _LT).replace(">", _GT))
        elif tag == "value":
            out.append(_link_text(body) if body.strip() else "")
        elif tag in ("summary", "index", "return"):
            out.append(body if tag != "index" else (body.split() or [""])[0])
        # {@inheritDoc}, {@docRoot}, unknown tags: dropped
        pos = i
    return "".join(out)


_BREAK_TAGS = re.compile(
    r"<\s*/?\s*(p|br|ul|ol|li|pre|table|tr|dl|dt|dd|h\d|blockquote|div)\b[^>]*>", re.IGNORECASE
)


def _html_to_text(s: str) -> str:
    s = _expand_inline(s)
    s = _BREAK_TAGS.sub("\n\n", s)
    s = re.sub(r"<\s*sup\s*>", "^", s, flags=re.IGNORECASE)  # 2<sup>31</sup> -> 2^31
    s = re.sub(r"<!--.*?-->", "", s, flags=re.DOTALL)
    s = re.sub(r"<[^>\n]*>", "", s)
    s = html.unescape(s).replace(_LT, "<").replace(_GT, ">").replace(_AMP, "&")
    lines = [" ".join(line.split()) for line in s.split("\n")]
    s = "\n".join(lines)
    s = re.sub(r"\n{3,}", "\n\n", s)
    return s.strip()


def first_sentence(text: str) -> str:
    """Javadoc's rule: up to the first period followed by whitespace (within the first paragraph)."""
    para = text.strip().split("\n\n", 1)[0]
    para = _fold(para)
    m = re.search(r"\.(\s|$)", para)
    sent = para[: m.start() + 1] if m else para
    return sent[:300] if sent else summarize(text)


def parse_javadoc(comment: str) -> Javadoc:
    body = comment
    body = body.removeprefix("/**")
    body = body.removesuffix("*/")
    lines = [re.sub(r"^\s*\*(?!/) ?", "", line) for line in body.split("\n")]

    desc: list[str] = []
    tags: list[tuple[str, str]] = []
    in_pre = False
    for line in lines:
        stripped = line.strip()
        low = stripped.lower()
        if "<pre" in low:
            in_pre = True
        if "</pre" in low:
            in_pre = False
        m = _BLOCK_TAG.match(stripped) if not in_pre else None
        if m:
            tags.append((m.group(1), m.group(2)))
        elif tags:
            tags[-1] = (tags[-1][0], tags[-1][1] + "\n" + line)
        else:
            desc.append(line)

    jd = Javadoc()
    raw_desc = "\n".join(desc).strip()
    jd.inherit_only = re.fullmatch(r"\{@inheritDoc\}\s*", raw_desc) is not None
    jd.doc = _html_to_text(raw_desc)
    summary_tag = re.search(r"\{@summary\s", raw_desc)
    jd.summary = (
        _fold(_html_to_text(raw_desc[summary_tag.start() :]).split("\n\n")[0])
        if summary_tag
        else first_sentence(jd.doc)
    )
    for tag, value in tags:
        if tag == "param":
            parts = value.strip().split(None, 1)
            if parts:
                jd.params[parts[0]] = _fold(_html_to_text(parts[1])) if len(parts) > 1 else ""
        elif tag == "return":
            jd.returns = _fold(_html_to_text(value))
        elif tag == "deprecated":
            jd.deprecated = True
    if jd.deprecated:
        note = next((_fold(_html_to_text(v)) for t, v in tags if t == "deprecated"), "")
        jd.doc = (jd.doc + "\n\nDeprecated: " + note).strip() if note else jd.doc
    return jd


_EMPTY_DOC = Javadoc()


def _doc_for(decl) -> Javadoc:
    node = _javadoc_node(decl)
    return parse_javadoc(_text(node)) if node is not None else _EMPTY_DOC


# --------------------------------------------------------------------------------------------------
# One compilation unit


@dataclass
class _Unit:
    package: str
    imports: dict[str, str]  # simple name -> full name (single-type imports)
    wildcards: list[str]  # on-demand import prefixes
    local_types: dict[str, str]  # simple (and dotted-nested) name -> full name of types declared here


@dataclass
class _Member:
    """One declaration before overloads are merged."""

    kind: str
    name: str
    signature: str
    params: tuple[Param, ...]
    returns: str
    line: int
    doc: Javadoc
    deprecated: bool
    mods: frozenset[str]
    type_params: str = ""


def _params(params_node, jd: Javadoc) -> tuple[str, tuple[Param, ...]]:
    if params_node is None:
        return "()", ()
    parts: list[str] = []
    out: list[Param] = []
    for p in params_node.named_children:
        if p.type == "formal_parameter":
            name_node = p.child_by_field_name("name")
            typ = _type_text(p.child_by_field_name("type"))
            dims = p.child_by_field_name("dimensions")
            if dims is not None:  # C-style `int a[]`
                typ += _fold(_text(dims)).replace(" ", "")
            kind = "positional_only"
        elif p.type == "spread_parameter":
            typ_node = next(
                (c for c in p.named_children if c.type not in ("modifiers", "variable_declarator")), None
            )
            decl = next((c for c in p.named_children if c.type == "variable_declarator"), None)
            name_node = decl.child_by_field_name("name") if decl is not None else None
            typ = _type_text(typ_node) + "..."
            kind = "var_positional"
        else:  # receiver parameter (`Foo this`) and comments are not real parameters
            continue
        name = _text(name_node) if name_node is not None else ""
        parts.append(f"{typ} {name}".strip())
        out.append(Param(name=name, annotation=typ, doc=jd.params.get(name, ""), kind=kind))
    return "(" + ", ".join(parts) + ")", tuple(out)


def _resolve_name(written: str, unit: _Unit, known: set[str] | frozenset[str] | None) -> str:
    """Full name of a type as written in `unit` (type arguments already removed)."""
    if not written:
        return written
    head, _, rest = written.partition(".")
    tail = "." + rest if rest else ""
    if head in unit.local_types:
        return unit.local_types[head] + tail
    if head in unit.imports:
        return unit.imports[head] + tail
    same_pkg = f"{unit.package}.{written}" if unit.package else written
    candidates = [same_pkg] + [f"{w}.{written}" for w in unit.wildcards] + [f"java.lang.{written}"]
    if known is not None:
        for c in candidates:
            if c in known:
                return c
        if written in known:  # already fully qualified
            return written
        if rest and head[:1].islower():
            return written
    if rest and head[:1].islower():  # looks fully qualified: java.io.Serializable
        return written
    if written in _JAVA_LANG:
        return "java.lang." + written
    if not unit.wildcards:  # only same package is left (java.lang names are listed above)
        return same_pkg
    return written


class _Extractor:
    def __init__(self, src: bytes, file: str, origin: str, version: str, known=None):
        self.src = src
        self.file = file
        self.origin = origin
        self.version = version
        self.known = known
        self.records: list[ApiRecord] = []
        # Members of package-private/private types: never returned, but their public methods are
        # inherited by public subclasses (StringBuilder.length comes from AbstractStringBuilder).
        self.hidden: list[ApiRecord] = []
        self.supertypes: dict[str, list[str]] = {}
        self.written_supertypes: dict[str, list[str]] = {}  # as in the source, for re-resolution
        self.unit = _Unit("", {}, [], {})

    def run(self) -> None:
        root = _parser().parse(self.src).root_node
        if root.has_error:
            log.debug("syntax errors in %s; keeping what parses", self.file or "<string>")
        types = []
        for node in root.children:
            if node.type == "package_declaration":
                name = next(
                    (c for c in node.named_children if c.type in ("scoped_identifier", "identifier")), None
                )
                if name is not None:
                    self.unit.package = _text(name).replace(" ", "")
            elif node.type == "import_declaration":
                self._import(node)
            elif node.type in _TYPE_DECLS:
                types.append(node)
            elif node.type == "ERROR":  # a broken region may still hold whole type declarations
                types.extend(c for c in node.named_children if c.type in _TYPE_DECLS)
        prefix = self.unit.package
        for node in types:
            self._collect_local(node, prefix)
        for node in types:
            self._type(node, prefix, outer_kind=None, outer_accessible=True)

    def _import(self, node) -> None:
        if any(c.type == "static" for c in node.children):
            return  # static imports bring members, not types
        name = next((c for c in node.named_children if c.type in ("scoped_identifier", "identifier")), None)
        if name is None:
            return
        full = _text(name).replace(" ", "")
        if any(c.type == "asterisk" for c in node.children):
            self.unit.wildcards.append(full)
        else:
            self.unit.imports[full.rsplit(".", 1)[-1]] = full

    def _collect_local(self, node, prefix: str, dotted: str = "", depth: int = 0) -> None:
        name_node = node.child_by_field_name("name")
        if name_node is None or depth >= MAX_TYPE_DEPTH:
            return
        name = _text(name_node)
        full = f"{prefix}.{name}" if prefix else name
        rel = f"{dotted}.{name}" if dotted else name
        self.unit.local_types.setdefault(name, full)
        self.unit.local_types.setdefault(rel, full)
        body = node.child_by_field_name("body")
        for member in _body_members(body):
            if member.type in _TYPE_DECLS:
                self._collect_local(member, full, rel, depth + 1)

    def _supertypes(self, full: str, node) -> None:
        written = [
            t
            for c in node.children
            if c.type in ("superclass", "super_interfaces", "extends_interfaces")
            for t in _walk_types(c)
        ]
        self.written_supertypes[full] = written
        self.supertypes[full] = [_resolve_name(t, self.unit, self.known) for t in written]

    def _type(self, node, prefix: str, outer_kind: str | None, outer_accessible: bool, depth: int = 0) -> None:
        kind = _TYPE_DECLS[node.type]
        name_node = node.child_by_field_name("name")
        if name_node is None or depth >= MAX_TYPE_DEPTH:
            return
        name = _text(name_node)
        full = f"{prefix}.{name}" if prefix else name
        mods, deprecated_ann = _modifiers(node)
        self._supertypes(full, node)
        if outer_kind is None:
            accessible = "public" in mods
        else:
            accessible = outer_accessible and _member_visible(mods, outer_kind)
        jd = _doc_for(node)
        target = self.records if accessible else self.hidden
        extra: list[tuple[str, str]] = [("type_kind", kind)]
        tp = node.child_by_field_name("type_parameters")
        if tp is not None:
            extra.append(("type_parameters", _fold(_text(tp))))
        signature, params = "", ()
        if kind == "record":
            signature, params = _params(node.child_by_field_name("parameters"), jd)
        target.append(
            self._record(full, "class", node, jd, deprecated_ann, signature, params, "", tuple(extra), mods)
        )
        body = node.child_by_field_name("body")
        members: list[_Member] = []
        if kind == "enum" and body is not None:
            for c in body.named_children:
                if c.type == "enum_constant":
                    cname = _text(c.child_by_field_name("name"))
                    _, cdep = _modifiers(c)
                    cjd = _doc_for(c)
                    members.append(
                        _Member(
                            "constant",
                            cname,
                            "",
                            (),
                            name,
                            c.start_point[0] + 1,
                            cjd,
                            cdep or cjd.deprecated,
                            frozenset({"public", "static", "final"}),
                        )
                    )
        accessors: list[_Member] = []
        if kind == "record":  # components give implicit public accessors
            _, comps = _params(node.child_by_field_name("parameters"), jd)
            for p in comps:
                accessors.append(
                    _Member(
                        "method",
                        p.name,
                        "()",
                        (),
                        p.annotation.removesuffix("..."),
                        node.start_point[0] + 1,
                        Javadoc(doc=p.doc, summary=first_sentence(p.doc)),
                        False,
                        frozenset({"public"}),
                    )
                )
        for member in _body_members(body):
            t = member.type
            if t in _TYPE_DECLS:
                self._type(member, full, kind, accessible, depth + 1)
                continue
            if t in ("method_declaration", "annotation_type_element_declaration"):
                self._method(member, kind, members)
            elif t in ("constructor_declaration", "compact_constructor_declaration"):
                self._constructor(member, kind, name, node, members)
            elif t in ("field_declaration", "constant_declaration"):
                self._field(member, kind, members)
        explicit = {m.name for m in members if m.kind == "method" and not m.params}
        members += [a for a in accessors if a.name not in explicit]
        self._emit_members(full, members, target)

    def _method(self, node, owner_kind: str, out: list[_Member]) -> None:
        mods, dep = _modifiers(node)
        if not _member_visible(mods, owner_kind):
            return
        name_node = node.child_by_field_name("name")
        if name_node is None:
            return
        jd = _doc_for(node)
        signature, params = _params(node.child_by_field_name("parameters"), jd)
        returns = _type_text(node.child_by_field_name("type"))
        dims = node.child_by_field_name("dimensions")
        if dims is not None:  # legacy `int foo()[]`
            returns += _fold(_text(dims)).replace(" ", "")
        tp = node.child_by_field_name("type_parameters")
        if owner_kind in _IMPLICITLY_PUBLIC:
            mods = mods | {"public"}
            if "default" not in mods and "static" not in mods and "private" not in mods:
                mods.add("abstract")
        out.append(
            _Member(
                "method",
                _text(name_node),
                signature,
                params,
                returns,
                node.start_point[0] + 1,
                jd,
                dep or jd.deprecated,
                frozenset(mods),
                _fold(_text(tp)) if tp is not None else "",
            )
        )

    def _constructor(self, node, owner_kind: str, cls_name: str, cls_node, out: list[_Member]) -> None:
        if owner_kind == "enum":
            return  # enum constructors are always private
        mods, dep = _modifiers(node)
        if not _member_visible(mods, owner_kind):
            return
        jd = _doc_for(node)
        params_node = node.child_by_field_name("parameters")
        if node.type == "compact_constructor_declaration":  # canonical: the record header
            params_node = cls_node.child_by_field_name("parameters")
        signature, params = _params(params_node, jd)
        tp = node.child_by_field_name("type_parameters")
        out.append(
            _Member(
                "constructor",
                cls_name,
                signature,
                params,
                "",
                node.start_point[0] + 1,
                jd,
                dep or jd.deprecated,
                frozenset(mods),
                _fold(_text(tp)) if tp is not None else "",
            )
        )

    def _field(self, node, owner_kind: str, out: list[_Member]) -> None:
        mods, dep = _modifiers(node)
        if owner_kind in _IMPLICITLY_PUBLIC:
            mods = mods | {"public", "static", "final"}  # interface fields are constants
        if not _member_visible(mods, owner_kind):
            return
        jd = _doc_for(node)
        typ = _type_text(node.child_by_field_name("type"))
        kind = "constant" if {"static", "final"} <= mods else "attribute"
        for c in node.children:
            if c.type != "variable_declarator":
                continue
            name_node = c.child_by_field_name("name")
            if name_node is None:
                continue
            dims = c.child_by_field_name("dimensions")
            ftype = typ + (_fold(_text(dims)).replace(" ", "") if dims is not None else "")
            out.append(
                _Member(
                    kind,
                    _text(name_node),
                    "",
                    (),
                    ftype,
                    c.start_point[0] + 1,
                    jd,
                    dep or jd.deprecated,
                    frozenset(mods),
                )
            )

    def _emit_members(self, owner: str, members: list[_Member], target: list[ApiRecord]) -> None:
        groups: dict[tuple[str, str], list[_Member]] = {}
        for m in members:
            key = (_group(m.kind), m.name)
            groups.setdefault(key, []).append(m)
        for group in groups.values():
            # The simplest overload stands for the name (fewest parameters, then file order), but a
            # documented one beats an undocumented or {@inheritDoc}-only one.
            ordered = sorted(group, key=lambda m: len(m.params))
            primary = next((m for m in ordered if m.doc.doc and not m.doc.inherit_only), ordered[0])
            extra: list[tuple[str, str]] = [("modifiers", " ".join(sorted(primary.mods)))]
            if primary.type_params:
                extra.append(("type_parameters", primary.type_params))
            if len(group) > 1:
                extra.append(("overloads", str(len(group))))
                extra.append(("overload_signatures", "\n".join(m.signature for m in group)))
            jd = primary.doc
            target.append(
                ApiRecord(
                    public_path=f"{owner}.{primary.name}",
                    canonical_path=f"{owner}.{primary.name}",
                    kind=primary.kind,
                    language="java",
                    signature=primary.signature,
                    summary=jd.summary,
                    doc=jd.doc,
                    params=primary.params,
                    returns=primary.returns,
                    origin=self.origin,
                    origin_version=self.version,
                    file=self.file,
                    line=primary.line,
                    deprecated=all(m.deprecated for m in group),  # usable while one overload is not
                    extra=tuple(extra),
                )
            )

    def _record(self, path, kind, node, jd, dep_ann, signature, params, returns, extra, mods) -> ApiRecord:
        return ApiRecord(
            public_path=path,
            canonical_path=path,
            kind=kind,
            language="java",
            signature=signature,
            summary=jd.summary,
            doc=jd.doc,
            params=params,
            returns=returns,
            origin=self.origin,
            origin_version=self.version,
            file=self.file,
            line=node.start_point[0] + 1,
            deprecated=dep_ann or jd.deprecated,
            extra=(("modifiers", " ".join(sorted(mods))),) + extra,
        )


def _member_visible(mods: set[str] | frozenset[str], owner_kind: str) -> bool:
    if "private" in mods:
        return False
    if owner_kind in _IMPLICITLY_PUBLIC:
        return True
    return "public" in mods or "protected" in mods


def _body_members(body):
    """Declarations in a class/interface/enum/record/annotation body (enum bodies nest one level)."""
    if body is None:
        return
    for c in body.named_children:
        if c.type == "enum_body_declarations":
            yield from c.named_children
        else:
            yield c


def _walk_types(node) -> Iterator[str]:
    """Supertype names in an extends/implements clause, without type arguments."""
    for c in node.named_children:
        if c.type == "type_list":
            yield from _walk_types(c)
        elif c.type == "generic_type":
            base = next((g for g in c.named_children if g.type != "type_arguments"), None)
            if base is not None:
                yield _type_text(base).replace(" ", "")
        elif c.type in ("type_identifier", "scoped_type_identifier"):
            yield _type_text(c).replace(" ", "")


def _as_bytes(text: str | bytes) -> bytes:
    return text.encode("utf-8") if isinstance(text, str) else text


def extract_java_unit(
    text: str | bytes, file: str = "", origin: str = "", version: str = ""
) -> tuple[list[ApiRecord], dict[str, list[str]]]:
    """Records of one compilation unit and ``{declared type: [resolved supertypes]}``."""
    ex = _Extractor(_as_bytes(text), file, origin, version)
    ex.run()
    return ex.records, ex.supertypes


def extract_java(text: str | bytes, file: str = "", origin: str = "", version: str = "") -> list[ApiRecord]:
    """Records of one compilation unit (see :func:`extract_java_unit` for supertypes too)."""
    return extract_java_unit(text, file, origin, version)[0]


# --------------------------------------------------------------------------------------------------
# Inheritance

_INHERITABLE = ("method", "attribute", "constant")


def _group(kind: str) -> str:
    """Methods and fields live in separate namespaces in Java."""
    return "callable" if kind in ("method", "constructor") else "value"


def _ancestors(name: str, supertypes: dict[str, list[str]], type_kind: dict[str, str]) -> list[str]:
    """Supertypes of `name`, nearest first: the superclass chain before interfaces (class methods win
    over interface defaults), each once even when the graph has cycles."""
    seen = {name}
    order: list[str] = []
    cur = name
    while True:  # superclass chain
        nxt = next(
            (s for s in supertypes.get(cur, ()) if type_kind.get(s) in ("class", "enum", "record")), None
        )
        if nxt is None or nxt in seen:
            break
        seen.add(nxt)
        order.append(nxt)
        cur = nxt
    stack = [name] + order
    i = 0
    while i < len(stack):  # breadth-first over everything else (interfaces)
        for s in supertypes.get(stack[i], ()):
            if s not in seen:
                seen.add(s)
                order.append(s)
                stack.append(s)
        i += 1
    return order


def resolve_inheritance(
    records: list[ApiRecord], supertypes: dict[str, list[str]], hidden: Iterable[ApiRecord] = ()
) -> list[ApiRecord]:
    """`records` plus, for each type C, the members C inherits but does not declare (``pkg.C.m`` whose
    canonical_path is the declaring type's path). Undocumented overrides take the inherited doc.

    `hidden` are records of non-public types: inherited from, never returned themselves.
    """
    hidden = list(hidden)
    type_kind: dict[str, str] = {}
    members: dict[str, dict[tuple[str, str], ApiRecord]] = {}
    public_types = {r.public_path for r in records if r.kind == "class"}
    for r in records + hidden:
        if r.kind == "class":
            type_kind[r.public_path] = dict(r.extra).get("type_kind", "class")
    for r in records + hidden:
        if r.kind in _INHERITABLE and r.parent in type_kind and r.public_path == r.canonical_path:
            members.setdefault(r.parent, {})[(_group(r.kind), r.name)] = r

    ancestors = {cls: _ancestors(cls, supertypes, type_kind) for cls in type_kind}
    # First fill undocumented overrides from the nearest documented ancestor (like javadoc does), so
    # that what subclasses inherit below already carries the doc.
    filled: dict[tuple[str, str], ApiRecord] = {}  # (public_path, group) -> record with doc filled
    for cls, own in members.items():
        for key, mine in own.items():
            if mine.doc:
                continue
            for anc in ancestors.get(cls, ()):
                rec = members.get(anc, {}).get(key)
                if rec is not None and rec.doc:
                    filled[(mine.public_path, key[0])] = mine.with_(doc=rec.doc, summary=rec.summary)
                    break
    for own in members.values():
        for key, mine in own.items():
            own[key] = filled.get((mine.public_path, key[0]), mine)

    added: list[ApiRecord] = []
    existing = {(r.public_path, _group(r.kind)) for r in records}
    for cls in sorted(public_types):  # a set: its order varies per process (hash seeds), the index must not
        own = members.get(cls, {})
        for anc in ancestors[cls]:
            for key, rec in members.get(anc, {}).items():
                path = f"{cls}.{rec.name}"
                if key in own or (path, key[0]) in existing:  # overridden, hidden or already there
                    continue
                mods = dict(rec.extra).get("modifiers", "").split()
                if "static" in mods and type_kind.get(anc) == "interface" and rec.kind == "method":
                    continue  # static interface methods are not inherited
                existing.add((path, key[0]))
                extra = tuple(x for x in rec.extra if x[0] != "inherited_from") + (("inherited_from", anc),)
                added.append(rec.with_(public_path=path, aliases=(), extra=extra))
    out = [filled.get((r.public_path, _group(r.kind)), r) for r in records]
    return out + added


# --------------------------------------------------------------------------------------------------
# JDK sources


def find_jdk_src_zip() -> pathlib.Path | None:
    """The JDK sources to index: $APIREC_JDK_SRC, else those of the JDK the user runs ($JAVA_HOME, then
    the `java` on PATH), else the first JDK under /usr/lib/jvm that has them. A link to sources that
    are not installed (Debian's src.zip without openjdk-*-source) does not count."""
    env = os.environ.get("APIREC_JDK_SRC")
    if env and pathlib.Path(env).is_file():
        return pathlib.Path(env)
    homes = [os.environ.get("JAVA_HOME") or ""]
    exe = shutil.which("java")
    if exe:
        homes.append(str(pathlib.Path(exe).resolve().parent.parent))  # .../jdk/bin/java -> .../jdk
    for home in filter(None, homes):
        for rel in ("lib/src.zip", "src.zip"):
            if os.path.isfile(os.path.join(home, rel)):
                return pathlib.Path(home, rel)
    for pattern in ("/usr/lib/jvm/*/lib/src.zip", "/usr/lib/jvm/*/src.zip"):
        for p in sorted(glob.glob(pattern)):
            if os.path.isfile(p):
                return pathlib.Path(p)
    return None


def _exported_packages(zf: zipfile.ZipFile, module: str) -> set[str] | None:
    """Unqualified ``exports`` of a module's module-info.java; None when there is none."""
    try:
        info = zf.read(f"{module}/module-info.java").decode("utf-8", "replace")
    except KeyError:
        return None
    info = re.sub(r"/\*.*?\*/|//[^\n]*", "", info, flags=re.DOTALL)
    return {m.group(1) for m in re.finditer(r"\bexports\s+([\w.]+)\s*;", info)}


def _is_internal(pkg: str) -> bool:
    return pkg.startswith(("sun.", "com.sun.", "jdk.internal.")) or ".internal." in f".{pkg}."


def iter_jdk_sources(zip_path, modules: Iterable[str] = JDK_MODULES) -> Iterator[tuple[str, bytes]]:
    """(path inside the zip, content) of the public ``.java`` files of exported packages."""
    with zipfile.ZipFile(zip_path) as zf:
        names = zf.namelist()
        flat = not any(n.startswith("java.base/") for n in names)  # JDK 8 layout: no module folders
        wanted = tuple(modules)
        exports = {m: _exported_packages(zf, m) for m in wanted} if not flat else {}
        for name in names:
            if not name.endswith(".java") or name.endswith(("/module-info.java", "/package-info.java")):
                continue
            if name in ("module-info.java", "package-info.java"):
                continue
            if flat:
                pkg_path = name
            else:
                module, _, pkg_path = name.partition("/")
                if module not in wanted:
                    continue
            pkg = pkg_path.rsplit("/", 1)[0].replace("/", ".") if "/" in pkg_path else ""
            if _is_internal(pkg):
                continue
            if not flat:
                exported = exports.get(module)
                if exported is not None and pkg not in exported:
                    continue
            elif not pkg.startswith(("java.", "javax.", "org.")):
                continue
            yield name, zf.read(name)


def jdk_version(zip_path) -> str:
    """Best effort feature version ("17"): a ``release`` file near the zip, the dpkg owner, the path."""
    p = pathlib.Path(zip_path)
    for base in {p.parent, p.parent.parent, p.resolve().parent, p.resolve().parent.parent}:
        rel = base / "release"
        if rel.is_file():
            m = re.search(r'JAVA_VERSION="(?:1\.)?(\d+)', rel.read_text(errors="replace"))
            if m:
                return m.group(1)
    for cand in (str(p.resolve()), str(p)):
        m = re.search(r"(?:jdk|java)-(?:1\.)?(\d+)|openjdk-(\d+)|jdk(\d+)", cand)
        if m:
            return next(g for g in m.groups() if g)
    try:
        out = subprocess.run(
            ["dpkg", "-S", str(p.resolve())], check=False, capture_output=True, text=True, timeout=10
        ).stdout
        m = re.search(r"openjdk-(\d+)", out)
        if m:
            return m.group(1)
    except (OSError, subprocess.SubprocessError):
        pass
    return ""


def index_jdk(
    zip_path=None,
    progress: Callable[[int, str], None] | None = None,
    modules: Iterable[str] = JDK_MODULES,
    only: Iterable[str] | None = None,
) -> list[ApiRecord]:
    """Records of the JDK's public API, inherited members included.

    `only` restricts to the given paths inside the zip (with or without the module folder), which
    keeps tests fast. `progress(n_done, path)` is called after each file.
    """
    zip_path = zip_path or find_jdk_src_zip()
    if zip_path is None:
        raise FileNotFoundError("no JDK src.zip found (set APIREC_JDK_SRC or install openjdk-*-source)")
    version = jdk_version(zip_path)
    only_set = set(only) if only is not None else None
    started = time.perf_counter()
    units: list[_Extractor] = []
    for i, (name, data) in enumerate(iter_jdk_sources(zip_path, modules)):
        if only_set is not None and name not in only_set and name.partition("/")[2] not in only_set:
            continue
        try:
            ex = _Extractor(data, name, "jdk", version)
            ex.run()
        except Exception:  # one odd file must not cost the whole index
            log.warning("skipping %s: extraction failed", name, exc_info=True)
            continue
        units.append(ex)
        if progress is not None:
            progress(i + 1, name)
    records = [r for ex in units for r in ex.records]
    hidden = [r for ex in units for r in ex.hidden]
    # Re-resolve supertypes against every type seen, which settles wildcard imports and same-package
    # vs java.lang names that one unit alone cannot.
    known = {t for ex in units for t in ex.supertypes}
    supertypes = {
        t: [_resolve_name(w, ex.unit, known) for w in written]
        for ex in units
        for t, written in ex.written_supertypes.items()
    }
    out = resolve_inheritance(records, supertypes, hidden)
    log.info(
        "indexed %d JDK records from %d files in %.1fs", len(out), len(units), time.perf_counter() - started
    )
    return out
