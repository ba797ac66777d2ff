"""Code context for completion: what is the receiver before the cursor, what is its type, and which
members of that type to offer first (LANCE-style), plus a few helpers the language server, the MCP
server and the benchmarks share (hover target, call under the cursor, unknown-API checks, NL comments).

Only the code *before* the position (and the rest of the current line) is read. Speed matters (this
runs on every keystroke), so the file is never parsed whole: a cheap line scan splits it into top-level
blocks, simple top-level statements (imports, ``x = ...``) are read by regular expressions, and
tree-sitter parses only the block around the cursor and the classes/functions a lookup needs.

Never imports lsprotocol/pygls: positions are 0-based Python ``str`` indices.
"""

from __future__ import annotations

import ast
import difflib
import math
import re
from dataclasses import dataclass
from functools import lru_cache, partial
from typing import Any, Callable, Iterable, Protocol

from .records import ApiRecord, Hit, Param, format_signature, is_whole_call, summarize

__all__ = ["RecordSource", "RecordSet", "member_completions", "module_imports", "infer_type",
           "receiver_at", "record_at", "call_at", "unknown_attributes", "nl_comment_query",
           "call_snippet", "exact_record", "Hit"]


class RecordSource(Protocol):
    """What completion needs from an index: `apirec.search.Searcher` and `RecordSet` both fit."""

    def members(self, parent: str, limit: int = 500) -> list[ApiRecord]: ...

    def lookup(self, name: str, limit: int = 20) -> list[ApiRecord]: ...


class RecordSet:
    """An in-memory record source (the current file's definitions, the LSP's re-indexed files)."""

    def __init__(self, records: Iterable[ApiRecord] = (), name: str = "memory"):
        self.name = name
        self.by_path: dict[str, list[ApiRecord]] = {}
        self.by_parent: dict[str, dict[str, ApiRecord]] = {}
        self.by_id: dict[str, ApiRecord] = {}
        self.by_name: dict[str, list[ApiRecord]] = {}
        for r in records:
            self.add(r)

    def add(self, r: ApiRecord) -> None:
        self.by_id[r.id] = r
        for p in {r.public_path, r.canonical_path, *r.aliases}:
            self.by_path.setdefault(p, []).append(r)
        self.by_parent.setdefault(r.parent, {}).setdefault(r.name, r)
        self.by_name.setdefault(r.name, []).append(r)

    def __len__(self) -> int:
        return len(self.by_id)

    def members(self, parent: str, limit: int = 500) -> list[ApiRecord]:
        return list(self.by_parent.get(parent, {}).values())[:limit]

    def lookup(self, name: str, limit: int = 20) -> list[ApiRecord]:
        return (self.by_path.get(name) or self.by_name.get(name.rsplit(".", 1)[-1], []))[:limit]

    def get(self, record_id: str) -> ApiRecord | None:
        return self.by_id.get(record_id)


# -- record access (fast paths for the SQLite-backed Searcher) ------------------------------------------


def _put(memo: dict, key: Any, value: Any, size: int) -> None:
    """Store in a small FIFO memo (the language server completes from several threads)."""
    if len(memo) >= size:
        try:
            memo.pop(next(iter(memo)))
        except (StopIteration, RuntimeError, KeyError):  # emptied or changed by another thread
            memo.clear()
    memo[key] = value


def _lookups(src: Any) -> Any:
    """The memoized lookups of an index generation (a Searcher), or None for sources that can change
    (RecordSet, the language server's workspace overlay)."""
    return getattr(src, "lookups", None)


def _memoized(src: Any, kind: str, key: Any, compute: Callable[[], Any]) -> Any:
    """`compute()`, remembered per index generation where src has one (every call otherwise)."""
    lk = _lookups(src)
    return compute() if lk is None else lk.memo(kind, key, compute)


def _members(src: Any, parent: str) -> list[ApiRecord]:
    lk = _lookups(src)
    return src.members(parent) if lk is None else list(lk.members(parent))


def _defined_in(src: Any, module: str) -> list[ApiRecord]:
    """Records defined directly in `module` whose public path is elsewhere (re-exported)."""
    lk = _lookups(src)
    return [] if lk is None else list(lk.defined_in(module))


def _exact(src: Any, path: str) -> list[ApiRecord]:
    """Records whose public path, canonical path or alias is exactly `path` (no short-name fallback)."""
    lk = _lookups(src)
    if lk is not None:
        return list(lk.exact(path))
    if isinstance(src, RecordSet):
        return list(src.by_path.get(path, ()))
    return [r for r in src.lookup(path) if path in (r.public_path, r.canonical_path) or path in r.aliases]


def exact_record(sources: list[Any], path: str) -> ApiRecord | None:
    """The record named `path` in the first source that has it (public names before canonical)."""
    for src in sources:
        recs = _exact(src, path)
        if recs:
            return min(recs, key=lambda r: (r.public_path != path, r.private))
    return None


def _by_name(src: Any, name: str, limit: int = 5) -> list[ApiRecord]:
    lk = _lookups(src)
    if lk is None:
        return [r for r in src.lookup(name, limit) if r.name == name]
    return list(lk.by_name(name, limit))


def _on_first_use(module: str, name: str) -> Callable[[], Any]:
    """`module.name()`, with the module imported on the first call: the shipped tables' modules stay
    off this module's import (the language server's and MCP server's start), and no call pays an
    import statement."""
    loader: Callable[[], Any] | None = None

    def get() -> Any:
        nonlocal loader
        if loader is None:
            import importlib

            loader = getattr(importlib.import_module(module, __package__), name)
        return loader()

    return get


_shipped_usage = _on_first_use(".usage", "shipped_usage")
_shipped_generic = _on_first_use(".typeshed", "shipped_generic")
_shipped_returns = _on_first_use(".typeshed", "shipped_returns")
_shipped_operators = _on_first_use(".typeshed", "shipped_operators")
_shipped_enums = _on_first_use(".typeshed", "shipped_enums")
_shipped_members = _on_first_use(".typeshed", "shipped_members")
_shipped_literal = _on_first_use(".typeshed", "shipped_literal")


def warm(src: Any) -> None:
    """Load what member completion reads on first use (the fallback's frequent methods, the shipped
    usage and typeshed tables), so that no completion pays for it: the language server calls it
    off the request path when its default index is loaded."""
    _shipped_members()
    _shipped_literal()
    _frequent_methods(src)
    _shipped_usage()
    _shipped_generic()
    _shipped_returns()
    _shipped_operators()
    _shipped_enums()
    try:  # the lexical search's first-use tables (a comment's intent) and the query model (its meaning)
        src.search("read a file", k=1, dense=False)
        src.text_vector("read a file")
    except Exception:  # noqa: BLE001 - a source without them answers without them, as completion does
        pass


def _frequent_methods(src: Any, n: int = 100) -> list[ApiRecord]:
    """The source's most used method names (usage mined at index time), one record per name."""
    lk = _lookups(src)
    if lk is not None:
        return lk.frequent_methods(n)
    out: dict[str, ApiRecord] = {}
    if isinstance(src, RecordSet):
        for r in sorted(src.by_id.values(), key=lambda r: -_usage(r)):
            if r.kind in ("method", "property") and not r.private:
                out.setdefault(r.name, r)
    return list(out.values())[:n]


def _usage(r: ApiRecord) -> int:
    for k, v in r.extra:
        if k == "usage":
            try:
                return int(v)
            except ValueError:
                return 0
    return 0


def _extra(r: ApiRecord, key: str) -> str:
    for k, v in r.extra:
        if k == key:
            return v
    return ""


# -- the line scan -------------------------------------------------------------------------------------

_TOKENS = re.compile(r'"""|\'\'\'|"(?:\\.|[^"\\\n])*"?|\'(?:\\.|[^\'\\\n])*\'?|#|[()\[\]{}]')
_CONT = ("else", "elif", "except", "finally", ")", "]", "}", "case ")


def _top_level_blocks(lines: list[str]) -> list[int]:
    """Start lines of the top-level statements (decorators included) of `lines`."""
    return _scan_blocks(lines, 0, ([], None, 0, False, False))[0]


# The scan state at every _CHUNK-th line, keyed by the exact text above it: a new completion in a
# file seen before (the next keystroke, another position, an edit further down) rescans only the lines
# after the last unchanged checkpoint instead of the whole file.
_CHUNK = 128
_SCAN_MEMO: dict[tuple, tuple] = {}


def _top_level_blocks_memo(lines: list[str]) -> list[int]:
    """`_top_level_blocks(lines)`, resuming from the last memoized checkpoint whose text is unchanged."""
    if len(lines) < 2 * _CHUNK:
        return _top_level_blocks(lines)
    chunks = len(lines) // _CHUNK
    key: tuple = ()
    state = ([], None, 0, False, False)
    done = 0
    for c in range(1, chunks + 1):
        key = key + (hash("\n".join(lines[(c - 1) * _CHUNK: c * _CHUNK])),)
        hit = _SCAN_MEMO.get(key)
        if hit is None:
            st = _scan_blocks(lines[: c * _CHUNK], done, (list(state[0]), *state[1:]))
            _put(_SCAN_MEMO, key, st, 512)
            state = st
        else:
            state = hit
        done = c * _CHUNK
    return _scan_blocks(lines, done, (list(state[0]), *state[1:]))[0]


def _scan_blocks(lines: list[str], first: int, state: tuple) -> tuple:
    """Scan `lines[first:]` from `state` = (starts, open triple quote, bracket depth, backslash
    continuation, after a decorator); returns the state after the last line."""
    starts, triple, depth, cont, prev_decorator = state
    for i in range(first, len(lines)):
        line = lines[i]
        if triple is None and depth == 0 and not cont and line[:1] not in ("", " ", "\t", "#", "\r"):
            if not line.startswith(_CONT) and not prev_decorator:
                starts.append(i)
            prev_decorator = line.startswith("@")
        # Track strings, brackets and comments: cheap tokens only.
        if "'" not in line and '"' not in line and "#" not in line and triple is None:
            depth += (line.count("(") + line.count("[") + line.count("{")
                      - line.count(")") - line.count("]") - line.count("}"))
        else:
            pos = 0
            while True:
                if triple is not None:
                    j = line.find(triple, pos)
                    if j < 0:
                        break
                    triple, pos = None, j + 3
                    continue
                m = _TOKENS.search(line, pos)
                if m is None:
                    break
                t = m.group()
                if t in ('"""', "'''"):
                    triple = t
                elif t == "#":
                    break
                elif t in "([{":
                    depth += 1
                elif t in ")]}":
                    depth -= 1
                pos = m.end()
        depth = max(depth, 0)
        cont = triple is None and line.rstrip().endswith("\\")
    return starts, triple, depth, cont, prev_decorator


_IMPORT = re.compile(r"^\s*import\s+(.+)$")
_FROM = re.compile(r"^\s*from\s+([\w.]+)\s+import\s+(.+)$", re.S)
_ASSIGN = re.compile(r"^([A-Za-z_]\w*)\s*(?::\s*([^=]+?))?\s*(?:=(?!=)\s*(.*))?$", re.S)
_DEF = re.compile(r"^(?:@.*\n)*\s*(?:async\s+)?(def|class)\s+([A-Za-z_]\w*)", re.M)
_INNER_IMPORT = re.compile(r"^[ \t]+(?:import\s+.+|from\s+[\w.]+\s+import\s+(?:\([^)]*\)|.+))$", re.M)


def _strip_comment(s: str) -> str:
    if "#" not in s:
        return s
    out = []
    for line in s.split("\n"):
        m = None
        for m in _TOKENS.finditer(line):
            if m.group() == "#":
                line = line[: m.start()]
                break
        out.append(line)
    return "\n".join(out)


def _parse_import(text: str, module: str = "", is_package: bool = False) -> dict[str, str]:
    """`import a.b as c` / `from x import y as z` -> {local name: dotted target}."""
    text = _strip_comment(text).replace("\\\n", " ")
    out: dict[str, str] = {}
    m = _FROM.match(text)
    if m:
        mod = m.group(1)
        if mod.startswith("."):
            dots = len(mod) - len(mod.lstrip("."))
            parts = module.split(".") if module else []
            base = parts if is_package else parts[:-1]
            base = base[: len(base) - (dots - 1)] if dots - 1 <= len(base) else []
            if not base:
                return out
            mod = ".".join([*base, mod[dots:]] if mod[dots:] else base)
        names = m.group(2).strip().strip("()")
        for part in names.split(","):
            part = " ".join(part.split())
            if not part or part == "*":
                continue
            name, _, alias = part.partition(" as ")
            out[(alias or name).strip()] = f"{mod}.{name.strip()}"
        return out
    m = _IMPORT.match(text)
    if m:
        for part in m.group(1).split(","):
            part = " ".join(part.split())
            name, _, alias = part.partition(" as ")
            if alias:
                out[alias.strip()] = name.strip()
            elif name:
                out[name.split(".")[0]] = name.split(".")[0]
    return out


# -- tree-sitter ------------------------------------------------------------------------------------


# Parsed blocks above the cursor by (first line, text): the class a lookup needs is parsed once while
# the user types below it. Tree-sitter trees are immutable once parsed.
_PARSE_MEMO: dict[tuple[int, str], Any] = {}  # -> tree


def _block_child(root, start: int):
    """The statement starting at line `start` in a parsed block (its definition when decorated)."""
    node = None
    for child in root.named_children:
        if child.start_point[0] >= start:
            node = child
            break
    node = node if node is not None else root
    while node.type == "decorated_definition":
        node = node.child_by_field_name("definition") or node
    return node


@lru_cache(maxsize=1)
def _parser():
    from .indexer import python_ts

    return python_ts.parser()


def _t(node) -> str:
    return node.text.decode("utf-8", "replace") if node is not None else ""


_AWAIT = re.compile(r"^(?:await\s+)+")
_UNPACK = re.compile(r"^\(?\s*([A-Za-z_]\w*(?:\s*,\s*[A-Za-z_]\w*)+)\s*,?\s*\)?\s*=(?!=)\s*(.+)$", re.S)
_COMPOUND_HEADS = ("if ", "with ", "for ", "while ", "try", "async with ", "async for ")
_BODY_ASSIGN = re.compile(r"^[ \t]+([A-Za-z_]\w*)\s*(?::[^=\n]*)?=(?!=)"
                          r"|^[ \t]*except\b[^:\n]*\bas\s+([A-Za-z_]\w*)"
                          r"|^(?=[^\n]*:=)[^\n]*?(?<![\w.])([A-Za-z_]\w*)\s*:="
                          r"|^[ \t]+(?:async\s+)?for\s+([\w\s,()]+?)\s+in\b"
                          r"|^[ \t]+(?:async\s+)?with\b[^:\n]*\bas\s+([A-Za-z_]\w*)\s*:", re.M)


def _statements(block, upto_line: int | None = None):
    """Statements of a block in order, looking into compound statements (not nested scopes)."""
    if block is None:
        return
    for child in block.named_children:
        if upto_line is not None and child.start_point[0] > upto_line:
            return
        t = child.type
        if t == "block":  # the body of an `else:`, `except:`, `elif`, `finally:` clause
            yield from _statements(child, upto_line)
        elif t in ("if_statement", "try_statement", "with_statement", "for_statement", "while_statement",
                   "elif_clause", "else_clause", "except_clause", "finally_clause", "match_statement"):
            if t in ("with_statement", "for_statement"):
                yield child  # its header binds names (`with ... as f`, `for row in rows`)
            elif t in ("if_statement", "elif_clause", "while_statement"):
                cond = child.child_by_field_name("condition")
                if cond is not None and (b":=" in cond.text or b"isinstance" in cond.text):
                    yield cond  # `if (m := re.match(...)):` binds m; `if isinstance(x, Foo):` narrows x
            for sub in child.named_children:
                if sub.type in ("block", "elif_clause", "else_clause", "except_clause", "finally_clause"):
                    yield from _statements(sub, upto_line)
        else:
            yield child


# Statements whose own text holds no binding the walrus and narrowing rules look for: an expression
# statement or return (`return (m := f())`) may, and conditions are yielded as expressions.
_STATEMENTS = frozenset({"with_statement", "for_statement", "function_definition", "class_definition",
                         "decorated_definition", "import_statement", "import_from_statement",
                         "pass_statement", "if_statement", "try_statement", "while_statement",
                         "raise_statement", "delete_statement", "global_statement", "nonlocal_statement",
                         "break_statement", "continue_statement", "assert_statement"})
_SAME_ITEMS = frozenset({"sorted", "reversed", "filter", "iter", "list", "tuple", "set", "frozenset"})
_EXITS = frozenset({"raise_statement", "return_statement", "continue_statement", "break_statement"})
_NARROWING = frozenset({"if_statement", "elif_clause", "while_statement"})
_COMPREHENSIONS = frozenset({"list_comprehension", "set_comprehension", "dictionary_comprehension",
                             "generator_expression"})


def _fit_overload(params: list, positional: list[str], keywords: dict[str, str]) -> dict[str, str] | None:
    """parameter name -> argument text where a call with these arguments fits an overload's parameters
    (`[name, kind, has_default, annotation]`), else None. A parameter annotated `None` takes only None."""
    slots = [p for p in params if p[1] in ("positional_only", "positional_or_keyword")]
    if len(positional) > len(slots) and not any(p[1] == "var_positional" for p in params):
        return None
    given = {p[0]: a for p, a in zip(slots, positional)}
    named = {p[0] for p in params if p[1] in ("positional_or_keyword", "keyword_only")}
    for k, v in keywords.items():
        if k in given or k not in named and not any(p[1] == "var_keyword" for p in params):
            return None
        given[k] = v
    for name, kind, has_default, ann in params:
        if kind in ("positional_only", "positional_or_keyword", "keyword_only") and not has_default \
                and name not in given:
            return None
        if ann == "None" and given.get(name, "None") != "None":
            return None
    return given


# Containers whose one argument is what iterating them gives (a stub parameter `seq: Sequence[_T]`).
_ITEM_CONTAINERS = frozenset({"Iterable", "Iterator", "Sequence", "MutableSequence", "SupportsLenAndGetItem",
                              "list", "List", "set", "Set", "AbstractSet", "frozenset", "Collection",
                              "SupportsNext", "Reversible", "deque"})
_ANNOTATION_NAME = re.compile(r"[A-Za-z_][\w.]*")


def _typevar_uses(ann: str, typevars: frozenset[str]) -> list[tuple[str, str]]:
    """(TypeVar, "same" | "item") for a parameter annotated with the TypeVar itself (`x: _T`, `_T | None`)
    or a container of it (`Iterable[_T]`); other uses (`Callable[[_T], ...]`) bind nothing here."""
    out = []
    for alt in _split_top(ann, "|"):
        alt = alt.strip()
        if alt in typevars:
            out.append((alt, "same"))
            continue
        head, args = _type_args(alt)
        if head.rsplit(".", 1)[-1] in _ITEM_CONTAINERS and len(args) == 1 and args[0].strip() in typevars:
            out.append((args[0].strip(), "item"))
    return out


def _one_type(types: list[str | None]) -> str | None:
    """The type all the items have (ints among floats are floats), None if one is unknown or they differ."""
    known = set(types)
    if None in known or not known:
        return None
    if known == {"int", "float"}:
        return "float"
    return known.pop() if len(known) == 1 else None


def _expression_node(text: str):
    """The tree-sitter node of an expression's text (parsed once per text), or None."""
    got = _EXPR_MEMO.get(text)
    if got is None:
        tree = _parser().parse(text.encode("utf-8", "surrogatepass"))
        st = tree.root_node.named_children[0] if tree.root_node.named_child_count == 1 else None
        one = st is not None and st.type == "expression_statement" and st.named_child_count == 1
        got = _EXPR_MEMO[text] = (tree, st.named_children[0] if one else None)
        if len(_EXPR_MEMO) > 256:
            _EXPR_MEMO.pop(next(iter(_EXPR_MEMO)))
    return got[1]


_EXPR_MEMO: dict[str, tuple[Any, Any]] = {}


_PATTERNS = frozenset({"pattern_list", "tuple_pattern", "list_pattern", "expression_list", "tuple", "list",
                       "parenthesized_expression"})


def _target_path(target, name: str) -> tuple[int, ...] | None:
    """Where `name` sits in a loop's target: () for the target itself, (1, 0) for `a` in `i, (a, b)`."""
    if target.type == "identifier":
        return () if _t(target) == name else None
    if target.type not in _PATTERNS:
        return None
    items = [c for c in target.named_children if c.type != "comment"]
    if target.type == "parenthesized_expression" and len(items) == 1:
        return _target_path(items[0], name)
    for i, c in enumerate(items):
        got = _target_path(c, name)
        if got is not None:
            return (i, *got)
    return None


def _loop_binding(target_node, iterable: str, name: str, fn=None, line: int = -1) -> _Binding | None:
    """The binding a `for` target gives `name`: an item of what is iterated, or a part of one."""
    path = _target_path(target_node, name)
    if path is None:
        return None
    if len(path) <= 1:
        return _Binding("iter", (iterable, path[0] if path else None), fn, line)
    return _Binding("iter-part", (iterable, path), fn, line)  # `for i, (k, v) in enumerate(d.items())`


def _comprehension_binding(comp, name: str) -> _Binding | None:
    """`name` as a loop variable of a comprehension's `for` clauses (the last clause that binds it)."""
    found = None
    for clause in comp.named_children:
        if clause.type != "for_in_clause":
            continue
        left, right = clause.child_by_field_name("left"), clause.child_by_field_name("right")
        if left is None or right is None:
            continue
        found = _loop_binding(left, _t(right), name) or found
    return found


_CHAINED = re.compile(r"^(?:[A-Za-z_][\w.]*\s*=(?!=)\s*)+")


def _alternatives(text: str) -> list[str]:
    """The values an expression may have: `A if C else B` -> [A, B]; `A or B or C` -> [A, B, C]."""
    if text.lstrip().startswith("lambda"):
        return [text]
    parts = _split_top(text, " if ")
    if len(parts) == 2:
        rest = _split_top(parts[1], " else ")
        return [parts[0], rest[1]] if len(rest) == 2 else [text]
    return _split_top(text, " or ") if len(parts) == 1 else [text]


def _method_class(fn):
    """The class_definition a function is a method of (decorated or not), else None."""
    up = fn.parent
    if up is not None and up.type == "decorated_definition":
        up = up.parent
    return up.parent if up is not None and up.type == "block" and up.parent is not None \
        and up.parent.type == "class_definition" else None


def _first_return(body):
    """The value of the first `return value` in a function body (nested scopes excluded), else None."""
    if body is None:
        return None
    stack = list(reversed(body.named_children))
    while stack:
        n = stack.pop()
        if n.type == "return_statement":
            if n.named_child_count and n.named_children[0].type != "none":
                return n.named_children[0]
            continue
        if n.type not in ("function_definition", "class_definition", "lambda", "decorated_definition"):
            stack.extend(reversed(n.named_children))
    return None


def _walrus_binding(node, name: str, fn) -> _Binding | None:
    """The value of a `name := value` in `node` (outside nested scopes), else None."""
    stack = [node]
    while stack:
        n = stack.pop()
        if n.type == "named_expression":
            target, value = n.child_by_field_name("name"), n.child_by_field_name("value")
            if target is not None and value is not None and _t(target) == name:
                return _Binding("expr", _t(value), fn)
        if n.type not in ("lambda", "function_definition", "class_definition"):
            stack.extend(reversed(n.named_children))
    return None


# -- receiver expressions -------------------------------------------------------------------------

_IDENT_END = re.compile(r"[A-Za-z_0-9\u00aa-\uffff]*$")
_STR_PREFIX = re.compile(r"[rRbBuUfF]{0,2}$")
_STR_START = re.compile(r"[rRbBuUfF]{0,2}(?=['\"])")


def _match_back(s: str, end: int) -> int:
    """Index of the opener matching the closer at s[end-1], or -1."""
    pairs = {")": "(", "]": "[", "}": "{"}
    stack = []
    i = end - 1
    while i >= 0:
        c = s[i]
        if c in "\"'":
            j = s.rfind(c, 0, i)
            if j < 0:
                return -1
            i = j - 1
            continue
        if c in pairs:
            stack.append(pairs[c])
        elif c in "([{":
            if not stack or stack.pop() != c:
                return -1
            if not stack:
                return i
        i -= 1
    return -1


def receiver_at(line_text: str, character: int) -> tuple[str, str] | None:
    """(receiver expression, partial member name) when `character` follows `receiver.name?`."""
    before = line_text[: max(0, min(character, len(line_text)))]
    if _in_comment_or_string(before):
        return None
    m = _IDENT_END.search(before)
    prefix = m.group() if m else ""
    i = len(before) - len(prefix)
    if i == 0 or before[i - 1] != ".":
        return None
    end = i - 1
    k = end
    while k > 0 and before[k - 1] in " \t":  # `x .y` is legal, if rare
        k -= 1
    start = k
    while k > 0:
        c = before[k - 1]
        if c in ")]}":
            j = _match_back(before, k)
            if j < 0:
                return None
            k = j
            start = k
            continue
        if c in "\"'":
            j = before.rfind(c, 0, k - 1)
            if j < 0:
                return None
            p = _STR_PREFIX.search(before[:j])
            k = start = j - (len(p.group()) if p else 0)
            break
        m = _IDENT_END.search(before[:k])
        if m and m.group():
            k = start = m.start()
            if k > 0 and before[k - 1] == ".":
                k -= 1
                continue
        break
    recv = before[start:end].strip()
    if not recv or recv[0].isdigit() or recv.isdigit():
        return None  # `1.` is a float literal
    return recv, prefix


def _receiver_across_lines(lines: list[str], line: int, character: int,
                           max_lines: int = 15) -> tuple[str, str] | None:
    """The receiver of a chain that starts on earlier lines: `(df\n  .groupby("a")\n  .▮` or
    `cls(\n  indent=indent,\n  **kw).▮`, read from those lines joined (comments dropped)."""
    before = lines[line][:character]
    if not re.match(r"\s*(?:[.)\]}]|[^#]*[)\]}]\s*\.)", before) or _in_comment_or_string(before):
        return None
    joined = before.strip()
    for k in range(line - 1, max(-1, line - 1 - max_lines), -1):
        sep = "" if joined[:1] in ".)]}" else " "
        joined = f"{_strip_comment(lines[k]).strip()}{sep}{joined}"
        got = receiver_at(joined, len(joined))
        if got is not None and _balanced(got[0]):
            # `.groupby("a").▮` alone is no receiver yet: the chain goes on up the lines.
            if not joined[:joined.rfind(got[0] + ".")].rstrip().endswith("."):
                return got
    return None


def _balanced(expr: str) -> bool:
    return _close(f"({expr})", 0) == len(expr) + 2


def _in_comment_or_string(before: str) -> bool:
    """Whether the end of `before` (a line's text up to the cursor) is in a comment or a string; a
    replacement field of an f-string (`f"{user.▮`) is code."""
    quote, fstr = None, False
    fields: list[tuple[str, int]] = []  # the f-string quote and bracket depth each open field returns to
    depth = 0  # brackets open inside the innermost field
    i = 0
    while i < len(before):
        c = before[i]
        if quote:
            if c == "\\":
                i += 2
                continue
            if fstr and c == "{":
                if before.startswith("{{", i):
                    i += 2
                    continue
                fields.append((quote, depth))
                quote, depth = None, 0
                i += 1
                continue
            if before.startswith(quote, i):
                i += len(quote)
                quote = None
                continue
        elif c == "#":
            return True
        elif c in "\"'":
            fstr = _f_prefix(before, i)
            quote = before[i: i + 3] if before[i: i + 3] in ('"""', "'''") else c
            i += len(quote)
            continue
        elif fields:
            if c in "([{":
                depth += 1
            elif c in ")]}":
                if depth == 0:  # the field closes: back in its f-string
                    quote, depth = fields.pop()
                    fstr = True
                else:
                    depth -= 1
        i += 1
    return quote is not None


_FIELD = re.compile(r"(?<!\{)\{(?:\d+|[A-Za-z_]\w*)?(?:![rsa])?(?::[^{}]*)?\}")


def _literal_use(receiver: str) -> str | None:
    """'join' for a plain string literal without letters or digits (a separator), 'format' for one
    with replacement fields; None for anything else."""
    if len(receiver) < 2 or receiver[0] not in "\"'" or receiver[-1] != receiver[0]:
        return None
    body = receiver.strip(receiver[0])
    if _FIELD.search(body):
        return "format"
    return None if any(ch.isalnum() for ch in body.replace("\\n", "").replace("\\t", "")) else "join"


def _f_prefix(text: str, i: int) -> bool:
    """Whether the quote at text[i] opens an f-string (`f"`, `rf'`, `Fr"`)."""
    k = i
    while k > 0 and i - k < 2 and text[k - 1] in "rRbBuUfF":
        k -= 1
    if k == i or (k > 0 and (text[k - 1].isalnum() or text[k - 1] == "_")):
        return False
    return "f" in text[k:i].lower()


def _close(s: str, i: int) -> int:
    """Index after the bracket matching the opener at s[i] (string-aware), or -1."""
    depth = 0
    j = i
    while j < len(s):
        c = s[j]
        if c in "\"'":
            j = _string_end(s, j)  # escapes followed: `'\\'` ends at its second quote
            if j < 0:
                return -1
            continue
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
            if depth == 0:
                return j + 1
        j += 1
    return -1


_HEAD = re.compile(r"[A-Za-z_\u00aa-\uffff][\w]*")
_LIT_OF = {"[": "list", "{": "dict"}


def _chain(expr: str) -> list[tuple[str, str]] | None:
    """`a.b(x)[0].c` -> [("name","a"),("attr","b"),("call",""),("index",""),("attr","c")]; an
    operator expression (`a - b`, `~m`, `x < 8`) -> [("binop", (operand chains, is a comparison, the
    operator where one joins two operands))]."""
    s = expr.strip()
    if not s or len(s) > 400:
        return None
    ops = _chain_only(s)
    if ops is None:
        split = _split_operators(s)
        if split is not None:
            operands = [c for c in (_chain(o) for o in split[0]) if c]
            if operands:
                # The operator, where one joins two operands (`end - start`): what it gives may be
                # another type than either (a timedelta).
                op = split[2][0] if len(split[2]) == 1 and len(operands) == 2 == len(split[0]) else ""
                return [("binop", (operands, split[1], op))]  # type: ignore[list-item]
    return ops


_OPERATOR = re.compile(r"\*\*|//|<<|>>|<=|>=|==|!=|[-+*/%@&|^<>]")
_COMPARISON = frozenset({"<", ">", "<=", ">=", "==", "!="})
_SEQUENCE_OPERAND = frozenset({"str", "bytes", "list", "tuple"})  # what `+ * %` on them give back
_DUNDER = {"+": "__add__", "-": "__sub__", "*": "__mul__", "/": "__truediv__", "//": "__floordiv__",
           "%": "__mod__", "@": "__matmul__", "**": "__pow__"}


def _operator_result(left: str, method: str, right: str) -> str | None:
    """The type typeshed's overloads of `left.method` give for an operand of type `right` (the first
    overload written for that type), or None (no stub, no such overload, or one that gives nothing)."""
    for operand, result in _shipped_operators().get(f"{left.removeprefix('builtins.')}.{method}", ()):
        if operand.split("[", 1)[0].strip() == right:
            head = result.split("[", 1)[0].strip()
            return None if head.rsplit(".", 1)[-1] in ("NoReturn", "Never", "Any", "None") else head
    return None


_STRING = re.compile(r"'''.*?'''|\"\"\".*?\"\"\"|'(?:\\.|[^'\\])*'|\"(?:\\.|[^\"\\])*\"", re.S)


def _string_end(s: str, i: int) -> int:
    """Index after the string literal whose opening quote is s[i] (triple quotes and escapes
    followed), or -1 when it does not close in `s`."""
    m = _STRING.match(s, i)
    return m.end() if m else -1


def _split_operators(s: str) -> tuple[list[str], bool, list[str]] | None:
    """The operands of the top-level binary (and leading unary) operators of `s`, whether one is a
    comparison, and the binary operators in order; None when there is none, or words (`lambda`, `if`,
    `for`, `and`) make it more."""
    if re.search(r"\b(?:lambda|if|for|and|or|not|in|is|await|yield)\b",
                 _STRING.sub("''", s) if "'" in s or '"' in s else s):
        return None
    parts, cur, depth, i, comparison, last_op, binary = [], [], 0, 0, False, True, []
    while i < len(s):
        c = s[i]
        if c in "\"'":
            k = _string_end(s, i)
            if k < 0:
                return None
            cur.append(s[i:k])
            i, last_op = k, False
            continue
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
        if depth == 0 and c not in " \t":
            m = _OPERATOR.match(s, i)
            prev = s[i - 1] if i else ""
            # Not an operator: an exponent's sign (1e-5), a keyword argument's `=` never matches.
            if m and not (c in "+-" and prev in "eE" and i > 1 and s[i - 2].isdigit()):
                if not last_op:
                    parts.append("".join(cur).strip())
                    cur = []
                    binary.append(m.group())
                comparison = comparison or m.group() in _COMPARISON
                i, last_op = m.end(), True
                continue
            if c == "~":
                i += 1
                continue
        cur.append(c)
        if c not in " \t":
            last_op = False
        i += 1
    parts.append("".join(cur).strip())
    parts = [p for p in parts if p]
    return (parts, comparison, binary) if len(parts) >= 1 and (len(parts) > 1 or s.lstrip()[:1] in "-+~") \
        else None


def _chain_only(s: str) -> list[tuple[str, str]] | None:
    ops: list[tuple[str, str]] = []
    m = _HEAD.match(s)
    p = _STR_START.match(s)
    if p:
        i = _string_end(s, len(p.group()))
        if i < 0:
            return None
        ops.append(("lit", "bytes" if "b" in p.group().lower() else "str"))
    elif m:
        ops.append(("name", m.group()))
        i = m.end()
    elif s[0] in "[{(":
        j = _close(s, 0)
        if j < 0:
            return None
        inner = s[1: j - 1].strip()
        if s[0] == "(":
            if not inner or _top_level_comma(inner):
                ops.append(("lit", "tuple"))
            else:
                sub = _chain(inner)
                if sub is None:
                    return None
                ops.append(("expr", sub))  # type: ignore[arg-type]
        elif s[0] == "{" and inner and not _top_level_colon(inner):
            ops.append(("lit", "set"))
        else:
            ops.append(("lit", _LIT_OF[s[0]]))
        i = j
    elif re.match(r"\d", s):
        m2 = re.match(r"\d[\d_]*(\.\d*)?([eE][-+]?\d+)?j?", s)
        ops.append(("lit", "float" if m2.group(1) or m2.group(2) else "int"))
        i = m2.end()
    else:
        return None
    while i < len(s):
        c = s[i]
        if c in " \t":
            i += 1
        elif c == ".":
            m = _HEAD.match(s, i + 1)
            if not m:
                return None
            ops.append(("attr", m.group()))
            i = m.end()
        elif c in "([":
            j = _close(s, i)
            if j < 0:
                return None
            ops.append(("call" if c == "(" else "index", s[i + 1: j - 1]))
            i = j
        else:
            return None
    return ops


def _top_level_comma(s: str) -> bool:
    return _top_level_char(s, ",")


def _top_level_colon(s: str) -> bool:
    return _top_level_char(s, ":")


def _top_level_char(s: str, ch: str) -> bool:
    depth = 0
    i = 0
    while i < len(s):
        c = s[i]
        if c in "\"'":
            k = s.find(c, i + 1)
            i = (k + 1) if k > 0 else len(s)
            continue
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
        elif c == ch and depth == 0:
            return True
        i += 1
    return False


# -- type inference over one document ------------------------------------------------------------------

_SLICED = frozenset({"bytes", "bytearray", "list", "tuple"})  # a slice of one is one
_BUILTIN_LITERALS = {"str", "bytes", "list", "dict", "set", "tuple", "int", "float", "bool", "frozenset",
                     "complex", "bytearray"}
_TYPING = {"List": "list", "Dict": "dict", "Set": "set", "Tuple": "tuple", "FrozenSet": "frozenset",
           "Text": "str", "AnyStr": "str", "DefaultDict": "collections.defaultdict",
           "OrderedDict": "collections.OrderedDict", "Deque": "collections.deque",
           "Counter": "collections.Counter", "Pattern": "re.Pattern", "Match": "re.Match",
           "Sequence": "list", "MutableSequence": "list", "Mapping": "dict", "MutableMapping": "dict",
           "Iterable": None, "Iterator": None, "Any": None, "Callable": None, "Type": None}
_ANY = frozenset({"Any", "typing.Any", "typing_extensions.Any", "_typeshed.Incomplete", "Incomplete"})
_LITERAL_NODES = {"string": "str", "concatenated_string": "str", "list": "list",
                  "list_comprehension": "list", "dictionary": "dict", "dictionary_comprehension": "dict",
                  "set": "set", "set_comprehension": "set", "tuple": "tuple", "integer": "int",
                  "float": "float", "true": "bool", "false": "bool"}
_CONTAINER_NODES = frozenset({"list", "list_comprehension", "dictionary", "dictionary_comprehension", "set",
                              "set_comprehension", "tuple"})
# `list(xs)`, `deque(xs)`, `defaultdict(list)`, `Counter(words)`: calls that make a container whose items
# their arguments say (`sorted(xs)` is a function whose stub says as much: `generic_return`).
_COPIED = re.compile(r"^(?:[A-Za-z_][\w.]*\.)?(list|set|frozenset|tuple|deque|defaultdict|Counter)\((.*)\)$",
                     re.S)
# The containers those calls make, by the class called: the annotation of what they hold.
_MADE = {"list": "list", "set": "set", "frozenset": "frozenset", "tuple": "tuple",
         "collections.deque": "deque", "collections.defaultdict": "defaultdict",
         "collections.Counter": "Counter"}
_KEYWORD_ARG = re.compile(r"^\s*([A-Za-z_]\w*)\s*=(?!=)")
_MAX_DEPTH = 12
_PLACEHOLDER = "__apirec_cursor__"


@dataclass
class _Binding:
    kind: str  # "path" (a dotted API path), "expr" (text to evaluate), "ann" (annotation text), "none"
    value: str = ""
    scope: Any = None  # the function node an expr/annotation is evaluated in (None: module)
    # The first line of the statement that binds: the names its value uses are looked up above it
    # (`line = line.strip()`, `for tok in tok:` mean the earlier binding, not this one again).
    line: int = -1


_FOR_HEAD = re.compile(r"^for\s+(.+?)\s+in\s+(.+?):\s*(?:#.*)?$")
_WITH_HEAD = re.compile(r"^with\s+(.+?)\s*:\s*(?:#.*)?$")
_WITH_ITEM = re.compile(r"^(.+?)\s+as\s+([A-Za-z_]\w*)$", re.S)


def _header_bindings(first: str, start: int, out: dict[str, list[tuple[int, _Binding]]]) -> None:
    """Names a module-level `for` or `with` header binds (one-line headers)."""
    m = _FOR_HEAD.match(first.strip())
    if m:
        target = _expression_node(f"({m.group(1).strip()})")  # `i, (k, v)`: read as a tuple
        for name in set(re.findall(r"[A-Za-z_]\w*", m.group(1))) if target is not None else ():
            b = _loop_binding(target, m.group(2), name, line=start)
            if b is not None:
                out.setdefault(name, []).append((start, b))
        return
    m = _WITH_HEAD.match(first.strip())
    if m:
        # Its items, split where no bracket is open: `with open(p, "w") as f, lock:`, also when
        # parentheses group them (`with (open(a) as f, open(b) as g):`).
        items = m.group(1).strip()
        if items.startswith("(") and items.endswith(")"):
            items = items[1:-1]
        for item in _split_args("(" + items + ")")[0]:
            it = _WITH_ITEM.match(item.strip())
            if it:
                out.setdefault(it.group(2), []).append((start, _Binding("enter", it.group(1), line=start)))


class _Doc:
    def __init__(self, sources: list[Any], code: str, line: int, character: int, module: str | None = None,
                 is_package: bool = False):
        self.sources = sources
        self.local = RecordSet(name="file")
        self.all_sources = [self.local, *sources]
        self.module = module or "__main__"
        self.is_package = is_package
        lines = code.split("\n")
        line = max(0, min(line, len(lines) - 1))
        self.line = line
        cur = lines[line].rstrip("\r")
        self.character = max(0, min(character, len(cur)))
        self.cur = cur
        self.lines = [ln.rstrip("\r") for ln in lines[: line + 1]]
        self.starts = _top_level_blocks_memo(self.lines)
        cur_start = self.starts[-1] if self.starts and self.starts[-1] <= line else 0
        self.cur_block = cur_start if self.starts else 0
        self._module_bindings: dict[str, list[tuple[int, _Binding]]] | None = None
        self._assigned: dict[str, list[int]] | None = None
        self._block_nodes: dict[int, Any] = {}
        self._attr_ctx: dict[str, tuple[str, bool, Any]] = {}
        self._attr_alts: dict[str, list[tuple[str, bool, Any]]] = {}
        self._attr_types: dict[str, str] = {}  # attribute contexts' types, once found
        self._attr_busy: set[str] = set()  # attribute contexts being evaluated
        self._cursor_node = None
        self._depth = 0
        # scope (a function node's id, None: module) -> the line bindings must start above while the
        # value of a binding of that scope is evaluated (see _Binding.line)
        self._horizon: dict[Any, int] = {}
        # Lazily filled by the lookups for receivers of unknown type (see module_aliases and below).
        self._aliases: dict[str, str] | None = None
        self._before: str | None = None
        self._not_modules: set[str] = set()
        self._local_starts: dict[str, int] = {}
        self._members_memo: dict[str, list[tuple[ApiRecord, int]]] = {}
        self._returned: dict[str, tuple[Any, str]] = {}  # a local function's first returned expression
        self._unannotated: dict[str, Any] = {}  # the file's functions and methods, return not read yet
        self._mentioned: dict[tuple[int, bytes], bool] = {}
        self._generic_memo: dict[tuple, str | None] = {}  # generic_return's, per call, scope and horizon

    # -- module level ------------------------------------------------------------------------------
    def _block_end(self, start: int) -> int:
        import bisect

        i = bisect.bisect_right(self.starts, start)  # starts are sorted: O(log n), not .index()
        return self.starts[i] if i < len(self.starts) else len(self.lines)

    def module_bindings(self) -> dict[str, list[tuple[int, _Binding]]]:
        if self._module_bindings is not None:
            return self._module_bindings
        out: dict[str, list[tuple[int, _Binding]]] = {}
        for start in self.starts:
            first = self.lines[start]
            if start == self.cur_block:
                # The statement being typed binds nothing yet, except a loop or `with` header above
                # the line being typed in its body.
                if self.line > start and first.startswith(("for ", "with ")):
                    _header_bindings(first, start, out)
                continue
            end = self._block_end(start)
            if first.startswith(("import ", "from ")):
                # Up to the next statement: drop the comments and blank lines in between.
                text = _strip_comment("\n".join(self.lines[start:end])).strip()
                for name, target in _parse_import(text, self.module, self.is_package).items():
                    out.setdefault(name, []).append((start, _Binding("path", target)))
            elif first.startswith(("try", "if ", "with ", "for ", "while ")):
                if first.startswith(("for ", "with ")):
                    _header_bindings(first, start, out)
                text = "\n".join(self.lines[start:end])
                for m in _INNER_IMPORT.finditer(text):
                    for name, target in _parse_import(m.group().strip(), self.module, self.is_package).items():
                        out.setdefault(name, []).append((start, _Binding("path", target)))
            elif first.startswith(("def ", "class ", "async ", "@")):
                m = _DEF.match("\n".join(self.lines[start: min(end, start + 30)]))
                if m:
                    out.setdefault(m.group(2), []).append((start, _Binding("local-" + m.group(1), str(start))))
            else:
                text = _strip_comment("\n".join(self.lines[start:end])).strip()
                m = _ASSIGN.match(text)
                if m and (m.group(2) or m.group(3)):
                    b = _Binding("ann", m.group(2).strip()) if m.group(2) else _Binding("expr", m.group(3).strip())
                    b.line = start
                    out.setdefault(m.group(1), []).append((start, b))
                elif (m := _UNPACK.match(text)) is not None:  # `conn, addr = s.accept()`
                    for pos, target in enumerate(re.split(r"\s*,\s*", m.group(1))):
                        b = _Binding("unpack", (m.group(2).strip(), pos), line=start)
                        out.setdefault(target, []).append((start, b))
        self._module_bindings = out
        return out

    def _compound_binding(self, name: str, after: int) -> _Binding | None:
        """A binding of `name` in the body of a module-level `if`/`with`/`for`/`try`/`while` that starts
        after line `after` (a script's `with open(p) as f:` `data = json.load(f)`, `if __name__ ==
        "__main__":` `parser = ...`): the last one above the cursor. Only blocks whose text assigns the
        name are parsed."""
        upto = self._horizon.get(None, self.line)
        for start in reversed(self._compound_assigned().get(name, ())):
            if start <= after:
                return None
            if start >= upto:
                continue
            found = None
            node = self.block_node(start)
            for st in _statements(node.parent or node, upto):  # the parsed text's root: this block
                if st.type not in ("with_statement", "for_statement") or st.start_point[0] != start:
                    b = self._statement_binding(st, name, None)
                    if b is not None and st.start_point[0] < upto:
                        found = b
                        b.line = st.start_point[0]
            if found is not None:
                return found
        return None

    def _compound_assigned(self) -> dict[str, list[int]]:
        """name -> starts of the module-level compound blocks whose body assigns it (one pass, memoized),
        among those of the last 400 lines: a script's blocks far above rarely bind what is typed here,
        and a 7,500-line module of `if` blocks took 4 ms to read whole."""
        if self._assigned is None:
            import bisect

            self._assigned = {}
            i = bisect.bisect_left(self.starts, self.line - 400)
            lo = min(self.starts[i], self.cur_block) if i < len(self.starts) else self.cur_block
            text = "\n".join(self.lines[lo:])
            pos, ln = 0, lo
            for m in _BODY_ASSIGN.finditer(text):  # indented assignments: in some block's body
                ln += text.count("\n", pos, m.start())
                pos = m.start()
                start = self.starts[bisect.bisect_right(self.starts, ln) - 1] if self.starts else 0
                names = [m.group(1) or m.group(2) or m.group(3) or m.group(5)] if not m.group(4) else \
                    [n for n in re.split(r"[\s,()]+", m.group(4)) if n]  # `for i, (k, v) in ...`
                in_body = start < ln or m.group(3) and start == ln  # a walrus may be in the header
                if in_body and self.lines[start].startswith(_COMPOUND_HEADS):
                    for name in names:
                        got = self._assigned.setdefault(name, [])
                        if not got or got[-1] != start:
                            got.append(start)
        return self._assigned

    def block_node(self, start: int):
        """The tree-sitter node of the top-level statement starting at `start` (parsed on demand)."""
        if start in self._block_nodes:
            return self._block_nodes[start]
        end = self._block_end(start)
        if start == self.cur_block:
            end = self.line
            text = "\n".join(self.lines[start:end] + [self.cur[: self.character] + _PLACEHOLDER
                                                      + self.cur[self.character:]])
        else:
            text = "\n".join(self.lines[start:end])
            tree = _PARSE_MEMO.get((start, text))
            if tree is not None:  # a block above the cursor, unchanged since the last keystroke
                node = self._block_nodes[start] = _block_child(tree.root_node, start)
                return node
        tree = _parser().parse(("\n" * start + text).encode("utf-8", "surrogatepass"))
        root = tree.root_node
        if start != self.cur_block:
            _put(_PARSE_MEMO, (start, text), tree, 64)
        node = self._block_nodes[start] = _block_child(root, start)
        if start == self.cur_block:
            self._tree_root = root
        return node

    # -- scopes ---------------------------------------------------------------------------------------
    def scopes_at_cursor(self) -> list[Any]:
        """Enclosing function/class nodes at the cursor, innermost first."""
        self.block_node(self.cur_block)
        root = getattr(self, "_tree_root", None)
        if root is None:
            return []
        col = len((self.cur[: self.character]).encode("utf-8", "surrogatepass"))
        node = root.descendant_for_point_range((self.line, col), (self.line, col + 1))
        scopes = []
        while node is not None:
            if node.type in ("function_definition", "class_definition") or node.type in _COMPREHENSIONS:
                scopes.append(node)
            node = node.parent
        return scopes

    # -- name resolution -----------------------------------------------------------------------------
    def resolve_name(self, name: str, scopes: list[Any]) -> str | None:
        if self._depth > _MAX_DEPTH:
            return None
        self._depth += 1
        try:
            return self._resolve_name(name, scopes)
        finally:
            self._depth -= 1

    def _resolve_name(self, name: str, scopes: list[Any]) -> str | None:
        found = self._binding_of(name, scopes)
        if found is not None:
            return self._eval_binding(*found)
        if name in _BUILTIN_LITERALS or exact_record(self.sources, name) is not None:
            return name  # a builtin (`builtins.` is stripped from public paths)
        return self.guess_module(name)  # a module used without its import in view

    def _binding_of(self, name: str, scopes: list[Any]) -> tuple[_Binding, list[Any]] | None:
        """The binding `name` has at the cursor and the scopes to evaluate it in, or None."""
        for i, sc in enumerate(scopes):
            if sc.type == "class_definition":
                continue  # class bodies are not enclosing scopes for their methods
            if sc.type in _COMPREHENSIONS:  # `[x.▮ for x in lines]`: its own loop variables
                b = _comprehension_binding(sc, name)
                if b is not None:
                    return b, scopes[i + 1:]
                continue
            b = self._function_binding(sc, name, scopes[i:])
            if b is not None:
                return b, scopes[i:]
        lst = self.module_bindings().get(name)
        if lst and None in self._horizon:
            lst = [x for x in lst if x[0] < self._horizon[None]]
        inner = self._compound_binding(name, lst[-1][0] if lst else -1) if not scopes else None
        if inner is not None:
            return inner, []
        if lst:
            return lst[-1][1], []
        for sc in self.scopes_at_cursor():  # the class being written, by its name (`list['Node']` in Node)
            if sc.type == "class_definition" and _t(sc.child_by_field_name("name")) == name:
                return _Binding("node-class", sc), []
        return None

    def _annotation_of(self, name: str, scopes: list[Any]) -> tuple[str, list[Any]] | None:
        """The annotation `name` is bound with at the cursor (`d: dict[str, Foo]`), unwrapped from
        `Optional`/`| None`, and the scopes it is written in; None for a name bound otherwise."""
        found = self._binding_of(name, scopes)
        return (_annotation_text(found[0].value), found[1]) if found and found[0].kind == "ann" else None

    def _declared_container(self, ops, scopes: list[Any]) -> tuple[str, list[Any]] | None:
        """(annotation, scopes) a container `xs` or `self.xs` is declared with, or None."""
        if len(ops) == 1 and ops[0][0] == "name" and ops[0][1] != "self":
            found = self._binding_of(ops[0][1], scopes)
            if found is None:
                return None
            b, bscopes = found
            if b.kind == "ann":
                return _annotation_text(b.value), bscopes
            if b.kind == "iter":  # `for root, dirs, files in os.walk(p)`: `files` is a `list[str]`
                ann = self._at_binding(b, lambda: self.iter_element(*b.value, bscopes, annotated=True))
                return (ann, []) if ann and "[" in ann else None
            return self._literal_container(b, bscopes)
        if len(ops) == 2 and ops[0][0] == "name" and ops[1][0] == "attr":
            owner = self.eval_ops(ops[:1], scopes)  # `self.xs`, or `box.xs` of a class of this file
            if owner:
                self.attr_type(owner, ops[1][1])  # fills the attribute contexts of the open file's class
            ctx = self._attr_ctx.get(f"{owner}.{ops[1][1]}") if owner else None
            if ctx is not None and ctx[1]:
                return _annotation_text(ctx[0]), ([ctx[2]] if ctx[2] is not None else [])
        return None

    def _literal_container(self, b: _Binding, bscopes: list[Any]) -> tuple[str, list[Any]] | None:
        """(annotation, scopes) of the container binding `b` binds where its items have one type
        (`words = ['a', 'b']`: `list[str]`; `{k: Foo() ...}`, `[p.name for p in paths]`, `list(xs)`),
        written in full paths; None otherwise."""
        if b.kind != "expr":
            return None
        text = b.value.strip()
        if not text or text[0] not in "[{(" and not _COPIED.match(text):
            return None
        ann = self._at_binding(b, lambda: self.container_annotation(text, bscopes))
        return (ann, []) if ann else None

    def container_annotation(self, text: str, scopes: list[Any]) -> str | None:
        """`['a', 'b']` -> `list[str]`, `{'k': 1}` -> `dict[str, int]`, `(x for ...)` -> None: the
        annotation a container literal, a comprehension or a call that makes a container (`list(xs)`,
        `defaultdict(list)`) would be declared with."""
        m = _COPIED.match(text)
        if m and _close(text, m.end(1)) == len(text):  # not `list(a) + list(b)`
            # `list(xs)`, `deque(xs)`: a container of `xs`'s items; `defaultdict(list)`: a mapping to
            # what the factory makes; `Counter(words)`: a mapping of the words to counts.
            head = _MADE.get(self.eval_text(text[: m.start(2) - 1], scopes) or "")
            args = _call_arguments(text[m.end(1):])[0]  # not `key=len`
            if head is None or not args or args[0].startswith("*"):
                return None
            if head == "defaultdict":
                factory = args[0][len("lambda:"):] if args[0].startswith("lambda:") else f"{args[0]}()"
                made = self.eval_text(factory.strip(), scopes)
                return f"dict[typing.Any, {made}]" if made else None
            elem = self.iter_element(args[0], None, scopes) if len(args) == 1 else None
            if elem is None:
                return None
            return f"dict[{elem}, int]" if head == "Counter" else f"tuple[{elem}, ...]" if head == "tuple" \
                else f"{head}[{elem}]"
        node = _expression_node(text)
        if node is None or node.type not in _CONTAINER_NODES:
            return None
        head = _LITERAL_NODES[node.type]
        if node.type.endswith("_comprehension"):
            body = node.child_by_field_name("body")
            inner = [node, *scopes]  # the comprehension's own loop variables first
            if body is None:
                return None
            if body.type == "pair":
                k = self.eval_text(_t(body.child_by_field_name("key")), inner)
                v = self.eval_text(_t(body.child_by_field_name("value")), inner)
                return f"dict[{k or 'typing.Any'}, {v or 'typing.Any'}]" if k or v else None
            t = self.eval_text(_t(body), inner)
            return f"{head}[{t}]" if t else None
        items = [c for c in node.named_children if c.type != "comment"]
        if node.type == "dictionary":
            if not items or any(c.type != "pair" for c in items):
                return None  # empty, or `**other`
            k = _one_type([self.eval_text(_t(c.child_by_field_name("key")), scopes) for c in items[:8]])
            v = _one_type([self.eval_text(_t(c.child_by_field_name("value")), scopes) for c in items[:8]])
            return f"dict[{k or 'typing.Any'}, {v or 'typing.Any'}]" if k or v else None
        if not items or any(c.type in ("list_splat", "parenthesized_list_splat") for c in items):
            return None
        t = _one_type([self.eval_text(_t(c), scopes) for c in items[:8]])
        return None if t is None else f"tuple[{t}, ...]" if head == "tuple" else f"{head}[{t}]"

    def declared_element(self, ops, scopes: list[Any]) -> str | None:
        """The type of an item of a container an annotation declares: `d[k]`, `d.get(k)`, `xs[0]`,
        `xs.pop()` for `d: dict[str, Foo]`, `xs: list[Foo]` (a name, `self.attr`, or an attribute of an
        instance of a class of this file: `box.xs[0]`); None otherwise."""
        for n in (1, 2):  # the container is `d` or `obj.d`
            declared = self._declared_container(ops[:n], scopes) if len(ops) > n else None
            elem = _item_annotation(declared[0], ops[n:]) if declared is not None else None
            if elem:
                return self.annotation_type(elem, declared[1])
        # ... or a method whose stub returns a TypeVar of its class (`q.get()` of `q: Queue[str]`).
        if len(ops) in (3, 4) and ops[-1][0] == "call" and ops[-2][0] == "attr" and _takes_item(ops[-2][1]):
            declared = self._declared_container(ops[:-2], scopes)
            head, args = _type_args(declared[0]) if declared is not None else ("", [])
            cls = self.annotation_type(head, declared[1]) if args else None
            rec = self.find_member(cls, ops[-2][1]) if cls and cls not in _BUILTIN_LITERALS else None
            if rec is not None:
                held = tuple(self.annotation_type(a, declared[1]) or "" for a in args)
                got = self.generic_return(rec, ops[-1][1], scopes, held)
                return self.annotation_type(got, []) if got else None
        # ... or the call the name was bound to declares (`parts = s.split(',')`, `parts[0]`).
        bound = self._bound_call_annotation(ops[0][1], scopes) if len(ops) > 1 and ops[0][0] == "name" \
            else None
        elem = _item_annotation(bound[0], ops[1:]) if bound is not None else None
        return self.annotation_in(elem, bound[1]) if elem and bound is not None else None

    def _eval_binding(self, b: _Binding, scopes: list[Any]) -> str | None:
        return self._at_binding(b, lambda: self._eval_binding_value(b, scopes))

    def _at_binding(self, b: _Binding, compute: Callable[[], Any]) -> Any:
        """`compute()` as seen from binding `b`'s line: its value reads only the names bound above it."""
        if b.line < 0:
            return compute()
        key = b.scope.id if b.scope is not None else None
        before = self._horizon.get(key)
        self._horizon[key] = b.line
        try:
            return compute()
        finally:
            if before is None:
                del self._horizon[key]
            else:
                self._horizon[key] = before

    def _bound_call_annotation(self, name: str, scopes: list[Any]) -> tuple[str, ApiRecord] | None:
        """(return annotation, record) of the call `name` was last bound to, where it names the items
        (`parts = line.split(',')`: `list[str]`), so `parts[0]` and `for p in parts` keep them."""
        found = self._binding_of(name, scopes)
        if not found or found[0].kind != "expr":
            return None
        b, bscopes = found
        ops = _chain(" ".join(b.value.split()))
        if not ops or len(ops) < 2 or ops[-1][0] != "call":
            return None
        ann, rec = self._at_binding(b, lambda: self._call_return(ops, bscopes))
        return (ann, rec) if rec is not None and "[" in ann and not _is_self(ann) else None

    def _eval_binding_value(self, b: _Binding, scopes: list[Any]) -> str | None:
        if b.kind == "path":
            return b.value
        if b.kind == "none":
            return None
        if b.kind == "local-class":
            return self._local_class(int(b.value))
        if b.kind == "local-def":
            return self._local_function(int(b.value))
        if b.kind == "ann":
            return self.annotation_type(b.value, scopes)
        if b.kind == "expr":
            return self.eval_text(b.value, scopes)
        if b.kind == "node-class":
            return self._local_class_node(b.value)
        if b.kind == "iter":
            return self.iter_element(b.value[0], b.value[1], scopes)
        if b.kind == "iter-part":  # a part of a tuple item: `k` of `for i, (k, v) in enumerate(d.items())`
            expr, path = b.value
            ann = self.iter_element(expr, path[0], scopes, annotated=True)
            for p in path[1:]:
                head, args = _type_args(ann) if ann else ("", [])
                if head.rsplit(".", 1)[-1].lower() != "tuple" or not args:
                    return None
                ann = args[0] if len(args) == 2 and args[1] == "..." else args[p] if p < len(args) else None
            return self.annotation_type(ann, []) if ann else None
        if b.kind == "unpack":
            return self.unpacked(b.value[0], b.value[1], scopes)
        if b.kind == "enter":  # `with X(...) as v`: what X's `__enter__` gives, X itself when it says Self
            t = self.eval_text(b.value, scopes)
            if t is None or t in _BUILTIN_LITERALS:
                return t
            ann, ctx = self._dunder_return(t, "__enter__")
            got = self.annotation_in(ann, ctx) if ann and ctx is not None and not _is_self(ann) else None
            if got is None and not ann:
                enter = self.find_member(t, "__enter__")
                pos = _extra(enter, "enters") if enter is not None else ""
                if pos and self._same_call(t, enter.parent):
                    # The wrapped object, not the wrapper, whether or not its type is known.
                    return self._entered(int(pos), b.value, scopes)
            return got or t
        return None

    def _same_call(self, t: str, owner: str) -> bool:
        """Whether class `t` is called as `owner` is (the same parameters): the position `__enter__`'s
        class gives is that of its own constructor, which a subclass may have changed."""
        if t == owner:
            return True
        a, b = self.record(t), self.record(owner)
        return a is not None and b is not None and [p.name for p in a.params] == [p.name for p in b.params]

    def _entered(self, pos: int, call: str, scopes: list[Any]) -> str | None:
        """The type of the `pos`-th positional argument of `call` (`closing(sqlite3.connect(db))`), which
        `with` binds where the class's `__enter__` hands back that constructor argument."""
        m = re.match(r"\s*[A-Za-z_][\w.]*\s*(?=\()", call)
        if m is None:
            return None
        positional = [a for a in _call_arguments(call[m.end():])[0] if not a.startswith("*")]
        return self.eval_text(positional[pos], scopes) if pos < len(positional) else None

    def _dunder_return(self, t: str, name: str,
                       where: ApiRecord | None = None) -> tuple[str, ApiRecord | None]:
        """(return annotation, record it is read in) of the special method `name` of class `t` or its
        nearest base that declares one: from the index, else from typeshed's stubs (the index has no
        special methods of classes written in C: `io.TextIOWrapper`'s `__next__` is `_io._TextIOBase`'s).
        A class the index lacks (typeshed's `os._ScandirIterator`) is read in `where`."""
        shipped = _shipped_returns()
        seen: set[str] = set()
        todo = [t]
        while todo and len(seen) < 12:
            cls = todo.pop(0)
            if cls in seen:
                continue
            seen.add(cls)
            rec = self.record(cls)
            if rec is None:
                if where is not None and shipped.get(f"{cls}.{name}"):
                    return shipped[f"{cls}.{name}"], where
                continue
            if rec.kind != "class":
                continue
            got = next((m for m in self.members_of(cls) if m[0].name == name and m[1] == 0), None)
            ann = _returns(got[0]) if got else ""
            if ann:
                return ann, got[0]
            for key in dict.fromkeys((f"{cls}.{name}", f"{rec.canonical_path}.{name}")):
                if shipped.get(key):
                    return shipped[key], rec
            todo.extend(self.bases_of(rec))
        return "", None

    def _declared_on(self, owner: str | None, rec: ApiRecord) -> str:
        """typeshed's return of method `rec` as a class between `owner` and the one that defines `rec`
        declares it: `open(p).readlines()` is `_TextIOBase.readlines`'s `list[str]`, not the C base
        `_IOBase`'s `list[bytes]` that the index lists the member under. "" where none nearer says (or
        no owner is known)."""
        defining = {rec.parent, rec.canonical_path.rsplit(".", 1)[0]}
        if rec.origin != "stdlib" or not owner or owner in defining:
            return ""
        shipped = _shipped_returns()
        todo, seen = [owner], set()
        while todo and len(seen) < 8:
            cls = todo.pop(0)
            r = self.record(cls)
            canon = r.canonical_path if r is not None else cls
            if cls in seen or cls in defining or canon in defining:
                continue
            seen.add(cls)
            hit = shipped.get(f"{canon}.{rec.name}") or shipped.get(f"{cls}.{rec.name}")
            if hit:
                return hit
            todo.extend(self.bases_of(r) if r is not None else [])
        return ""

    def _call_return(self, ops, scopes: list[Any], *, guess: bool = False) -> tuple[str, ApiRecord | None]:
        """(return annotation, callee record) of the call `ops` ends with: a function's or method's return,
        read on the receiver's class where a nearer declaration says more (`_declared_on`); "" for
        another callee (a class), and ("", None) for an unknown one. `guess`: a receiver of unknown type
        takes the class its name suggests (`for part in msg.walk()`)."""
        callee = self.eval_ops(ops[:-1], scopes)
        if callee is None and guess and len(ops) > 2 and ops[0][0] == "name" and ops[-2][0] == "attr":
            callee = self.eval_ops(ops[:-1], scopes, guess=True)
        rec = self.record(callee) if callee else None
        if rec is None or rec.kind not in ("function", "method"):
            return "", rec
        owner = self.eval_ops(ops[:-2], scopes) if len(ops) > 2 and ops[-2][0] == "attr" else None
        # `random.sample(words, 2)`: the `list[_T]` its arguments make, else what is declared.
        ann = self.generic_return(rec, ops[-1][1], scopes) or self._declared_on(owner, rec) or _returns(rec)
        return ann, rec

    def generic_return(self, rec: ApiRecord, args_text: str, scopes: list[Any],
                       held: tuple[str, ...] = ()) -> str | None:
        """The return annotation of a standard-library call whose stub makes it of its arguments' types
        (`random.choice(words)`: `str` for a list of str; `copy.deepcopy(cfg)`, `max(paths, key=...)`,
        `d.get(k, [])` of an untyped dict), in full paths; None where no argument's type binds it. The
        first overload the arguments fit (by count and keywords) that binds something gives it. `held`: the
        types a receiver's declaration gives its class's TypeVars (`Queue[str]`: `get()` is a str)."""
        if rec.origin != "stdlib" or rec.kind not in ("function", "method"):
            return None
        generic, typevars = _shipped_generic()
        forms = generic.get(rec.canonical_path) or generic.get(rec.public_path)
        if forms is None and rec.kind == "method":
            parts = rec.canonical_path.split(".")  # a class with a C twin is stubbed there
            forms = generic.get(f"_{parts[0]}.{'.'.join(parts[-2:])}") if len(parts) > 2 else None
        if not forms:
            return None
        # The same call is read again and again while one completion is ranked (each receiver that
        # uses its name): once per scope and horizon.
        key = (rec.public_path, args_text, tuple(id(s) for s in scopes), tuple(self._horizon.items()), held)
        if key not in self._generic_memo:
            self._generic_memo[key] = self._generic_return(forms, typevars, args_text, scopes, held)
        return self._generic_memo[key]

    def _generic_return(self, forms: list[dict[str, Any]], typevars: frozenset[str], args_text: str,
                        scopes: list[Any], held: tuple[str, ...]) -> str | None:
        positional, named, _ = _call_arguments("(" + args_text + ")")
        if any(a.startswith("*") for a in positional):
            return None  # splatted: which parameter gets what is unknown
        keywords = dict(named)
        for form in forms:
            wanted = set(_ANNOTATION_NAME.findall(form["returns"])) & typevars
            given = _fit_overload(form["params"], positional, keywords) if wanted else None
            if given is None:
                continue
            bound = {tv: t for tv, t in zip(form.get("owner", ()), held) if t}
            for name, _, _, ann in form["params"]:
                text = given.get(name)
                if not text or text == "None":
                    continue
                for tv, how in _typevar_uses(ann, typevars):
                    if tv in wanted and tv not in bound:  # `key: _KT` of `get -> _VT | _T` is not read
                        t = self.eval_text(text, scopes) if how == "same" else \
                            self.iter_element(text, None, scopes)
                        if t is not None:
                            bound[tv] = t
            for alt in _split_top(form["returns"], "|"):
                names = set(_ANNOTATION_NAME.findall(alt)) & typevars
                if names and names <= bound.keys():
                    return _ANNOTATION_NAME.sub(lambda m: bound.get(m.group(), m.group()), alt.strip())
        return None

    def _function_binding(self, fn, name: str, scopes: list[Any]) -> _Binding | None:
        found: _Binding | None = None
        params = fn.child_by_field_name("parameters")
        if params is not None:
            for pos, p in enumerate(params.named_children):
                pname = p.child_by_field_name("name") if p.type != "identifier" else p
                if p.type in ("typed_parameter", "list_splat_pattern", "dictionary_splat_pattern") \
                        and pname is None and p.named_child_count:
                    pname = p.named_children[0]
                splat = ""  # `*args` is a tuple, `**kw` a dict, whatever their items' annotation says
                if pname is not None and pname.type in ("list_splat_pattern", "dictionary_splat_pattern"):
                    splat, pname = pname.type, (pname.named_children[0] if pname.named_child_count else None)
                elif p.type in ("list_splat_pattern", "dictionary_splat_pattern"):
                    splat = p.type
                if pname is None or _t(pname) != name:
                    continue
                ann = p.child_by_field_name("type")
                default = p.child_by_field_name("value")
                if splat:
                    found = _Binding("ann", "dict" if splat == "dictionary_splat_pattern" else "tuple", fn)
                elif ann is not None:
                    found = _Binding("ann", _t(ann), fn)
                elif pos == 0 and (cls := _method_class(fn)) is not None \
                        and "staticmethod" not in _decorators(fn):
                    found = _Binding("node-class", cls)  # self / cls
                elif default is not None and default.type in _LITERAL_NODES and default.type != "none":
                    found = _Binding("ann", _LITERAL_NODES[default.type], fn)  # `sep=' '`: a str
                else:
                    found = _Binding("none")
        upto = self._horizon.get(fn.id, self.line + 1) - 1
        for st in _statements(fn.child_by_field_name("body"), upto):
            b = self._statement_binding(st, name, fn)
            if b is not None:
                found = b
                b.line = st.start_point[0]
        return found

    def _statement_binding(self, st, name: str, fn) -> _Binding | None:
        t = st.type
        if t == "expression_statement" and st.named_child_count:
            e = st.named_children[0]
            if e.type == "assignment":
                left = e.child_by_field_name("left")
                if left is not None and left.type == "identifier" and _t(left) == name:
                    if _PLACEHOLDER.encode() in st.text:
                        return None
                    ann = e.child_by_field_name("type")
                    if ann is not None:
                        return _Binding("ann", _t(ann), fn)
                    right = e.child_by_field_name("right")
                    if right is not None and right.type in _LITERAL_NODES \
                            and right.type not in _CONTAINER_NODES:
                        return _Binding("path", _LITERAL_NODES[right.type])
                    # A container keeps its text: its items say what `xs[0]` and `for x in xs` are.
                    return _Binding("expr", _t(right), fn) if right is not None else None
                if left is not None and left.type in ("pattern_list", "tuple_pattern") \
                        and any(_t(c).lstrip("*") == name for c in left.named_children):
                    right = e.child_by_field_name("right")
                    if right is None or _PLACEHOLDER.encode() in st.text:
                        return _Binding("none")
                    names = [_t(c) for c in left.named_children]
                    if "*" + name in names:
                        return _Binding("path", "list")  # `first, *rest = xs`
                    if any(n.startswith("*") for n in names):
                        return _Binding("iter", (_t(right), None), fn)
                    return _Binding("unpack", (_t(right), names.index(name)), fn)  # `conn, addr = s.accept()`
        elif t in ("import_statement", "import_from_statement"):
            target = _parse_import(_t(st), self.module, self.is_package).get(name)
            if target:
                return _Binding("path", target)
        elif t == "for_statement":
            left = st.child_by_field_name("left")
            right = st.child_by_field_name("right")
            got = _loop_binding(left, _t(right), name, fn) if left is not None else None
            if got is not None:
                return got if right is not None else _Binding("none")
            if left is not None and name in _t(left).replace("(", " ").replace(",", " ").split():
                return _Binding("none")
        elif t == "with_statement":
            for item in st.named_children:
                for wi in (item.named_children if item.type == "with_clause" else []):
                    v = wi.child_by_field_name("value")
                    if v is not None and v.type == "as_pattern":
                        alias = v.child_by_field_name("alias")
                        if alias is not None and _t(alias) == name and v.named_child_count:
                            return _Binding("enter", _t(v.named_children[0]), fn)
        elif t in ("function_definition", "class_definition"):
            if _t(st.child_by_field_name("name")) == name:
                return _Binding("node-class", st) if t == "class_definition" else _Binding("none")
        elif t == "as_pattern" and st.parent is not None and st.parent.type in ("except_clause",
                                                                                  "except_group_clause"):
            # `except (KeyError, ValueError) as e:`: an instance of (the first of) the classes
            target = st.child_by_field_name("alias")
            if target is not None and _t(target) == name and st.named_child_count:
                caught = st.named_children[0]
                if caught.type == "tuple" and caught.named_child_count:
                    caught = caught.named_children[0]
                return _Binding("ann", _t(caught), fn)
        if t in _STATEMENTS and t != "assert_statement":
            return None  # the rest looks into conditions (yielded as expressions), asserts and walruses
        if self._mentions(fn, b"isinstance") and (t == "assert_statement" or t != "expression_statement"
                                                  and st.parent is not None and st.parent.type in _NARROWING
                                                  and st == st.parent.child_by_field_name("condition")):
            # `assert isinstance(x, Foo)`, and in the body of `if isinstance(x, Foo):` (not after it)
            text = _t(st) if st.end_byte - st.start_byte < 2000 else ""
            m = re.search(rf"(?<!not )\bisinstance\(\s*{re.escape(name)}\s*,\s*\(?\s*([A-Za-z_][\w.]*)", text)
            if m is not None:
                body = st.parent.child_by_field_name("consequence") if t != "assert_statement" else None
                if body is None or body.start_point[0] <= self.line <= body.end_point[0]:
                    return _Binding("ann", m.group(1), fn)
            elif st.parent.type == "if_statement":
                # `if not isinstance(x, Foo): raise ...` with no else: x is a Foo below the `if`
                m = re.fullmatch(rf"\(?\s*not\s+isinstance\(\s*{re.escape(name)}\s*,"
                                 r"\s*\(?\s*([A-Za-z_][\w.]*)[^()]*\)?\s*\)\s*\)?", text)
                body = st.parent.child_by_field_name("consequence")
                if m is not None and body is not None and body.end_point[0] < self.line \
                        and st.parent.child_by_field_name("alternative") is None and body.named_child_count \
                        and body.named_children[-1].type in _EXITS:
                    return _Binding("ann", m.group(1), fn)
        if st.end_byte - st.start_byte < 4000 and self._mentions(fn, b":="):
            text = st.text
            if b":=" in text and _PLACEHOLDER.encode() not in text:
                return _walrus_binding(st, name, fn)  # `if (m := re.match(...)):`
        return None

    def _mentions(self, fn, word: bytes) -> bool:
        """Whether the function's text holds `word` (memoized per function: most have no walrus and no
        isinstance, and their statements need not be read for them); True outside functions."""
        if fn is None:
            return True
        key = (fn.start_byte, word)
        got = self._mentioned.get(key)
        if got is None:
            got = self._mentioned[key] = word in fn.text
        return got

    # -- evaluation -----------------------------------------------------------------------------------
    def eval_text(self, text: str, scopes: list[Any]) -> str | None:
        text = _AWAIT.sub("", " ".join(text.split()))  # an awaited call: what its stub declares
        text = _CHAINED.sub("", text)  # `x = y = Foo()`: the value
        if " if " in text or " or " in text:
            # `loop or get_event_loop()`, `Foo() if c else None`: the first alternative with a type
            alts = _alternatives(text)
            if len(alts) > 1:
                for alt in alts:
                    t = self.eval_text(alt, scopes) if alt.strip() not in ("None", "") else None
                    if t is not None:
                        return t
                return None
        ops = _chain(text)
        if ops is None:
            return None
        return self.eval_ops(ops, scopes)

    def eval_ops(self, ops, scopes, *, guess: bool = False) -> str | None:
        """The type of a receiver chain. `guess`: a head of unknown type takes the class its name
        suggests, and an attribute the class lacks or a subscript of a class counts as that class
        (`df.price.`, `df[cols].`: a DataFrame's column or selection has most of its methods)."""
        if self._depth > _MAX_DEPTH:
            return None
        self._depth += 1
        try:
            kind, val = ops[0]
            if kind == "name" and val == "super" and len(ops) > 1 and ops[1][0] == "call":
                t = self.super_type(scopes)  # `super().x`: the enclosing class's first base
                ops = ops[1:]
            elif kind == "name" and val == "type" and len(ops) > 1 and ops[1][0] == "call" \
                    and len(_split_top(ops[1][1])) == 1 and ops[1][1].strip():
                t = self.eval_text(ops[1][1], scopes)  # `type(self)(...)`: the class of the argument
                ops = ops[1:]
            elif kind == "name":
                t = self.resolve_name(val, scopes) or (self.guess_class(val) if guess else None)
            elif kind == "lit":
                t = val
            elif kind == "expr":
                t = self.eval_ops(val, scopes)
            elif kind == "binop":
                t = self.operator_type(*val, scopes)
            else:
                return None
            first = 1
            if ops[0][0] == "name":
                # `d[k].`, `d.get(k).`, `self.items[i].` of a container whose annotation names its items
                for n in (2, 3, 4):
                    if len(ops) >= n and (ops[n - 1][0] == "index" or ops[n - 1][0] == "call"
                                          and ops[n - 2][0] == "attr" and _takes_item(ops[n - 2][1])):
                        elem = self.declared_element(ops[:n], scopes)
                        if elem is not None:
                            t, first = elem, n
                            break
                else:
                    item = len(ops) >= 2 and ops[1][0] == "index" and not _top_level_colon(ops[1][1])
                    if t == "list" and (item or ops[1:3] == [("attr", "pop"), ("call", "")]):
                        elem = self.appended(val, scopes)  # `out[0]`, `out.pop()` of a list built by append
                        if elem is not None:
                            t, first = elem, (2 if ops[1][0] == "index" else 3)
            owner = None  # the type an attribute was taken from: what a `-> Self` method returns
            made = False
            for step, (kind, val) in enumerate(ops[first:], first + 1):
                if made:
                    made = False
                    continue
                if kind == "attr" and val == "__new__" and step < len(ops) and ops[step][0] == "call":
                    # `str.__new__(cls, v)`, `super().__new__(cls)`: an instance of the class passed
                    # (whatever the head: `super()` of a class without bases has no type here)
                    args = _split_top(ops[step][1])
                    t = self.eval_text(args[0], scopes) if args and args[0].strip() else None
                    owner, made = None, True
                    continue
                if t is None:
                    return None
                is_class = False
                if guess:
                    rec = self.record(t)
                    is_class = rec is not None and rec.kind == "class" and t not in _BUILTIN_LITERALS
                if kind == "attr" and val == "__class__":
                    owner = None  # `self.__class__(...)`: the receiver's class
                    continue
                if kind == "attr":
                    # Only a class that answers any attribute (a DataFrame's columns) lends its kind to
                    # a name it lacks: `self.rfile` of a request handler is no request handler.
                    lacks = is_class and self.find_member(t, val) is None
                    if lacks and self.find_member(t, "__getattr__") is None:
                        return None
                    owner, t = t, (t if lacks else self.attr_type(t, val))
                    if t and (step == len(ops) or ops[step][0] != "call"):
                        t = self.module_value_type(t) or t  # `sys.stdout.`: a TextIO, not the name
                elif kind == "call" and t in ("typing.cast", "typing_extensions.cast"):
                    args = _split_top(val)  # `cast(Foo, x)`, `cast("Foo", x)`: what it says
                    t, owner = (self.annotation_type(args[0].strip(), scopes) if args else None), None
                elif kind == "call":
                    # `random.choice(words)`, `d.get(k, '')`, `next(it, '')`: what the arguments make it
                    rec = self.record(t)
                    ann = (_literal_return(rec, val) or self.generic_return(rec, val, scopes)) \
                        if rec is not None else None
                    spec = _namedtuple_spec(f"namedtuple({val})") if t in _NAMEDTUPLE_MAKERS else None
                    made = spec and self.namedtuple_class(f"{self.module}.{spec[0]}", f"namedtuple({val})")
                    if made:
                        t = made  # `Point = namedtuple('Point', 'x y')`: the class, `Point(1, 2)` one of them
                    elif ann:
                        t = self.annotation_type(ann, [])
                    elif t == "next" and val.strip():
                        t = self.iter_element(_split_top(val)[0].strip(), None, scopes)
                    else:
                        t = self.call_type(t, owner, rec)
                    owner = None
                else:
                    t, owner = (self.index_type(t, val, owner) or (t if is_class else None)), None
            return t
        finally:
            self._depth -= 1

    def call_method(self, r: ApiRecord) -> ApiRecord | None:
        """The `__call__` of the object an attribute holds (numpy's `zeros: Final[_ConstructorEmpty]`,
        its ufuncs), or None."""
        cls = self.attribute_value_type(r)
        return self.find_member(cls, "__call__") if cls and cls not in _BUILTIN_LITERALS else None

    def attribute_call(self, r: ApiRecord) -> ApiRecord | None:
        """`call_method`, remembered per index generation for indexed records."""
        return self._per_generation(r, "callable_attr", lambda: self.call_method(r))

    def _per_generation(self, r: ApiRecord, kind: str, compute: Callable[[], Any]) -> Any:
        """`compute()` for the indexed record `r`, remembered per index generation (a definition of the
        open file: every call)."""
        src = next((s for s in self.sources if _lookups(s) is not None), None) if r.origin != "file" else None
        return compute() if src is None else _memoized(src, kind, (r.public_path, r.canonical_path), compute)

    def operator_type(self, operands: list, comparison: bool, op: str, scopes) -> str | None:
        """`a - b`, `(x < 8) & m`: what the stubs say the left operand's operator gives for the right
        one's type (`end - start` of two datetimes: a timedelta; `a / b` of ints: a float), else an
        array-like operand's class (numpy and pandas operators keep it), else the builtin result (`bool`
        for a comparison, the operands' shared type)."""
        types = [self.eval_ops(o, scopes) for o in operands]
        if op in _DUNDER and None not in types:
            got = _operator_result(types[0], _DUNDER[op], types[1])
            if got is not None:
                return got
        for t in types:
            if t is not None and t not in _BUILTIN_LITERALS:
                rec = self.record(t)
                if rec is not None and rec.kind == "class":
                    return t
        if comparison:
            # An operand of unknown type may be an array or a Series, whose comparisons are masks.
            return "bool" if all(t is not None for t in types) else None
        if types and types[0] in _SEQUENCE_OPERAND:
            return types[0]  # `'%s:%s' % (u, p)`, `'-' * n`, `[0] * n`, `xs + [y]`: the sequence
        known = {t for t in types if t is not None}
        if known == {"int", "float"}:
            return "float"
        return known.pop() if len(known) == 1 and len(types) == len([t for t in types if t]) else None

    def record(self, path: str) -> ApiRecord | None:
        rec = exact_record(self.all_sources, path)
        if rec is None:
            return self.stub_class(path)
        if rec.kind in ("attribute", "constant") and "amedtuple(" in rec.signature \
                and rec.origin != "file":
            # `_ParseResultBase = namedtuple('ParseResult', 'scheme netloc ...')`: a class of those fields
            made = self.namedtuple_class(rec.public_path, rec.signature.lstrip(" ="), rec.origin)
            return exact_record([self.local], made) if made else rec
        return rec

    def super_type(self, scopes: list[Any]) -> str | None:
        for sc in scopes:
            if sc.type == "class_definition":
                path = self._local_class_node(sc)
                rec = self.record(path) if path else None
                bases = self.bases_of(rec) if rec is not None else []
                return bases[0] if bases else None
        return None

    def base_guess(self, receiver: str) -> str | None:
        """For `x[k]` / `x.unknown` where x is an instance of a class: that class (a DataFrame's column
        or row selection has most of the DataFrame's methods); None for builtin containers."""
        ops = _chain(receiver)
        if not ops or len(ops) < 2 or ops[-1][0] not in ("index", "attr"):
            return None
        t = self.eval_ops(ops[:-1], self.scopes_at_cursor())
        if t is None or t in _BUILTIN_LITERALS or "." not in t:
            return None
        rec = self.record(t)
        if rec is None or rec.kind != "class" or rec.origin == "file":
            return None
        # `x.unknown` is the class's own kind of object only where the class answers any attribute
        # (a DataFrame's columns); `self.rfile` of a request handler is no request handler.
        if ops[-1][0] == "attr" and self.find_member(t, "__getattr__") is None:
            return None
        return t

    def iter_element(self, expr: str, pos: int | None, scopes: list[Any],
                     annotated: bool = False) -> str | None:
        """The type of a `for` target: an element of `expr` (item `pos` of a tuple element), from the
        annotation of what is iterated (`Iterable[tuple[Hashable, Series]]` for df.iterrows()). With
        `annotated`, its annotation in full paths where one declares it (`files` of `os.walk`:
        `list[str]`), so what the target holds is known too."""
        ops = _chain(" ".join(expr.split()))
        if not ops:
            return None
        if len(ops) == 1 and ops[0][0] == "lit" and ops[0][1] in ("list", "tuple", "set", "dict"):
            ann = self.container_annotation(expr.strip(), scopes)  # `for w in ['a', 'b']:`
            args = _type_args(ann)[1] if ann else []
            elem = args[0] if args and pos is None else None  # a dict's keys come first too
            return self.annotation_type(elem, []) if elem else None
        if len(ops) == 2 and ops[0][0] == "name" and ops[1][0] == "call" and ops[0][1] in _SAME_ITEMS:
            args = _split_top(ops[1][1])  # `sorted(xs)`, `reversed(xs)`, `filter(f, xs)`, `iter(xs)`
            i = 1 if ops[0][1] == "filter" else 0
            return self.iter_element(args[i].strip(), pos, scopes, annotated) if len(args) > i else None
        if len(ops) == 1 and ops[0][0] == "name":
            t = self.resolve_name(ops[0][1], scopes)
            if t in ("str", "builtins.str"):
                return "str" if pos is None else None  # a str's items are str
            got = self.appended(ops[0][1], scopes) if t in ("list", "set") and pos is None \
                and self._annotation_of(ops[0][1], scopes) is None else None  # a declaration says more
            if got is not None:
                return got
        if len(ops) == 2 and ops[0][0] == "name" and ops[1][0] == "call" \
                and ops[0][1] in ("enumerate", "zip"):
            args = _split_top(ops[1][1])
            if ops[0][1] == "enumerate":
                if pos == 0:
                    return "int"
                return self.iter_element(args[0], None, scopes, annotated) if pos == 1 and args else None
            if pos is None and annotated:  # `for i, (a, b) in enumerate(zip(xs, ys))`: a pair
                items = [self.iter_element(a, None, scopes, True) for a in args]
                return f"tuple[{', '.join(items)}]" if items and all(items) else None
            if pos is None or pos >= len(args):
                return None
            return self.iter_element(args[pos], None, scopes, annotated)
        view = ops[-2][1] if len(ops) >= 3 and ops[-2][0] == "attr" and ops[-1] == ("call", "") else ""
        container = ops[:-2] if view in ("items", "keys", "values") else ops
        declared = self._declared_container(container, scopes) if container and len(container) <= 2 else None
        if declared is not None:
            ann, ann_scopes = declared
            head, args = _type_args(ann)
            mapping = head.rsplit(".", 1)[-1] in _MAPPINGS
            declared_type = partial(self.annotation_type, scopes=ann_scopes)
            if view == "items" and mapping and len(args) == 2 and pos is None and annotated:
                pair = [self._resolved(a, declared_type, True) for a in args]  # `enumerate(d.items())`
                return f"tuple[{', '.join(pair)}]" if all(pair) else None
            if view and mapping and len(args) == 2:  # `for k, v in d.items()`, `for v in d.values()`
                i = pos if view == "items" else (0 if view == "keys" else 1) if pos is None else None
                return self._resolved(args[i], declared_type, annotated) if i is not None and i < 2 else None
            if not view:  # `for x in xs` with `xs: list[Foo]`; a mapping yields its keys
                elem = args[0] if args and mapping else _iter_arg(ann)
                if elem is not None and pos is None:
                    return self._resolved(elem, declared_type, annotated)
        one = len(ops) == 1 and ops[0][0] == "name"
        bound = self._bound_call_annotation(ops[0][1], scopes) if one else None
        ann, ctx = bound if bound is not None else self._iterated_annotation(ops, scopes)
        elem = _iter_arg(ann) if ann else None
        if elem is None and ann and ctx is not None and not _is_self(ann):
            # An iterator class (`os.scandir()`: `_ScandirIterator[str]`, `csv.reader()`): its `__next__`.
            cls = self.annotation_in(ann, ctx) or _annotation_head(ann)  # typeshed's name of a C class
            elem, ctx = self._dunder_return(cls, "__next__", ctx) if cls else ("", None)
            elem = elem or None
        if not ann and ctx is not None and self._depth <= _MAX_DEPTH:
            # The callee says nothing (`_iterated_annotation` gave its record): for a function or method
            # of this file, an item of what it first returns (`for child in path.children()` with
            # `return os.listdir(...)`), read in its own body.
            node, text = self.first_returned(ctx.public_path)
            if text:
                self._depth += 1
                try:
                    return self.iter_element(text, pos, [node], annotated)
                finally:
                    self._depth -= 1
        if elem is None or ctx is None:
            return None
        if pos is not None:
            head, args = _type_args(elem)
            if head.rsplit(".", 1)[-1].lower() != "tuple" or pos >= len(args):
                return None
            elem = args[pos]
        return self._resolved(elem, lambda t: self.annotation_in(t, ctx), annotated)

    def _resolved(self, text: str, resolve: Callable[[str], str | None], annotated: bool) -> str | None:
        """`resolve(text)`: the type an annotation names; with `annotated`, the annotation with each name
        resolved (`list[AnyStr]` -> `list[str]`; an argument nothing resolves is `typing.Any`)."""
        if not annotated:
            return resolve(text)
        head, args = _type_args(_annotation_text(text))
        got = resolve(head)
        if got is None or not args:
            return got
        inner = [a if a == "..." else self._resolved(a, resolve, True) or "typing.Any" for a in args]
        return f"{got}[{', '.join(inner)}]"

    def appended(self, name: str, scopes: list[Any]) -> str | None:
        """An item of a list or set built by `name.append(x)` / `name.add(x)` above the cursor (within
        the last 200 lines): the type of the last such `x`."""
        pat = re.compile(rf"(?<![\w.]){re.escape(name)}\s*\.\s*(?:append|add|insert)\(")
        for ln in range(self.line - 1, max(-1, self.line - 200), -1):
            text = self.lines[ln]
            m = pat.search(text)
            if m is None:
                continue
            end = _close(text, m.end() - 1)
            if end < 0:
                return None
            args = _split_top(text[m.end(): end - 1])
            arg = args[-1].strip() if args else ""  # insert(i, x): the last
            return self.eval_text(arg, scopes) if arg and "=" not in arg else None
        return None

    def unpacked(self, expr: str, pos: int, scopes: list[Any]) -> str | None:
        """Item `pos` of a call's `tuple[...]` result (`conn, addr = s.accept()`, or awaited:
        `reader, writer = await asyncio.open_connection(...)`: stubs declare what it gives)."""
        ops = _chain(_AWAIT.sub("", " ".join(expr.split())))
        if not ops or ops[-1][0] != "call" or len(ops) < 2:
            return self.iter_element(expr, None, scopes) if ops else None  # `a, b = pair_list`
        callee = self.eval_ops(ops[:-1], scopes)
        rec = self.record(callee) if callee else None
        if rec is None or rec.kind not in ("function", "method"):
            return None
        head, args = _type_args(_returns(rec))
        if head.rsplit(".", 1)[-1].lower() != "tuple" or pos >= len(args) or args[-1] == "...":
            return self.iter_element(expr, None, scopes)  # `k, v = line.split("=")`: items alike
        return self.annotation_in(args[pos], rec)

    def _iterated_annotation(self, ops, scopes: list[Any]) -> tuple[str | None, ApiRecord | None]:
        """An annotation whose element is what iterating `ops` yields (a call's return annotation, else
        its class's `__iter__`'s), with the record it is written in."""
        if ops[-1][0] == "call" and len(ops) > 1:
            ann, rec = self._call_return(ops, scopes, guess=True)
            if rec is not None and rec.kind in ("function", "method"):
                return ann or None, rec
            if rec is None or rec.kind != "class":
                return None, None
            t = rec.public_path
        else:
            t = self.eval_ops(ops, scopes)
        it = self.find_member(t, "__iter__") if t and t not in _BUILTIN_LITERALS else None
        if it is not None and _returns(it) and not _is_self(_returns(it)):
            return _returns(it), it
        if not t or t in _BUILTIN_LITERALS:
            return None, None
        # No `__iter__` in the index (a C class) or it returns Self: what `__next__` gives is the element.
        ann, ctx = self._dunder_return(t, "__next__")
        if ann and ctx is not None:
            return f"typing.Iterator[{ann}]", ctx
        ann, ctx = self._dunder_return(t, "__iter__")
        return (ann, ctx) if ann and ctx is not None and not _is_self(ann) else (None, None)

    def guess_chain(self, receiver: str) -> str | None:
        """`df.isna().` or `df[cols].` where `df` has no known type but its name suggests a class."""
        ops = _chain(receiver)
        if not ops or len(ops) < 2 or ops[0][0] != "name":
            return None
        return self.eval_ops(ops, self.scopes_at_cursor(), guess=True)

    def attr_type(self, t: str, name: str) -> str | None:
        rec = self.record(t)
        if rec is None or rec.kind == "module":
            return f"{t}.{name}"
        if rec.kind == "class":
            m = self.find_member(t, name)
            if m is None:
                return None
            if m.kind in ("method", "function", "constructor", "class"):
                return m.public_path
            if m.kind == "property":
                if _returns_self(m):
                    return t  # `arr.T`: the receiver's own class, not the base that declares it
                return self.returns_type(m)
            if not name.startswith("_") and self.is_enum(m.parent):
                return m.parent  # `Color.RED = 1` makes a Color (with .name, .value), not an int
            return self.attribute_value_type(m)
        return f"{t}.{name}"

    def is_enum(self, cls: str) -> bool:
        """Whether class `cls` derives from enum.Enum (or Flag, IntEnum, StrEnum: all do)."""
        todo, seen = [cls], set()
        while todo and len(seen) < 20:
            c = todo.pop()
            if c in seen:
                continue
            seen.add(c)
            if c in ("enum.Enum", "enum.Flag") or c in _shipped_enums():
                return True
            rec = self.record(c)
            if rec is not None and rec.kind == "class":
                todo.extend(self.bases_of(rec))
        return False

    def module_value_type(self, path: str) -> str | None:
        """The type of the object a module attribute holds (`sys.stdout`, `os.environ`), or None. A
        called one keeps its path: `np.zeros(...)` is its `__call__`'s return, not a `_ConstructorEmpty`."""
        rec = self.record(path)
        if rec is None or rec.kind not in ("attribute", "constant") or "." not in path:
            return None
        owner = self.record(path.rsplit(".", 1)[0])
        return self.attribute_value_type(rec) if owner is not None and owner.kind == "module" else None

    def call_type(self, t: str, owner: str | None = None, rec: ApiRecord | None = None) -> str | None:
        rec = rec or self.record(t)
        if rec is None:
            return None
        if rec.kind == "class":
            return rec.public_path
        if rec.kind in ("function", "method", "constructor"):
            if owner and _returns_self(rec):
                own = self.record(owner)
                if own is None or own.kind != "module":
                    return owner  # an inherited `-> Self` method returns the receiver's own class
                # A module's name for a class's method (`tarfile.open = TarFile.open`): that class.
                cls = rec.canonical_path.rsplit(".", 1)[0]
                got = self.record(cls)
                return cls if got is not None and got.kind == "class" else None
            nearer = self._declared_on(owner, rec)
            return (self.annotation_in(nearer, rec) if nearer else None) or self.returns_type(rec)
        if rec.kind == "attribute":  # a callable object
            call = self.call_method(rec)
            return self.returns_type(call) if call is not None else None
        return None

    def index_type(self, t: str, key: str = "", owner: str | None = None) -> str | None:
        """The type of `x[key]` for an `x` of type `t`: a slice of a sequence is that sequence (`s[1:]`),
        a str's item a str, an indexer's item a selection of the object it was taken from (`df.iloc[:,
        1:]` is a DataFrame: pandas does not annotate it), else what `__getitem__` declares (`arr[:,
        None]` is an ndarray)."""
        base = t.removeprefix("builtins.")
        if base == "str" or base in _SLICED and _top_level_colon(key):
            return base
        if base in _BUILTIN_LITERALS:
            return None
        if owner is not None and t.rsplit(".", 1)[-1].endswith("Indexer"):
            return owner
        get = self.find_member(t, "__getitem__")
        got = self.returns_type(get) if get is not None else None
        rec = self.record(got) if got else None
        if rec is not None and rec.kind == "class":
            return rec.public_path
        if get is None or _returns(get):
            return None
        # `__getitem__` says nothing (pandas): a label's item is what `items()` pairs labels with (a
        # DataFrame's column is a Series); a list of labels or a mask selects a smaller one of its kind.
        key = key.strip()
        if re.fullmatch(r"[rbuRBU]?(['\"]).*\1", key):
            items = self.find_member(t, "items")
            head, args = _type_args(_returns(items)) if items is not None else ("", [])
            pair = _type_args(args[0]) if len(args) == 1 else ("", [])
            if pair[0].rsplit(".", 1)[-1].lower() == "tuple" and len(pair[1]) == 2:
                return self.annotation_in(pair[1][1], items)
            return None
        return t if key.startswith("[") or re.search(r"[<>=!]=?|~|\bisin\(|\bis(?:na|null)\(", key) else None

    def first_returned(self, path: str) -> tuple[Any, str]:
        """(function node, text of its first returned value) of an unannotated function or method
        of the open file, else (None, "")."""
        got = self._returned.get(path)
        if got is None:
            node = self._unannotated.pop(path, None)
            value = _first_return(node.child_by_field_name("body")) if node is not None else None
            got = (node, _t(value)) if value is not None else (None, "")
            if node is not None:
                self._returned[path] = got
        return got

    def returns_type(self, rec: ApiRecord) -> str | None:
        returns = _returns(rec)
        node, text = self.first_returned(rec.public_path) if not returns else (None, "")
        if text:
            # A function or method of this file with no annotation: what its first `return value`
            # evaluates to (the open file's text, also where the index has the same definition).
            return self.eval_text(text, [node])
        if not returns and rec.kind == "method" and _extra(rec, "result") != "none":
            return self._per_generation(rec, "overridden_type", lambda: self._overridden_type(rec))
        return self.annotation_in(returns, rec) if returns else None

    def _overridden_type(self, rec: ApiRecord) -> str | None:
        """An override that says nothing returns what the method it overrides is declared to:
        `ThreadPoolExecutor.submit` is `Executor.submit`'s `-> Future` in typeshed."""
        owner = self.record(rec.public_path.rsplit(".", 1)[0])
        for base in self.bases_of(owner) if owner is not None and owner.kind == "class" else ():
            m = self.find_member(base, rec.name)
            returns = _returns(m) if m is not None else ""
            if returns:
                return self.annotation_in(returns, m)
        return None

    def annotation_in(self, text: str, rec: ApiRecord) -> str | None:
        """The type an annotation written in `rec` names: by the open file's names for its own
        definitions, else relative to the record's module in the index."""
        if rec.origin == "file" or rec.public_path in self._attr_ctx:
            return self.annotation_type(text, [])
        return self.index_annotation_type(text, rec)

    def attribute_value_type(self, m: ApiRecord) -> str | None:
        path = m.public_path
        ctx = self._attr_ctx.get(path)
        if ctx is not None:
            if path in self._attr_types:
                return self._attr_types[path]
            if path in self._attr_busy:
                return None  # `self.a = self.b`, `self.b = self.a`: a cycle says nothing
            # The first value that has a type: `self.data = seq` says nothing of an unannotated
            # parameter, `self.data = str(seq)` in the next branch does. The further values only
            # near the top of an evaluation: each may name other attributes, each with its own.
            values = [ctx, *self._attr_alts.get(path, ())] if self._depth <= 2 else [ctx]
            self._attr_busy.add(path)
            try:
                for text, is_ann, scope in values:
                    scopes = [scope] if scope is not None else []
                    t = self.annotation_type(text, scopes) if is_ann else self.eval_text(text, scopes)
                    if t is not None or is_ann:
                        break
                else:
                    t = None
            finally:
                self._attr_busy.discard(path)
            if t is not None:
                self._attr_types[path] = t
            return t
        sig = m.signature
        if sig.startswith(":"):
            return self.index_annotation_type(sig[1:].split("=", 1)[0].strip(), m)
        declared = _returns(m) if m.origin == "stdlib" else ""
        if declared:  # typeshed's declaration of a stdlib attribute (`stdout: TextIO`), shipped
            return self.index_annotation_type(declared, m)
        # `columns = properties.AxisProperty(axis=0)`: an instance of a class, or what its `__get__`
        # returns when it is a descriptor (the DataFrame's columns are an Index).
        call = re.match(r"\s*=\s*([A-Za-z_][\w.]*)\s*\(", sig)
        if call:
            t = self.index_annotation_type(call.group(1), m)
            rec = self.record(t) if t and t not in _BUILTIN_LITERALS else None
            if rec is not None and rec.kind == "class":
                get = self.find_member(t, "__get__")
                if get is None:
                    return t
                # An accessor descriptor whose `__get__` says nothing builds the class it was given:
                # pandas' `str = Accessor("str", StringMethods)`.
                return self.returns_type(get) or self._class_argument(sig[call.end():], m)
            if rec is not None and rec.kind == "function":
                return self.returns_type(rec)  # `self.stdin = io.open(...)`: what the function returns
        return None

    def _class_argument(self, args: str, m: ApiRecord) -> str | None:
        """The one class named among a call's arguments (`"str", StringMethods)`), else None."""
        end = _close("(" + args, 0)
        found = None
        for a in _split_top(args[: end - 2] if end > 0 else args):
            a = a.strip()
            if re.fullmatch(r"[A-Za-z_][\w.]*", a):
                t = self.index_annotation_type(a, m)
                rec = self.record(t) if t and t not in _BUILTIN_LITERALS else None
                if rec is not None and rec.kind == "class":
                    if found is not None:
                        return None
                    found = rec.public_path
        return found

    def annotation_type(self, text: str, scopes: list[Any]) -> str | None:
        name = _annotation_head(text)
        if not name:
            return None
        if name in _BUILTIN_LITERALS:
            return name
        head, _, rest = name.partition(".")
        if head == "typing" and rest:
            head, rest = rest, ""
        if head in _TYPING and not rest:
            mapped = _TYPING[head]
            if mapped is None:
                return None
            if self.resolve_name(head, scopes) in (None, f"typing.{head}"):
                return mapped
        base = self.resolve_name(head, scopes)
        if base is None:
            # A full path (a container literal's items: `__main__.Foo` of `[Foo(), Foo()]`)
            return name if rest and self.record(name) is not None else None
        return f"{base}.{rest}" if rest else base

    def index_annotation_type(self, text: str, rec: ApiRecord, depth: int = 0) -> str | None:
        name = _annotation_head(text)
        if not name or name in _ANY:
            return None  # `re.findall`'s `list[Any]`: items of any type, no members to offer
        if name in _BUILTIN_LITERALS:
            return name
        if name in _TYPING and _TYPING[name]:
            return _TYPING[name]
        if name.rsplit(".", 1)[-1] == "Self":  # the method's own class
            owner = self.record(rec.public_path.rsplit(".", 1)[0])
            return owner.public_path if owner is not None and owner.kind == "class" else None
        r = self._stub_name(name, rec)
        if r is None and "." in name:  # `np.ndarray` in a stub that imports numpy as np
            tail = name.rsplit(".", 1)[1]
            r = self._stub_name(tail, rec)
            # The record does not keep its module's imports: `np.ndarray` in pandas' source is the
            # top-level module that defines `ndarray` (as for a snippet's unbound `np.`).
            for src in self.sources if r is None else ():
                mod = _top_module_defining(src, tail)
                if mod:
                    r = self.record(f"{mod}.{tail}")
                    break
        if r is None:
            return None
        # A stub's TypeVar or type alias stands for its bound or target: numpy's `array()` returns
        # `_ArrayT` (bound=ndarray), `arange()` an `_Array1D[...]` (= ndarray[...]).
        target = _alias_target(r) if r.kind == "attribute" and depth < 4 else None
        if target:
            return self.index_annotation_type(target, r, depth + 1)
        return r.public_path

    def _stub_name(self, name: str, rec: ApiRecord) -> ApiRecord | None:
        """The record `name` means in `rec`'s module: looked up there, then in each enclosing package."""
        module = rec.canonical_path.rsplit(".", 1)[0]
        while module:
            r = self.record(f"{module}.{name}")
            if r is not None:
                return r
            module = module.rsplit(".", 1)[0] if "." in module else ""
        r = self.record(name)
        if r is None and "." not in name:
            # Imported into the stub from elsewhere in its package (`from numpy._typing import NDArray`).
            package = rec.canonical_path.split(".", 1)[0]
            for src in self.sources:
                path = _named_in_package(src, package, name)
                if path:
                    return self.record(path)
        return r

    def stub_class(self, path: str) -> ApiRecord | None:
        """A standard-library class only typeshed's stubs define (`sys._version_info`, zlib's
        `_Compress`, `select.poll`), as a local record with its members (their returns are the
        stubs'), or None."""
        got = _shipped_members().get(path)
        if got is None:
            return None
        rec = ApiRecord(public_path=path, canonical_path=path, kind="class", origin="stdlib")
        self.local.add(rec)
        for kind, names in zip(("method", "attribute"), got):
            for name in names.split():
                mp = f"{path}.{name}"
                self.local.add(ApiRecord(public_path=mp, canonical_path=mp, kind=kind, origin="stdlib"))
        return rec

    # -- local definitions -----------------------------------------------------------------------------
    def namedtuple_class(self, path: str, call: str, origin: str = "file") -> str | None:
        """The class a namedtuple call makes, as a local record at `path` with a record per field (and
        tuple's members as its base's), or None when `call` is no such call."""
        if self.local.by_path.get(path):
            return path
        spec = _namedtuple_spec(call)
        if spec is None:
            return None
        self.local.add(ApiRecord(public_path=path, canonical_path=path, kind="class", origin=origin,
                                 extra=(("bases", "tuple"),)))
        for i, (field, ann) in enumerate(spec[1]):
            fp = f"{path}.{field}"
            self.local.add(ApiRecord(public_path=fp, canonical_path=fp, kind="attribute", origin=origin,
                                     summary=f"Alias for field number {i}"))
            if ann:
                self._attr_ctx[fp] = (ann, True, None)
        return path

    def _local_class(self, start: int) -> str | None:
        node = self.block_node(start)
        if node.type != "class_definition":
            return None
        return self._local_class_node(node)

    def _local_class_node(self, node) -> str | None:
        name = _t(node.child_by_field_name("name"))
        path = f"{self.module}.{name}"
        if self.local.by_path.get(path):
            return path
        bases = []
        supers = node.child_by_field_name("superclasses")
        if supers is not None:
            bases = [_t(c) for c in supers.named_children if c.type != "keyword_argument"]
        self.local.add(ApiRecord(public_path=path, canonical_path=path, kind="class", origin="file",
                                 line=node.start_point[0] + 1, summary=summarize(_docstring(node)),
                                 extra=(("bases", ",".join(bases)),) if bases else ()))
        body = node.child_by_field_name("body")
        attrs: dict[str, tuple[str, bool, Any]] = {}
        others: dict[str, list[tuple[str, bool, Any]]] = {}  # further values of the attributes
        for st in _statements(body):
            inner = st.child_by_field_name("definition") if st.type == "decorated_definition" else st
            if inner is None:
                continue
            if inner.type == "function_definition":
                fname = _t(inner.child_by_field_name("name"))
                decos = _decorators(inner)
                kind = "property" if any(d.split("(")[0].endswith(("property", "cached_property"))
                                         for d in decos) else "method"
                ret = inner.child_by_field_name("return_type")
                params, returns, sig, summary, extra = _method_facts(inner, "staticmethod" not in decos)
                self.local.add(ApiRecord(public_path=f"{path}.{fname}", canonical_path=f"{path}.{fname}",
                                         kind=kind, origin="file", line=inner.start_point[0] + 1,
                                         params=params, returns=returns, signature=sig, summary=summary,
                                         extra=extra))
                if ret is not None:
                    self._attr_ctx[f"{path}.{fname}"] = (_t(ret), True, None)
                else:  # as for the file's functions: what it first returns (read when asked)
                    self._unannotated[f"{path}.{fname}"] = inner
                for a, v in _self_assignments(inner, others).items():
                    # `__init__` says what an attribute holds, unless it only sets it to None there.
                    if a not in attrs or _unset(attrs[a]) or fname == "__init__" and not _unset(v):
                        if a in attrs:
                            others.setdefault(a, []).insert(0, attrs[a])
                        attrs[a] = v
                    else:
                        others.setdefault(a, []).append(v)
            elif inner.type == "expression_statement" and inner.named_child_count:
                e = inner.named_children[0]
                if e.type == "assignment" and _t(e.child_by_field_name("left")).isidentifier():
                    ann = e.child_by_field_name("type")
                    right = e.child_by_field_name("right")
                    aname = _t(e.child_by_field_name("left"))
                    if ann is not None:
                        attrs[aname] = (_t(ann), True, None)
                    elif right is not None and (aname not in attrs or _unset(attrs[aname])):
                        attrs[aname] = (_t(right), False, None)
        for a, ctx in attrs.items():
            ap = f"{path}.{a}"
            if self.local.by_path.get(ap):
                continue
            self.local.add(ApiRecord(public_path=ap, canonical_path=ap, kind="attribute", origin="file"))
            self._attr_ctx[ap] = ctx
            if others.get(a):
                self._attr_alts[ap] = [o for o in others[a] if not _unset(o)][:_MAX_ALTS]
        return path

    def _local_function(self, start: int) -> str | None:
        node = self.block_node(start)
        if node.type != "function_definition":
            return None
        name = _t(node.child_by_field_name("name"))
        path = f"{self.module}.{name}"
        if not self.local.by_path.get(path):
            params = _params(node, drop_first=False)
            ret = " ".join(_t(node.child_by_field_name("return_type")).split())
            if not ret:
                self._unannotated[path] = node  # what it first returns, read when asked
            self.local.add(ApiRecord(public_path=path, canonical_path=path, kind="function", origin="file",
                                     params=params, returns=ret, signature=format_signature(params, ret),
                                     line=node.start_point[0] + 1, summary=summarize(_docstring(node)),
                                     extra=_result_extra(node)))
        return path

    # -- members ------------------------------------------------------------------------------------
    def bases_of(self, rec: ApiRecord) -> list[str]:
        raw = _extra(rec, "bases")
        if not raw and rec.origin == "stdlib" and rec.kind == "class":
            # An enum made by a decorator (`@_simple_enum(IntEnum)`): the stub says its bases.
            return list(_shipped_enums().get(rec.public_path, ()))
        out = []
        if "amedtuple(" in raw:  # `class uname_result(collections.namedtuple("uname_result_base", "..."))`
            bases = []
            for b in _split_top(raw):
                spec = _namedtuple_spec(b) if "amedtuple(" in b else None
                made = self.namedtuple_class(f"{rec.parent}.{spec[0]}" if rec.parent else spec[0], b,
                                             rec.origin) if spec else None
                if made:
                    out.append(made)
                else:
                    bases.append(b)
            raw = ",".join(bases)
        for b in raw.split(","):
            b = b.split("[", 1)[0].strip()
            if not b or b in ("object", "Generic", "Protocol", "typing.Generic", "typing.Protocol"):
                continue
            if rec.origin == "file":
                t = self.annotation_type(b, [])
            else:
                t = self.index_annotation_type(b, rec)
            if t:
                out.append(t)
        return out

    def members_of(self, path: str) -> list[tuple[ApiRecord, int]]:
        """Members of `path` and (for classes) its bases, nearest first, one per name."""
        memo = self._members_memo  # the class guess and the pool both ask
        if path in memo:
            return memo[path]
        seen_types: set[str] = set()
        names: dict[str, tuple[ApiRecord, int]] = {}
        queue = [(path, 0)]
        while queue:
            p, depth = queue.pop(0)
            if p in seen_types or depth > 6:
                continue
            seen_types.add(p)
            mems: list[ApiRecord] = []
            for src in self.all_sources:
                mems.extend(_members(src, p))
            rec = self.record(p)
            if rec is not None and rec.public_path != p:  # an alias/canonical name: members live under the public one
                for src in self.all_sources:
                    mems.extend(_members(src, rec.public_path))
            if rec is not None and rec.kind == "module":
                # What the module defines but its package re-exports (asyncio.tasks.gather is asyncio.gather).
                for src in self.all_sources:
                    mems.extend(_defined_in(src, rec.canonical_path))
            for r in sorted(mems, key=lambda r: r.private):
                name = _static(r)[0]
                if name not in names:
                    names[name] = (r, depth)
            if rec is not None and rec.kind == "class":
                for b in self.bases_of(rec):
                    queue.append((b, depth + 1))
        memo[path] = out = list(names.values())
        return out

    def find_member(self, t: str, name: str) -> ApiRecord | None:
        if t == "argparse.Namespace":  # `args.limit.▮`: what its add_argument call says it holds
            got = next((r for r in _parsed_arguments("\n".join(self.lines)) if r.name == name), None)
            if got is not None:
                if not self.local.by_path.get(got.public_path):
                    self.local.add(got)
                    if got.returns:
                        self._attr_ctx[got.public_path] = (got.returns, True, None)
                return got
        seen: set[str] = set()
        queue = [t]
        while queue:
            p = queue.pop(0)
            if p in seen or len(seen) > 12:
                continue
            seen.add(p)
            r = self.record(f"{p}.{name}")
            if r is not None:
                return r
            rec = self.record(p)
            if rec is not None and rec.kind == "class":
                queue.extend(self.bases_of(rec))
        return None

    # -- guesses for receivers of unknown type -----------------------------------------------------------
    def module_aliases(self) -> dict[str, str]:
        """Local name -> module for the file's module imports (and modules guessed for unbound names)."""
        if self._aliases is None:
            out: dict[str, str] = {}
            for name, lst in self.module_bindings().items():
                b = lst[-1][1]
                if b.kind == "path":
                    rec = self.record(b.value)
                    # An API corpus has no module record, only its members (`monkey.sip`).
                    if rec is not None and rec.kind == "module" or rec is None and any(
                            _members(src, b.value) for src in self.sources):
                        out[name] = b.value
            self._aliases = out
        return self._aliases

    def _text_before(self) -> str:
        if self._before is None:
            self._before = "\n".join(self.lines[: self.line] + [self.cur[: self.character]])
        return self._before

    def guess_module(self, name: str) -> str | None:
        """The module an unbound name stands for in a snippet whose imports are cut off, from what is
        used on it (`mk.KnowledgeFrame(...)` -> the module that defines KnowledgeFrame), or None."""
        aliases = self.module_aliases()
        if name in aliases:
            return aliases[name]
        if name in _NOT_MODULES or name in self.module_bindings() or name in self._not_modules:
            return None
        self._not_modules.add(name)
        text = self._text_before()
        if _uses(text, [name], r"\s*(?:[,)=:]|\bin\b)", first=True):
            return None  # a parameter, loop variable or assigned name, not a module
        attrs = list(dict.fromkeys(m.group(1) for m in _uses(text, [name], r"\.([A-Za-z_]\w*)")))[:3]
        for attr in attrs:
            for src in self.sources:
                mod = _top_module_defining(src, attr)
                if mod:
                    aliases[name] = mod
                    return mod
        return None

    def imported_modules(self, guess: bool = False) -> list[str]:
        """Dotted targets of the file's module imports; with `guess`, also modules guessed for the
        unbound names used as `x.y` (at most a few)."""
        if guess:
            seen = 0
            for m in _TOP_ATTR.finditer(self._text_before()[-20000:]):
                base = m.group(1)
                if base in self.module_aliases() or base in self._not_modules:
                    continue
                if base in self.module_bindings() or base in _BUILTIN_LITERALS:
                    continue
                seen += 1
                if seen > 4:
                    break
                self.guess_module(base)
        return list(dict.fromkeys(self.module_aliases().values()))

    def classes_in_reach(self) -> list[str]:
        """Classes the file defines or imports, and the classes of the modules it imports."""
        out: dict[str, None] = {}
        for name, lst in self.module_bindings().items():
            b = lst[-1][1]
            if b.kind == "local-class":  # parsed only when its name matches (see guess_class)
                out[f"{self.module}.{name}"] = None
                self._local_starts[f"{self.module}.{name}"] = int(b.value)
            elif b.kind == "path":
                rec = self.record(b.value)
                if rec is not None and rec.kind == "class":
                    out[b.value] = None
                elif rec is None and b.value in self.module_aliases().values() or \
                        rec is not None and rec.kind == "module":
                    for src in self.sources:
                        for path in _module_classes(src, b.value):
                            out[path] = None
        # A module inside a package works with its package's API (asyncio's locks.py with Future).
        if self.module and "." in self.module:
            for src in self.sources:
                for path in _module_classes(src, self.module.split(".", 1)[0]):
                    out.setdefault(path, None)
        return list(out)

    def guess_class(self, receiver: str) -> str | None:
        """The class a receiver's name suggests (`df` -> DataFrame, `fut` -> Future, `response` ->
        HTTPResponse, `self._loop` -> AbstractEventLoop) among the classes in reach, or None."""
        m = re.search(r"([A-Za-z_]\w*)$", receiver)
        if m is None or m.group(1) in ("self", "cls") or not re.fullmatch(r"[\w.]+", receiver):
            return None
        toks = [t for t in re.split(r"[_\d]+", m.group(1).lower()) if len(t) >= 2]
        if not toks:
            return None
        usage = _shipped_usage()
        cands = []
        for path in self.classes_in_reach():
            cname = path.rsplit(".", 1)[-1]
            sc = 0.0
            for i, t in enumerate(reversed(toks)):
                s = _name_class_match(t, cname) * (1.0 if i == 0 else 0.8)
                sc = max(sc, s)
            if sc < 1.0:
                continue
            cands.append(((sc, usage.get(path, 0)), path))
        # Best match, then usage; the member count (costly: bases are walked) only breaks ties. A
        # class of the file is parsed only when it could win (a big class body costs milliseconds).
        for top in sorted({key for key, _ in cands}, reverse=True):
            best: tuple | None = None
            for key, path in cands:
                if key != top:
                    continue
                if path in self._local_starts and self._local_class(self._local_starts[path]) != path:
                    continue
                key = (len(self.members_of(path)), -len(path.rsplit(".", 1)[-1]))
                if best is None or key > best[0]:
                    best = (key, path)
            if best is not None:
                return best[1]
        return None

    def infer(self, receiver: str) -> str | None:
        ops = _chain(receiver)
        if ops is None:
            if receiver.startswith("(") and _close(receiver, 0) == len(receiver):
                # `(match.group(1) or '').▮`: an `or` / conditional in parentheses
                return self.eval_text(receiver[1:-1], self.scopes_at_cursor())
            return None
        return self.eval_ops(ops, self.scopes_at_cursor())


def _top_module_defining(src: Any, attr: str) -> str | None:
    """The top-level module of `src` that defines a public class or function `attr`, or None."""
    lk = _lookups(src)
    return None if lk is None else lk.top_module_defining(attr)


def _named_in_package(src: Any, package: str, name: str) -> str | None:
    """The shortest public path of a class or module-level name `name` defined in `package`."""
    lk = _lookups(src)
    return None if lk is None else lk.named_in_package(package, name)


def _module_classes(src: Any, module: str) -> list[str]:
    """Paths of the public classes directly in `module` (memoized per index generation)."""
    lk = _lookups(src)
    if lk is None:
        return [f"{module}.{r.name}" for r in _members(src, module) if r.kind == "class" and not r.private]
    return lk.module_classes(module)


@lru_cache(maxsize=65536)
def _name_class_match(t: str, cname: str) -> float:
    """How well one lowercase token of a variable name names the class `cname`."""
    from .textproc import in_order, split_identifier

    low = cname.lower()
    parts = split_identifier(cname)
    if t == low or (len(parts) > 1 and t == "".join(p[0] for p in parts)):
        return 3.0  # `series`, `df`
    if parts and t == parts[-1]:
        return 2.5  # `response` -> HTTPResponse
    if len(t) >= 3 and parts and parts[-1].startswith(t):
        return 2.2  # `fut` -> Future, `sock` -> socket: the class's head noun, so `transp` is a Transport
    if len(t) >= 3 and any(p.startswith(t) for p in parts):
        return 2.0  # ... more than a TransportSocket
    # Inside one word of the name, not across two: `reader` is in "threaderror", not in Thread or Error.
    if len(t) >= 3 and (any(t in p for p in parts) or (t[0] == low[0] and in_order(t, low))):
        return 1.0  # `arr` -> ndarray, `msg` -> Message
    return 0.0


def _annotation_head(text: str) -> str:
    """`Optional["pkg.Foo"]` / `Foo | None` / `list[int]` -> the type name users call members on."""
    s = _annotation_text(text).split("[", 1)[0].strip()
    return s if re.fullmatch(r"[A-Za-z_][\w.]*", s or "-") else ""


def _returns(rec: ApiRecord) -> str:
    """The record's return annotation; for the standard library, whose source has almost none,
    typeshed's (shipped, names qualified). A C function's docstring says what it returns in prose
    (`-> lock object`, `-> (tm_year,tm_mon,...)`): typeshed's word goes first for those."""
    if rec.origin != "stdlib" or (rec.returns and not rec.file.startswith("inspect:")):
        return rec.returns
    got = _shipped_returns()
    hit = got.get(rec.canonical_path) or got.get(rec.public_path)
    if hit is None and rec.kind in ("method", "property", "attribute"):
        # Classes with a C twin are stubbed there: asyncio.futures.Future is _asyncio.Future.
        parts = rec.canonical_path.split(".")
        hit = got.get(f"_{parts[0]}.{'.'.join(parts[-2:])}") if len(parts) > 2 else None
    return hit or (rec.returns if _TYPE_TEXT.fullmatch(rec.returns) else "")


# A type as annotations write it (`str`, `list[int]`, `Foo | None`), not docstring prose ("lock object").
_TYPE_TEXT = re.compile(r"[A-Za-z_][\w.]*(?:\[.*\])?(?:\s*\|\s*[A-Za-z_][\w.]*(?:\[.*\])?)*", re.S)


def _is_self(annotation: str) -> bool:
    return annotation.rsplit(".", 1)[-1].strip() == "Self"


def _returns_self(rec: ApiRecord) -> bool:
    """`-> Self`: the method or property returns its receiver's own class."""
    return _is_self(_annotation_head(_returns(rec)))


_TYPEVAR_BOUND = re.compile(r"""^=\s*TypeVar\(\s*["']\w+["']\s*,\s*bound\s*=\s*(.+?)\s*,?\s*\)?\s*$""", re.S)
_TYPE_ALIAS = re.compile(r"^:\s*(?:typing\.|typing_extensions\.)?TypeAlias\s*=\s*(.+)$", re.S)


def _alias_target(r: ApiRecord) -> str:
    """The annotation a stub's TypeVar (its bound) or type alias stands for, or ""."""
    sig = r.signature.strip()
    m = _TYPEVAR_BOUND.match(sig) or _TYPE_ALIAS.match(sig)
    return m.group(1).strip() if m else ""


_ITERABLES = frozenset({
    "Iterator", "Iterable", "Generator", "AsyncIterator", "AsyncIterable", "AsyncGenerator", "list", "List",
    "Sequence", "MutableSequence", "set", "Set", "frozenset", "FrozenSet", "Collection", "deque", "Deque",
    "KeysView", "ValuesView", "Reversible"})


def _type_args(text: str) -> tuple[str, list[str]]:
    """`Iterable[tuple[int, str]]` -> ("Iterable", ["tuple[int, str]"])."""
    s = text.strip().strip("'\"").strip()
    m = re.match(r"^([A-Za-z_][\w.]*)\s*\[(.*)\]$", s, re.S)
    return (m.group(1), [a.strip() for a in _split_top(m.group(2))]) if m else (s, [])


_TAKE = frozenset({"get", "pop", "setdefault", "popleft"})  # the calls that take an item out of a container
_MAPPINGS = frozenset({"dict", "Dict", "Mapping", "MutableMapping", "defaultdict", "DefaultDict",
                       "OrderedDict", "ChainMap", "Counter"})
_SEQUENCES = frozenset({"list", "List", "Sequence", "MutableSequence", "deque", "Deque"})


def _item_annotation(annotation: str, rest: list) -> str | None:
    """The annotation of an item taken from a container so annotated: `[k]`, `.get(k)`, `.pop(k)`,
    `.setdefault(k, v)` of a mapping give its value type; `[i]` and `.pop()` of a sequence its
    element type (`tuple[X, ...]` too), and a slice of a sequence the sequence. Anything else: None."""
    head, args = _type_args(_annotation_text(annotation))
    head = head.rsplit(".", 1)[-1]
    if not rest or not args:
        return None
    op, arg = rest[0]
    if op == "index" and ":" in arg:
        return _annotation_text(annotation) if len(rest) == 1 and head in _SEQUENCES else None  # a slice
    taken = op == "index" or (len(rest) > 1 and op == "attr" and rest[1][0] == "call")
    if not taken or len(rest) > (1 if op == "index" else 2):
        return None
    method = rest[0][1] if op == "attr" else ""
    if head in _MAPPINGS and len(args) == 2 and method in ("", "get", "pop", "setdefault"):
        return args[1]
    if head in _SEQUENCES and method in ("", "pop", "popleft"):
        return args[0]
    if head.lower() == "tuple" and method == "" and len(args) == 2 and args[1] == "...":
        return args[0]
    return None


_WRAPPED = re.compile(r"^(?:typing\.)?(Optional|Union|Annotated|Final|ClassVar)\[(.*)\]$", re.S)


def _annotation_text(annotation: str) -> str:
    """`Optional["X"]`, `X | None`, `Union[X, Y]`, `Final[X]`, `Annotated[X, ...]` -> `X`, its own
    arguments kept (`dict[str, Foo]`); "" where nothing but None is left."""
    s = annotation.strip().strip("'\"").strip()
    for _ in range(4 if "[" in s else 0):
        m = _WRAPPED.match(s)
        if not m:
            break
        parts = [p.strip() for p in _split_top(m.group(2))]
        parts = [p for p in parts if p not in ("None", "type(None)")]
        s = parts[0].strip("'\"") if parts else ""
    if "|" in s:  # brackets only need the slower split that skips them (`dict[str, X | None] | None`)
        parts = [p.strip() for p in (_split_top(s, "|") if "[" in s else s.split("|"))
                 if p.strip() not in ("None", "")]
        s = parts[0] if parts else ""
    return s


def _iter_arg(annotation: str) -> str | None:
    """What iterating a value of this annotation yields (`Iterator[X]`, `list[X]`, `tuple[X, ...]`)."""
    head, args = _type_args(annotation)
    head = head.rsplit(".", 1)[-1]
    if not args:
        return None
    if head in _ITERABLES:
        return args[0]
    if head.lower() == "tuple" and len(args) == 2 and args[1] == "...":
        return args[0]
    return None


def _split_top(s: str, sep: str = ",") -> list[str]:
    """`s` split at `sep` (a character, or a spaced keyword: " or ") outside brackets and strings."""
    if len(sep) == 1 and "'" not in s and '"' not in s:  # the common case, kept fast
        out, depth, cur = [], 0, []
        for c in s:
            if c in "([{":
                depth += 1
            elif c in ")]}":
                depth -= 1
            if c == sep and depth == 0:
                out.append("".join(cur))
                cur = []
            else:
                cur.append(c)
        out.append("".join(cur))
        return out
    out, depth, start, i, quote, one = [], 0, 0, 0, "", len(sep) == 1
    while i < len(s):
        c = s[i]
        if quote:
            if c == "\\":
                i += 2
                continue
            if c == quote:
                quote = ""
        elif c in "\"'":
            quote = c
        elif c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
        elif depth == 0 and (c == sep if one else s.startswith(sep, i)):
            out.append(s[start:i])
            i += len(sep)
            start = i
            continue
        i += 1
    out.append(s[start:])
    return out


def _decorators(fn) -> list[str]:
    p = fn.parent
    if p is not None and p.type == "decorated_definition":
        return [_t(d)[1:].strip() for d in p.children if d.type == "decorator"]
    return []


def _docstring(node) -> str:
    body = node.child_by_field_name("body")
    if body is None or not body.named_child_count:
        return ""
    first = body.named_children[0]
    if first.type == "expression_statement" and first.named_child_count and first.named_children[0].type == "string":
        try:
            v = ast.literal_eval(_t(first.named_children[0]))
            return v if isinstance(v, str) else ""
        except Exception:
            return ""
    return ""


def _params(fn, drop_first: bool) -> tuple[Param, ...]:
    from .indexer.python_ts import parameters as ts_params

    ps = ts_params(fn.child_by_field_name("parameters"))
    if drop_first and ps and ps[0]["kind"] != "var_positional":
        ps = ps[1:]
    return tuple(Param(name=p["name"], annotation=p.get("annotation", ""), default=p.get("default", ""),
                       kind=p.get("kind", "positional_or_keyword")) for p in ps)


def _self_assignments(fn, others: dict[str, list[tuple[str, bool, Any]]] | None = None
                      ) -> dict[str, tuple[str, bool, Any]]:
    """`self.x = expr` / `self.x: T = ...` in a method body -> {x: (text, is_annotation, scope)};
    `others` collects the other values the body assigns (`self.data = seq`, then `str(seq)`)."""
    key = fn.text
    got = _ASSIGN_MEMO.get(key)
    if got is None:
        got = _self_assigned(fn)
        _put(_ASSIGN_MEMO, key, got, 4096)
    firsts, rest = got
    if others is not None:
        for attr, text in rest:
            others.setdefault(attr, []).append((text, False, fn))
    return {attr: (text, ann, fn) for attr, text, ann in firsts}


_ASSIGN_MEMO: dict[bytes, tuple] = {}  # a method's text -> what _self_assigned reads in it


def _self_assigned(fn) -> tuple[tuple[tuple[str, str, bool], ...], tuple[tuple[str, str], ...]]:
    """_self_assignments without the scope: ((attr, text, is_annotation), ...) for the first value of
    each attribute, ((attr, text), ...) for the others."""
    out: dict[str, tuple[str, bool]] = {}
    others: list[tuple[str, str]] = []
    params = fn.child_by_field_name("parameters")
    first = params.named_children[0] if params is not None and params.named_child_count else None
    me = _t(first) if first is not None and first.type == "identifier" else "self"
    for st in _statements(fn.child_by_field_name("body")):
        if st.type != "expression_statement" or not st.named_child_count:
            continue
        e = st.named_children[0]
        if e.type != "assignment":
            continue
        left = e.child_by_field_name("left")
        if left is None or left.type != "attribute" or _t(left.child_by_field_name("object")) != me:
            continue
        attr = _t(left.child_by_field_name("attribute"))
        ann = e.child_by_field_name("type")
        right = e.child_by_field_name("right")
        if ann is not None:
            out[attr] = (_t(ann), True)
        elif right is not None and (attr not in out or _unset(out[attr])):
            if right.type in _LITERAL_NODES:
                out[attr] = (_LITERAL_NODES[right.type], True)
            else:
                out[attr] = (_t(right), False)
        elif right is not None and right.type not in _LITERAL_NODES:
            others.append((attr, _t(right)))
    return tuple((a, text, ann) for a, (text, ann) in out.items()), tuple(others)


_MAX_ALTS = 4  # further values of an attribute tried for its type


def _unset(ctx: tuple) -> bool:
    """An attribute context, (text, is_annotation[, scope]), that says nothing: `self.x = None` (set to
    an object later)."""
    return ctx[0] == "None" and not ctx[1]


# -- public API -----------------------------------------------------------------------------------------


def module_imports(code: str, module: str = "", is_package: bool = False) -> dict[str, str]:
    """Local name -> dotted target of the file's top-level imports (`np` -> `numpy`)."""
    lines = code.split("\n")
    doc = _Doc([], code, len(lines) - 1, len(lines[-1]), module or None, is_package)
    doc.cur_block = -1  # every statement counts
    out = {}
    for name, lst in doc.module_bindings().items():
        if lst[-1][1].kind == "path":
            out[name] = lst[-1][1].value
    return out


def infer_type(code: str, line: int, character: int, receiver: str, *, searchers: list[Any] | None = None,
               module: str | None = None) -> str | None:
    """The dotted type (API path) of `receiver` at the position, or None."""
    return _Doc(list(searchers or []), code, line, character, module).infer(receiver)


_TOP_ATTR = re.compile(r"(?<![\w.])([A-Za-z_]\w*)\.([A-Za-z_]\w*)")
_NOT_MODULES = frozenset({"self", "cls", "super"})
_KIND_ORDER = {"method": 0, "function": 0, "property": 1, "class": 2, "constructor": 3, "attribute": 3,
               "constant": 3, "module": 4}
# `x.name`, `x.name(`: no space after the dot, which prose has ("the rows. Then", "... float32.\ncols =").
_NAME_USE = re.compile(r"\.([A-Za-z_]\w*)[ \t]*(\()?")


def member_completions(searchers: list[Any], code: str, line: int, character: int, *, k: int = 50,
                       prefix: str | None = None, module: str | None = None,
                       is_package: bool = False) -> list[Hit]:
    """Ranked members for the receiver right before (line, character) (`np.` / `self.x.ab`).

    Candidates: the members of the inferred type (own, then inherited); when the type is unknown,
    the members of the class its name suggests (`df` -> DataFrame, `fut` -> Future), names used as
    members elsewhere in the file, the imported libraries' methods, APIs matching the intent of the
    comments, and globally frequent methods. Every candidate is then scored LANCE-style on what the
    code says (`_Site`): the comment/docstring intent (BM25 over member names and docs, names the
    comments mention), members used in the file (on this receiver above all), the shape of the call
    on the rest of the line (`(`, keyword arguments, argument count) and a usage prior. `prefix`
    (default: the partial name typed after the dot) filters and ranks first.
    """
    lines = code.split("\n")
    if not lines or line < 0 or line >= len(lines):
        return []
    cur = lines[line].rstrip("\r")
    found = receiver_at(cur, character) or _receiver_across_lines(lines, line, character)
    if found is None:
        return []
    receiver, typed = found
    prefix = typed if prefix is None else prefix
    doc = _Doc(list(searchers), code, line, character, module, is_package)
    typ = doc.infer(receiver)
    want_private = prefix.startswith("_")
    site = _Site(doc, lines, line, character, receiver, typed)
    # name -> (tier, record, why); tier 0: members of the inferred type; 1: everything else.
    pool: dict[str, tuple[int, ApiRecord, dict]] = {}
    module_recv = False
    if typ is not None:
        trec = doc.record(typ)
        # A module the index has no record of (an API corpus: `import beatnum as bn`) is a module too.
        module_recv = (trec.kind == "module" if trec is not None
                       else doc.module_aliases().get(receiver) == typ)
        # `self.` in a class of the open file: the class's own methods first.
        own_first = trec is not None and trec.origin == "file" and receiver in ("self", "cls")
        site.instance = trec is not None and trec.kind == "class" and not _names_class(receiver, trec, doc)
        # One member of an enum (`status.▮` of an HTTPStatus) is used by its name, value and methods; the
        # enum's other members are the class's to list (`HTTPStatus.▮`), before what it inherits (int's).
        enum = trec is not None and trec.kind == "class" and doc.is_enum(typ)
        enum_item = enum and site.instance
        own_first = own_first or enum
        for r, depth in doc.members_of(typ):
            name, _, _, _, usage, _ = _static(r)
            # By name only: a public class's members defined in a private base (io.BufferedIOBase's
            # close() lives in _io._BufferedIOBase) are its public API all the same.
            if not _name_visible(name, prefix, want_private):
                continue
            if enum_item and r.kind in ("attribute", "constant") and not r.parent.startswith("enum.") \
                    and doc.is_enum(r.parent):
                continue
            if enum_item and r.parent.startswith("enum."):
                depth = 0  # an IntEnum member's name and value before what it has of int
            why = {"source": "inherited" if depth else "member", "type": typ, "receiver": receiver,
                   "usage": usage}
            if depth:
                why["depth"] = depth
            if own_first:
                why["own"] = 0
            pool[name] = (0, r, why)
    if typ == "argparse.Namespace":
        # What parse_args() returns holds an attribute per argument the file's parsers declare.
        for r in _parsed_arguments(code):
            if r.name not in pool and _name_visible(r.name, prefix, want_private):
                pool[r.name] = (0, r, {"source": "add_argument", "type": typ, "receiver": receiver})
    if not pool:
        _fallback_pool(doc, site, pool, lines, line, k, prefix, want_private)
    scored = []
    guessed = (v[2]["type"] for v in pool.values() if v[2].get("source") == "name-guess")
    site.receiver_type(typ or next(guessed, None))
    site.prepare(pool)
    for name, (tier, r, why) in pool.items():
        sc, parts = site.score(r, typ if tier == 0 else why.get("type"), module_recv and tier == 0, pool, why)
        depth = why.get("depth") or 0
        # `self.` in a class of the open file leans to its own members over inherited ones; a hard
        # own-first order hid the base class's API behind a big class's own methods.
        sc -= (_W["own_depth"] if why.get("own") == 0 else 0.15) * depth
        scored.append(((tier, _prefix_rank(name, prefix), -sc, name), sc, r, why, parts))
    scored.sort(key=lambda c: c[0])
    out = []
    for i, (_, sc, r, why, parts) in enumerate(scored[:k], 1):
        why.update({key: round(v, 3) for key, v in parts.items()})  # only the hits shown carry their parts
        out.append(Hit(record=r, score=round(sc, 4), rank=i, why=why))
    return out


_LAMBDA = re.compile(r"lambda\s+([\w\s,=*]*):")


_SORT_KEY = re.compile(r"(?:(?<![\w.])(?:sorted|min|max)\((?P<args>.*?),|(?P<recv>[A-Za-z_][\w.]*)\.sort\()"
                       r"\s*key\s*=$")


def _lambda_owner_type(doc: _Doc, lines: list[str], line: int, receiver: str) -> str | None:
    """A lambda's parameter works on (part of) the object whose method takes the lambda:
    `df.apply(lambda x: x.▮())` -> DataFrame's members (a column is a Series, with the same methods)."""
    head = re.match(r"[A-Za-z_]\w*", receiver)
    if head is None:
        return None
    before = lines[line][:doc.character]
    for m in reversed(list(_LAMBDA.finditer(before))):
        params = {p.strip().split("=")[0].strip("* ") for p in m.group(1).split(",")}
        if head.group() not in params:
            continue
        pre = before[:m.start()].rstrip()
        key = _SORT_KEY.search(pre)
        if key is not None:  # `sorted(words, key=lambda w: w.▮)`, `xs.sort(key=...)`: an item sorted
            args = _split_top(key.group("args")) if key.group("args") is not None else [key.group("recv")]
            try:
                return doc.iter_element(args[0].strip(), None, doc.scopes_at_cursor()) if args else None
            except Exception:  # noqa: BLE001 - a guess only
                return None
        if not pre.endswith("("):
            return None  # `f(x, cb=lambda ...)`: not a method's first argument
        owner = receiver_at(pre[:-1], len(pre) - 1)
        if owner is None:
            return None
        try:  # an owner of unknown type (`df.iloc[:, 1:].apply(lambda x: ...)`): the class its name suggests
            return doc.infer(owner[0]) or doc.guess_class(owner[0]) or doc.guess_chain(owner[0])
        except Exception:  # noqa: BLE001 - a guess only
            return None
    return None


def _namedtuple_spec(call: str) -> tuple[str, list[tuple[str, str]]] | None:
    """(type name, [(field, annotation)]) of a `namedtuple('P', 'x y')`, `namedtuple('P', ['x', 'y'])` or
    `NamedTuple('P', [('x', int)])` call's text, or None. Parsed, never run."""
    try:
        node = ast.parse(call.strip(), mode="eval").body
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    if not isinstance(node, ast.Call):
        return None
    fn = node.func
    if (fn.attr if isinstance(fn, ast.Attribute) else getattr(fn, "id", "")) not in ("namedtuple",
                                                                                     "NamedTuple"):
        return None
    args = [*node.args, *(k.value for k in node.keywords if k.arg in ("typename", "field_names", "fields"))]
    if len(args) < 2 or not (isinstance(args[0], ast.Constant) and isinstance(args[0].value, str)):
        return None
    spec, fields = args[1], []
    if isinstance(spec, ast.Constant) and isinstance(spec.value, str):
        fields = [(f, "") for f in spec.value.replace(",", " ").split()]
    elif isinstance(spec, (ast.List, ast.Tuple)):
        for e in spec.elts:
            if isinstance(e, ast.Constant) and isinstance(e.value, str):
                fields.append((e.value, ""))
            elif isinstance(e, (ast.Tuple, ast.List)) and len(e.elts) == 2 \
                    and isinstance(e.elts[0], ast.Constant) and isinstance(e.elts[0].value, str):
                fields.append((e.elts[0].value, ast.unparse(e.elts[1])))
            else:
                return None
    else:
        return None
    return args[0].value, [(f, t) for f, t in fields if f.isidentifier()]


_NAMEDTUPLE_MAKERS = frozenset({"collections.namedtuple", "typing.NamedTuple",
                                "typing_extensions.NamedTuple"})
_ADD_ARGUMENT = re.compile(r"\.add_argument\s*\(")


def _literal(text: str) -> Any:
    try:
        return ast.literal_eval(text)  # literals only: nothing of the file runs
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return None


@lru_cache(maxsize=64)
def _parsed_arguments(code: str) -> tuple[ApiRecord, ...]:
    """The attributes that the file's `add_argument` calls give the namespace parse_args() returns, as
    argparse names them: `dest=`, else the first long option (`--dry-run`: dry_run), else the first
    short one, else the positional's name; its help is the doc. Any parser of the file (argument
    groups and subparsers add to the same namespace)."""
    out: dict[str, ApiRecord] = {}
    for m in _ADD_ARGUMENT.finditer(code):
        end = _close(code, m.end() - 1)
        if end < 0:
            continue
        positional, keywords, _ = _call_arguments(code[m.end() - 1:end])
        kw = dict(keywords)
        flags = [f for f in map(_literal, positional) if isinstance(f, str) and f]
        dest = _literal(kw["dest"]) if "dest" in kw else None
        if not isinstance(dest, str):
            longs = [f for f in flags if f.startswith("--")]
            shorts = [f for f in flags if f.startswith("-")]
            dest = (longs or shorts or flags or [""])[0].lstrip("-").replace("-", "_")
        if not dest.isidentifier() or dest in out or _literal(kw.get("action", "None")) in ("help",
                                                                                           "version"):
            continue  # (help and version exit; they set nothing)
        help_text = _literal(kw.get("help", "None"))
        doc = help_text if isinstance(help_text, str) else ""
        path = f"argparse.Namespace.{dest}"
        out[dest] = ApiRecord(public_path=path, canonical_path=path, kind="attribute", doc=doc, origin="file",
                              summary=summarize(doc) if doc else "", line=code.count("\n", 0, m.start()) + 1,
                              returns=_argument_type(kw))
    return tuple(out.values())


def _argument_type(kw: dict[str, str]) -> str:
    """The annotation of what an `add_argument` call puts in the namespace, as argparse does: a flag's
    bool, a count's int, a list for `nargs` or `append`, else `type=`'s (`int`, `pathlib.Path`), else a
    literal default's type, else str. "" where a `type=` is no plain name (a lambda, a FileType)."""
    action = _literal(kw.get("action", "None"))
    item = kw.get("type", "").strip()
    if item and not re.fullmatch(r"[A-Za-z_][\w.]*", item):
        item = ""  # what a call or a lambda makes is not written here
    elif not item:
        default = _literal(kw["default"]) if "default" in kw else None
        item = type(default).__name__ if isinstance(default, (int, float, str)) and not isinstance(
            default, bool) else ("" if "type" in kw else "str")
    if action in ("store_true", "store_false"):
        return "bool"
    if action == "count":
        return "int"
    nargs = _literal(kw.get("nargs", "None"))
    if action in ("append", "extend") or nargs in ("*", "+") or isinstance(nargs, int) and nargs > 1:
        return f"list[{item}]" if item else "list"
    return item


def _fallback_pool(doc: _Doc, site: _Site, pool: dict, lines: list[str], line: int, k: int,
                   prefix: str, want_private: bool) -> None:
    """Candidates for a receiver of unknown type."""
    receiver = site.receiver

    def add(r: ApiRecord, why: dict) -> None:
        if r.name not in pool and _visible(r, prefix, want_private):
            pool[r.name] = (1, r, why)

    # The class the receiver's name suggests among the classes in reach (`df`, `fut`, `sock`).
    guess = doc.base_guess(receiver) or doc.guess_class(receiver) or doc.guess_chain(receiver) \
        or _lambda_owner_type(doc, lines, line, receiver)
    if guess is not None:
        for r, depth in doc.members_of(guess):
            add(r, {"source": "name-guess", "type": guess, "receiver": receiver, "depth": depth})
    # Names used as members in the file (on this receiver above all).
    shown = 0
    for name, n in sorted(site.used.items(), key=lambda kv: (-site.same.get(kv[0], 0), -kv[1])):
        if name in pool or not _name_visible(name, prefix, want_private) \
                or n <= site.module_uses.get(name, 0):
            continue
        shown += 1
        if shown > max(k, 30):
            break  # each name costs an index lookup
        rec = None
        for src in doc.all_sources:
            got = _by_name(src, name, 3)
            if got:
                rec = got[0]
                break
        if rec is None:
            rec = ApiRecord(public_path=f"{receiver}.{name}", canonical_path=f"{receiver}.{name}",
                            kind="method" if name in site.called else "attribute", origin="file")
        pool[name] = (1, rec, {"source": "file-usage", "receiver": receiver, "count": n})
    # Methods of the imported libraries listed flat (API corpora: `(self, ...)` signatures).
    for target in doc.imported_modules(guess=True):
        for src in doc.sources:
            for r in _members(src, target):
                if r.signature.startswith("(self"):
                    add(r, {"source": "library", "receiver": receiver})
    # What the comments ask for (lexical search over the whole index).
    # A builtin (`getattr`, `sorted`) is no object's attribute; an imported module the index lacks may
    # define a function of the same name (`ndbm.open`), which the builtin's record stands in for.
    imported = any(b.kind == "path" for _, b in doc.module_bindings().get(receiver, ()))
    for name, (bonus, rec) in _intent_hits(doc.sources, lines, line).items():
        if "." not in rec.public_path and not imported:
            continue
        add(rec, {"source": "intent", "receiver": receiver})
        if name in pool:
            pool[name][2]["search"] = bonus
    # The last resort: globally frequent methods, ranked after the rest (tier 2), so only as many as can
    # still reach the first k are worth scoring (most used first, a few spare for the scorer to reorder).
    room = max(0, k - len(pool)) + 10
    for src in doc.sources:
        for r in _frequent_methods(src):
            if room <= 0:
                break
            if r.name not in pool and _visible(r, prefix, want_private):
                pool[r.name] = (2, r, {"source": "frequent", "receiver": receiver, "usage": _usage(r)})
                room -= 1


# Weights of the member-ranking features (tuned on the development call-site sets only).
# The intent's meaning (embeddings) against a member's indexed text counts at most half of a full
# word match: so it raised top-5 on the dev call sites without lowering top-1.
_MEANING = 0.5
_MEANING_SPREAD = 0.1  # cosine
# A type's few members lie close in meaning, and most completions are on one: only a larger pool (a
# module, a class with many members) is worth the embedding (~6 ms here) of the comment's last words.
_MEANING_POOL = 30
_MEANING_CHARS = 160
_W = {"intent": 1.5, "mention": 2.0, "word": 0.5, "file": 0.5, "same": 1.0, "prior": 0.25, "shape": 2.0,
      "kw": 2.0, "kw_miss": 0.5, "npos": 0.5, "npos_sure": 1.5, "self_on_module": 1.0, "search": 1.0,
      "guess": 2.0, "recursion": 2.0, "arg": 2.0, "phrase": 1.0, "own_depth": 1.0,
      "argname": 2.0, "cond": 1.5, "recent": 1.0, "later": 2.0, "same_arg": 1.0, "instance": 0.1,
      "probed": 2.0, "literal": 2.0, "target": 0.5, "use_value": 1.0, "use_dropped": 0.5, "raise": 1.5,
      "follows": 1.0, "binding": 1.0, "tuple": 1.0, "nested": 1.0, "delegate": 2.0, "iter": 1.0,
      "argword": 2.0, "product": 1.0}
_LITERAL_ARG = re.compile(r"\s*[\[{]")  # a list, set or dict display
_LITERAL_CALL = re.compile(r"\s*\(\s*[\[{]")  # ... as a call's first argument
_CALLABLE = frozenset({"method", "function", "class", "constructor"})
_WORDS = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_CONDITION = re.compile(r"(?:^\s*(?:elif|while|assert)\s+|\b(?:if|and|or|not)\s+)\(?$")
# is_open, hasKey, isclosed, exists, done, cancelled, locked; not `cancel` or `hash` (can-cel, has-h).
_PREDICATE = re.compile(r"_*(?:(?:is|has|can|should|must)(?:_|[A-Z])|is[a-z]+$|[a-z]+ed$|done$|"
                        r"(?:exists|contains|startswith|endswith)$)")
_CODE_NAME = re.compile(r"(?:`|\.)([A-Za-z_]\w*)|([A-Za-z_]\w*)\(")  # `name`, .name, name(
_DOC_TOKENS: dict[tuple[str, str], tuple[int, dict[str, int]]] = {}


def _uncount(counts: dict[str, int], name: str) -> None:
    """One use of `name` fewer in `counts`; a name with none left leaves it."""
    n = counts.get(name, 0) - 1
    if n > 0:
        counts[name] = n
    else:
        counts.pop(name, None)


@lru_cache(maxsize=50_000)
def _run_together_starts(name: str) -> frozenset[str]:
    """The starts of the pieces of `name` between underscores and case changes, three letters long or
    more and at least two short of the piece's end: where a piece run together from words begins with
    one of them, it is one of these (`dropna`: dro, drop; `iterrows`: ite, iter, iterr, iterro)."""
    from .textproc import split_identifier

    return frozenset(p[:n] for p in (x.lower() for x in split_identifier(name)) if p.isalpha()
                     for n in range(3, len(p) - 1))


def _doc_tokens(r: ApiRecord, name: str | None = None) -> tuple[int, dict[str, int]]:
    """(token count, term frequencies) of a member's name (twice) and summary, for the intent BM25.
    Keyed by exactly what the tokens are made of: no record hashing, valid across generations."""
    name = r.name if name is None else name
    text = r.summary or r.doc[:200]
    key = (name, text)
    got = _DOC_TOKENS.get(key)
    if got is None:
        from .textproc import tokenize

        toks = tokenize(name)
        toks = toks + toks + tokenize(text)
        tf: dict[str, int] = {}
        for t in toks:
            tf[t] = tf.get(t, 0) + 1
        got = (len(toks), tf)
        if len(_DOC_TOKENS) > 200_000:
            _DOC_TOKENS.clear()
        _DOC_TOKENS[key] = got
    return got


_STATIC: dict[int, tuple[ApiRecord, tuple]] = {}


def _static(r: ApiRecord) -> tuple:
    """What scoring needs of a record regardless of the site: (name, kind, callable, `(self` signature,
    usage, call summary or None). Memoized by identity (the memo holds the record, so its id cannot be
    reused while the entry lives): `np.` scores hundreds of records per keystroke."""
    got = _STATIC.get(id(r))
    if got is not None and got[0] is r:
        return got[1]
    kind = r.kind
    call = None
    if r.params or r.signature:
        ps = r.params
        pos = [p for p in ps if p.kind in ("positional_only", "positional_or_keyword")]
        first = next((p for p in pos if p.name not in ("self", "cls")), None)
        call = (frozenset(p.name for p in ps), any(p.kind == "var_keyword" for p in ps), len(pos),
                any(p.kind == "var_positional" for p in ps), sum(1 for p in pos if not p.default),
                _param_takes(first) if first is not None else None)
    info = (r.name, kind, kind in _CALLABLE, r.signature.startswith("(self"), _usage(r), call)
    if len(_STATIC) > 100_000:
        _STATIC.clear()
    _STATIC[id(r)] = (r, info)
    return info


_NAME_CHAR = re.compile(r"[\w.]")


def _uses(text: str, bases: list[str], tail: str = r"\s*\.([A-Za-z_]\w*)", first: bool = False) -> list:
    r"""Matches of `base` + `tail` in `text` for any of `bases`, not preceded by a name character or a
    dot (`x.base.name`, `xbase.name`). Same matches as a `(?<![\w.])` lookbehind pattern, but a
    leading literal lets the regex engine skip ahead: 50x faster on a 50 KB file. `first`: stop at one."""
    pat = re.compile(r"(?:" + "|".join(map(re.escape, bases)) + r")" + tail)
    out: list = []
    pos = 0
    while True:
        m = pat.search(text, pos)
        if m is None:
            return out
        start = m.start()
        if start and _NAME_CHAR.match(text, start - 1):
            pos = start + 1  # preceded by a name: retry from the next character, as the lookbehind would
            continue
        out.append(m)
        if first:
            return out
        pos = m.end() if m.end() > start else start + 1


_CHAIN = re.compile(r"(?:\.[A-Za-z_]\w*){2,}")


def _module_chains(text: str, modules: Iterable[str]) -> Iterable[str]:
    """Pure attribute chains of two names or more on a module alias in `text` (`.request.urlopen` of
    `urllib.request.urlopen`). Found by plain search for each alias: a regex of them all scanned a
    large file five times slower."""
    for mod in modules:
        needle = mod + "."
        i = text.find(needle)
        while i >= 0:
            if i == 0 or not (text[i - 1].isalnum() or text[i - 1] in "_."):
                m = _CHAIN.match(text, i + len(mod))
                if m:
                    yield m.group()
            i = text.find(needle, i + 1)


def _attrs_on(text: str, bases: list[str]) -> list[str]:
    """Attribute names used as `base.name` in `text` for any of `bases`."""
    return [m.group(1) for m in _uses(text, bases)]


class _Site:
    """What the code around a member completion says: intent, file usage and the call's shape."""

    def __init__(self, doc: _Doc, lines: list[str], line: int, character: int, receiver: str, typed: str):
        from .textproc import tokenize

        self.doc = doc
        self.receiver = receiver
        modules = set(doc.module_aliases())
        # Per-pool state of `score`, set by `prepare`.
        self._pool: dict | None = None
        self._intent: dict[str, float] = {}  # per candidate: the intent's words or meaning, at most 1
        self._methods_memo: bool | None = None
        self.type_words: frozenset[str] = frozenset()
        cur = lines[line].rstrip("\r")
        before = "\n".join(lines[max(0, line - 1500):line] + [cur[:character]])[-60000:]
        # Members used in the file before the cursor (on modules only when the receiver is one), and
        # those used on this very receiver.
        self.used: dict[str, int] = {}
        self.called: set[str] = set()
        # The receiver itself (`kf.index.values.▮`: no use of `index` or `values` on it) and the name
        # being typed are not counted, nor the receiver written again on its line (`kf.Email = kf.Email.▮`).
        typing = f"{receiver}.{typed}"
        cut = bool(receiver) and before.endswith(typing)
        counted = before[:-len(typing)] if cut else before
        if cut and "." in receiver:
            start = counted.rfind("\n") + 1
            counted = counted[:start] + re.sub(r"(?<![\w.])" + re.escape(receiver) + r"(?!\w)", "_",
                                               counted[start:])
        for m in _NAME_USE.finditer(counted):
            self.used[m.group(1)] = self.used.get(m.group(1), 0) + 1
            if m.group(2):
                self.called.add(m.group(1))
        if modules and receiver not in modules:
            for name in _attrs_on(counted, sorted(modules)):
                _uncount(self.used, name)
        self._counted, self._modules = counted, modules  # for `module_uses`, read on demand
        self._module_uses: dict[str, int] | None = None
        if not cut and typed and self.used.get(typed) == 1:
            self.used.pop(typed)  # the name being typed
        self.same: dict[str, int] = {}
        self.follows: dict[str, int] = {}
        on_receiver: list = []
        if receiver and len(receiver) < 80:
            on_receiver = _uses(before, [receiver])
            for m in on_receiver:
                self.same[m.group(1)] = self.same.get(m.group(1), 0) + 1
            if typed and self.same.get(typed) == 1:
                self.same.pop(typed)
            if not (line >= 1 and _BRANCH.match(lines[line - 1])):  # not what followed the other branch's
                self.follows = _follows(before, on_receiver, typed)
        # ... and on the last lines: a call repeats soon (`out.append(a)`, `out.append(b)`).
        # A condition's call is not repeated in its body or by the next test (`if self.is_cgi():`
        # `return self.run_cgi()`; `if self.is_blocked(d): ...` `if self.is_not_allowed(d):`).
        last = [t for t in lines[max(0, line - 2):line] if not _TEST_LINE.match(t)]
        near = "\n".join(last + [cur[:character]])
        self.recent = set(_attrs_on(near, [receiver])) if receiver and len(receiver) < 80 else set()
        if typed:
            self.recent.discard(typed)
        # ... unless the branch just closed made that call (`fut.set_result(x)`, then `else: fut.▮`):
        # the other branch does its counterpart, a sibling of the same family (`set_exception`).
        self.counterpart: set[str] = set()
        self.branch_done: set[str] = set()
        if self.recent and line >= 1 and _BRANCH.match(lines[line - 1]):
            done = set(_attrs_on("\n".join(lines[max(0, line - 3):line - 1]), [receiver]))
            self.recent -= done
            self.counterpart = {n.split("_")[0] + "_" for n in done if "_" in n.strip("_")} - {"_"}
            self.branch_done = done
        # The rest of the line: `(` (a call: which keywords, how many positional arguments), `[`, `=`.
        rest = cur[character:]
        rest = rest[len(re.match(r"\w*", rest).group()):].lstrip()
        # Calls later on the line (`kf.▮(...).sipna()`) are rarely the one being written (5% of the
        # dev call sites with such calls).
        self.later = {m.group(1) for m in _NAME_USE.finditer(rest) if m.group(2)}
        # `if x.name(`, `while not x.name`, `... and x.name`: a test, where predicates are at home.
        head = cur[:character - len(typed)]
        head = head[:-len(receiver) - 1] if receiver and head.endswith(receiver + ".") else ""
        # The calls on this receiver still open around the cursor (`np.where(np.▮(d) != s)`): a call is
        # rarely nested in its own arguments (none of the 18 such dev call sites), so not a repeat.
        self.around = _open_calls(head, receiver) if receiver and len(receiver) < 80 else set()
        self.recent -= self.around
        # A string literal says what it is for: a separator (`", ".▮`) joins, a template with
        # replacement fields (`"{0}: {1!r}".▮`) is formatted.
        self.literal_use = _literal_use(receiver)
        # `if hasattr(loader, 'is_package'):` ... `loader.▮`: duck typing probes a member, then uses it.
        self.probed: set[str] = set()
        if receiver and len(receiver) < 80 and "hasattr" in before[-1500:]:
            probe = r"\bhasattr\(\s*" + re.escape(receiver) + r"\s*,\s*['\"](\w+)['\"]\s*\)"
            self.probed = set(re.findall(probe, "\n".join(lines[max(0, line - 12):line])))
        for n in self.around:
            self.follows.pop(n, None)
        # Nor is a member named as any call open around it (`np.mean(arr.▮`, `np.where(np.▮`).
        self.nested = _open_calls(head, "") if len(head) < 400 else set()
        self.condition = bool(_CONDITION.search(head)) or _selects_from(head, receiver, rest)
        self.raising = bool(_RAISING.search(head))  # `raise errors.▮(`, `except (KeyError, errors.▮`
        self.instance = False  # the receiver is an instance of its class (set by `member_completions`)
        self.shape = ("call" if rest.startswith("(") else "index" if rest.startswith("[") else
                      "assign" if re.match(r"=(?!=)", rest) else "attr" if rest[:1] == "." else "other")
        self.use = _result_use(head, rest, lines, line) if self.shape == "call" else None
        if self.shape == "other" and not rest.strip(")]}:, "):
            # As typed, nothing after the dot yet: a value the line uses (`digest = h.▮`, `if x.▮`)
            # is no procedure's, call or not; a statement may go on as a call or an assignment.
            self.use = "value" if _result_use(head, "", lines, line) == "value" else None
        if self.use == "value" and self.recent and len(receiver) < 80:
            # A call repeats as it was used: `sink.write(a)`, `sink.write(b)`; not a statement's call
            # into a line that keeps the value (`parser.add_argument(...)`, then `args = parser.▮`).
            stated = re.compile(r"\s*(?:await\s+)?" + re.escape(receiver) + r"\s*\.\s*(\w+)\s*\(")
            kept = set(_attrs_on("\n".join([t for t in last if not stated.match(t)] + [cur[:character]]),
                                 [receiver]))
            self.recent = {n for n in self.recent if n in kept or not any(
                (m := stated.match(t)) and m.group(1) == n for t in last)}
        # `for k, v in d.▮`: the result is iterated, each item unpacked into this many names.
        self.iterated = _iterated_targets(head, rest) if self.shape in ("call", "other") else None
        self.kwargs: list[str] = []
        self.npos = -1
        self.all_args = False  # the call's arguments are all on this line: too few of them is evidence
        self.arg_kind: str | None = None
        self.arg_names: list[str] = []
        self.same_arg: dict[str, int] = {}
        if self.shape == "call":
            self.kwargs, self.npos, first, self.arg_names, self.all_args = _call_args(rest)
            if first and not _LITERAL_ARG.match(first):
                # A call made from literals before (`data = np.array([1, 2, 3])`: the snippet's data)
                # says little about one made on the file's own values (`np.▮(data, index)`).
                for m in on_receiver:
                    if _LITERAL_CALL.match(before, m.end()):
                        _uncount(self.same, m.group(1))
            self.arg_kind = _arg_kind(first) or self._function_ref(first)
            arg_head = re.match(r"([A-Za-z_]\w*)\.", first)
            if arg_head and arg_head.group(1) not in ("self", "cls") and receiver and len(receiver) < 80:
                # What this receiver was called with such a first argument before in the file
                # (`self.send_error(HTTPStatus.NOT_FOUND)` ... `self.▮(HTTPStatus.FORBIDDEN)`).
                tail = r"\s*\.\s*([A-Za-z_]\w*)\s*\(\s*" + re.escape(arg_head.group(1)) + r"\b"
                for m in _uses(before, [receiver], tail):
                    self.same_arg[m.group(1)] = self.same_arg.get(m.group(1), 0) + 1
        # A function rarely calls itself: the name of the one being written is no candidate.
        self.enclosing = _enclosing_function(lines, line)
        self._lines, self._line, self._rest = lines, line, rest  # for `_forwards`, read on demand
        self._forwards_memo: bool | None = None
        # Intent: comments, docstring, enclosing function name and the assigned name on this line.
        text = intent_text(lines, line)
        # What the words nearest the cursor mean (`meaning`): the intent's end, which also bounds the
        # cost of embedding it.
        self.meant = text if len(text) <= _MEANING_CHARS else text[-_MEANING_CHARS:].split(" ", 1)[-1]
        m = re.match(r"\s*([A-Za-z_][\w.]*)\s*=(?!=)", cur[:character])
        target = m.group(1).rsplit(".", 1)[-1] if m else ""
        # Nearer than the line's assignment, a value goes by name into a dict key (`'type': part.▮`,
        # `d['type'] = part.▮`) or a keyword argument (`f(timeout=self.▮`).
        k = _KEYED.search(cur[:character])
        if k and k.group(3) and cur.count("(", 0, k.start()) <= cur.count(")", 0, k.start()):
            k = None  # `a, b = x.▮`: no call is open, so no keyword argument
        if k:
            target = (k.group(2) or k.group(3)).replace("-", "_")
        # Inside `except CancelledError:` / `except BaseException as exc:` the call handles that exception
        # (`fut.cancelled()`, `loop.call_exception_handler(...)`, `protocol.error_received(exc)`).
        handled = _handled_exception(lines, line)
        # A name that only says "the result" (`result = np.▮`) is no word of what is asked; it still
        # names a member called so (`result = fut.result()`, see `_names_result`).
        named = "" if target.strip("_").lower() in _RESULT_NAMES else target.replace("_", " ")
        words = " ".join((text, named, handled))
        self.query = [t for t in dict.fromkeys(tokenize(words))]
        # The name the result is stored under often names the call (`count_value = a.▮` for `count`).
        self.target = target.strip("_").lower()
        # Names the comments mention: as code (`name`, name(, .name, snake_case) or as a plain word.
        self.mentions = set(_WORDS.findall(text))
        self.code_mentions = {w for w in self.mentions if "_" in w.strip("_") or re.search(r"\d", w)
                              or re.search(r"[a-z][A-Z]", w)}
        self.code_mentions.update(a or b for a, b in _CODE_NAME.findall(text))
        # The words of the comments in order, to find a snake_case name spelled out ("column stack").
        self.phrase = " " + " ".join(w.lower() for w in _WORDS.findall(text)) + " "
        self._words = {w for w in self.phrase.split() if len(w) > 1}
        self._pieces = self._words | {w + "s" for w in self._words}
        self._starts = {w[:i] for w in self._words for i in range(2, len(w))}
        self._compound: dict[str, bool] = {}

    def _forwards(self) -> bool:
        """Whether the call at the cursor passes on nothing but the enclosing function's own parameters
        (or nothing): `(item)` in `def remove(self, item)`, `(*args, **kw)`, `()`. Read once, on demand."""
        if self._forwards_memo is None:
            args, closed = _split_args(self._rest) if self.enclosing and self.shape == "call" else ([], False)
            params = _def_params(self._lines, self._line, self.enclosing or "") if closed else None
            self._forwards_memo = params is not None and all(
                (m := re.fullmatch(r"\*{0,2}([A-Za-z_]\w*)|[A-Za-z_]\w*\s*=\s*([A-Za-z_]\w*)", a.strip()))
                and (m.group(1) or m.group(2)) in params for a in args if a.strip())
        return self._forwards_memo

    def _function_ref(self, arg: str) -> str | None:
        """'callable' for a function passed by name (`df.apply(pd.to_numeric)`, `map(str.lower, ...)`,
        `loop.call_soon(self._read)`): the parameter it goes to takes a function."""
        if "." not in arg or not re.fullmatch(r"[A-Za-z_][\w.]*", arg):
            return None
        try:
            path = self.doc.infer(arg)
        except Exception:  # a reference the inference cannot follow: no evidence
            return None
        rec = self.doc.record(path) if path else None
        return "callable" if rec is not None and rec.kind in ("function", "method") else None

    def compound(self, name: str) -> bool:
        """Whether the intent's words spell `name` in two or more pieces, each a word of the intent or
        a word plus a plural `s`, or a word's start: the last of two letters or more (`na` of "NaN"),
        the others of three or more (`cum` of "cumulative" in `cumsum`)."""
        hit = self._compound.get(name)
        if hit is None:
            key = name.strip("_").lower().replace("_", "")
            n = len(key)
            # best[i]: fewest pieces that spell key[:i] (None where no spelling reaches i).
            best: list[int | None] = [0] + [None] * n
            for i in range(n):
                if best[i] is None:
                    continue
                for j in range(i + 2, n + 1):
                    piece = key[i:j]
                    if piece in self._pieces or ((j == n or len(piece) >= 3) and piece in self._starts):
                        if best[j] is None or best[i] + 1 < best[j]:
                            best[j] = best[i] + 1
            hit = self._compound[name] = best[n] is not None and best[n] >= 2
        return hit

    def receiver_type(self, typ: str | None) -> None:
        """Words of the intent that name the receiver's own type or package ("a pandas DataFrame")
        tell nothing about which of its members is meant: the intent BM25 leaves them out."""
        from .textproc import tokenize

        self.type_words = frozenset()
        if typ:
            parts = typ.split(".")
            self.type_words = frozenset(tokenize(" ".join({parts[0], parts[-1]}), stopwords=False))

    @staticmethod
    def _with_run_together(docs: dict[str, tuple[int, dict[str, int]]], q: set[str]
                           ) -> dict[str, tuple[int, dict[str, int]]]:
        """A name run together from words (`dropna`, `iterrows`, `fetchall`) is one token, so "drop
        rows with missing values" matched `drop` by its name and `dropna` only by its doc. An intent
        word that begins such a piece of a name, two letters or more left over, counts once as a word
        of the name: words of three letters or more, not one that is part of a longer intent word
        (`num` of "BeatNum" would begin `numset`)."""
        words = {t for t in q if len(t) >= 3 and t.isalpha() and not any(t != u and t in u for u in q)}
        if not words:
            return docs
        out = docs
        for name, (size, tf) in docs.items():
            found = _run_together_starts(name) & words  # (`np.` has 500 members: a set operation each)
            new = [t for t in found if t not in tf]
            if new:
                if out is docs:
                    out = dict(docs)
                out[name] = (size, {**tf, **dict.fromkeys(new, 1)})
        return out

    def bm25(self, pool: dict) -> dict[str, float]:
        """BM25 of the intent over the candidates' name and doc tokens (idf over the candidates)."""
        q = set(self.query) - self.type_words
        if not q:
            return {}
        docs = {name: _doc_tokens(v[1], name) for name, v in pool.items()}
        docs = self._with_run_together(docs, q)
        n = len(docs) or 1
        df: dict[str, int] = {}
        total = 0
        for size, tf in docs.values():
            total += size
            for t in q:
                if t in tf:
                    df[t] = df.get(t, 0) + 1
        if not df:
            return {}
        avg = total / n or 1.0
        idf = {t: math.log(1 + (n - c + 0.5) / (c + 0.5)) for t, c in df.items()}
        terms = list(idf.items())
        out: dict[str, float] = {}
        for name, (size, tf) in docs.items():
            s = 0.0
            norm = 1.2 * (0.25 + 0.75 * size / avg)
            for t, w in terms:
                f = tf.get(t)
                if f:
                    s += w * f * 2.2 / (f + norm)
            if s:
                out[name] = s
        top = max(out.values(), default=0.0)
        return {k: v / top for k, v in out.items()} if top else {}

    def meaning(self, pool: dict) -> dict[str, float]:
        """How much closer than most of the pool each candidate's indexed embedding is to the intent's:
        0 at the pool's upper quartile, 1 for the closest. Catches what shares no word with the comment
        ("Partition array into 3 chunks": `array_split`, "Split an array into multiple sub-arrays")."""
        if not self.meant or len(pool) < _MEANING_POOL:
            return {}
        by_id = {v[1].id: name for name, v in pool.items()}
        records = [v[1] for v in pool.values()]
        cos: dict[str, float] = {}
        for src in self.doc.sources:
            similarity = getattr(src, "similarity", None)
            if similarity is None:
                continue
            try:
                got = similarity(self.meant, records)
            except Exception:  # an index without vectors or model: meaning is optional, as the intent is
                continue
            for rid, c in got.items():
                cos.setdefault(by_id[rid], c)
        if len(cos) < 4:
            return {}
        vals = sorted(cos.values())
        base, top = vals[(3 * len(vals)) // 4], vals[-1]
        if top <= base:
            return {}
        # Where the pool's cosines lie close together, the nearest is barely nearer.
        spread = max(top - base, _MEANING_SPREAD)
        return {name: (c - base) / spread for name, c in cos.items() if c > base}

    @property
    def module_uses(self) -> dict[str, int]:
        """Uses further down a module's attribute chain (`urllib.request.urlopen`, `os.path.join`): its
        submodules' members, evidence for a name all the same, but no member to offer an object of
        unknown type (`page = urlopen(u)`, `page.▮` offered `urlopen`). Read only for such receivers."""
        if self._module_uses is None:
            self._module_uses = {}
            if self._modules and self.receiver.split(".", 1)[0] not in self._modules:
                for chain in _module_chains(self._counted, sorted(self._modules)):
                    for name in chain.split(".")[2:]:
                        self._module_uses[name] = self._module_uses.get(name, 0) + 1
        return self._module_uses

    def prepare(self, pool: dict) -> None:
        """Per-pool state of `score`: the intent (its words' BM25, or its meaning where that says more,
        each at most 1; meaning at half weight: it is the vaguer evidence) and, on demand, whether the
        pool offers methods."""
        self._pool = pool
        self._intent = self.bm25(pool)
        for name, m in self.meaning(pool).items():
            if _MEANING * m > self._intent.get(name, 0.0):
                self._intent[name] = _MEANING * m
        self._methods_memo = None

    def _has_methods(self) -> bool:
        if self._methods_memo is None:
            self._methods_memo = any((v[1].kind in ("method", "property") or v[1].signature.startswith("(self"))
                                     and v[1].origin != "file" for v in self._pool.values())
        return self._methods_memo

    def score(self, r: ApiRecord, typ: str | None, module_recv: bool, pool: dict,
              why: dict | None = None) -> tuple[float, dict]:
        """The candidate's score and its parts (unrounded). Runs for every candidate of the pool
        (hundreds for `np.`): keep it to lookups."""
        if self._pool is not pool:
            self.prepare(pool)
        w = _W
        name, kind, callable_, self_sig, usage, call = _static(r)
        if kind == "attribute" and self.shape == "call":
            method = self.doc.attribute_call(r)
            if method is not None:
                # A callable object: numpy's ufuncs (`np.abs`) are attributes, called as their __call__.
                callable_, call = True, _static(method)[5]
        parts: dict[str, float] = {}
        if why:
            if why.get("source") == "name-guess":
                parts["guess"] = w["guess"]  # a member of the class the receiver's name suggests
            search = why.get("search")
            if search:
                parts["search"] = w["search"] * 2 * search  # its rank in a search of the whole index
        intent = self._intent.get(name)
        if intent:
            parts["intent"] = w["intent"] * intent
        if len(name) > 2 and name in self.mentions:
            parts["mention"] = w["mention"] if name in self.code_mentions else w["word"]
        elif "_" in name.strip("_") and f" {name.strip('_').replace('_', ' ').lower()} " in self.phrase:
            parts["mention"] = w["phrase"]  # `column_stack` spelled "column stack"
        elif self.compound(name):
            parts["mention"] = w["phrase"]  # `dropna` in "drop the NaN rows", `isin` in "is in"
        if self.target and _names_result(name, self.target):
            parts["target"] = w["target"]
        elif self.target and _names_product(name, self.target):
            parts["product"] = w["product"]
        n_file = self.used.get(name)
        n_same = self.same.get(name)
        # On a module, the file's uses of the name are its `same` ones; so they are on `self` where the
        # name is used on `self` at all (a class's own methods): counted once, as `same`.
        if n_file and not module_recv and not (n_same and self.receiver in ("self", "cls")):
            parts["file"] = w["file"] * math.log1p(n_file)
        if n_same:
            parts["same"] = w["same"] * math.log1p(n_same)
        if name in self.recent:
            parts["recent"] = w["recent"]
        if name in self.probed:
            parts["probed"] = w["probed"]
        if name == self.literal_use:
            parts["literal"] = w["literal"]
        n_next = self.follows.get(name)
        if n_next:
            parts["follows"] = w["follows"] * math.log1p(n_next)
        n_arg = self.same_arg.get(name)
        if n_arg:
            parts["same_arg"] = w["same_arg"] * math.log1p(n_arg)
        if name in self.nested:
            parts["nested"] = -w["nested"]
        if name in self.later:
            parts["later"] = -w["later"]
        elif self.counterpart and name not in self.branch_done and name.startswith(tuple(self.counterpart)):
            parts["counterpart"] = w["recent"]
        if name == self.enclosing and self.receiver not in ("self", "cls"):
            if why is not None and why.get("source") in ("member", "inherited") and self._forwards():
                # A method handing its work on under its own name, with its own arguments:
                # `super().flush()` in `def flush`, `self.data.remove(item)` in `def remove(self, item)`.
                parts["delegate"] = w["delegate"]
        elif name == self.enclosing:
            # Its own name is in the intent text (the `def` line): no evidence for calling itself.
            parts.pop("intent", None)
            parts.pop("mention", None)
            parts["recursion"] = -w["recursion"]
        u = _prior(r, typ, module_recv, self.doc, name, usage)
        if u:
            parts["prior"] = w["prior"] * math.log1p(u)
        shape = self.shape
        if shape == "call":
            parts["shape"] = w["shape"] * (1.0 if callable_ else -1.0 if kind != "property" else -1.5)
            if callable_ and call is not None:
                names, var_kw, n_pos, var_pos, required, takes = call
                if self.kwargs:
                    hit = sum(1 for a in self.kwargs if a in names)
                    miss = len(self.kwargs) - hit
                    parts["kw"] = w["kw"] * hit - (0 if var_kw else w["kw_miss"] * miss)
                if any(a in names or a.rstrip("s") in names for a in self.arg_names):
                    # `.isin(values)`, `json.dump(obj, ...)`: evidence of the parameter it is passed to
                    parts["argname"] = w["argname"]
                elif self.arg_names and _argument_names_part(name, self.arg_names):
                    parts["argword"] = w["argword"]
                if takes is not None and takes == self.arg_kind:
                    parts["arg"] = w["arg"]  # `(lambda ...)` for a `func`, `(float)` for a `dtype`
                if self.npos >= 0 and kind != "class" and ((self.npos > n_pos and not var_pos) or (
                        self.all_args and self.npos < required - len(self.kwargs))):
                    # A member of a known type with its real signature would raise TypeError; a guessed
                    # type's, or a stub's first overload (`np.append(arr, values, axis)`), might not.
                    sure = (why is not None and why.get("source") in ("member", "inherited", "own")
                            and not r.file.endswith(".pyi"))
                    parts["npos"] = -w["npos_sure" if sure else "npos"]
        elif callable_ and kind != "class" and shape in ("index", "assign", "attr"):
            parts["shape"] = -w["shape"]  # `x.name[0]`, `x.name = v`, `x.name.y`: rarely a method
        if self.use is not None and kind in ("method", "function"):
            # Code uses what a function gives and drops nothing it needs: `x = self.send_error()`
            # and a bare `self.is_cgi()` are both unlikely (the latter less: `fut.cancel()` gives a bool).
            gives = _gives_value(r)
            if gives is not None and gives != (self.use == "value"):
                parts["use"] = -w["use_value" if self.use == "value" else "use_dropped"]
        if shape in ("call", "other") and _extra(r, "instance"):
            # Set by the methods, not declared by the class: as often its plumbing (a JSONDecoder's
            # `memo`) as its API (a LogRecord's `levelname`): after the methods that score the same.
            parts["instance"] = -w["instance"]
        if typ is not None and typ != "tuple" and r.public_path.startswith("tuple."):
            # A namedtuple's or struct sequence's fields are its API (`st.st_size`, `t.tm_year`); the
            # `index`/`count` it inherits from tuple are seldom called on one.
            parts["tuple"] = -w["tuple"]
        if self.instance and typ is not None and _extra(r, "binding"):
            # `d = datetime.now()`, then `d.▮`: an alternate constructor or a static helper of its class
            # (`now`, `fromtimestamp`, `dict.fromkeys`) is called on the class, seldom on an instance.
            parts["binding"] = -w["binding"]
        if self.iterated is not None and kind in ("method", "function", "property"):
            items = _iteration(r)
            if items is not None and (items[0] or "use" not in parts):  # `use` has counted a None
                parts["iter"] = w["iter"] if items[0] else -w["iter"]
                if items[0] and items[1] is not None and self.iterated > 1:
                    # `for root, dirs, files in os.▮`: a walk's 3-tuples, not a listdir's names
                    parts["iter"] += w["iter"] if items[1] == self.iterated else -w["iter"]
        if self.raising and kind == "class" and _EXCEPTION_NAME.search(name):
            parts["raise"] = w["raise"]
        if self.condition and (_PREDICATE.match(name)
                               or _annotation_head(_returns(r)) in ("bool", "builtins.bool")):
            parts["cond"] = w["cond"]  # `if x.done():`, `while not x.is_set():`
        if module_recv and self_sig:
            parts["self"] = -w["self_on_module"]
        elif not module_recv and typ is None and kind in ("function", "class") and not self_sig \
                and self._has_methods():
            parts["self"] = -w["self_on_module"]  # a module-level function offered for an object
        return sum(parts.values()), parts


# A method's facts by its text: the classes of the open file are read again on every completion, and
# reading each method's body (what it returns) was most of the slowest completions' time.
_METHOD_MEMO: dict[tuple[bytes, bool], tuple] = {}


def _method_facts(fn, drop_first: bool) -> tuple:
    """(params, returns, signature, summary, extra) of a method, memoized by its text."""
    key = (fn.text, drop_first)
    got = _METHOD_MEMO.get(key)
    if got is None:
        params = _params(fn, drop_first=drop_first)
        returns = " ".join(_t(fn.child_by_field_name("return_type")).split())
        got = (params, returns, format_signature(params, returns), summarize(_docstring(fn)),
               _result_extra(fn))
        _put(_METHOD_MEMO, key, got, 4096)
    return got


def _result_extra(fn) -> tuple[tuple[str, str], ...]:
    from .indexer.python_ts import result_kind

    kind = result_kind(fn)
    return (("result", kind),) if kind else ()


def _gives_value(r: ApiRecord) -> bool | None:
    """Whether calling the function gives a value: its return annotation, else what its body returns
    (`result` of the indexer, `python_ts.result_kind`), else typeshed's return for a C function; None
    where none says."""
    ret = (r.returns or "").strip()
    if ret:
        return ret not in ("None", "NoReturn", "Never", "typing.NoReturn")
    kind = _extra(r, "result")
    if not kind and r.file.startswith("inspect:"):
        # A C function has no body to read; typeshed declares what it returns (`-> None` included).
        got = _returns(r)
        return None if not got else got != "None"
    return None if not kind else kind == "value"


_CLAUSE_HEAD = re.compile(r"(?:(?:el)?if\b.*|else|try|finally|except\b.*|while\b.*|for\b.*|with\b.*):")
_OPERATED = (".", "[", "+", "-", "*", "/", "%", "<", ">", "=", "!", "and", "or", "if")  # after `f()`: used


def _result_use(head: str, rest: str, lines: list[str], line: int) -> str | None:
    """'discarded' for a call that is a statement of its own, 'value' where its result is used (assigned,
    tested, passed on, operated on), None where it cannot be told (`return f()` delegates either)."""
    j = _close(rest, 0) if rest.startswith("(") else -1
    after = rest[j:].strip() if j > 0 else None
    h = head.strip()
    if _CLAUSE_HEAD.fullmatch(h):
        h = ""  # `if ok: h.run()`, `else: h.▮()`: a statement after its clause's colon
    if h in ("", "await"):
        prev = next((t for t in reversed(lines[max(0, line - 3):line]) if t.strip()), "")
        prev = _strip_comment(prev).rstrip()
        if prev.endswith(("(", "[", "{", ",", "\\", "=", "+", "-", "*", "/", "%", "|", "&")) or \
                re.search(r"\b(?:and|or|not|in|is|if|else)$", prev):
            return None  # the line goes on an expression that started above
        if after is None or after == "" or after.startswith("#"):
            return "discarded"
        return "value" if after.startswith(_OPERATED) else None
    return None if re.fullmatch(r"return(?:\s+await)?", h) else "value"


def _names_result(name: str, target: str) -> bool:
    """Whether the variable `target` (lowercase) is named after member `name`: equal, or its
    underscore pieces begin or end with the name's (`total_count_value`, `merged_df` no)."""
    key = name.strip("_").lower()
    if len(key) < 3:
        return False
    return target == key or target.startswith(key + "_") or target.endswith("_" + key)


_KEYED = re.compile(r"""(?:(['"])([A-Za-z_][\w-]*)\1\s*(?::|\]\s*=(?!=))|[(,]\s*([A-Za-z_]\w*)\s*=(?!=))"""
                    r"\s*[A-Za-z_][\w.]*(?:\(\))?\.\w*$")


def _names_product(name: str, target: str) -> bool:
    """Whether `target` is named after what a compound member gives, its last word or that word's
    start: `fut = loop.create_future()`, `buf = proto.get_buffer()`, `loop = events.get_running_loop()`;
    not a data name (`args = p.parse_args()` is left to other evidence)."""
    from .textproc import split_identifier

    parts = split_identifier(name)
    key = target.strip("_")
    return len(parts) > 1 and len(key) >= 3 and key not in _DATA_NAMES and parts[-1].startswith(key)


_FOR_IN = re.compile(r"(?:^|[\s(\[{])(?:async\s+)?for\s+(.+?)\s+in\s*$")
_ITER_END = re.compile(r"\s*(?:$|[:)\]}#]|if\b|for\b|async\b)")


def _iterated_targets(head: str, rest: str) -> int | None:
    """How many names a `for` unpacks each item of the completed member's result into (`for k, v in
    d.▮()` -> 2, `[x for x in s.▮()]` -> 1); None where the result is not what is iterated."""
    m = _FOR_IN.search(head)
    if m is None:
        return None
    if rest.startswith("("):
        end = _close(rest, 0)
        if end <= 0 or not _ITER_END.match(rest, end):
            return None  # `for x in d.▮(k) + extra`, or a call not closed on this line
    targets = m.group(1).strip()
    if targets.startswith(("(", "[")) and _close(targets, 0) == len(targets):
        targets = targets[1:-1]
    return len([t for t in _split_top(targets) if t.strip()])


# What iterating a result gives: not a value that iterates (`None`, a number), an item view's pairs.
_NOT_ITERABLE = frozenset({"None", "bool", "int", "float", "complex", "NoReturn", "Never"})
_SCALARS = frozenset({"str", "bytes", "int", "float", "bool"})
_ITERATION: dict[str, tuple[bool, int | None] | None] = {}


def _iteration(r: ApiRecord) -> tuple[bool, int | None] | None:
    """(iterable, names an item unpacks into or None) for what the member returns, from its return
    annotation (typeshed's for C functions); None where that does not say."""
    ret = _annotation_text(_returns(r))
    if not ret:
        return (False, None) if _gives_value(r) is False else None
    if ret in _ITERATION:
        return _ITERATION[ret]
    head, _ = _type_args(ret)
    head = head.rsplit(".", 1)[-1]
    got: tuple[bool, int | None] | None
    if head in _NOT_ITERABLE:
        got = (False, None)
    elif head in ("dict_items", "ItemsView"):
        got = (True, 2)
    elif head in ("str", "bytes"):
        got = None  # iterates, by character: seldom what a loop is written for, and no sign against
    elif head in _MAPPINGS or head in ("dict_keys", "dict_values"):
        got = (True, None)
    else:
        elem = _iter_arg(ret)
        if elem is None:
            got = None  # a class: whether it iterates is not read here
        else:
            ehead, eargs = _type_args(_annotation_text(elem))
            ehead = ehead.rsplit(".", 1)[-1]
            if ehead.lower() == "tuple" and eargs and eargs[-1] != "...":
                got = (True, len(eargs))
            else:
                got = (True, 1 if ehead in _SCALARS else None)
    _put(_ITERATION, ret, got, 20_000)
    return got


_RAISING = re.compile(r"(?:^|\s)(?:raise|except)\s+\(?$|\bexcept\s*\(.*,\s*$")
_EXCEPTION_NAME = re.compile(r"(?:Error|Exception|Warning|Exit|Interrupt)$")


def _names_class(receiver: str, trec: ApiRecord, doc: _Doc) -> bool:
    """Whether the receiver is the class object itself (`datetime.`, `cls.`, an imported alias), not an
    instance of it (`self` counts as the class here)."""
    if receiver in ("cls", "self") or receiver.rsplit(".", 1)[-1] == trec.name:
        return True  # `self.` too: a class's own code calls its classmethods through self
    bound = doc.module_bindings().get(receiver) if receiver.isidentifier() else None
    return bool(bound) and bound[-1][1].kind == "path"  # `from datetime import datetime as dt`


def _open_calls(head: str, receiver: str) -> set[str]:
    """Names of the `receiver.name(` calls in `head` whose parenthesis is not closed in it; with no
    receiver, of every call (`f(`, `x.f(`) still open."""
    out = set()
    found = _uses(head, [receiver], r"\s*\.\s*([A-Za-z_]\w*)\s*\(") if receiver else \
        re.finditer(r"([A-Za-z_]\w*)\s*\(", head)
    for m in found:
        if _close(head, m.end() - 1) < 0:
            out.add(m.group(1))
    return out


def _follows(before: str, uses: list, typed: str, gap: int = 3) -> dict[str, int]:
    """What followed, earlier in the file, the receiver's last member used just above the cursor:
    `self.send_response(...)` then `self.send_header(...)`, seen before, suggests `send_header` after the
    next `send_response`. `uses`: the receiver's `_uses` in `before`. Counts of the member used next on
    the receiver within `gap` lines."""
    if typed and uses and uses[-1].end() == len(before):
        uses = uses[:-1]  # the name being typed
    if not uses:
        return {}
    last = uses[-1]
    if not 0 < before.count("\n", last.end()) <= gap:
        return {}  # none on the last lines, or the last is on this line: a call still open around the cursor
    prev = last.group(1)
    out: dict[str, int] = {}
    for a, b in zip(uses, uses[1:]):
        # A repeat (`out.append(a)`, `out.append(b)`) is the `recent` evidence's, not this one's.
        near = before.count("\n", a.end(), b.start()) <= gap
        if a.group(1) == prev != b.group(1) and b is not last and near:
            out[b.group(1)] = out.get(b.group(1), 0) + 1
    return out


_TEST_LINE = re.compile(r"\s*(?:if|elif|while)\b")
_BRANCH = re.compile(r"\s*(?:else|elif\b.*|except\b.*)\s*:\s*(?:#.*)?$")
_MASK = re.compile(r"([A-Za-z_]\w*)[\w.]*\[\s*(?::\s*,\s*)?~?\s*$")


def _selects_from(head: str, receiver: str, rest: str) -> bool:
    """`df[df.col.▮(...)]`, `df.loc[~df.▮(...)]`, `arr[np.▮(arr)]`: the call computes a boolean mask
    that selects from the object it is subscripting, so predicates (`isin`, `isna`, `duplicated`) fit."""
    m = _MASK.search(head)
    if not m:
        return False
    end = _close(rest, 0) if rest.startswith("(") else -1
    if end > 0 and re.match(r"\s*[-+*/%<>=!]", rest[end:]):
        return False  # `a[np.abs(a) < tol]`, `s[s.shift(-1) != s]`: the result is compared, not the mask
    base = m.group(1)
    if re.match(rf"{re.escape(base)}\b", receiver):
        return True
    # A function of the module applied to that object: `arr[np.isnan(arr)]`.
    return bool(re.match(rf"\w*\(\s*{re.escape(base)}\b", rest))


# Names of the data a call works on, not of what it does with them (`np.linalg.inv(matrix)`).
_DATA_NAMES = frozenset({"data", "values", "matrix", "items", "seq", "lst", "list", "args", "arrs"})
_RESULT_NAMES = frozenset({"result", "results", "res", "ret", "retval", "out", "output", "tmp", "temp", "ans",
                           "answer", "r"})


def _argument_names_part(name: str, args: list[str]) -> bool:
    """An argument named as a word of a compound member name: `set_debug(self._debug)`,
    `set_exception(exc)`, `replace_header(header, ...)`."""
    from .textproc import split_identifier

    parts = split_identifier(name)
    if len(parts) < 2:
        return False
    for a in args:
        a = a.strip("_")
        if len(a) < 3 or a in _DATA_NAMES:
            continue
        if any(p == a or (len(p) > len(a) and p.startswith(a)) for p in parts):
            return True
    return False


def _call_args(rest: str) -> tuple[list[str], int, str, list[str], bool]:
    """Keyword names, the number of positional arguments, the first one and the names of those that are
    plain names, of the call opening `rest` (this line), and whether those are all its arguments (the
    call closes on this line, with no `*args` / `**kw` splat)."""
    positional, keywords, closed = _call_arguments(rest)
    npos, first = 0, ""
    names = []
    complete = closed
    for a in positional:
        if a.startswith("*"):
            complete = False
        else:
            npos += 1
            first = first or a
            m = re.fullmatch(r"(?:[A-Za-z_]\w*\.)*([A-Za-z_]\w*)", a)
            if m and len(m.group(1)) > 1 and m.group(1).lower() not in _OPERAND_NAMES:
                names.append(m.group(1).lower())
    return [k for k, _ in keywords], npos, first, names, complete


def _call_arguments(rest: str) -> tuple[list[str], list[tuple[str, str]], bool]:
    """The argument texts of the call opening `rest` (this line): the positional ones as written (a
    splat `*xs` / `**kw` among them), the keyword ones as (name, value), and whether it closes here."""
    args, closed = _split_args(rest)
    positional: list[str] = []
    keywords: list[tuple[str, str]] = []
    for a in args:
        a = a.strip()
        m = _KEYWORD_ARG.match(a) if a else None
        if m:
            keywords.append((m.group(1), a[m.end():].strip()))
        elif a:
            positional.append(a)
    return positional, keywords, closed


def _split_args(rest: str) -> tuple[list[str], bool]:
    """The argument texts of the call opening `rest` (this line), and whether it closes on this line."""
    depth, i, args, cur = 0, 0, [], []
    closed = False
    while i < len(rest):
        c = rest[i]
        if c in "\"'":
            j = rest.find(c, i + 1)
            j = len(rest) if j < 0 else j
            cur.append(rest[i: j + 1])
            i = j + 1
            continue
        if c in "([{":
            depth += 1
            if depth == 1:
                i += 1
                continue
        elif c in ")]}":
            depth -= 1
            if depth == 0:
                args.append("".join(cur))
                closed = True
                break
        elif c == "," and depth == 1:
            args.append("".join(cur))
            cur = []
            i += 1
            continue
        cur.append(c)
        i += 1
    else:
        if cur:
            args.append("".join(cur))
    return args, closed


# Argument names that say what a value is, not which parameter it is for: most functions of an array
# library take an `arr` first, whatever they do with it; `parts.append(value)` is no `remove(value)`.
_OPERAND_NAMES = frozenset({"self", "cls", "arr", "ary", "array", "arrays", "x", "y", "value", "item", "obj"})


_TYPE_ARG = re.compile(r"(?:int|float|str|bool|complex|bytes|object|"
                       r"(?:np|numpy)\.(?:u?int\d*|float\d*|complex\d*|bool_?|str_|object_|datetime64|timedelta64))$")


def _arg_kind(arg: str) -> str | None:
    """What the call's first positional argument is, where that says which parameter takes it:
    a function (`lambda x: ...`) or a type (`float`, `np.float32`). A builtin type is a function too,
    but as a first argument it mostly names a type (`astype(float)` more than `map(str)`; measured)."""
    if arg.startswith("lambda") and re.match(r"lambda\b", arg):
        return "callable"
    if _TYPE_ARG.match(arg):
        return "type"
    if _FILE_ARG.search(arg):
        return "file"  # `json.load(infile)`, `pickle.dump(obj, f)` is the second: only the first counts
    return None


_FILE_ARG = re.compile(r"^(?:[A-Za-z_]\w*\.)*(?:f|fp|fh|fo|fobj|\w*file|\w*_file\w*|stream|\w*stream|"
                       r"std(?:in|out|err)|[rw]file)$", re.I)
_FILE_PARAMS = frozenset({"fp", "file", "fh", "fileobj", "fobj", "stream", "f_obj", "fo"})
_CALLABLE_PARAMS = frozenset({"func", "function", "f", "fn", "callback", "mapper", "predicate"})
_TYPE_PARAMS = frozenset({"dtype", "type", "typ", "t", "cls", "klass"})


def _param_takes(p: Param) -> str | None:
    """Which kind of `_arg_kind` argument a parameter is made for, from its name and annotation."""
    ann = p.annotation.lower()
    if p.name in _CALLABLE_PARAMS or "callable" in ann or "func" in ann:
        return "callable"
    if p.name in _TYPE_PARAMS or "dtype" in ann or "type[" in ann:
        return "type"
    if p.name in _FILE_PARAMS or re.search(r"\b(?:supportsread|supportswrite|textio|binaryio|io\[)", ann):
        return "file"
    return None


def _prior(r: ApiRecord, typ: str | None, module_recv: bool, doc: _Doc | None = None,
           name: str | None = None, usage: int | None = None) -> float:
    """How often code calls this member: the index's usage plus the shipped prior (`mod.name`, `.name`)."""
    counts = _shipped_usage()
    if name is None:
        name = r.name
    u = _usage(r) if usage is None else usage
    if r.origin == "file" and doc is not None:  # a definition of the open file: its indexed twin's usage
        for src in doc.sources:
            got = _exact(src, r.public_path)
            if got:
                u = max(_usage(x) for x in got)
                break
    if module_recv and typ:
        u += counts.get(f"{typ}.{name}", 0) or counts.get(r.canonical_path, 0)
    elif not _extra(r, "instance"):  # an attribute the methods set is read, seldom called
        # `.name` counts calls on receivers of any type: shared among the classes in reach that define
        # the name (`.get` is dict's, Queue's, Message's...; `.drop` a few pandas classes').
        shared = counts.get("." + name, 0)
        if shared and doc is not None and (typ or "").removeprefix("builtins.") not in _BUILTIN_TYPES:
            shared /= _n_defining(doc.sources, name)
        u += shared
    return u


# The receivers of most `.name` calls where a builtin type defines the name: `.encode` is mostly str's,
# though 190 codec classes define one too. Their members keep the whole shared count (measured on the
# dev call sites and on six more stdlib packages: only gains).
_BUILTIN_TYPES = frozenset({"str", "bytes", "bytearray", "list", "dict", "set", "frozenset", "tuple", "int",
                            "float"})


def _n_defining(sources: list[Any], name: str) -> int:
    """How many methods and properties named `name` the sources hold (at least 1)."""
    n = 0
    for src in sources:
        lk = _lookups(src)
        if lk is None:
            n += sum(1 for r in src.lookup(name, 200) if r.name == name and r.kind in ("method", "property"))
        else:
            n += lk.n_defining(name)
    return max(1, n)


def _literal_return(rec: ApiRecord, args_text: str) -> str | None:
    """The return of the stub overload that a call's literal arguments pick (`open(p, "rb")`: a
    BufferedReader, `open(p)`: a TextIOWrapper), or None: no such overloads, or an argument the
    choice depends on is not a literal (`open(p, mode)`)."""
    if rec.origin != "stdlib" or rec.kind not in ("function", "method", "class"):
        return None
    forms = _shipped_literal().get(rec.canonical_path) or _shipped_literal().get(rec.public_path)
    if not forms:
        return None
    positional, keywords, _ = _call_arguments(f"({args_text})")
    if any(a.startswith("*") for a in positional) or any(k.startswith("*") for k, _ in keywords):
        return None  # a splat may fill any parameter
    for form in forms:
        params = [p for p in form["params"] if p[0] not in ("self", "cls")]
        given = _fit_overload(params, positional, dict(keywords))  # (a list of values is no `None` type)
        if given is None:
            continue
        fits = True
        for name, _, _, values in params:
            arg = given.get(name)
            if arg is None or values is None:
                continue
            value = _literal(arg)
            if value is None and arg.strip() != "None":
                return None  # the value decides, and it is not written here
            if repr(value) not in values:
                fits = False
                break
        if fits:
            return form["returns"] or None
    return None


def _takes_item(method: str) -> bool:
    """Whether a call of `method` may give an item of what its receiver holds (`d.get`, `q.get`)."""
    return method in _TAKE or method in _holder_methods()


@lru_cache(maxsize=1)
def _holder_methods() -> frozenset[str]:
    """Names of the standard-library methods whose stubs return a TypeVar of their class (`get`, `result`,
    `popleft`): what a receiver declared `Queue[str]` holds."""
    generic = _shipped_generic()[0]
    return frozenset(k.rsplit(".", 1)[-1] for k, forms in generic.items() if any("owner" in f for f in forms))


_INTENT_KINDS = frozenset({"method", "function", "property", "attribute"})
_DEF_LINE = re.compile(r"(?:async\s+)?(?:def|class)\s+(\w+)")


def _enclosing_headers(lines: list[str], line: int, max_lines: int):
    """(text, indentation) of the lines that open the blocks `line` is in, innermost first."""
    cur = lines[line]
    indent = len(cur) - len(cur.lstrip())
    for i in range(line - 1, max(-1, line - max_lines), -1):
        raw = lines[i]
        text = raw.strip()
        if not text or text.startswith(("#", ")", "]", "}")):
            continue
        lead = len(raw) - len(raw.lstrip())
        if lead < indent:
            yield text, lead
            indent = lead


def _handled_exception(lines: list[str], line: int, max_lines: int = 40) -> str:
    """The words of the `except` clause whose block `line` is directly in ("exceptions CancelledError"),
    else ""."""
    for text, _ in _enclosing_headers(lines, line, max_lines):
        m = re.match(r"except\*?\b([^:#]*)", text)
        return " ".join(w for w in _WORDS.findall(m.group(1)) if w != "as") if m else ""
    return ""


def _def_params(lines: list[str], line: int, name: str, max_lines: int = 400) -> frozenset[str] | None:
    """The parameter names of `def name(...)` above `line` (its header may span lines), None if not found."""
    head = re.compile(r"\s*(?:async\s+)?def\s+" + re.escape(name) + r"\s*\(")
    for i in range(line - 1, max(-1, line - max_lines), -1):
        m = head.match(lines[i])
        if m:
            args, closed = _split_args("(" + " ".join(lines[i:i + 20])[m.end():])
            if not closed:
                return None
            return frozenset(p.group(1) for a in args if (p := re.match(r"\s*\**([A-Za-z_]\w*)", a)))
    return None


def _enclosing_function(lines: list[str], line: int, max_lines: int = 400) -> str | None:
    """The name of the function whose body `line` is in (None at module or class level)."""
    for text, lead in _enclosing_headers(lines, line, max_lines):
        m = _DEF_LINE.match(text)
        if m:
            return m.group(1) if not text.startswith("class") else None
        if lead == 0:
            return None
        # an enclosing `if`/`for`/`with`: keep climbing
    return None


def intent_text(lines: list[str], line: int, max_lines: int = 40) -> str:
    """Comments, docstring text and the enclosing function's name above `line` (its block only), at
    most _INTENT_CHARS of it."""
    comments: list[str] = []
    start = max(0, line - max_lines)
    head = ""
    # Module-level code (a script, a notebook cell): the comments of the paragraph the line is in.
    top = not lines[line][:1].isspace()
    for i in range(line, start - 1, -1):
        raw = lines[i]
        text = raw.strip()
        if i < line:
            m = _DEF_LINE.match(text)
            if m:
                if not top:
                    head = " ".join(m.group(1).split("_"))
                start = i
                break
            if top:
                if not text:
                    start = i
                    break  # a blank line ends the paragraph
            elif raw[:1] and not raw[:1].isspace() and not text.startswith("#"):
                start = i
                break  # left the enclosing block
        if text.startswith("#"):
            comments.append(text.lstrip("#").strip())
    doc: list[str] = []
    # The enclosing function's docstring: the string right after its `def` line.
    j = start + 1
    if head and j < line and lines[j].strip()[:3] in ('"""', "'''"):
        quote = lines[j].strip()[:3]
        for k in range(j, min(line, j + 15)):
            doc.append(lines[k].strip().replace(quote, ""))
            if k > j and quote in lines[k] or (k == j and lines[k].strip().count(quote) >= 2):
                break
    text = " ".join([head, *doc, *reversed(comments)]).strip()
    if len(text) > _INTENT_CHARS and comments:
        # Too long: the function's name and its docstring's start, then the comments nearest the line,
        # which say most about it (the cut once kept the start and lost them: "... and reseting_index"
        # right above `return kf.▮`).
        start = " ".join([head, *doc]).strip()[:_INTENT_HEAD]
        near = " ".join(reversed(comments))
        keep = _INTENT_CHARS - len(start) - 1
        if len(near) > keep:
            near = near[len(near) - keep:].split(" ", 1)[-1]
        text = f"{start} {near}".strip()
    return text[:_INTENT_CHARS]


_INTENT_CHARS = 300
_INTENT_HEAD = 120  # ... of which the name and docstring keep at most this much when comments follow


_INTENT_DEPTH = 20


def _intent_hits(sources: list[Any], lines: list[str], line: int) -> dict[str, tuple[float, ApiRecord]]:
    text = intent_text(lines, line)
    if len(text.split()) < 2:
        return {}
    out: dict[str, tuple[float, ApiRecord]] = {}
    for src in sources:
        search = getattr(src, "search", None)
        if search is None:
            continue
        # The same comments ask again on every keystroke in a function: memoize per index generation.
        # Lexical only: a query embedding would cost completion its latency budget (p95 15 ms). A fixed
        # depth: the LSP asks for k=50 items, but hits past 20 rarely help and cost.
        try:
            hits = _memoized(src, "intent", text, lambda: search(text, k=_INTENT_DEPTH, dense=False))
        except Exception:  # a closed or broken index: intent is optional
            continue
        for h in hits:
            r = h.record
            if r.kind in _INTENT_KINDS and r.name not in out:
                out[r.name] = (1.0 / (2 + h.rank), r)
    return out


def _prefix_rank(name: str, prefix: str) -> int:
    if not prefix:
        return 0
    if name.startswith(prefix):
        return 0
    return 1 if name.lower().startswith(prefix.lower()) else 2


def _name_visible(name: str, prefix: str, want_private: bool) -> bool:
    if name.startswith("_") and not want_private:
        return False
    if name.startswith("__") and not prefix.startswith("__"):
        return False
    return not prefix or prefix.lower() in name.lower()


def _visible(r: ApiRecord, prefix: str, want_private: bool, name: str | None = None) -> bool:
    if r.private and not want_private and r.origin != "file":
        return False
    return _name_visible(r.name if name is None else name, prefix, want_private)


def record_at(searchers: list[Any], code: str, line: int, character: int, *,
              module: str | None = None) -> ApiRecord | None:
    """The indexed API named by the dotted expression under the cursor (for hover)."""
    lines = code.split("\n")
    if not (0 <= line < len(lines)):
        return None
    cur = lines[line].rstrip("\r")
    character = max(0, min(character, len(cur)))
    m = re.match(r"[\w]*", cur[character:])
    end = character + (m.group().__len__() if m else 0)
    if end == 0 or not (cur[end - 1].isalnum() or cur[end - 1] == "_"):
        return None
    found = receiver_at(cur, end) or _receiver_across_lines(lines, line, end)
    doc = _Doc(list(searchers), code, line, end, module)
    if found is None:
        word = _IDENT_END.search(cur[:end]).group()
        if not word or _in_comment_or_string(cur[:end]):
            return None
        t = doc.resolve_name(word, doc.scopes_at_cursor())
    else:
        recv, name = found
        base = doc.infer(recv)
        if base is None:
            return None
        rec = doc.record(base)
        t = doc.find_member(base, name).public_path if rec is not None and rec.kind == "class" \
            and doc.find_member(base, name) is not None else f"{base}.{name}"
    return doc.record(t) if t else None


def call_at(searchers: list[Any], code: str, line: int, character: int, *,
            module: str | None = None) -> tuple[ApiRecord, int] | None:
    """(callee record, active parameter index) for the innermost open call before the cursor."""
    lines = code.split("\n")
    if not (0 <= line < len(lines)):
        return None
    cur = lines[line].rstrip("\r")
    before = cur[: max(0, min(character, len(cur)))]
    depth, commas = 0, 0
    # The open call may start lines above (`df.apply(\n    func,\n    ▮`): scan back over them.
    for at in range(line, max(-1, line - 20), -1):
        text = before if at == line else _strip_comment(lines[at].rstrip("\r"))
        i = len(text) - 1
        while i >= 0:
            c = text[i]
            if c in ")]}":
                depth += 1
            elif c in "([{":
                if depth == 0:
                    if c != "(":
                        return None
                    break
                depth -= 1
            elif c == "," and depth == 0:
                commas += 1
            i -= 1
        if i >= 0:
            break
    else:
        return None
    head = text[:i].rstrip()
    m = _IDENT_END.search(head)
    if not m or not m.group():
        return None
    rec = record_at(searchers, "\n".join(lines[:at] + [head]), at, len(head), module=module)
    if rec is None or rec.kind not in ("function", "method", "class", "constructor"):
        return None
    return rec, commas


def unknown_attributes(searchers: list[Any], code: str, *, max_lines: int = 20000) -> list[dict[str, Any]]:
    """`mod.name` uses, for imported modules the index knows, where `name` is not in the index.

    Each: {"line", "start", "end" (str indices), "module", "name", "suggestions"}.
    """
    imports = module_imports(code)
    if not imports:
        return []
    mods: dict[str, tuple[set[str], str]] = {}
    for local, target in imports.items():
        rec = exact_record(searchers, target)
        if rec is None or rec.kind != "module":
            continue
        if any(exact_record(searchers, f"{target}.{d}") is not None for d in ("__getattr__",)):
            continue  # dynamic module attributes: cannot tell
        names: set[str] = set()
        for src in searchers:
            names.update(r.name for r in _members(src, target))
            if rec.public_path != target:
                names.update(r.name for r in _members(src, rec.public_path))
        if names:
            mods[local] = (names, target)
    if not mods:
        return []
    pat = re.compile(r"(?<![\w.])(" + "|".join(re.escape(n) for n in mods) + r")\.([A-Za-z_]\w*)")
    out = []
    for ln, text in enumerate(code.split("\n")[:max_lines]):
        if "." not in text:
            continue
        for m in pat.finditer(text):
            local, name = m.group(1), m.group(2)
            names, target = mods[local]
            if name in names or name.startswith("__"):
                continue
            if _in_comment_or_string(text[: m.start()]):
                continue
            if exact_record(searchers, f"{target}.{name}") is not None:
                continue  # submodules, aliases
            out.append({"line": ln, "start": m.start(2), "end": m.end(2), "module": target, "name": name,
                        "suggestions": difflib.get_close_matches(name, sorted(n for n in names
                                                                              if not n.startswith("_")),
                                                                 n=3, cutoff=0.6)})
    return out


_NOT_NL = re.compile(r"^(type:|noqa|pragma|pylint:|fmt:|isort:|mypy:|-\*-|!|todo\b|fixme\b|xxx\b)", re.I)


def nl_comment_query(line_text: str) -> str | None:
    """The natural-language request of a comment line, or None.

    Syntax: a line holding only a comment. ``# apirec: <query>`` is always a request; a plain
    ``# <words>`` is one when it reads like prose: at least two words, no code punctuation
    (``=()[]{}:;``), and not a tool pragma (``# type:``, ``# noqa``, ``# TODO``, shebangs, ...).
    """
    s = line_text.strip()
    if not s.startswith("#"):
        return None
    body = s.lstrip("#").strip()
    m = re.match(r"^apirec\s*:\s*(.*)$", body, re.I)
    if m:
        q = m.group(1).strip()
        return q or None
    if _NOT_NL.match(body) or s.startswith("#!"):
        return None
    words = re.findall(r"[A-Za-z][A-Za-z'-]*", body)
    if len(words) < 2 or re.search(r"[=(){}\[\];]|:\s|->|\w\.\w", body):
        return None
    return body.rstrip(".?! ")


def call_snippet(record: ApiRecord, qualifier: str, *, snippet: bool = True) -> str:
    """`json.loads(${1:s})`: required parameters as tab stops (plain names when snippet=False). A model hub
    entry's signature is its whole call, written out (`torch.hub.load(repo_or_dir=..., model='yolov5s')`)."""
    if is_whole_call(record.signature):
        return record.signature
    name = f"{qualifier}.{record.name}" if qualifier else record.name
    if record.kind not in ("function", "method", "class", "constructor"):
        return name
    req = [p for p in record.params if not p.default and p.kind in ("positional_only", "positional_or_keyword")]
    parts = []
    for i, p in enumerate(req, 1):
        pname = p.name.replace("$", "").replace("}", "")
        parts.append(f"${{{i}:{pname}}}" if snippet else pname)
    if snippet and not parts:
        return f"{name}($0)"
    return f"{name}({', '.join(parts)})"


def name_completions(searchers: list[Any], code: str, line: int, character: int, *, k: int = 50,
                     module: str | None = None) -> list[Hit]:
    """Plain identifiers being typed (not after a dot): the file's imported names first, then
    builtins and top-level modules of the indexes, by usage."""
    lines = code.split("\n")
    if not (0 <= line < len(lines)):
        return []
    cur = lines[line].rstrip("\r")
    before = cur[: max(0, min(character, len(cur)))]
    m = _IDENT_END.search(before)
    prefix = m.group() if m else ""
    start = len(before) - len(prefix)
    if not prefix and cur[character:].lstrip().startswith("(") and not before.rstrip().endswith(".") \
            and not _in_comment_or_string(before):
        return _callee_completions(searchers, lines, line, character, k, module)
    if not prefix or prefix[0].isdigit() or (start > 0 and before[start - 1] == ".") \
            or _in_comment_or_string(before):
        return []
    doc = _Doc(list(searchers), code, line, character, module)
    out: dict[str, tuple[tuple, ApiRecord, dict]] = {}
    for name, lst in doc.module_bindings().items():
        if not name.lower().startswith(prefix.lower()):
            continue
        b = lst[-1][1]
        rec = exact_record(doc.sources, b.value) if b.kind == "path" else None
        if rec is None:
            kind = {"local-class": "class", "local-def": "function"}.get(b.kind, "attribute")
            rec = ApiRecord(public_path=name, canonical_path=name, kind=kind if b.kind != "path" else "module",
                            origin="file")
        out[name] = ((0, _prefix_rank(name, prefix), name), rec, {"source": "file"})
    for src in searchers:
        lk = _lookups(src)
        if lk is None:
            continue
        for r in lk.top_level_named(prefix):
            if r.name not in out:
                u = _usage(r)
                out[r.name] = ((1, _prefix_rank(r.name, prefix), -u, _KIND_ORDER.get(r.kind, 5), r.name), r,
                               {"source": "global", "usage": u})
    ranked = sorted(out.values(), key=lambda v: v[0])[:k]
    return [Hit(record=r, score=round(1.0 / i, 4), rank=i, why=why) for i, (_, r, why) in enumerate(ranked, 1)]


def _callee_completions(searchers: list[Any], lines: list[str], line: int, character: int, k: int,
                        module: str | None) -> list[Hit]:
    """Asked with nothing typed before a call's arguments (`return ▮(df.columns)`): the functions and
    classes in reach without a dot (the file's top-level names, builtins), scored as members are, on
    the comments' intent, the arguments and usage (`len` for "the number of columns")."""
    doc = _Doc(list(searchers), "\n".join(lines), line, character, module)
    pool: dict[str, tuple[int, ApiRecord, dict]] = {}
    for name, lst in doc.module_bindings().items():
        b = lst[-1][1]
        rec = exact_record(doc.sources, b.value) if b.kind == "path" else None
        if rec is None and b.kind == "local-def":
            rec = ApiRecord(public_path=name, canonical_path=name, kind="function", origin="file")
        if rec is not None and rec.kind in _CALLABLE and not name.startswith("_"):
            pool[name] = (1, rec, {"source": "file"})
    for src in searchers:
        lk = _lookups(src)
        for r in lk.top_level_callables() if lk is not None else ():
            if r.name not in pool:
                pool[r.name] = (1, r, {"source": "global", "usage": _usage(r)})
    if not pool:
        return []
    site = _Site(doc, lines, line, character, "", "")
    site.prepare(pool)
    scored = sorted(((site.score(r, None, False, pool, why), name, r, why)
                     for name, (_, r, why) in pool.items()), key=lambda t: (-t[0][0], t[1]))
    out = []
    for i, ((sc, parts), _, r, why) in enumerate(scored[:k], 1):
        why.update({key: round(v, 3) for key, v in parts.items()})
        out.append(Hit(record=r, score=round(sc, 4), rank=i, why=why))
    return out
