"""Every conversion between apirec values and lsprotocol types lives here (positions included).

LSP positions count UTF-16 code units by default; apirec.context works on Python str indices.
"""

from __future__ import annotations

from typing import Any

from lsprotocol import types as T

from apirec.records import ApiRecord, Hit, as_code, declaration

# -- positions -----------------------------------------------------------------------------------------


def _units(ch: str, encoding: str) -> int:
    if encoding == "utf-8":
        return len(ch.encode("utf-8", "surrogatepass"))
    if encoding == "utf-32":
        return 1
    return 2 if ord(ch) > 0xFFFF else 1


def to_index(line_text: str, column: int, encoding: str = "utf-16") -> int:
    """LSP column -> str index, clamped to the line; a column inside a character lands before it."""
    if column <= 0:
        return 0
    if encoding == "utf-32":
        return min(column, len(line_text))
    units = 0
    for i, ch in enumerate(line_text):
        units += _units(ch, encoding)
        if units > column:
            return i
    return len(line_text)


def to_column(line_text: str, index: int, encoding: str = "utf-16") -> int:
    index = max(0, min(index, len(line_text)))
    if encoding == "utf-32":
        return index
    return sum(_units(ch, encoding) for ch in line_text[:index])


def from_position(text: str, pos: T.Position, encoding: str = "utf-16") -> tuple[int, int]:
    """(line, str index) inside the document: positions past the end are clamped, never raised."""
    return from_lines(text.split("\n"), pos, encoding)


def from_lines(lines: list[str], pos: T.Position, encoding: str = "utf-16") -> tuple[int, int]:
    """`from_position` on a document already split into lines."""
    line = max(0, min(pos.line, len(lines) - 1))
    if pos.line >= len(lines):
        return line, len(lines[line].rstrip("\r"))
    return line, to_index(lines[line].rstrip("\r"), pos.character, encoding)


def position(text_line: str, line: int, index: int, encoding: str = "utf-16") -> T.Position:
    return T.Position(line=line, character=to_column(text_line, index, encoding))


def encoding_of(server_capabilities: Any) -> str:
    enc = getattr(server_capabilities, "position_encoding", None) or "utf-16"
    return str(getattr(enc, "value", enc))


# -- completion ----------------------------------------------------------------------------------------

KINDS = {
    "module": T.CompletionItemKind.Module,
    "class": T.CompletionItemKind.Class,
    "function": T.CompletionItemKind.Function,
    "method": T.CompletionItemKind.Method,
    "property": T.CompletionItemKind.Property,
    "attribute": T.CompletionItemKind.Field,
    "constant": T.CompletionItemKind.Constant,
    "constructor": T.CompletionItemKind.Constructor,
}


def completion_item(hit: Hit, index: str) -> T.CompletionItem:
    """A light item: filterText and insertText are left out (the label is the default for both, LSP
    3.17), the documentation comes from completionItem/resolve."""
    r = hit.record
    detail = declaration(r, r.name) if r.signature and r.kind != "module" else r.public_path
    item = T.CompletionItem(
        label=r.name,
        kind=KINDS.get(r.kind, T.CompletionItemKind.Text),
        detail=detail,
        sort_text=f"{hit.rank:05d}",
        deprecated=r.deprecated or None,
        data={"id": r.id, "index": index},
    )
    if index == "file":  # not in any index: nothing to resolve later, say what we know now
        item.documentation = r.summary or None
    return item


def completion_list(items: list[T.CompletionItem], incomplete: bool = False) -> T.CompletionList:
    return T.CompletionList(is_incomplete=incomplete, items=items)


def markdown(r: ApiRecord, *, full: bool = True, max_doc: int = 4000) -> str:
    head = f"```python\n{as_code(r, '' if r.kind == 'module' else r.signature)}\n```"
    parts = [head]
    doc = (r.doc or r.summary) if full else r.summary
    if doc:
        parts.append(doc[:max_doc] + ("…" if len(doc) > max_doc else ""))
    meta = ", ".join(x for x in (r.kind, f"{r.origin} {r.origin_version}".strip() if r.origin else "") if x)
    if r.deprecated:
        meta += ", **deprecated**"
    parts.append(f"*{meta}*")
    if r.examples:
        parts.append("Example:\n```python\n" + r.examples[0].code[:1500] + "\n```")
    return "\n\n".join(parts)


def resolved_item(item: T.CompletionItem, r: ApiRecord | None) -> T.CompletionItem:
    if r is not None:
        item.documentation = T.MarkupContent(kind=T.MarkupKind.Markdown, value=markdown(r))
        if not item.detail:
            item.detail = declaration(r, r.name)
    return item


def snippet_item(hit: Hit, text: str, import_edit: tuple[int, str] | None, index: str,
                 snippets: bool, rng: T.Range | None = None) -> T.CompletionItem:
    """An NL-comment suggestion: the call as a snippet, the import as an additional edit."""
    r = hit.record
    item = T.CompletionItem(
        label=r.public_path,
        kind=KINDS.get(r.kind, T.CompletionItemKind.Function),
        detail=r.summary[:120] or r.signature,
        sort_text=f"{hit.rank:05d}",
        filter_text=r.public_path,
        insert_text_format=T.InsertTextFormat.Snippet if snippets else T.InsertTextFormat.PlainText,
        data={"id": r.id, "index": index},
    )
    if rng is not None:
        item.text_edit = T.TextEdit(range=rng, new_text=text)
    else:
        item.insert_text = text
    if import_edit is not None:
        item.additional_text_edits = [insert_line(import_edit[0], import_edit[1])]
    return item


def inline_completion(line_text: str, line: int, index: int, text: str, start_back: int, replace_rest: bool,
                      encoding: str = "utf-16") -> T.InlineCompletionList:
    """One inline suggestion: `text` replaces the current line from `start_back` characters before the
    cursor to the cursor (or to the end of the line when `replace_rest`)."""
    start = position(line_text, line, max(0, index - start_back), encoding)
    end = position(line_text, line, len(line_text) if replace_rest else index, encoding)
    item = T.InlineCompletionItem(insert_text=text, range=T.Range(start=start, end=end))
    return T.InlineCompletionList(items=[item])


def insert_line(line: int, text: str) -> T.TextEdit:
    p = T.Position(line=line, character=0)
    return T.TextEdit(range=T.Range(start=p, end=p), new_text=text + "\n")


def code_action(title: str, uri: str, edits: list[T.TextEdit], preferred: bool) -> T.CodeAction:
    return T.CodeAction(title=title, kind=T.CodeActionKind.RefactorRewrite, is_preferred=preferred or None,
                        edit=T.WorkspaceEdit(changes={uri: edits}))


# -- hover / signature help / diagnostics ----------------------------------------------------------------


def hover(r: ApiRecord) -> T.Hover:
    return T.Hover(contents=T.MarkupContent(kind=T.MarkupKind.Markdown, value=markdown(r)))


def signature_help(r: ApiRecord, active: int) -> T.SignatureHelp:
    from apirec.records import format_signature

    params = [T.ParameterInformation(label=format_signature((p,))[1:-1].strip("*/, ") or p.name,
                                     documentation=p.doc or None) for p in r.params]
    label = as_code(r, r.signature or format_signature(r.params))
    positional = [i for i, p in enumerate(r.params) if p.kind in ("positional_only", "positional_or_keyword",
                                                                   "var_positional")]
    if active < len(positional):
        active_param = positional[active]
    else:  # past the positional slots: the keyword-only ones come next (or *args soaks it up)
        rest = [i for i, p in enumerate(r.params) if p.kind in ("var_positional", "keyword_only")]
        active_param = rest[0] if rest else len(r.params)
    sig = T.SignatureInformation(label=label, parameters=params,
                                 documentation=T.MarkupContent(kind=T.MarkupKind.Markdown, value=markdown(r)))
    return T.SignatureHelp(signatures=[sig], active_signature=0, active_parameter=active_param)


def unknown_api_diagnostic(d: dict[str, Any], line_text: str, encoding: str, version: str) -> T.Diagnostic:
    rng = T.Range(start=position(line_text, d["line"], d["start"], encoding),
                  end=position(line_text, d["line"], d["end"], encoding))
    msg = f"'{d['name']}' is not an API of {d['module']}" + (f" {version}" if version else "") + " in the index"
    if d["suggestions"]:
        msg += "; did you mean " + " or ".join(f"'{s}'" for s in d["suggestions"]) + "?"
    return T.Diagnostic(range=rng, message=msg, severity=T.DiagnosticSeverity.Warning, source="apirec",
                        code="unknown-api", data={"suggestions": d["suggestions"]})


def progress_begin(title: str, message: str = "") -> T.WorkDoneProgressBegin:
    return T.WorkDoneProgressBegin(title=title, message=message or None, percentage=0, cancellable=False)


def progress_report(message: str, pct: int | None) -> T.WorkDoneProgressReport:
    return T.WorkDoneProgressReport(message=message, percentage=pct)


def progress_end(message: str) -> T.WorkDoneProgressEnd:
    return T.WorkDoneProgressEnd(message=message)


def log(message: str, error: bool = False) -> T.LogMessageParams:
    return T.LogMessageParams(type=T.MessageType.Error if error else T.MessageType.Info, message=message)


def show(message: str, warning: bool = True) -> T.ShowMessageParams:
    return T.ShowMessageParams(type=T.MessageType.Warning if warning else T.MessageType.Info, message=message)


def publish(uri: str, diags: list[T.Diagnostic], version: int | None) -> T.PublishDiagnosticsParams:
    return T.PublishDiagnosticsParams(uri=uri, diagnostics=diags, version=version)


def configuration_params() -> T.ConfigurationParams:
    return T.ConfigurationParams(items=[T.ConfigurationItem(section="apirec")])


def watcher_registration() -> T.RegistrationParams:
    opts = T.DidChangeWatchedFilesRegistrationOptions(watchers=[T.FileSystemWatcher(glob_pattern="**/*.py")])
    return T.RegistrationParams(registrations=[T.Registration(
        id="apirec-watch", method=T.WORKSPACE_DID_CHANGE_WATCHED_FILES, register_options=opts)])
