"""End-to-end tests of the real language server process, driven by pytest-lsp."""

from __future__ import annotations

import asyncio
import os
import sys
import time
from pathlib import Path

import pytest
import pytest_asyncio
from lsprotocol import types as T
from pytest_lsp import ClientServerConfig, LanguageClient
from trees import write_tree

pytestmark = pytest.mark.asyncio(loop_scope="module")

WORKSPACE = {
    "mypkg/__init__.py": '"""A tiny workspace package."""\n',
    "mypkg/util.py": '''
        def slugify(text: str) -> str:
            """Turn a title into a URL slug."""
            return text.lower().replace(" ", "-")
        ''',
    "main.py": "import json\n",
}

CAPS = T.ClientCapabilities(
    window=T.WindowClientCapabilities(work_done_progress=True),
    workspace=T.WorkspaceClientCapabilities(configuration=True, did_change_configuration=T.DidChangeConfigurationClientCapabilities()),
    text_document=T.TextDocumentClientCapabilities(
        completion=T.CompletionClientCapabilities(completion_item=T.ClientCompletionItemOptions(
            snippet_support=True, documentation_format=[T.MarkupKind.Markdown])),
        hover=T.HoverClientCapabilities(content_format=[T.MarkupKind.Markdown]),
        signature_help=T.SignatureHelpClientCapabilities(signature_information=T.ClientSignatureInformationOptions(
            documentation_format=[T.MarkupKind.Markdown]))),
)


async def start(home: Path, root: Path | None, init_options=None, caps=CAPS, config=None) -> LanguageClient:
    env = {**os.environ, "APIREC_HOME": str(home), "HF_HUB_OFFLINE": "1"}
    client = await ClientServerConfig(server_command=[sys.executable, "-m", "apirec.lsp"], server_env=env).start()
    if config is not None:
        client.set_configuration(config, section="apirec")
    await client.initialize_session(T.InitializeParams(
        capabilities=caps, root_uri=root.as_uri() if root else None,
        initialization_options=init_options))
    return client


async def wait_ready(client: LanguageClient, timeout: float = 240) -> dict:
    """Poll the server's status command until every index it loads is ready."""
    t0 = time.monotonic()
    while True:
        st = await client.workspace_execute_command_async(T.ExecuteCommandParams(command="apirec.status"))
        if st["ready"] and "default" in st["indexes"] and ("workspace" in st["indexes"] or st["root"] is None):
            return st
        assert time.monotonic() - t0 < timeout, st
        await asyncio.sleep(0.2)


async def stop(client: LanguageClient) -> None:
    await client.shutdown_session()
    await client.stop()


@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> Path:
    return write_tree(tmp_path_factory.mktemp("ws") / "proj", WORKSPACE)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def client(stdlib_index, apirec_home, workspace):
    c = await start(apirec_home, workspace, init_options={"maxCompletions": 40})
    await wait_ready(c)
    yield c
    await stop(c)


def open_doc(client: LanguageClient, path: Path, text: str, version: int = 1) -> str:
    uri = path.as_uri()
    client.text_document_did_open(T.DidOpenTextDocumentParams(
        text_document=T.TextDocumentItem(uri=uri, language_id="python", version=version, text=text)))
    return uri


async def complete(client, uri, line, char) -> list[T.CompletionItem]:
    res = await client.text_document_completion_async(T.CompletionParams(
        text_document=T.TextDocumentIdentifier(uri=uri), position=T.Position(line=line, character=char)))
    items = res.items if isinstance(res, T.CompletionList) else (res or [])
    return sorted(items, key=lambda i: i.sort_text or "")


async def test_completion_after_module_dot(client, workspace):
    uri = open_doc(client, workspace / "a.py", "import json\nimport os\njson.\nos.path.\n")
    items = await complete(client, uri, 2, 5)
    labels = [i.label for i in items]
    # json's own functions come first: `loads` is in the top 5, sortText carries the rank.
    assert "loads" in labels[:5], labels
    assert items[0].sort_text == "00001"
    # Light items: filterText and insertText default to the label (LSP), the doc comes with resolve.
    assert all(i.filter_text is None and i.insert_text is None and i.documentation is None for i in items)
    assert any(i.kind == T.CompletionItemKind.Function and i.detail.startswith("loads(") for i in items)
    assert all(set(i.data) == {"id", "index"} for i in items)
    items = await complete(client, uri, 3, 8)
    assert items[0].label == "join", [i.label for i in items[:5]]  # the most used os.path API


async def test_resolve_fills_documentation_lazily(client, workspace):
    uri = open_doc(client, workspace / "b.py", "import json\njson.lo")
    items = await complete(client, uri, 1, 7)
    loads = next(i for i in items if i.label == "loads")
    assert loads.documentation is None  # nothing heavy in the list itself
    resolved = await client.completion_item_resolve_async(loads)
    assert "Deserialize" in resolved.documentation.value and "json.loads" in resolved.documentation.value


async def test_member_completion_uses_types(client, workspace):
    code = ("import json\nclass Box:\n    def __init__(self):\n        self.dec = json.JSONDecoder()\n"
            "    def run(self):\n        self.dec.\n        self.\n")
    uri = open_doc(client, workspace / "c.py", code)
    # self.dec is a JSONDecoder (from __init__): its two methods, in usage order, before anything else.
    assert sorted([i.label for i in await complete(client, uri, 5, 17)][:2]) == ["decode", "raw_decode"]
    # The class's own members first; `run` is the method being written, so its attribute leads.
    assert [i.label for i in await complete(client, uri, 6, 13)][:2] == ["dec", "run"]


async def test_member_completion_on_a_chain_across_lines(client, workspace):
    # One call per line, as chained code is often written: the receiver starts lines above.
    code = "import json\nout = (json.JSONDecoder()  # strict\n       .\n"
    uri = open_doc(client, workspace / "chain.py", code)
    assert sorted([i.label for i in await complete(client, uri, 2, 8)][:2]) == ["decode", "raw_decode"]


async def test_parsed_arguments_complete_and_resolve(client, workspace):
    code = ("import argparse\nparser = argparse.ArgumentParser()\n"
            "parser.add_argument('--dry-run', help='Change nothing.')\nargs = parser.parse_args()\nargs.\n")
    uri = open_doc(client, workspace / "cli.py", code)
    items = await complete(client, uri, 4, 5)
    assert [i.label for i in items] == ["dry_run"]
    assert items[0].kind == T.CompletionItemKind.Field and items[0].documentation == "Change nothing."
    resolved = await client.completion_item_resolve_async(items[0])
    assert resolved.label == "dry_run"  # a file's own attribute: nothing to look up, no error


async def test_signature_help_for_a_call_spanning_lines(client, workspace):
    uri = open_doc(client, workspace / "d2.py", "import json\njson.loads(\n    'x',\n    ")
    sig = await client.text_document_signature_help_async(T.SignatureHelpParams(
        text_document=T.TextDocumentIdentifier(uri=uri), position=T.Position(line=3, character=4)))
    assert sig.signatures[0].label.startswith("json.loads(")
    assert sig.signatures[0].parameters[sig.active_parameter].label == "cls=None"


async def test_hover_and_signature_help(client, workspace):
    uri = open_doc(client, workspace / "d.py", "import json\njson.loads('x', ")
    hover = await client.text_document_hover_async(T.HoverParams(
        text_document=T.TextDocumentIdentifier(uri=uri), position=T.Position(line=1, character=7)))
    assert "json.loads(s, *" in hover.contents.value and "stdlib" in hover.contents.value
    sig = await client.text_document_signature_help_async(T.SignatureHelpParams(
        text_document=T.TextDocumentIdentifier(uri=uri), position=T.Position(line=1, character=16)))
    assert sig.signatures[0].label.startswith("json.loads(")
    # After one comma, past `s`: the keyword-only `cls` is next.
    assert sig.signatures[0].parameters[sig.active_parameter].label == "cls=None"


async def test_nl_comment_code_action_and_completion(client, workspace):
    text = "import os\n# parse a json string into a python object\n"
    uri = open_doc(client, workspace / "e.py", text)
    actions = await client.text_document_code_action_async(T.CodeActionParams(
        text_document=T.TextDocumentIdentifier(uri=uri),
        range=T.Range(start=T.Position(line=1, character=3), end=T.Position(line=1, character=3)),
        context=T.CodeActionContext(diagnostics=[])))
    titles = [a.title for a in actions]
    assert any("json.loads(s)" in t for t in titles[:3]), titles
    act = next(a for a in actions if "json.loads(s)" in a.title)
    edits = [e.new_text for e in act.edit.changes[uri]]
    assert "import json\n" in edits and "json.loads(s)\n" in edits  # json is not imported yet
    # On the line below the comment, completion offers the same calls as snippets.
    items = await complete(client, uri, 2, 0)
    top = next(i for i in items if i.label == "json.loads")
    assert top.text_edit.new_text == "json.loads(${1:s})"
    assert top.insert_text_format == T.InsertTextFormat.Snippet
    assert top.additional_text_edits[0].new_text == "import json\n"


async def test_unknown_api_diagnostic(client, workspace):
    uri = open_doc(client, workspace / "f.py", "import json\nx = json.lods('{}')\ny = json.loads('{}')\n")
    for _ in range(100):
        if client.diagnostics.get(uri):
            break
        await asyncio.sleep(0.1)
    diags = client.diagnostics[uri]
    assert len(diags) == 1, diags
    d = diags[0]
    assert d.severity == T.DiagnosticSeverity.Warning and "did you mean 'loads'" in d.message
    assert (d.range.start.line, d.range.start.character, d.range.end.character) == (1, 9, 13)


async def test_search_command_fits_the_document(client, workspace):
    uri = open_doc(client, workspace / "s.py", "import os\n\nx = 1\n")
    res = await client.workspace_execute_command_async(T.ExecuteCommandParams(
        command="apirec.search", arguments=[{"query": "parse a json string", "k": 3, "textDocument": {"uri": uri}}]))
    top = res["hits"][0]
    assert top["public_path"] == "json.loads" and top["insert_text"].startswith("json.loads(")
    assert top["import"] == "import json" and top["import_line"] == 1  # after `import os`
    bad = await client.workspace_execute_command_async(T.ExecuteCommandParams(
        command="apirec.search", arguments=[{"query": ""}]))
    assert bad["hits"] == [] and "query" in bad["error"]


async def test_progress_reported_for_workspace_index(client):
    # begin ... end for the workspace indexing, on the token the server created.
    reports = [v for vs in client.progress_reports.values() for v in vs]
    kinds = [type(v).__name__ for v in reports]
    assert "WorkDoneProgressBegin" in kinds and kinds[-1] == "WorkDoneProgressEnd", kinds
    assert "workspace APIs" in reports[-1].message


async def test_reindex_after_save_and_delete(client, workspace):
    uri = open_doc(client, workspace / "g.py", "from mypkg import util\nutil.\n")
    before = [i.label for i in await complete(client, uri, 1, 5)]
    assert "slugify" in before and "camelize" not in before
    util = workspace / "mypkg" / "util.py"
    util.write_text(util.read_text() + "\n\ndef camelize(text: str) -> str:\n    return text.title()\n")
    client.text_document_did_save(T.DidSaveTextDocumentParams(text_document=T.TextDocumentIdentifier(uri=util.as_uri())))
    for _ in range(50):
        labels = [i.label for i in await complete(client, uri, 1, 5)]
        if "camelize" in labels:
            break
        await asyncio.sleep(0.1)
    assert "camelize" in labels
    for _ in range(50):  # the timing is logged from the worker thread, maybe after the answer
        msg = [m.message for m in client.log_messages if "re-indexed util.py" in m.message]
        if msg:
            break
        await asyncio.sleep(0.1)
    assert msg and float(msg[-1].split(" in ")[-1].split()[0]) < 1000  # milliseconds, not seconds
    # A deleted file leaves the index.
    util.unlink()
    client.workspace_did_change_watched_files(T.DidChangeWatchedFilesParams(
        changes=[T.FileEvent(uri=util.as_uri(), type=T.FileChangeType.Deleted)]))
    for _ in range(50):
        labels = [i.label for i in await complete(client, uri, 1, 5)]
        if "slugify" not in labels:
            break
        await asyncio.sleep(0.1)
    assert "slugify" not in labels and "camelize" not in labels


async def test_bad_requests_do_not_crash(client, workspace):
    uri = open_doc(client, workspace / "h.py", "s = '😀😀'\ns.\nimport json\njson.\n")
    # Past the end, inside a surrogate pair, negative-ish huge numbers: answers, never a crash.
    for line, ch in ((100, 100), (0, 6), (1, 10_000), (3, 2**31 - 1)):
        await complete(client, uri, line, ch)
    # UTF-16: `s.` after emoji columns still works on the next line.
    assert "join" in [i.label for i in await complete(client, uri, 1, 2)]
    # A document the server never saw, with a non-file URI.
    res = await client.text_document_hover_async(T.HoverParams(
        text_document=T.TextDocumentIdentifier(uri="untitled:Untitled-1"), position=T.Position(line=0, character=0)))
    assert res is None
    with pytest.raises(Exception):
        await client.protocol.send_request_async("apirec/noSuchMethod", {})
    huge = "import json\n" + "x = 1\n" * 200_000 + "json."
    uri = open_doc(client, workspace / "huge.py", huge)
    items = await complete(client, uri, 200_001, 5)
    assert isinstance(items, list)
    # Still serving.
    assert "loads" in [i.label for i in await complete(client, open_doc(client, workspace / "i.py", "import json\njson."), 1, 5)]


@pytest.mark.asyncio(loop_scope="function")
async def test_settings_from_init_options_and_configuration(stdlib_index, apirec_home, tmp_path):
    # initializationOptions turns diagnostics off and sets a bad value (falls back, with a message);
    # workspace/configuration then lowers maxCompletions.
    c = await start(apirec_home, None, init_options={"features": {"diagnostics": False}, "maxCompletions": "lots"},
                    config={"maxCompletions": 3, "features": {"diagnostics": False}})
    try:
        st = await wait_ready(c)
        assert st["options"]["max_completions"] == 3
        assert st["options"]["features"]["diagnostics"] is False
        assert any("max_completions" in m.message for m in c.messages)
        uri = open_doc(c, tmp_path / "x.py", "import json\njson.lods()\njson.")
        assert len(await complete(c, uri, 2, 5)) == 3
        await asyncio.sleep(1.0)
        assert not c.diagnostics.get(uri)  # diagnostics are off
        # didChangeConfiguration with settings in the notification: back on, more items.
        c.workspace_did_change_configuration(T.DidChangeConfigurationParams(
            settings={"apirec": {"maxCompletions": 10, "features": {"diagnostics": True}}}))
        await asyncio.sleep(0.3)
        assert len(await complete(c, uri, 2, 5)) == 10
        c.text_document_did_change(T.DidChangeTextDocumentParams(
            text_document=T.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[T.TextDocumentContentChangeWholeDocument(text="import json\njson.lods()\n")]))
        for _ in range(50):
            if c.diagnostics.get(uri):
                break
            await asyncio.sleep(0.1)
        assert "did you mean" in c.diagnostics[uri][0].message
        # A null-settings nudge makes the server pull workspace/configuration again.
        c.set_configuration({"maxCompletions": 5}, section="apirec")
        c.workspace_did_change_configuration(T.DidChangeConfigurationParams(settings=None))
        await asyncio.sleep(0.5)
        assert len(await complete(c, uri, 1, 5)) == 5
    finally:
        await stop(c)


@pytest.mark.asyncio(loop_scope="function")
async def test_progress_falls_back_to_log_messages(stdlib_index, apirec_home, tmp_path):
    root = write_tree(tmp_path / "w2", {"pkg2/__init__.py": "def hello():\n    'Say hello.'\n"})
    c = await start(apirec_home, root, caps=T.ClientCapabilities())
    try:
        await wait_ready(c)
        assert not c.progress_reports  # the client cannot show progress...
        assert any("indexing workspace" in m.message for m in c.log_messages)  # ...so it is logged
        assert any("workspace APIs" in m.message for m in c.log_messages)
    finally:
        await stop(c)
