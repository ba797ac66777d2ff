"""What each request computes, away from the protocol plumbing of server.py (runs in worker threads)."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from lsprotocol import types as T

from apirec import context, generate
from apirec.llm import LLMConfig, api_key_from_env
from apirec.records import ApiRecord, is_whole_call

from . import convert
from .indexes import IndexSet, module_name
from .options import Options

MAX_DOC_CHARS = 2_000_000  # beyond this a document gets no context analysis (still no error)


class Doc:
    """One document at one position, in Python str indices."""

    def __init__(self, text: str, uri: str, pos: T.Position, encoding: str, indexes: IndexSet):
        self.text = text if len(text) <= MAX_DOC_CHARS else ""
        self.uri = uri
        self.encoding = encoding
        self.lines = self.text.split("\n")
        self.line, self.index = convert.from_lines(self.lines, pos, encoding)
        self.line_text = self.lines[self.line].rstrip("\r") if self.lines else ""
        self.module = _module_for(uri, indexes)


def _module_for(uri: str, indexes: IndexSet) -> str | None:
    if not uri.startswith("file:") or indexes.root is None:
        return None
    from pygls.uris import to_fs_path

    try:
        p = Path(to_fs_path(uri) or "")
        if indexes.in_workspace(p):
            return module_name(indexes.root, p.resolve())[0]
    except (ValueError, OSError):
        pass
    return None


LOOP_MAX_CHARS = 150_000  # member/name completion on a document up to this size runs on the event loop


def cheap_completion(doc: Doc, opts: Options) -> bool:
    """Completion that is cheaper than a thread hop: member or name completion (a few ms of CPU that
    holds the GIL anyway) on a normal-size document. An NL comment (an index search, maybe a query
    embedding) or a huge document goes to a worker thread so the event loop keeps reading."""
    if len(doc.text) > LOOP_MAX_CHARS:
        return False
    return not (opts.features.nl_comments and _comment_for(doc) is not None)


def completion(doc: Doc, indexes: IndexSet, opts: Options, snippets: bool) -> T.CompletionList:
    sources = indexes.sources()
    k = opts.max_completions
    if opts.features.nl_comments:
        items = nl_completion(doc, indexes, k=min(k, 10), snippets=snippets)
        if items is not None:
            return convert.completion_list(items)
    hits = context.member_completions(sources, doc.text, doc.line, doc.index, k=k, module=doc.module)
    if not hits:
        hits = context.name_completions(sources, doc.text, doc.line, doc.index, k=k, module=doc.module)
    # Incomplete: the next keystroke may narrow the receiver's type, ask again.
    return convert.completion_list([convert.completion_item(h, indexes.label_for(h.record)) for h in hits],
                                   incomplete=len(hits) >= k)


def resolve(item: T.CompletionItem, indexes: IndexSet) -> T.CompletionItem:
    data = item.data if isinstance(item.data, dict) else {}
    rid = data.get("id")
    if not isinstance(rid, str) or data.get("index") == "file":
        return item
    return convert.resolved_item(item, indexes.record(rid, data.get("index")))


def hover(doc: Doc, indexes: IndexSet) -> T.Hover | None:
    r = context.record_at(indexes.sources(), doc.text, doc.line, doc.index, module=doc.module)
    return convert.hover(r) if r is not None else None


def signature_help(doc: Doc, indexes: IndexSet) -> T.SignatureHelp | None:
    got = context.call_at(indexes.sources(), doc.text, doc.line, doc.index, module=doc.module)
    if got is None:
        return None
    rec, active = got
    return convert.signature_help(rec, active)


# -- inline completion (LLM) -------------------------------------------------------------------------------


def generator(opts: Options, current: generate.InlineGenerator | None) -> generate.InlineGenerator | None:
    """The generator the settings ask for (None: no endpoint, or the feature is off); `current` is kept
    while the settings are unchanged, with its reply cache."""
    llm = opts.llm
    if not (opts.features.inline_completion and llm.base_url):
        return None
    config = LLMConfig(base_url=llm.base_url.rstrip("/"),
                       model=llm.model or os.environ.get("APIREC_LLM_MODEL") or "default",
                       api_key=api_key_from_env(),
                       timeout=llm.timeout, retries=0)
    if current is not None and current.config == config and (current.max_tokens, current.apis) == \
            (llm.max_tokens, llm.apis):
        return current
    return generate.InlineGenerator(config, max_tokens=llm.max_tokens, apis=llm.apis)


def inline_completion(doc: Doc, indexes: IndexSet, gen: generate.InlineGenerator,
                      cancelled: Callable[[], bool]) -> T.InlineCompletionList | None:
    """Retrieve the APIs the code before the cursor needs, ask the model to continue the code with
    them in the prompt, and answer one item (None: nothing to continue, cancelled, or an empty answer).
    Raises generate.GenerationError when the endpoint fails."""
    ctx = generate.code_context(doc.text, doc.line, doc.index, filename=doc.uri.rsplit("/", 1)[-1],
                                lines=doc.lines)
    if not ctx.before.strip() or cancelled():
        return None
    modules = context.module_imports(doc.text).values()
    hits = generate.retrieve(ctx, indexes.sources(), lambda q, k: indexes.search(q, k, modules=modules),
                             k=gen.apis, module=doc.module)
    got = gen.generate(ctx, hits, cancelled)
    if got is None:
        return None
    return convert.inline_completion(doc.line_text, doc.line, doc.index, got.text, got.start_back,
                                     got.replace_rest, doc.encoding)


# -- NL comments -----------------------------------------------------------------------------------------


def _comment_for(doc: Doc) -> tuple[str, int, bool] | None:
    """(query, comment line, cursor is on the comment line) when the cursor is on an NL comment line
    or on an empty/identifier-only line right below one."""
    q = context.nl_comment_query(doc.line_text)
    if q is not None:
        return q, doc.line, True
    if doc.line > 0 and re.fullmatch(r"\s*[\w.]*", doc.line_text[: doc.index]) and \
            not doc.line_text[doc.index:].strip():
        q = context.nl_comment_query(doc.lines[doc.line - 1])
        if q is not None:
            return q, doc.line - 1, False
    return None


def _qualifier(r: ApiRecord, imports: dict[str, str]) -> tuple[str, str | None]:
    """How to write the record's parent here, and the import line it needs (None: already imported)."""
    if is_whole_call(r.signature):
        # A model hub entry is a call of another function (`torch.hub.load(...)`): its module is imported.
        func = r.signature.split("(", 1)[0]
        module = func.rsplit(".", 1)[0] if "." in func else ""
        head = module.split(".", 1)[0]
        if not module or any(t == module or local == t == head for local, t in imports.items()):
            return "", None
        return "", f"import {module}"
    parent = r.parent
    if r.kind in ("method", "property", "attribute") and "." in parent:
        parent_mod = parent.rsplit(".", 1)[0]
        if r.kind == "method":
            return "obj", None  # an instance method: the receiver is the user's object
        parent = parent_mod
    for local, target in imports.items():
        if target == r.public_path:
            return "", None  # `from m import f` -> `f(...)`
    for local, target in imports.items():
        if target == parent:
            return local, None
    if not parent:
        return "", None  # a builtin
    return parent, f"import {parent}"


def _import_line(text: str) -> int:
    """Where a new import goes: after the last top-level import (else after a module docstring)."""
    last = -1
    lines = text.split("\n")
    for i, ln in enumerate(lines[:500]):
        if ln.startswith(("import ", "from ")):
            last = i
    if last >= 0:
        return last + 1
    if lines and lines[0].startswith(("#!", "# -*-")):
        return 1
    return 0


def nl_hits(query: str, indexes: IndexSet, k: int, imports: dict[str, str] | None = None):
    """Callable APIs for a comment: functions and classes (usable as written) before methods (which
    need an object first), each group in search order. `imports` (the file's, local name -> module)
    put their libraries in scope."""
    hits = [h for h in indexes.search(query, k=k * 3, modules=(imports or {}).values())
            if h.record.kind in ("function", "method", "class")]
    hits.sort(key=lambda h: h.record.kind == "method")
    return hits[:k]


def nl_completion(doc: Doc, indexes: IndexSet, k: int, snippets: bool) -> list[T.CompletionItem] | None:
    found = _comment_for(doc)
    if found is None:
        return None
    query, cline, on_comment = found
    imports = context.module_imports(doc.text)
    items = []
    indent = re.match(r"\s*", doc.lines[cline]).group()
    for h in nl_hits(query, indexes, k, imports):
        qual, imp = _qualifier(h.record, imports)
        text = context.call_snippet(h.record, qual, snippet=snippets)
        if on_comment:
            end = convert.position(doc.line_text, doc.line, len(doc.line_text), doc.encoding)
            rng = T.Range(start=end, end=end)
            text = "\n" + indent + text
        else:
            start = len(doc.line_text[: doc.index]) - len(re.search(r"[\w.]*$", doc.line_text[: doc.index]).group())
            rng = T.Range(start=convert.position(doc.line_text, doc.line, start, doc.encoding),
                          end=convert.position(doc.line_text, doc.line, doc.index, doc.encoding))
        edit = (_import_line(doc.text), imp) if imp else None
        items.append(convert.snippet_item(h, text, edit, indexes.label_for(h.record), snippets, rng))
    return items


def search_command(query: str, k: int, text: str, indexes: IndexSet) -> dict[str, Any]:
    """Hits for the editors' search command, each with the call and import that fit `text`."""
    imports = context.module_imports(text) if text else {}
    hits = []
    for h in indexes.search(query, k=k, modules=imports.values()):
        r = h.record
        qual, imp = _qualifier(r, imports)
        hits.append({"public_path": r.public_path, "kind": r.kind, "signature": r.signature,
                     "summary": r.summary, "doc": r.doc[:2000], "origin": r.origin, "version": r.origin_version,
                     "insert_text": context.call_snippet(r, qual, snippet=False), "import": imp,
                     "import_line": _import_line(text) if imp else None})
    return {"hits": hits}


def code_actions(doc: Doc, indexes: IndexSet, uri: str, k: int = 5) -> list[T.CodeAction]:
    query = context.nl_comment_query(doc.line_text)
    if query is None:
        return []
    imports = context.module_imports(doc.text)
    indent = re.match(r"\s*", doc.line_text).group()
    actions = []
    for i, h in enumerate(nl_hits(query, indexes, k, imports)):
        qual, imp = _qualifier(h.record, imports)
        call = context.call_snippet(h.record, qual, snippet=False)
        edits = [convert.insert_line(doc.line + 1, indent + call)]
        if imp:
            edits.insert(0, convert.insert_line(_import_line(doc.text), imp))
        actions.append(convert.code_action(f"apirec: insert {call}", uri, edits, preferred=i == 0))
    return actions


# -- diagnostics --------------------------------------------------------------------------------------


def diagnostics(text: str, indexes: IndexSet, encoding: str) -> list[T.Diagnostic]:
    if len(text) > MAX_DOC_CHARS:
        return []
    sources = indexes.sources()
    lines = text.split("\n")
    out = []
    for d in context.unknown_attributes(sources, text):
        rec = context.exact_record(sources, d["module"])
        version = rec.origin_version if rec is not None else ""
        out.append(convert.unknown_api_diagnostic(d, lines[d["line"]].rstrip("\r"), encoding, version))
    return out


def status(indexes: IndexSet, opts: Options) -> dict[str, Any]:
    from .options import to_dict

    return {**indexes.status(), "options": to_dict(opts)}
