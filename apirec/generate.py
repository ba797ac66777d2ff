"""Retrieval-augmented code generation for inline completion (ToolCoder / APICoder style).

The code before the cursor says what the user is doing; a retrieval query drawn from it (the comment
or docstring being implemented, the enclosing function's name, the names on the current line) and
the receiver before the cursor select the APIs that fit, from the indexes of what is installed. Their
signatures, short docs and one example each go into the prompt next to the code, and an
OpenAI-compatible chat endpoint (the one `apirec.llm` uses) is asked for the continuation only. The
reply is cleaned (code fences, text repeating the code before the cursor, the rest of the line it
re-types) into one suggestion with the span of the current line it replaces. Any failure of the
endpoint is logged and gives no suggestion.

No lsprotocol here: positions are 0-based Python str indices, as in `apirec.context`.
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .llm import CHAT_ERRORS, LLMConfig, chat
from .records import ApiRecord, Hit, declaration

log = logging.getLogger(__name__)

SYSTEM = ("You are a code completion engine. You continue the user's code at the cursor. Reply with only "
          "the code to insert at the cursor: no explanation, no markdown, no code fences, and do not repeat "
          "the code before the cursor. Use the documented APIs you are given when they fit, with the "
          "signatures shown; never invent an API.")

MAX_BEFORE_LINES = 80
MAX_BEFORE_CHARS = 6000
MAX_AFTER_LINES = 12
MAX_AFTER_CHARS = 1200
MAX_REPLY_LINES = 24
MAX_DOC_CHARS = 300
MAX_EXAMPLE_LINES = 8
MAX_EXAMPLE_CHARS = 400

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_IDENT_END = re.compile(r"[A-Za-z_][A-Za-z0-9_]*$")
_IMPORT = re.compile(r"^(?:import\s+[\w.]+|from\s+[\w.]+\s+import\b)")
_FENCE = re.compile(r"```[^\n`]*\n(.*?)(?:\n?```|$)", re.DOTALL)
_STOP = frozenset("""and as assert async await break class continue def del elif else except false finally for
from global if import in is lambda none nonlocal not or pass raise return self cls true try while with
yield print""".split())
_CLOSERS = {")": "(", "]": "[", "}": "{"}


@dataclass(frozen=True)
class CodeContext:
    """The code around the cursor, bounded, and what to retrieve APIs with."""

    text: str  # the whole document (the member lookup reads it)
    line: int
    index: int  # str index in the current line
    before: str  # code before the cursor: at most MAX_BEFORE_LINES lines, up to the cursor
    after: str  # code after the cursor: the rest of the line and a few lines more
    line_before: str  # the current line up to the cursor
    line_after: str  # the rest of the current line
    imports: tuple[str, ...]  # import lines above the `before` window (the window may have cut them off)
    query: str  # the retrieval query ("" when the code says nothing)
    filename: str = ""


@dataclass(frozen=True)
class Suggestion:
    """Text to put in place of the span [cursor - start_back, cursor or end of line] of the current line."""

    text: str
    start_back: int  # characters before the cursor (on its line) that `text` starts with and replaces
    replace_rest: bool  # the span runs to the end of the line: `text` re-types the rest of it


def code_context(text: str, line: int, index: int, *, filename: str = "",
                 lines: list[str] | None = None) -> CodeContext:
    lines = lines if lines is not None else text.split("\n")
    line = max(0, min(line, len(lines) - 1)) if lines else 0
    cur = lines[line].rstrip("\r") if lines else ""
    index = max(0, min(index, len(cur)))
    first = max(0, line - MAX_BEFORE_LINES)
    above = [ln.rstrip("\r") for ln in lines[first:line]]
    before = "".join(ln + "\n" for ln in above) + cur[:index]
    if len(before) > MAX_BEFORE_CHARS:
        before = before[-MAX_BEFORE_CHARS:]
        nl = before.find("\n")
        if 0 <= nl < len(before) - index:  # start on a line boundary, unless the current line is that long
            before = before[nl + 1:]
    shown_from = line - before.count("\n")
    imports = tuple(ln.rstrip() for ln in lines[:min(shown_from, 400)] if _IMPORT.match(ln))
    after = cur[index:] + "".join("\n" + ln.rstrip("\r")
                                  for ln in lines[line + 1: line + 1 + MAX_AFTER_LINES])
    return CodeContext(text=text, line=line, index=index, before=before, after=after[:MAX_AFTER_CHARS],
                       line_before=cur[:index], line_after=cur[index:], imports=imports,
                       query=retrieval_query(lines, line, index), filename=filename)


def retrieval_query(lines: list[str], line: int, index: int, max_words: int = 30) -> str:
    """What the code before the cursor asks for, as a search query: the comment or docstring being
    implemented and the enclosing function's name (`apirec.context.intent_text`), a comment on the
    current line, and the names on the current line (or on the last code line when it is empty)."""
    from .context import intent_text

    cur = lines[line].rstrip("\r")[:index] if lines else ""
    parts = [intent_text(lines, line)] if lines else []
    code, _, comment = cur.partition("#")
    if comment.strip():
        parts.append(comment.strip())
    if not code.strip():  # an empty line: the last line of code says what is going on
        for i in range(line - 1, max(-1, line - 6), -1):
            prev = lines[i].split("#", 1)[0].strip()
            if prev:
                code = prev
                break
    parts.append(" ".join(w for w in _IDENT.findall(code) if len(w) > 1 and w.lower() not in _STOP))
    words = dict.fromkeys(" ".join(p for p in parts if p).split())  # first occurrences, in order
    return " ".join(list(words)[:max_words])


def retrieve(ctx: CodeContext, sources: list[Any], search: Callable[[str, int], list[Hit]], k: int = 5,
             module: str | None = None) -> list[Hit]:
    """The APIs for the prompt: members of the receiver before the cursor when its type is known (what
    is being typed), then the search hits for the query; one per public path, at most k."""
    from .context import member_completions

    out: dict[str, Hit] = {}
    if k <= 0:
        return []
    try:
        members = member_completions(sources, ctx.text, ctx.line, ctx.index, k=k, module=module)
    except Exception as e:  # noqa: BLE001 - the member lookup is a bonus: a failure leaves the search hits
        log.debug("inline completion: member lookup failed: %s", e)
        members = []
    for h in members:
        if h.why.get("source") in ("member", "inherited"):  # a typed receiver, not a guess
            out.setdefault(h.record.public_path, h)
    if ctx.query and len(out) < k:
        try:
            hits = search(ctx.query, k)
        except Exception as e:  # noqa: BLE001 - a broken index: no APIs in the prompt, still a suggestion
            log.debug("inline completion: search failed: %s", e)
            hits = []
        for h in hits:
            if h.record.kind != "module":
                out.setdefault(h.record.public_path, h)
    return list(out.values())[:k]


def _api_block(r: ApiRecord) -> str:
    doc = (r.summary or r.doc or "").strip().replace("\n", " ")
    if len(doc) > MAX_DOC_CHARS:
        doc = doc[:MAX_DOC_CHARS].rsplit(" ", 1)[0] + " …"
    origin = f", {r.origin}" + (f" {r.origin_version}" if r.origin_version else "") if r.origin else ""
    lines = [f"### {declaration(r)}  ({r.kind}{origin})"]
    if doc:
        lines.append(doc)
    if r.examples:
        ex = "\n".join(r.examples[0].code.strip("\n").split("\n")[:MAX_EXAMPLE_LINES])[:MAX_EXAMPLE_CHARS]
        if ex.strip():
            lines.append("Example:\n" + "\n".join("    " + x for x in ex.split("\n")))
    return "\n".join(lines)


def build_messages(ctx: CodeContext, hits: list[Hit],
                   max_lines: int = MAX_REPLY_LINES) -> list[dict[str, str]]:
    """The chat messages: the system rules, then the APIs (signature, short doc, one example each) and
    the code before and after the cursor."""
    parts = []
    if hits:
        parts.append("Documented APIs that may help (from the installed libraries, at their installed "
                     "versions):\n\n" + "\n\n".join(_api_block(h.record) for h in hits))
    name = f" of {ctx.filename}" if ctx.filename else ""
    if ctx.imports:
        parts.append(f"Imports at the top{name}:\n<code>\n" + "\n".join(ctx.imports) + "\n</code>")
    parts.append(f"Code{name} before the cursor:\n<code>\n{ctx.before}</code>")
    if ctx.after.strip():
        parts.append(f"Code after the cursor:\n<code>\n{ctx.after}\n</code>")
    parts.append("Write the code that goes at the cursor, continuing the last line exactly where it stops "
                 f"(at most {max_lines} lines). Answer with the code only.")
    return [{"role": "system", "content": SYSTEM}, {"role": "user", "content": "\n\n".join(parts)}]


def _balance(s: str) -> int:
    """Opening minus closing brackets (strings are not parsed: a heuristic for short replies)."""
    return sum(1 for c in s if c in "([{") - sum(1 for c in s if c in ")]}")


def clean_reply(reply: str, ctx: CodeContext, max_lines: int = MAX_REPLY_LINES) -> Suggestion | None:
    """The code of a chat reply as a suggestion at the cursor, or None when nothing is left.

    Code fences are taken apart (the first fenced block when there is one); text that repeats the code
    right before the cursor is kept and the span starts that far back on the line (or, when the repeat
    spans earlier lines, those lines are dropped); a reply that re-types the rest of the line (`x)` in
    `print(|)`) replaces it."""
    text = (reply or "").replace("\r\n", "\n").replace("\r", "\n")
    m = _FENCE.search(text)
    if m:
        text = m.group(1)
    elif text.strip().startswith("```"):  # ```code``` on one line
        text = text.strip()[3:]
        text = text.removesuffix("```")
    elif re.fullmatch(r"\s*`[^`\n]+`\s*", text):  # `code`
        text = text.strip()[1:-1]
    text = re.sub(r"^\s*<code>\n?|\n?</code>\s*$", "", text)
    lines = text.split("\n")
    while lines and not lines[0].strip() and len(lines) > 1 and not ctx.line_before.strip():
        lines.pop(0)  # blank lines before the first line of code, when the cursor starts a line
    text = "\n".join(lines[:max_lines]).rstrip()
    if not text.strip():
        return None
    if len(text.strip()) >= 3 and ctx.line_before.rstrip().endswith(text.strip()):
        return None  # it only repeats what is before the cursor
    # Text the reply repeats from right before the cursor.
    back = 0
    window = ctx.before[-400:]
    for k in range(min(len(text), len(window)), 0, -1):
        if window.endswith(text[:k]):
            ident = _IDENT_END.search(ctx.line_before)
            typed = ident.group() if ident else ""
            indent = k == len(ctx.line_before) and not ctx.line_before.strip()
            if k >= 3 or (typed and k == len(typed)) or indent:
                back = k
            break
    if back > len(ctx.line_before):  # it repeats earlier lines too: drop them, keep the current line's part
        text = text[back - len(ctx.line_before):]
        back = len(ctx.line_before)
    if not text[back:].strip():
        return None  # nothing new
    rest = ctx.line_after.strip()
    replace_rest = False
    if rest and text.rstrip().endswith(rest):
        closing = sum(1 for c in rest if c in _CLOSERS)
        replace_rest = closing == 0 or _balance(text[back:]) <= -closing
    return Suggestion(text=text, start_back=back, replace_rest=replace_rest)


class GenerationError(RuntimeError):
    """The endpoint failed (unreachable, timed out, an error status, a reply of the wrong shape)."""


class InlineGenerator:
    """Prompt, call and clean, with a small cache (editors ask again for the same context)."""

    def __init__(self, config: LLMConfig, *, max_tokens: int = 256, apis: int = 5, cache_size: int = 64):
        self.config = config
        self.max_tokens = max_tokens
        self.apis = apis
        self._cache: OrderedDict[str, str] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()

    def generate(self, ctx: CodeContext, hits: list[Hit],
                 cancelled: Callable[[], bool] = lambda: False) -> Suggestion | None:
        """One suggestion, or None (an empty answer, or cancelled before the call). Raises
        GenerationError when the endpoint fails: the caller answers no items and logs why (the
        language server once per message, not on every keystroke)."""
        messages = build_messages(ctx, hits)
        key = hashlib.sha256(repr((self.config.model, self.max_tokens, messages)).encode()).hexdigest()
        with self._lock:
            reply = self._cache.get(key)
        if reply is None:
            if cancelled():
                return None
            try:
                reply = chat(self.config, messages, max_tokens=self.max_tokens)
            except CHAT_ERRORS as e:
                reason = f"{type(e).__name__}: {e}"
                log.debug("inline completion: the LLM endpoint failed (%s); no suggestion", reason)
                raise GenerationError(reason) from None
            with self._lock:
                self._cache[key] = reply
                while len(self._cache) > self._cache_size:
                    self._cache.popitem(last=False)
        return clean_reply(reply, ctx)
