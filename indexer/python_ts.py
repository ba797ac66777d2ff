"""Python extractor: tree-sitter parse of one module into JSON-able *facts* (never imports the code).

Facts are per file and cacheable by content hash; turning them into public API records needs the
whole package (re-exports), which `resolve.py` does in a separate pass.
"""

from __future__ import annotations

import ast
import inspect
import re
from functools import lru_cache
from typing import Any

_DEPRECATED_DOC = re.compile(r"(\.\. deprecated::|^\s*deprecated\b|\bis deprecated\b)", re.I | re.M)


@lru_cache(maxsize=1)
def _language():
    import tree_sitter_python as tsp
    from tree_sitter import Language

    return Language(tsp.language())


@lru_cache(maxsize=1)
def parser():
    from tree_sitter import Parser

    return Parser(_language())


@lru_cache(maxsize=1)
def _calls_query():
    from tree_sitter import Query

    return Query(_language(), "(call function: [(identifier) (attribute)] @f)")


MAX_CALL_NAMES = 400


def _calls(root, imports: list[dict[str, Any]]) -> dict[str, int]:
    """Usage counts of called names, qualified through the module's imports (`np.array` ->
    `numpy.array`); calls on unknown receivers count as `.name` (a method-name vote)."""
    from tree_sitter import QueryCursor

    alias = {}
    for imp in imports:
        if imp.get("local"):
            continue
        alias[imp["name"]] = f"{imp['module']}.{imp['attr']}" if imp["attr"] else imp["module"]
    counts: dict[str, int] = {}
    for node in QueryCursor(_calls_query()).captures(root).get("f", ()):
        text = node.text.decode("utf-8", "replace")
        if len(text) > 120 or "\n" in text or "(" in text or "[" in text:
            continue
        head, _, rest = text.partition(".")
        if head in alias:
            name = alias[head] + ("." + rest if rest else "")
        elif rest:
            name = "." + text.rsplit(".", 1)[-1]
        else:
            name = head  # a builtin or a local function
        counts[name] = counts.get(name, 0) + 1
    if len(counts) > MAX_CALL_NAMES:
        # Ties by name: tree-sitter hands the captures over in no fixed order.
        counts = dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:MAX_CALL_NAMES])
    return counts


def _text(node) -> str:
    return node.text.decode("utf-8", "replace") if node is not None else ""


def _string_value(node) -> str:
    """The value of a string literal node; literal_eval parses, it never executes."""
    raw = _text(node)
    try:
        val = ast.literal_eval(raw)
        if isinstance(val, bytes):
            val = val.decode("utf-8", "replace")
        return val if isinstance(val, str) else ""
    except Exception:  # f-strings, broken literals
        parts = [_text(c) for c in node.children if c.type == "string_content"]
        return "".join(parts)


def _literal_text(node) -> str | None:
    """The text of a string literal, implicitly concatenated ones too; None for anything else."""
    if node.type == "string":
        return _string_value(node)
    if node.type == "concatenated_string":
        return "".join(_string_value(s) for s in node.named_children if s.type == "string")
    return None


def _docstring(body) -> str:
    if body is None:
        return ""
    for child in body.children:
        if child.type == "comment":
            continue
        if child.type == "expression_statement" and child.named_child_count == 1:
            text = _literal_text(child.named_children[0])
            if text is not None:
                return inspect.cleandoc(text)
        return ""
    return ""


def parameters(params_node) -> list[dict[str, str]]:
    out: list[dict[str, str]] = []
    if params_node is None:
        return out
    kind = "positional_or_keyword"
    for p in params_node.named_children:
        t = p.type
        if t == "identifier":
            out.append({"name": _text(p), "kind": kind})
        elif t in ("typed_parameter", "default_parameter", "typed_default_parameter"):
            name_node = p.child_by_field_name("name")
            if name_node is None:  # typed_parameter: `a: int`, or a splat `*args: int`
                inner = p.named_children[0] if p.named_child_count else None
                star = _text(inner)
                ann = _text(p.child_by_field_name("type"))
                if inner is None or inner.type == "identifier":
                    out.append({"name": star, "annotation": ann, "kind": kind})
                    continue
                k = "var_keyword" if star.startswith("**") else "var_positional"
                out.append({"name": star.lstrip("*"), "annotation": ann, "kind": k})
                if k == "var_positional":
                    kind = "keyword_only"
                continue
            out.append(
                {
                    "name": _text(name_node),
                    "annotation": _text(p.child_by_field_name("type")),
                    "default": _text(p.child_by_field_name("value")),
                    "kind": kind,
                }
            )
        elif t == "list_splat_pattern":
            out.append({"name": _text(p).lstrip("*"), "kind": "var_positional"})
            kind = "keyword_only"
        elif t == "dictionary_splat_pattern":
            out.append({"name": _text(p).lstrip("*"), "kind": "var_keyword"})
        elif t == "keyword_separator":
            kind = "keyword_only"
        elif t == "positional_separator":
            for q in out:
                q["kind"] = "positional_only"
    return out


def _signature(fn) -> str:
    params = " ".join(_text(fn.child_by_field_name("parameters")).split())
    ret = fn.child_by_field_name("return_type")
    return params + (f" -> {' '.join(_text(ret).split())}" if ret is not None else "")


def _doctest_examples(doc: str) -> list[str]:
    """`>>>` blocks of a docstring, as runnable-looking code (prompts stripped)."""
    blocks: list[str] = []
    cur: list[str] = []
    for line in doc.splitlines():
        s = line.strip()
        if s.startswith(">>> ") or s == ">>>":
            cur.append(s[4:])
        elif s.startswith("... ") and cur:
            cur.append(s[4:])
        elif cur:
            if not s:
                blocks.append("\n".join(cur))
                cur = []
    if cur:
        blocks.append("\n".join(cur))
    return [b for b in blocks if b.strip()][:5]


def _decorators(node) -> list[str]:
    if node.parent is not None and node.parent.type == "decorated_definition":
        # The expression only: `@overload  # type: ignore[override]` carries its comment inside the node.
        return [" ".join(_text(c) for c in d.named_children if c.type != "comment").strip()
                for d in node.parent.children if d.type == "decorator"]
    return []


# Where a docstring's description ends: a numpydoc section (a title over a dashed rule), a Google
# section ("Args:"), or a Sphinx field (":param x:").
_DOC_SECTION = re.compile(
    r"^(?:\S[^\n]*\n[ \t]*[-=]{3,}[ \t]*$"
    r"|(?:Args|Arguments|Parameters|Params|Keyword Args|Keyword Arguments|Other Parameters|Returns?|Yields?"
    r"|Raises|Attributes|Examples?|Notes?|See Also|Warns|Warnings?):[ \t]*$"
    r"|:(?:param|parameter|arg|argument|key|keyword|type|returns?|rtype|raises?)\b)", re.M)


def _is_deprecated(decorators: list[str], doc: str, body) -> bool:
    """Whether the function or class itself is deprecated: a `@deprecated` decorator, a deprecation in
    its description, or a warning its body gives unconditionally. Not one of its parameters: pandas 3.1
    deprecates `inplace` under every method that takes it (`DataFrame.dropna`, `drop_duplicates`), and
    `urllib.request.urlopen` warns only when it is passed `cafile`."""
    if any(d.split("(")[0].split(".")[-1] == "deprecated" for d in decorators):
        return True
    if doc:
        m = _DOC_SECTION.search(doc, 0, 2000)
        # Indented lines of the description are a directive's body or a quoted block, not the API's word.
        lines = doc[: m.start() if m else 2000].split("\n")
        head = "\n".join(line for line in lines if not line[:1].isspace())
        if _DEPRECATED_DOC.search(head):
            return True
    # warnings.warn(..., DeprecationWarning) as one of the first statements of the body, not under an `if`.
    if body is not None:
        for stmt in body.named_children[:4]:
            text = stmt.text
            if stmt.type == "expression_statement" and b"DeprecationWarning" in text and b"warn" in text:
                return True
    return False


_VAGUE_RETURNS = frozenset({"", "None", "Any", "typing.Any", "Incomplete", "_typeshed.Incomplete"})


def result_kind(fn) -> str:
    """What a function's body gives back: 'value' (`return x`, `yield`), 'none' (it only returns or
    falls off its end), or '' where the body does not say (`...`, `pass`, `raise NotImplementedError`,
    a docstring alone: stubs and abstract methods). Nested functions and lambdas are not its body."""
    body = fn.child_by_field_name("body")
    if body is None:
        return ""
    stmts = _body_statements(body)

    def placeholder(st) -> bool:
        if st.type == "pass_statement":
            return True
        if st.type == "expression_statement":
            return st.named_child_count == 1 and st.named_children[0].type == "ellipsis"
        return st.type == "raise_statement" and "NotImplemented" in _text(st)

    if all(placeholder(st) for st in stmts):
        return ""
    todo = list(stmts)
    while todo:
        n = todo.pop()
        if n.type in ("function_definition", "class_definition", "decorated_definition", "lambda"):
            continue
        if n.type == "yield":
            return "value"
        if n.type == "return_statement":
            vals = [c for c in n.named_children if c.type != "comment"]
            if vals and not (len(vals) == 1 and vals[0].type == "none"):
                return "value"
        todo.extend(n.named_children)
    return "none"


def _body_statements(body) -> list:
    """A function body's statements, without comments and its docstring."""
    stmts = [c for c in body.named_children if c.type != "comment"]
    if stmts and stmts[0].type == "expression_statement" and stmts[0].named_child_count \
            and stmts[0].named_children[0].type == "string":
        stmts = stmts[1:]
    return stmts


def _entered_argument(body) -> int | None:
    """Which of the constructor's arguments `with C(...) as v` binds to v, where `__enter__` only returns
    an attribute that `__init__` sets to that parameter (`contextlib.closing`: `self.thing = thing`,
    `return self.thing`): the wrapped object, whose members the user calls (`with closing(urlopen(u))
    as page: page.read()`). Its position among the arguments callers pass; None where the class's code
    does not say so plainly."""
    fns = {}
    for stmt in _block_statements(body):
        if stmt.type == "function_definition":
            fns[_text(stmt.child_by_field_name("name"))] = stmt
    enter, init = fns.get("__enter__"), fns.get("__init__")
    if enter is None or init is None:
        return None
    e_params = parameters(enter.child_by_field_name("parameters"))
    stmts = _body_statements(enter.child_by_field_name("body"))
    if len(e_params) != 1 or len(stmts) != 1 or stmts[0].type != "return_statement":
        return None
    value = stmts[0].named_children[0] if stmts[0].named_child_count == 1 else None
    if value is None or value.type != "attribute" \
            or _text(value.child_by_field_name("object")) != e_params[0]["name"]:
        return None
    attr = _text(value.child_by_field_name("attribute"))
    params = parameters(init.child_by_field_name("parameters"))
    if not params or params[0]["kind"] == "var_positional":
        return None
    me, names = params[0]["name"], [p["name"] for p in params[1:]]
    for stmt in _block_statements(init.child_by_field_name("body")):
        expr = stmt.named_children[0] if stmt.type == "expression_statement" and stmt.named_child_count \
            else None
        if expr is None or expr.type != "assignment":
            continue
        left, right = expr.child_by_field_name("left"), expr.child_by_field_name("right")
        if left is not None and left.type == "attribute" and _text(left.child_by_field_name("object")) == me \
                and _text(left.child_by_field_name("attribute")) == attr:
            val = _text(right) if right is not None else ""
            ok = right is not None and right.type == "identifier" and val in names
            return names.index(val) if ok and params[1 + names.index(val)]["kind"] not in (
                "var_positional", "var_keyword", "keyword_only") else None
    return None


def _def_fact(node, qual: str, kind: str, doc: str, **extra: Any) -> dict[str, Any]:
    fact = {
        "qual": qual,
        "kind": kind,
        "line": node.start_point[0] + 1,
        "doc": doc,
    }
    fact.update(extra)
    return fact


def _block_statements(block, loops: bool = False, depth: int = 0):
    """Statements of a block, looking through if/try/with so conditional definitions count; with
    `loops`, through for/while bodies and every clause too, six levels deep at most (a method body,
    for the attributes it sets)."""
    if block is None or loops and depth > 6:
        return
    for child in block.named_children:
        t = child.type
        if t in ("if_statement", "try_statement", "with_statement") or loops and t in ("for_statement",
                                                                                        "while_statement"):
            for sub in child.named_children:
                if sub.type == "block":
                    yield from _block_statements(sub, loops, depth + 1)
                elif sub.type in ("else_clause", "elif_clause", "except_clause", "finally_clause") \
                        or loops and sub.type.endswith("_clause"):
                    for b in sub.named_children:
                        if b.type == "block":
                            yield from _block_statements(b, loops, depth + 1)
        else:
            yield child


def _under_type_checking(node) -> bool:
    """Whether a statement sits in the body of `if TYPE_CHECKING:` (or `if typing.TYPE_CHECKING:`)."""
    block = node.parent
    while block is not None and block.type == "block":
        stmt = block.parent
        if stmt is None or stmt.type != "if_statement":
            return False
        cond = stmt.child_by_field_name("condition")
        if cond is not None and _text(cond).rsplit(".", 1)[-1] == "TYPE_CHECKING" \
                and stmt.child_by_field_name("consequence") == block:
            return True
        block = stmt.parent
    return False


class _Extractor:
    def __init__(self, module: str, is_package: bool, newdoc_calls: bool = False, overloads: bool = False):
        self.module = module
        self.is_package = is_package
        self.defs: list[dict[str, Any]] = []
        self.imports: list[dict[str, Any]] = []
        self.star: list[str] = []
        self.all_names: list[str] | None = None
        self.all_dynamic = False
        self.bases: dict[str, list[str]] = {}
        self.newdocs: list[dict[str, str]] = []
        self._newdoc_calls = newdoc_calls  # the source mentions add_newdoc (numpy): look for the calls
        # Module functions that wrap add_newdoc: name -> (module, class, index of the member-name parameter).
        self._newdoc_helpers: dict[str, tuple[str, str, int]] = {}
        self._seen: set[str] = set()
        # qual -> every `@overload`'s params and return, kept only when asked (typeshed's mining)
        self.overloads: dict[str, list[dict[str, Any]]] | None = {} if overloads else None

    # -- imports -------------------------------------------------------------------------------
    def _absolute(self, rel: str) -> str:
        """Resolve a relative module reference (`..x.y`) against this module."""
        dots = len(rel) - len(rel.lstrip("."))
        if not dots:
            return rel
        parts = self.module.split(".")
        base = parts if self.is_package else parts[:-1]
        if dots > 1:
            base = base[: len(base) - (dots - 1)] if dots - 1 <= len(base) else []
        tail = rel[dots:]
        return ".".join([*base, tail] if tail else base)

    def _import(self, node) -> None:
        line = node.start_point[0] + 1
        first = len(self.imports)
        if node.type == "import_statement":
            for name in node.named_children:
                if name.type == "aliased_import":
                    target = _text(name.child_by_field_name("name"))
                    alias = _text(name.child_by_field_name("alias"))
                    self.imports.append({"name": alias, "module": target, "attr": None, "line": line})
                else:
                    target = _text(name)
                    # `import a.b` binds `a`; a.b stays reachable through it.
                    top = target.split(".")[0]
                    self.imports.append({"name": top, "module": top, "attr": None, "line": line})
        elif node.type == "import_from_statement":
            mod_node = node.child_by_field_name("module_name")
            module = self._absolute(_text(mod_node))
            if any(c.type == "wildcard_import" for c in node.children):
                self.star.append(module)
                return
            for name in node.children_by_field_name("name"):
                if name.type == "aliased_import":
                    attr = _text(name.child_by_field_name("name"))
                    alias = _text(name.child_by_field_name("alias"))
                else:
                    attr = alias = _text(name)
                self.imports.append({"name": alias, "module": module, "attr": attr, "line": line})
        if _under_type_checking(node):
            # Bound for the type checker only: no runtime name, so never a re-export (pandas' core
            # modules import GroupBy that way); annotations still resolve through it.
            for imp in self.imports[first:]:
                imp["typing"] = True

    # -- __all__ ------------------------------------------------------------------------------
    def _all_strings(self, node) -> list[str] | None:
        if node is None:
            return None
        if node.type in ("list", "tuple", "set"):
            vals = []
            for c in node.named_children:
                if c.type == "comment":
                    continue
                if c.type != "string":
                    self.all_dynamic = True
                    continue
                vals.append(_string_value(c))
            return vals
        if node.type == "binary_operator":
            left = self._all_strings(node.child_by_field_name("left"))
            right = self._all_strings(node.child_by_field_name("right"))
            return (left or []) + (right or [])
        if node.type == "parenthesized_expression" and node.named_child_count:
            return self._all_strings(node.named_children[0])
        self.all_dynamic = True
        return None

    def _maybe_all(self, stmt) -> bool:
        expr = stmt.named_children[0] if stmt.named_child_count else None
        if expr is None:
            return False
        if expr.type in ("assignment", "augmented_assignment"):
            left = expr.child_by_field_name("left")
            if _text(left) != "__all__":
                return False
            vals = self._all_strings(expr.child_by_field_name("right"))
            if expr.type == "assignment":
                self.all_names = vals if vals is not None else (self.all_names or [])
            else:
                self.all_names = (self.all_names or []) + (vals or [])
            return True
        if expr.type == "call":
            fn = _text(expr.child_by_field_name("function"))
            if fn in ("__all__.extend", "__all__.append"):
                args = expr.child_by_field_name("arguments")
                arg = args.named_children[0] if args is not None and args.named_child_count else None
                if fn == "__all__.append" and arg is not None and arg.type == "string":
                    vals = [_string_value(arg)]
                else:
                    vals = self._all_strings(arg) or []
                self.all_names = (self.all_names or []) + vals
                return True
        return False

    # -- definitions --------------------------------------------------------------------------
    def _add(self, fact: dict[str, Any]) -> None:
        if self.overloads is not None and fact.get("overload"):
            self.overloads.setdefault(fact["qual"], []).append(
                {"params": fact.get("params", []), "returns": fact.get("returns", "")})
        # First definition wins; a later one only fills a missing docstring (e.g. try/except twins).
        # Overloads are the exception: the implementation after them gives the signature users call
        # (pandas' `sort_index` overloads start with `inplace: Literal[True]) -> None`), and among
        # overloads alone (a stub) the first that returns something definite does (numpy's ufunc
        # `__call__` on a scalar returns Any, on an array an NDArray).
        if fact["qual"] in self._seen:
            for f in self.defs:
                if f["qual"] != fact["qual"]:
                    continue
                if f.get("overload") and f["kind"] == fact["kind"] and (
                        not fact.get("overload") or f.get("returns") in _VAGUE_RETURNS
                        and fact.get("returns") not in _VAGUE_RETURNS):
                    doc = f["doc"]
                    f.update({k: v for k, v in fact.items() if k != "doc"})
                    f["doc"] = doc
                if not f["doc"] and fact["doc"]:
                    f["doc"] = fact["doc"]
            return
        self._seen.add(fact["qual"])
        self.defs.append(fact)

    def _function(self, node, prefix: str, in_class: bool) -> None:
        name = _text(node.child_by_field_name("name"))
        body = node.child_by_field_name("body")
        doc = _docstring(body)
        decorators = _decorators(node)
        if any(d.endswith((".setter", ".deleter")) for d in decorators):
            return
        kind = "method" if in_class else "function"
        if in_class and any(d.split("(")[0] in ("property", "cached_property", "functools.cached_property")
                            or d.endswith(".cached_property") for d in decorators):
            kind = "property"
        params = parameters(node.child_by_field_name("parameters"))
        static = "staticmethod" in decorators
        if in_class and not static and params and params[0]["kind"] != "var_positional":
            params = params[1:]  # self / cls are not arguments users pass
        ret = node.child_by_field_name("return_type")
        overload = any(d in ("overload", "typing.overload", "t.overload") for d in decorators)
        self._add(
            _def_fact(
                node,
                prefix + name,
                kind,
                doc,
                **({"overload": True} if overload else {}),
                signature=_signature(node),
                params=params,
                returns=" ".join(_text(ret).split()),
                deprecated=_is_deprecated(decorators, doc, body),
                decorators=decorators[:5],
                examples=_doctest_examples(doc),
                is_async=node.children[0].type == "async",
                result=result_kind(node),
            )
        )

    def _class(self, node, prefix: str) -> None:
        name = _text(node.child_by_field_name("name"))
        qual = prefix + name
        body = node.child_by_field_name("body")
        doc = _docstring(body)
        bases = []
        supers = node.child_by_field_name("superclasses")
        if supers is not None:
            bases = [_text(c) for c in supers.named_children if c.type != "keyword_argument"]
        self.bases[qual] = bases
        decorators = _decorators(node)
        fact = _def_fact(
            node,
            qual,
            "class",
            doc,
            signature="",
            params=[],
            bases=bases,
            deprecated=_is_deprecated(decorators, doc, None),
            examples=_doctest_examples(doc),
        )
        self._add(fact)
        for stmt in _block_statements(body):
            self._statement(stmt, qual + ".", in_class=True)
        self._instance_attributes(body, qual)
        enters = _entered_argument(body)
        if enters is not None:
            enter = next((f for f in self.defs if f["qual"] == qual + ".__enter__"), None)
            if enter is not None and not enter.get("returns"):
                enter["enters_arg"] = enters
        # The constructor's parameters are the class's call signature.
        init = next((f for f in self.defs if f["qual"] == qual + ".__init__"), None)
        if init is not None:
            fact["signature"] = "(" + ", ".join(_param_str(p) for p in init["params"]) + ")"
            fact["params"] = init["params"]
            if not fact["doc"] and init["doc"]:
                fact["doc"] = init["doc"]

    def _instance_attributes(self, body, qual: str) -> None:
        """Public attributes the methods set on the instance (`self.returncode = None` in Popen's
        `__init__`): members users read (`proc.returncode`), unless the class defines the name itself.
        `__init__` first; a value that is a parameter takes that parameter's annotation."""
        methods = []
        for stmt in _block_statements(body):
            fn = stmt.child_by_field_name("definition") if stmt.type == "decorated_definition" else stmt
            if fn is not None and fn.type == "function_definition":
                methods.append(fn)
        methods.sort(key=lambda fn: _text(fn.child_by_field_name("name")) != "__init__")
        found: dict[str, tuple[Any, str, str]] = {}  # name -> (statement, signature, doc)
        for fn in methods:
            params = parameters(fn.child_by_field_name("parameters"))
            if not params or params[0]["kind"] == "var_positional":
                continue
            me = params[0]["name"]
            anns = {p["name"]: p.get("annotation", "") for p in params[1:]}
            for stmt in _block_statements(fn.child_by_field_name("body"), loops=True):
                expr = stmt.named_children[0] if stmt.named_child_count else None
                if expr is None or expr.type != "assignment":
                    continue
                left = expr.child_by_field_name("left")
                if left is None or left.type != "attribute" \
                        or _text(left.child_by_field_name("object")) != me:
                    continue
                name = _text(left.child_by_field_name("attribute"))
                if name.startswith("_") or f"{qual}.{name}" in self._seen:
                    continue
                if name in found and found[name][1] not in ("", " = None"):
                    continue  # the first informative value wins: `self.stdout = None`, then `= io.open(...)`
                ann = expr.child_by_field_name("type")
                right = expr.child_by_field_name("right")
                value = " ".join(_text(right).split())[:80] if right is not None else ""
                if ann is not None:
                    sig = f": {_text(ann)}"
                elif right is not None and right.type == "identifier" and anns.get(value):
                    sig = f": {anns[value]}"  # `self.path = path` with `path: str`
                else:
                    sig = f" = {value}" if value else ""
                doc = ""
                nxt = stmt.next_named_sibling
                if nxt is not None and nxt.type == "expression_statement" and nxt.named_child_count == 1 \
                        and nxt.named_children[0].type == "string":
                    doc = inspect.cleandoc(_string_value(nxt.named_children[0]))
                if name not in found or sig not in ("", " = None"):
                    found[name] = (stmt, sig, doc or (found[name][2] if name in found else ""))
        for name, (stmt, sig, doc) in found.items():
            self._add(_def_fact(stmt, f"{qual}.{name}", "attribute", doc, signature=sig, instance=True))

    def _assignment(self, stmt, prefix: str, in_class: bool) -> None:
        expr = stmt.named_children[0] if stmt.named_child_count else None
        if expr is None or expr.type != "assignment":
            return
        left = expr.child_by_field_name("left")
        if left is None or left.type != "identifier":
            return
        name = _text(left)
        if name.startswith("__") and name.endswith("__"):
            return
        right = expr.child_by_field_name("right")
        ann = expr.child_by_field_name("type")
        # A trailing string literal after an assignment is its (Sphinx-style) docstring.
        doc = ""
        nxt = stmt.next_named_sibling
        if nxt is not None and nxt.type == "expression_statement" and nxt.named_child_count == 1:
            if nxt.named_children[0].type == "string":
                doc = inspect.cleandoc(_string_value(nxt.named_children[0]))
        is_const = name.isupper() or (not in_class and name[:1].isupper() and "_" in name)
        value = " ".join(_text(right).split())[:80] if right is not None else ""
        # `Name = OtherName` at module level is an alias; keep it as an import-like binding too.
        if not in_class and right is not None and right.type in ("identifier", "attribute"):
            self.imports.append(
                {"name": name, "module": None, "attr": _text(right), "line": stmt.start_point[0] + 1,
                 "local": True}
            )
            return
        self._add(
            _def_fact(
                stmt,
                prefix + name,
                "constant" if is_const else "attribute",
                doc,
                signature=(f": {_text(ann)}" if ann is not None else "") + (f" = {value}" if value else ""),
                params=[],
                deprecated=False,
                examples=[],
            )
        )

    def _statement(self, stmt, prefix: str, in_class: bool) -> None:
        if prefix.count(".") >= MAX_DEF_DEPTH:
            return  # absurdly nested classes: the outer levels are kept, recursion stays bounded
        t = stmt.type
        if t == "decorated_definition":
            inner = stmt.child_by_field_name("definition")
            if inner is not None:
                self._statement(inner, prefix, in_class)
        elif t == "function_definition":
            self._function(stmt, prefix, in_class)
            if self._newdoc_calls and not in_class and not prefix:
                self._maybe_newdoc_helper(stmt)
        elif t == "class_definition":
            self._class(stmt, prefix)
        elif t in ("import_statement", "import_from_statement") and not in_class:
            self._import(stmt)
        elif t == "expression_statement":
            if not in_class and self._maybe_all(stmt):
                return
            if self._newdoc_calls and not in_class and self._maybe_newdoc(stmt):
                return
            if not in_class and self._maybe_doc_assignment(stmt):
                return
            self._assignment(stmt, prefix, in_class)

    def _maybe_doc_assignment(self, stmt) -> bool:
        """`splitext.__doc__ = genericpath._splitext.__doc__` or `= "..."`: a doc given after the
        definition (posixpath, numpy's linalg). Kept as a newdoc (a copy names its source with
        `from`), applied by the resolver to a definition that has no docstring of its own."""
        expr = stmt.named_children[0] if stmt.named_child_count else None
        if expr is None or expr.type != "assignment":
            return False
        left, right = expr.child_by_field_name("left"), expr.child_by_field_name("right")
        if left is None or right is None or left.type != "attribute" \
                or _text(left.child_by_field_name("attribute")) != "__doc__":
            return False
        target = _text(left.child_by_field_name("object"))
        while right.type == "parenthesized_expression" and right.named_child_count == 1:
            right = right.named_children[0]
        doc = _literal_text(right)
        if doc is not None:
            if doc.strip():
                self.newdocs.append({"module": self.module, "name": target, "doc": doc})
        elif right.type == "attribute" and _text(right.child_by_field_name("attribute")) == "__doc__":
            self.newdocs.append({"module": self.module, "name": target, "doc": "",
                                 "from": _text(right.child_by_field_name("object"))})
        return True

    def _maybe_newdoc_helper(self, fn) -> None:
        """numpy's `_array_method_doc(name, params, doc)` calls `add_newdoc(MOD, "ndarray", (name, ...))`:
        remember it, so its calls document `ndarray.<name>` with their last string argument."""
        params = [p["name"] for p in parameters(fn.child_by_field_name("parameters"))]
        for stmt in _block_statements(fn.child_by_field_name("body")):
            expr = stmt.type == "expression_statement" and stmt.named_child_count
            args = _newdoc_args(stmt.named_children[0] if expr else None)
            if args and args[2].type in ("tuple", "parenthesized_expression") and args[2].named_child_count:
                first = args[2].named_children[0]
                if first.type == "identifier" and _text(first) in params:
                    self._newdoc_helpers[_text(fn.child_by_field_name("name"))] = (
                        _string_value(args[0]), _string_value(args[1]), params.index(_text(first)))
                    return

    def _maybe_newdoc(self, stmt) -> bool:
        """`add_newdoc("numpy._core.multiarray", "zeros", "...")` and its `("method", "...")` forms:
        docstrings of objects written in C, kept in Python source (numpy). Applied by the resolver."""
        call = stmt.named_children[0] if stmt.named_child_count else None
        if call is None or call.type != "call":
            return False
        helper = self._newdoc_helpers.get(_text(call.child_by_field_name("function")))
        if helper is not None:
            args = [a for a in call.child_by_field_name("arguments").named_children if a.type != "comment"]
            if len(args) > helper[2] and args[helper[2]].type == "string" and args[-1].type == "string":
                member = f"{helper[1]}.{_string_value(args[helper[2]])}"
                self.newdocs.append({"module": helper[0], "name": member, "doc": _string_value(args[-1])})
            return True
        args = _newdoc_args(call)
        if args is None:
            return False
        module, name, doc = _string_value(args[0]), _string_value(args[1]), args[2]
        pairs = doc.named_children if doc.type == "list" else [doc]
        for pair in pairs:
            if pair.type == "string":
                self.newdocs.append({"module": module, "name": name, "doc": _string_value(pair)})
            elif pair.type in ("tuple", "parenthesized_expression"):
                parts = [c for c in pair.named_children if c.type != "comment"]
                if len(parts) == 2 and all(c.type == "string" for c in parts):
                    self.newdocs.append({"module": module, "name": f"{name}.{_string_value(parts[0])}",
                                         "doc": _string_value(parts[1])})
        return True


def _newdoc_args(call) -> list | None:
    """The (module, name, doc) argument nodes of an `add_newdoc("mod", "name", doc)` call, or None."""
    if call is None or call.type != "call":
        return None
    fn = call.child_by_field_name("function")
    if fn is None or _text(fn).rsplit(".", 1)[-1] != "add_newdoc":
        return None
    args = [a for a in call.child_by_field_name("arguments").named_children if a.type != "comment"]
    if len(args) < 3 or args[0].type != "string" or args[1].type != "string":
        return None
    return args


def _param_str(p: dict[str, str]) -> str:
    s = {"var_positional": "*", "var_keyword": "**"}.get(p.get("kind", ""), "") + p["name"]
    if p.get("annotation"):
        s += f": {p['annotation']}"
    if p.get("default"):
        s += f" = {p['default']}" if p.get("annotation") else f"={p['default']}"
    return s


MAX_NESTING = 200  # indentation levels; real code stays far below, generated/hostile code may not
MAX_LINES = 200_000  # generated tables, not hand-written APIs; bounds the parser's memory
MAX_DEF_DEPTH = 40  # nested class/def levels the extractor walks into


def _indent_depth(source: bytes) -> int:
    """Deepest indentation level (a stack of indent widths), a cheap scan before parsing."""
    stack = [0]
    deepest = 0
    for line in source.split(b"\n"):
        stripped = line.lstrip(b" \t")
        if not stripped or stripped.startswith(b"#"):
            continue
        width = len(line) - len(stripped)
        while stack and width < stack[-1]:
            stack.pop()
        if not stack or width > stack[-1]:
            stack.append(width)
            deepest = max(deepest, len(stack) - 1)
    return deepest


def extract_module(source: bytes, module: str, is_package: bool = False,
                   overloads: bool = False) -> dict[str, Any]:
    """Facts of one module: its definitions, imports, star imports, `__all__` and class bases (and,
    with `overloads`, every overload's parameters and return, which the definitions keep one of).

    Syntax errors do not stop extraction: tree-sitter recovers and we keep every well-formed part.
    """
    depth = _indent_depth(source)
    lines = source.count(b"\n")
    skipped = None
    if depth > MAX_NESTING:
        # tree-sitter-python's scanner crashes the process past ~510 indentation levels.
        skipped = f"nesting {depth} levels deep (more than {MAX_NESTING}): not parsed"
    elif lines > MAX_LINES:
        # A parse tree costs ~500 bytes a statement: 1M one-character lines took 550 MB to parse.
        skipped = f"{lines} lines (more than {MAX_LINES}): not parsed"
    if skipped:  # not parsed, and the facts say why (the build counts the file as skipped)
        return {"module": module, "is_package": is_package, "doc": "", "defs": [], "imports": [], "star": [],
                "all": None, "all_dynamic": False, "bases": {}, "errors": True, "calls": {}, "skipped": skipped}
    tree = parser().parse(source)
    ex = _Extractor(module, is_package, newdoc_calls=b"add_newdoc" in source, overloads=overloads)
    root = tree.root_node
    for stmt in _block_statements(root):
        ex._statement(stmt, "", in_class=False)
    facts = {
        "module": module,
        "is_package": is_package,
        "doc": _docstring(root),
        "defs": ex.defs,
        "imports": ex.imports,
        "star": ex.star,
        "all": ex.all_names,
        "all_dynamic": ex.all_dynamic,
        "bases": ex.bases,
        "newdocs": ex.newdocs,
        "errors": bool(root.has_error),
        "calls": _calls(root, ex.imports),
    }
    if ex.overloads is not None:
        facts["overloads"] = ex.overloads
    return facts
