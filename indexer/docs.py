"""Parse API documentation (Markdown, reStructuredText, Sphinx and Javadoc HTML) into records and examples.

Nothing here imports or executes the documented code: everything is read as text. Every parser accepts any
text and returns without raising; the scanners are line based and the few regexes cannot backtrack
catastrophically, so huge or hostile inputs cost linear time.
"""

from __future__ import annotations

import pathlib
import re
from dataclasses import dataclass, field

from apirec.records import ApiRecord, Example, Param, summarize

__all__ = [
    "DocExample",
    "parse_doc_file",
    "parse_html",
    "parse_markdown",
    "parse_params",
    "parse_rst",
    "referenced_names",
]


@dataclass(frozen=True)
class DocExample:
    """A code example found in a doc, with the dotted API names its code references."""

    code: str
    title: str
    file: str
    line: int
    names: tuple[str, ...]


_DOTTED = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*")
# Fence/code languages whose text is not code we can mine for API names.
_NOT_CODE = {"bash", "sh", "shell", "console", "shell-session", "text", "none", "json", "yaml", "yml", "toml",
             "ini", "cfg", "html", "xml", "css", "csv", "diff", "output", "txt", "mermaid", "dockerfile"}
_MAX_CODE = 200_000  # parsing bigger "code" is pointless and only slows indexing down


# --------------------------------------------------------------------------------------------- names

_ts_parser = None


def _parser():
    global _ts_parser
    if _ts_parser is None:
        import tree_sitter_python
        from tree_sitter import Language, Parser

        _ts_parser = Parser(Language(tree_sitter_python.language()))
    return _ts_parser


MAX_INDENT_LEVELS = 100  # CPython's own limit; past ~500 levels tree-sitter-python 0.25 segfaults


def _indent_levels(code: str) -> int:
    """The deepest indentation stack of ``code``, counted the way a Python tokenizer does."""
    stack = [0]
    deepest = 0
    for line in code.split("\n"):
        body = line.lstrip(" \t\f")
        if not body or body[0] in "\r#":
            continue
        width = len(line) - len(body)
        while width < stack[-1]:
            stack.pop()
        if width > stack[-1]:
            stack.append(width)
            deepest = max(deepest, len(stack) - 1)
    return deepest


def _strip_prompts(code: str) -> str:
    """Doctest/console snippets: keep only the code after ``>>>``/``...`` prompts."""
    lines = code.splitlines()
    first = next((line.lstrip() for line in lines if line.strip()), "")
    if not first.startswith(">>>"):  # a session starts with a prompt; later output is not code
        return code
    out = []
    for line in lines:
        s = line.lstrip()
        if s.startswith((">>> ", "... ")) or s in (">>>", "..."):
            out.append(s[4:])
    return "\n".join(out)


def _dotted(node) -> str | None:
    """``a.b.c`` for an identifier/attribute chain made of plain names only, else None."""
    parts = []
    while node.type == "attribute":
        attr = node.child_by_field_name("attribute")
        obj = node.child_by_field_name("object")
        if attr is None or obj is None:
            return None
        parts.append(attr.text.decode("utf-8", "replace"))
        node = obj
    if node.type != "identifier":
        return None
    parts.append(node.text.decode("utf-8", "replace"))
    return ".".join(reversed(parts))


def referenced_names(code: str) -> tuple[str, ...]:
    """Dotted call and attribute names used in Python ``code``, in order of appearance, deduplicated.

    Aliases from ``import x as y`` / ``from x import y`` inside the snippet are resolved, so
    ``import pandas as pd; pd.read_csv(f)`` gives ``pandas.read_csv`` and also ``pd.read_csv`` as written.
    Chains through calls or subscripts (``f().g``) are skipped: their receiver type is unknown.
    """
    code = _strip_prompts(code)[:_MAX_CODE]
    if not code.strip():
        return ()
    if _indent_levels(code) > MAX_INDENT_LEVELS:
        return ()  # never valid Python, and deep enough to crash the tree-sitter scanner (segfault)
    root = _parser().parse(code.encode("utf-8", "replace")).root_node
    aliases: dict[str, str] = {}
    used: list[str] = []
    stack = [root]
    while stack:  # iterative: deeply nested garbage must not hit the recursion limit
        node = stack.pop()
        t = node.type
        if t == "import_statement":
            for child in node.named_children:
                if child.type == "aliased_import":
                    name, alias = child.child_by_field_name("name"), child.child_by_field_name("alias")
                    if name is not None and alias is not None:
                        aliases[alias.text.decode()] = name.text.decode()
            continue
        if t == "import_from_statement":
            module = node.child_by_field_name("module_name")
            mod = module.text.decode() if module is not None else ""
            if mod.startswith("."):  # relative imports name nothing resolvable
                continue
            for child in node.named_children:
                if child is module:
                    continue
                if child.type == "dotted_name":
                    aliases[child.text.decode()] = f"{mod}.{child.text.decode()}"
                elif child.type == "aliased_import":
                    name, alias = child.child_by_field_name("name"), child.child_by_field_name("alias")
                    if name is not None and alias is not None:
                        aliases[alias.text.decode()] = f"{mod}.{name.text.decode()}"
            continue
        if t == "call":
            fn = node.child_by_field_name("function")
            name = _dotted(fn) if fn is not None else None
            if name:
                used.append(name)
                # Don't also report the callee chain's prefixes; its arguments still get visited.
                stack.extend(reversed([c for c in node.named_children if c is not fn]))
                continue
        elif t == "attribute":
            name = _dotted(node)
            if name:  # outermost plain chain only: its inner attributes are prefixes of it
                used.append(name)
                continue
        stack.extend(reversed(node.children))
    out: dict[str, None] = {}
    for name in used:
        head, _, rest = name.partition(".")
        if head in aliases:
            out[aliases[head] + ("." + rest if rest else "")] = None
        if "." in name or head in aliases:  # bare local calls like print(x) are noise
            out[name] = None
    return tuple(out)


def _example_names(code: str, lang: str) -> tuple[str, ...]:
    return () if lang.lower() in _NOT_CODE else referenced_names(code)


# --------------------------------------------------------------------------------------------- signatures


def _split_top(text: str, sep: str = ",") -> list[str]:
    """Split at ``sep`` outside brackets and quotes."""
    parts, depth, quote, cur = [], 0, "", []
    for ch in text:
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch in "([{<":
            depth += 1
        elif ch in ")]}>":
            depth = max(0, depth - 1)
        elif ch == sep and depth == 0:
            parts.append("".join(cur))
            cur = []
            continue
        cur.append(ch)
    parts.append("".join(cur))
    return parts


def _inner_parens(sig: str) -> str | None:
    """Text between the first ``(`` and its matching ``)``, or None if unbalanced."""
    start = sig.find("(")
    if start < 0:
        return None
    depth, quote = 0, ""
    for i in range(start, len(sig)):
        ch = sig[i]
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                return sig[start + 1 : i]
    return None


def parse_params(signature: str) -> tuple[Param, ...]:
    """Parameters of a Python signature text like ``(a, b: int = 1, *args, c, **kw) -> R``.

    A leading ``self``/``cls`` is dropped (callers never pass it); unparsable text gives ``()``.
    """
    inner = _inner_parens(signature)
    if inner is None or not inner.strip():
        return ()
    params: list[Param] = []
    kind = "positional_or_keyword"
    for raw in _split_top(inner):
        p = raw.strip()
        if not p:
            continue
        if p == "/":
            params = [Param(x.name, x.annotation, x.default, x.doc, "positional_only") for x in params]
            continue
        if p == "*":
            kind = "keyword_only"
            continue
        pkind = kind
        if p.startswith("**"):
            p, pkind = p[2:], "var_keyword"
        elif p.startswith("*"):
            p, pkind, kind = p[1:], "var_positional", "keyword_only"
        eq = _split_top(p, "=")
        head, default = eq[0], "=".join(eq[1:]) if len(eq) > 1 else ""
        name, _, ann = head.partition(":")
        name = name.strip()
        if not eq[1:] and name[:1] in "'\"0123456789":
            continue  # a literal positional argument of a call text such as torch.hub.load(...)
        if not _DOTTED.fullmatch(name) or "." in name:
            return ()  # not a Python signature (prose, Java, ...): report nothing rather than junk
        params.append(Param(name, ann.strip(), default.strip(), "", pkind))
    if params and params[0].name in ("self", "cls"):
        params = params[1:]
    return tuple(params)


def _kind_for(name: str, hint: str = "") -> str:
    if hint:
        return hint
    parts = name.split(".")
    if parts[-1][:1].isupper():
        return "class"
    if len(parts) > 1 and parts[-2][:1].isupper():
        return "method"
    return "function"


def _fill_param_docs(params: tuple[Param, ...], docs: dict[str, str], types: dict[str, str]) -> tuple[Param, ...]:
    """Attach documented parameter text; documented names missing from the signature are appended."""
    out = [Param(p.name, p.annotation or types.get(p.name, ""), p.default, docs.get(p.name, p.doc), p.kind)
           for p in params]
    known = {p.name for p in params}
    out += [Param(n, types.get(n, ""), "", d) for n, d in docs.items() if n not in known]
    return tuple(out)


# --------------------------------------------------------------------------------------------- Markdown

_BACKTICK_SPAN = re.compile(r"`([^`\n]+)`")
_FILE_SUFFIXES = {"py", "md", "txt", "yaml", "yml", "json", "toml", "cfg", "ini", "html", "rst", "csv", "js",
                  "sh", "in", "lock", "xml"}
_API_PREFIXES = (("async def ", "function"), ("def ", "function"), ("class ", "class"),
                 ("function ", "function"), ("method ", "method"), ("classmethod ", "method"),
                 ("staticmethod ", "method"), ("property ", "property"))


def _api_from_text(text: str, require_parens: bool) -> tuple[str, str, str] | None:
    """``(name, signature, kind hint)`` if ``text`` looks like an API signature."""
    t = text.strip().rstrip(":").strip()
    hint = ""
    for prefix, k in _API_PREFIXES:
        if t.startswith(prefix):
            t, hint = t[len(prefix):].lstrip(), k
            break
    paren = t.find("(")
    name = (t[:paren] if paren >= 0 else t).strip()
    if not name or not _DOTTED.fullmatch(name):
        return None
    if paren < 0:
        if require_parens and not hint:
            return None
        if name.rsplit(".", 1)[-1].lower() in _FILE_SUFFIXES:
            return None
        return name, "", hint
    sig = t[paren:].strip()
    if _inner_parens(sig) is None:
        return None
    return name, sig, hint


@dataclass
class _MdSection:
    heading: str
    line: int
    body: list[tuple[int, str]] = field(default_factory=list)
    codes: list[tuple[str, int, str]] = field(default_factory=list)  # code, first line, language


def _atx_heading(line: str) -> str | None:
    s = line.lstrip(" ")
    if len(line) - len(s) > 3 or not s.startswith("#"):
        return None
    n = len(s) - len(s.lstrip("#"))
    rest = s[n:]
    if n > 6 or (rest and rest[0] not in " \t"):
        return None
    content = rest.strip()
    if content.endswith("#"):  # optional closing sequence, only when preceded by a space
        bare = content.rstrip("#")
        if not bare or bare[-1] in " \t":
            content = bare.rstrip()
    return content


def _fence_open(line: str) -> tuple[str, int, int, str] | None:
    s = line.lstrip(" ")
    indent = len(line) - len(s)
    if indent > 3 or not s.startswith(("```", "~~~")):
        return None
    ch = s[0]
    n = len(s) - len(s.lstrip(ch))
    info = s[n:].strip()
    if ch == "`" and "`" in info:
        return None
    return ch, n, indent, (info.split() or [""])[0].strip("{}.")


def _is_list_item(s: str) -> bool:
    s = s.lstrip()
    if s[:2] in ("- ", "* ", "+ "):
        return True
    digits = len(s) - len(s.lstrip("0123456789"))
    return 0 < digits < 10 and s[digits : digits + 2] in (". ", ") ")


def parse_markdown(text: str, file: str = "") -> tuple[list[ApiRecord], list[DocExample]]:
    """API records from headings (or a section's first line) that look like signatures, and code examples."""
    lines = text.splitlines()
    sections = [_MdSection("", 0)]
    in_list = False
    prev_blank = True
    i, n = 0, len(lines)
    while i < n:
        line = lines[i]
        s = line.strip()
        sec = sections[-1]
        fence = _fence_open(line)
        if fence:
            ch, length, indent, lang = fence
            body, j = [], i + 1
            while j < n:
                c = lines[j].strip()
                if len(lines[j]) - len(lines[j].lstrip(" ")) <= 3 and c and c.strip(ch) == "" and len(c) >= length:
                    break
                raw = lines[j]
                body.append(raw[min(indent, len(raw) - len(raw.lstrip(" "))):])
                j += 1
            sec.codes.append(("\n".join(body), i + 2, lang))  # an unclosed fence runs to the end (CommonMark)
            i, prev_blank = j + 1, False
            continue
        heading = _atx_heading(line)
        if heading is not None:
            sections.append(_MdSection(heading, i + 1))
            i, in_list, prev_blank = i + 1, False, False
            continue
        # Setext underline: turns the paragraph just above into a heading.
        if s and len(line) - len(line.lstrip(" ")) <= 3 and (set(s) == {"="} or set(s) == {"-"}) and not prev_blank:
            para: list[tuple[int, str]] = []
            while sec.body and sec.body[-1][1].strip() and not _is_list_item(sec.body[-1][1]):
                para.insert(0, sec.body.pop())
            if para:
                sections.append(_MdSection(" ".join(p[1].strip() for p in para), para[0][0]))
                i, in_list, prev_blank = i + 1, False, False
                continue
        # Indented code: needs a blank line before it and must not be a list item's continuation.
        if prev_blank and not in_list and s and line.startswith(("    ", "\t")):
            body, j = [], i
            while j < n and (not lines[j].strip() or lines[j].startswith(("    ", "\t"))):
                raw = lines[j]
                body.append(raw[4:] if raw.startswith("    ") else raw[1:] if raw.startswith("\t") else "")
                j += 1
            while body and not body[-1].strip():
                body.pop()
            sec.codes.append(("\n".join(body), i + 1, ""))
            i, prev_blank = j, True
            continue
        if s:
            if _is_list_item(line):
                in_list = True
            elif not line.startswith((" ", "\t")):
                in_list = False
        sec.body.append((i + 1, line))
        prev_blank = not s
        i += 1

    records: list[ApiRecord] = []
    examples: list[DocExample] = []
    for sec in sections:
        for code, line_no, lang in sec.codes:
            examples.append(DocExample(code, sec.heading, file, line_no, _example_names(code, lang)))
        api = _md_section_api(sec)
        if api is None:
            continue
        (name, sig, hint), body = api
        doc = "\n".join(t for _, t in body).strip()
        records.append(ApiRecord(
            public_path=name, canonical_path=name, kind=_kind_for(name, hint), language="python",
            signature=sig, summary=summarize(doc), doc=doc, params=parse_params(sig), file=file,
            line=sec.line, examples=tuple(Example(c, source=file, title=sec.heading) for c, _, _ in sec.codes),
        ))
    return records, examples


def _md_section_api(sec: _MdSection):
    """The API a section documents (from its heading, else its first line) and the remaining body."""
    if sec.heading:
        spans = _BACKTICK_SPAN.findall(sec.heading)
        if spans:
            whole = sec.heading.strip() == f"`{spans[0]}`"
            for span in spans:
                api = _api_from_text(span, require_parens=not whole)
                if api:
                    return api, sec.body
        else:
            api = _api_from_text(sec.heading, require_parens=True)
            if api:
                return api, sec.body
    for k, (_, t) in enumerate(sec.body):
        s = t.strip()
        if not s:
            continue
        s = s.strip("*_").strip()
        if len(s) > 2 and s[0] == "`" and s[-1] == "`" and "`" not in s[1:-1]:
            api = _api_from_text(s[1:-1], require_parens=True)
            if api:
                return api, sec.body[k + 1 :]
        return None
    return None


# --------------------------------------------------------------------------------------------- reStructuredText

_DIRECTIVE = re.compile(r"\.\.[ \t]+([\w:.+-]+)[ \t]*::(?:[ \t]+(.*))?$")
_ADORN = set("=-~^\"'`#*+:._<>!$%&,/;?@[]\\{|}")
_FIELD = re.compile(r":([^:\n]+):(?:[ \t]+(.*))?$")
_API_DIRECTIVES = {
    "function": "function", "method": "method", "classmethod": "method", "staticmethod": "method",
    "class": "class", "exception": "class", "attribute": "attribute", "data": "constant",
    "property": "property", "decorator": "function", "decoratormethod": "method",
}
_CODE_DIRECTIVES = {"code-block", "code", "sourcecode", "doctest", "testcode", "ipython", "jupyter-execute"}
_MAX_DEPTH = 40


def _is_adornment(s: str) -> bool:
    return len(s) >= 2 and s[0] in _ADORN and s.strip(s[0]) == ""


def _indent(s: str) -> int:
    return len(s) - len(s.lstrip())


def _dedent(block: list[tuple[int, str]]) -> list[tuple[int, str]]:
    widths = [_indent(t) for _, t in block if t.strip()]
    cut = min(widths) if widths else 0
    return [(ln, t[cut:] if t.strip() else "") for ln, t in block]


@dataclass
class _RstCtx:
    file: str
    module: str = ""
    section: str = ""
    records: list[ApiRecord] = field(default_factory=list)
    examples: list[DocExample] = field(default_factory=list)


@dataclass
class _RstBody:
    text: list[str] = field(default_factory=list)
    codes: list[str] = field(default_factory=list)
    fields: list[tuple[str, str]] = field(default_factory=list)
    deprecated: bool = False


def _rst_code(ctx: _RstCtx, out: _RstBody, code: str, line: int, lang: str, title: str) -> None:
    code = code.strip("\n")
    if code.strip():
        out.codes.append(code)
        ctx.examples.append(DocExample(code, ctx.section or title, ctx.file, line, _example_names(code, lang)))


def _rst_walk(lines: list[tuple[int, str]], ctx: _RstCtx, cls: str, depth: int, title: str = "") -> _RstBody:
    out = _RstBody()
    i, n = 0, len(lines)
    while i < n:
        ln, line = lines[i]
        s = line.strip()
        if not s:
            out.text.append("")
            i += 1
            continue
        ind = _indent(line)
        m = _DIRECTIVE.match(s)
        if m and depth < _MAX_DEPTH:
            j = i + 1
            while j < n and (not lines[j][1].strip() or _indent(lines[j][1]) > ind):
                j += 1
            _rst_directive(m.group(1).lower(), (m.group(2) or "").strip(), ln, _dedent(lines[i + 1 : j]),
                           ctx, cls, depth, out, title)
            i = j
            continue
        if s == ".." or s.startswith(".. "):  # comments, targets, substitutions: not prose
            j = i + 1
            while j < n and (not lines[j][1].strip() or _indent(lines[j][1]) > ind):
                j += 1
            i = j
            continue
        if depth == 0 and ind == 0:
            # Title with overline, or title with underline only.
            if _is_adornment(s) and i + 2 < n and lines[i + 2][1].strip() == s and lines[i + 1][1].strip():
                ctx.section = lines[i + 1][1].strip()
                i += 3
                continue
            if (i + 1 < n and not _is_adornment(s) and _is_adornment(lines[i + 1][1].strip())
                    and _indent(lines[i + 1][1]) == 0 and len(lines[i + 1][1].strip()) >= min(len(s), 3)):
                ctx.section = s
                i += 2
                continue
            if _is_adornment(s) and len(s) >= 4:  # transition line
                i += 1
                continue
        if s.startswith(">>>"):
            j = i
            while j < n and lines[j][1].strip():
                j += 1
            _rst_code(ctx, out, "\n".join(t.strip() for _, t in lines[i:j]), ln, "pycon", title)
            i = j
            continue
        fm = _FIELD.match(s) if ind == 0 else None
        if fm:
            j = i + 1
            while j < n and lines[j][1].strip() and _indent(lines[j][1]) > ind:
                j += 1
            body = " ".join([fm.group(2) or ""] + [t.strip() for _, t in lines[i + 1 : j]]).strip()
            out.fields.append((fm.group(1).strip(), body))
            i = j
            continue
        if s.endswith("::"):  # "Example::" / "::" introduces an indented literal block
            if s != "::":
                out.text.append(line[:-1])
            j = i + 1
            while j < n and not lines[j][1].strip():
                j += 1
            k = j
            while k < n and (not lines[k][1].strip() or _indent(lines[k][1]) > ind):
                k += 1
            if k > j:
                block = _dedent(lines[j:k])
                _rst_code(ctx, out, "\n".join(t for _, t in block), lines[j][0], "", title)
            i = k
            continue
        out.text.append(line)
        i += 1
    return out


def _rst_directive(name: str, arg: str, line: int, body: list[tuple[int, str]], ctx: _RstCtx, cls: str,
                   depth: int, out: _RstBody, title: str) -> None:
    bare = name.split(":", 1)[1] if name.startswith("py:") else name
    if bare in _CODE_DIRECTIVES:
        k = 0
        while k < len(body) and body[k][1].strip().startswith(":") and _FIELD.match(body[k][1].strip()):
            k += 1  # directive options (:linenos:, :caption: ...)
        code_lines = _dedent(body[k:])
        if code_lines:
            _rst_code(ctx, out, "\n".join(t for _, t in code_lines), code_lines[0][0], arg or "python", title)
        return
    if bare in ("module", "currentmodule"):
        ctx.module = "" if arg in ("None", "") else arg
        if bare == "module" and ctx.module:
            sub = _rst_walk(body, ctx, "", depth + 1, ctx.module)
            doc = "\n".join(sub.text).strip() or dict(sub.fields).get("synopsis", "")
            ctx.records.append(ApiRecord(ctx.module, ctx.module, "module", summary=summarize(doc), doc=doc,
                                         file=ctx.file, line=line, deprecated=sub.deprecated or "deprecated" in dict(sub.fields)))
        return
    if bare == "deprecated":
        out.deprecated = True
    if bare not in _API_DIRECTIVES:
        # Admonitions, versionadded, etc.: their prose and code belong to the enclosing object.
        sub = _rst_walk(body, ctx, cls, depth + 1, title)
        prefix = [f"Deprecated since version {arg}."] if bare == "deprecated" and arg else []
        out.text += prefix + sub.text
        out.codes += sub.codes
        out.deprecated |= sub.deprecated
        return
    api = _api_from_text(arg, require_parens=False)
    if api is None:
        return
    short, sig, _ = api
    ret = ""
    if "->" in sig:
        ret = sig.partition("->")[2].strip()
    prefix = cls or ctx.module
    full = short if not prefix or short.startswith(prefix + ".") else f"{prefix}.{short}"
    kind = _API_DIRECTIVES[bare]
    sub = _rst_walk(body, ctx, full if kind == "class" else cls, depth + 1, full)
    docs, types = {}, {}
    for fname, fbody in sub.fields:
        words = fname.split()
        if not words:
            continue
        if words[0] in ("param", "parameter", "arg", "argument", "key", "keyword") and len(words) >= 2:
            docs[words[-1]] = fbody
            if len(words) == 3:
                types[words[-1]] = words[1]
        elif words[0] == "type" and len(words) == 2:
            types[words[1]] = fbody
        elif words[0] in ("returns", "return") and not ret or words[0] == "rtype":
            ret = fbody
    doc = "\n".join(sub.text).strip()
    ctx.records.append(ApiRecord(
        public_path=full, canonical_path=full, kind=kind, signature=sig, summary=summarize(doc), doc=doc,
        params=_fill_param_docs(parse_params(sig), docs, types), returns=ret, file=ctx.file, line=line,
        deprecated=sub.deprecated, examples=tuple(Example(c, source=ctx.file, title=ctx.section or full)
                                                  for c in sub.codes),
    ))


def parse_rst(text: str, file: str = "") -> tuple[list[ApiRecord], list[DocExample]]:
    """Sphinx-domain directives (``.. function::``, ``.. py:class::`` ...) as records; code and doctests as examples."""
    ctx = _RstCtx(file)
    lines = [(k + 1, t.expandtabs(8)) for k, t in enumerate(text.splitlines())]
    _rst_walk(lines, ctx, "", 0)
    return ctx.records, ctx.examples


# --------------------------------------------------------------------------------------------- HTML

_SPHINX_KINDS = {"function": "function", "class": "class", "method": "method", "attribute": "attribute",
                 "data": "constant", "property": "property", "exception": "class", "classmethod": "method",
                 "staticmethod": "method", "decorator": "function"}


def _text(tag) -> str:
    return " ".join(tag.get_text(" ").split())


def _flat(tag) -> str:
    """Signature text: markup adds no spaces of its own (``<em>a</em>=<span>1</span>`` is ``a=1``)."""
    return " ".join(tag.get_text().split())


def _sphinx_params(dd) -> tuple[dict[str, str], dict[str, str]]:
    """Parameter docs and types from a Sphinx ``<dl class="field-list">``."""
    docs, types = {}, {}
    for fl in dd.find_all("dl", class_="field-list", recursive=False):
        for dt in fl.find_all("dt", recursive=False):
            if not _text(dt).lower().startswith("param"):
                continue
            value = dt.find_next_sibling("dd")
            if value is None:
                continue
            items = value.find_all("li") or [value]
            for item in items:
                strong = item.find("strong")
                if strong is None:
                    continue
                pname = _text(strong)
                rest = _text(item)[len(pname):].strip()
                if rest.startswith("("):
                    close = rest.find(")")
                    types[pname] = rest[1:close].strip()
                    rest = rest[close + 1 :].strip()
                docs[pname] = rest.lstrip("–—-").strip()
    return docs, types


def _parse_sphinx_html(soup, file: str) -> tuple[list[ApiRecord], list[DocExample]]:
    records, examples = [], []
    for dl in soup.find_all("dl"):
        classes = dl.get("class") or []
        kind = next((_SPHINX_KINDS[c] for c in classes if c in _SPHINX_KINDS), None)
        if kind is None or ("py" not in classes and len(classes) > 1):
            continue
        dt = dl.find("dt", recursive=False)
        dd = dl.find("dd", recursive=False)
        if dt is None:
            continue
        full = dt.get("id") or ""
        if not _DOTTED.fullmatch(full):
            pre, nm = dt.find(class_=["sig-prename", "descclassname"]), dt.find(class_=["sig-name", "descname"])
            full = ((_text(pre) if pre else "") + (_text(nm) if nm else "")).replace(" ", "")
            if not _DOTTED.fullmatch(full):
                continue
        sig_text = _flat(dt).replace("¶", "").replace("[source]", "").replace("→", "->")
        short = full.rsplit(".", 1)[-1]
        at = sig_text.find(short)
        paren = sig_text.find("(", max(at, 0))
        sig = sig_text[paren:].strip() if paren >= 0 else ""
        doc_parts, codes, deprecated = [], [], False
        docs, types = ({}, {}) if dd is None else _sphinx_params(dd)
        for child in (dd.children if dd is not None else ()):
            if getattr(child, "name", None) is None:
                if str(child).strip():
                    doc_parts.append(" ".join(str(child).split()))
                continue
            ccls = child.get("class") or []
            if child.name == "dl" and ("py" in ccls or any(c in _SPHINX_KINDS for c in ccls)):
                continue  # nested members are records of their own
            if "deprecated" in ccls:
                deprecated = True
            pres = [child] if child.name == "pre" else child.find_all("pre")
            for pre in pres:
                codes.append(pre.get_text())
            if not pres and "field-list" not in ccls:
                doc_parts.append(_text(child))
        doc = "\n\n".join(p for p in doc_parts if p)
        ret = ""
        if "->" in sig:
            ret = sig.rsplit("->", 1)[1].strip()
        for code in codes:
            examples.append(DocExample(code, full, file, 0, referenced_names(code)))
        records.append(ApiRecord(
            public_path=full, canonical_path=full, kind=kind, signature=sig, summary=summarize(doc), doc=doc,
            params=_fill_param_docs(parse_params(sig), docs, types), returns=ret, file=file,
            line=getattr(dl, "sourceline", 0) or 0, deprecated=deprecated,
            examples=tuple(Example(c, source=file, title=full) for c in codes),
        ))
    return records, examples


def _java_params(sig: str) -> tuple[Param, ...]:
    inner = _inner_parens(sig)
    if not inner or not inner.strip():
        return ()
    params = []
    for raw in _split_top(inner):
        words = raw.split()
        words = [w for w in words if not w.startswith("@") and w != "final"]
        if len(words) >= 2:
            params.append(Param(words[-1], " ".join(words[:-1])))
    return tuple(params)


def _javadoc_package(soup) -> str:
    label = soup.find(class_=["package-label-in-type", "packageLabelInType"])
    if label is not None and label.parent is not None:
        a = label.parent.find("a")
        cand = _text(a) if a else _text(label.parent).replace(_text(label), "", 1)
        cand = cand.strip()
        if _DOTTED.fullmatch(cand):
            return cand
    for div in soup.find_all("div", class_=["sub-title", "subTitle"]):
        cand = _text(div).replace("Package", "").strip()
        if _DOTTED.fullmatch(cand) and cand[:1].islower():
            return cand
    return ""


def _javadoc_notes(container) -> tuple[dict[str, str], str]:
    """``Parameters:`` and ``Returns:`` from a member's notes ``<dl>``."""
    docs, ret = {}, ""
    for dl in container.find_all("dl", recursive=False):
        label = ""
        for child in dl.find_all(["dt", "dd"], recursive=False):
            if child.name == "dt":
                label = _text(child).rstrip(":").lower()
            elif label == "parameters":
                code = child.find("code")
                pname = _text(code) if code else ""
                if pname:
                    docs[pname] = _text(child)[len(pname):].lstrip(" -").strip()
            elif label == "returns" and not ret:
                ret = _text(child)
    return docs, ret


def _parse_javadoc(soup, file: str) -> list[ApiRecord]:
    h1 = soup.find("h1", class_="title") or soup.find("h1")
    if h1 is None:
        return []
    words = _text(h1).split()
    # "Class ArrayList<E>", "Interface Map.Entry<K, V>", "Annotation Type Deprecated", "Enum Class X"
    while words and words[0] in ("Class", "Interface", "Enum", "Record", "Annotation", "Type", "Exception",
                                 "Error"):
        words = words[1:]
    cls_name = "".join(words).split("<", 1)[0]
    if not _DOTTED.fullmatch(cls_name):
        return []
    pkg = _javadoc_package(soup)
    cls_full = f"{pkg}.{cls_name}" if pkg else cls_name
    records = []
    desc = soup.find(class_=["class-description", "description"]) or soup
    block = desc.find("div", class_="block")
    cdoc = _text(block) if block else ""
    records.append(ApiRecord(cls_full, cls_full, "class", language="java", summary=summarize(cdoc), doc=cdoc,
                             file=file))
    # One entry per member: new javadoc (JDK 16+) wraps each in <section class="detail">, older ones put an
    # <h4> name inside <li class="blockList"> under an <h3>"Method Detail" heading.
    members = []
    for sec in soup.find_all("section", class_="detail"):
        h = sec.find(["h3", "h4"])
        group = sec.find_parent("section", class_=re.compile(r"-details$"))
        where = " ".join(group.get("class")) if group else _text(sec.find_previous("h2") or h or sec)
        members.append((sec, _text(h) if h else "", where))
    if not members:
        for h4 in soup.find_all("h4"):
            li = h4.find_parent("li") or h4.parent
            group = h4.find_previous("h3")
            members.append((li, _text(h4), _text(group) if group else ""))
    for container, mname, group in members:
        group = group.lower()
        if not _DOTTED.fullmatch(mname) or "summary" in group:
            continue
        sig_tag = container.find("div", class_="member-signature") or container.find("pre")
        sig_text = _flat(sig_tag) if sig_tag else ""
        block = container.find("div", class_="block")
        doc = _text(block) if block else ""
        docs, ret_doc = _javadoc_notes(container)
        if "constructor" in group:
            kind, member = "constructor", cls_name.rsplit(".", 1)[-1]
        elif "field" in group or "enum" in group:
            kind, member = "constant" if " static final " in f" {sig_text} " else "attribute", mname
        else:
            kind, member = "method", mname
        paren = sig_text.find("(")
        sig = sig_text[paren:] if paren >= 0 else ""
        head = (sig_text[:paren] if paren >= 0 else sig_text).split()
        rtype = " ".join(head[-2:-1]) if kind != "constructor" and len(head) >= 2 else ""
        params = _java_params(sig)
        params = tuple(Param(p.name, p.annotation, "", docs.get(p.name, "")) for p in params)
        full = f"{cls_full}.{member}"
        # Overloads share a public name; the parameter types keep their ids apart.
        canonical = f"{full}({','.join(p.annotation for p in params)})" if paren >= 0 else full
        records.append(ApiRecord(
            public_path=full, canonical_path=canonical, kind=kind, language="java", signature=sig,
            summary=summarize(doc), doc=doc, params=params, returns=rtype or ret_doc, file=file,
            deprecated=bool(container.find(class_=["deprecation-block", "deprecatedLabel", "deprecated-label"])),
        ))
    return records


def parse_html(text: str, file: str = "") -> tuple[list[ApiRecord], list[DocExample]]:
    """Sphinx HTML (``<dl class="py function">`` ...) or a Javadoc class page."""
    from bs4 import BeautifulSoup

    try:
        soup = BeautifulSoup(text, "html.parser")
    except Exception:  # bs4 ParserRejectedMarkup: html.parser asserts on a malformed `<![` section
        try:
            soup = BeautifulSoup(text.replace("<![", "&lt;!["), "html.parser")
        except Exception:
            return [], []
    records, examples = _parse_sphinx_html(soup, file)
    if records:
        return records, examples
    head = text[:4000].lower()
    if ("javadoc" in head or soup.find("div", class_="member-signature") is not None
            or soup.find(class_=["package-label-in-type", "packageLabelInType"]) is not None):
        return _parse_javadoc(soup, file), examples
    return records, examples


# --------------------------------------------------------------------------------------------- dispatch

_RST_MARKER = re.compile(r"^\.\. [\w:-]+::|^(?:={3,}|-{3,}|~{3,})[ \t]*$", re.MULTILINE)


def parse_doc_file(path: pathlib.Path, text: str) -> tuple[list[ApiRecord], list[DocExample]]:
    """Parse a documentation file by its suffix; unknown kinds give ``([], [])``."""
    suffix = path.suffix.lower()
    file = str(path)
    if suffix in (".md", ".markdown"):
        return parse_markdown(text, file)
    if suffix == ".rst" or (suffix == ".txt" and _RST_MARKER.search(text)):
        return parse_rst(text, file)
    if suffix in (".html", ".htm"):
        return parse_html(text, file)
    return [], []
