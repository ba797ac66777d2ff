"""Inline completion (textDocument/inlineCompletion): retrieval-augmented generation through an
OpenAI-compatible endpoint. The prompt building and reply cleaning of apirec.generate are tested
directly; the feature end to end with the real server process (pytest-lsp) and the real indexes,
against a local OpenAI-compatible HTTP server (no LLM runs here: it answers what each test sets)."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import pytest_asyncio
from lsprotocol import types as T
from pygls.exceptions import JsonRpcRequestCancelled
from pytest_lsp import ClientServerConfig, LanguageClient

from apirec.generate import build_messages, clean_reply, code_context, retrieval_query
from apirec.records import ApiRecord, Example, Hit

# -- apirec.generate, without a server ------------------------------------------------------------------


def ctx_at(code: str, marker: str = "|"):
    """A CodeContext at the marker (removed from the code)."""
    i = code.index(marker)
    code = code[:i] + code[i + 1:]
    line = code.count("\n", 0, i)
    col = i - (code.rfind("\n", 0, i) + 1)
    return code_context(code, line, col, filename="m.py")


def test_context_is_bounded_and_keeps_the_imports():
    code = "import json\nfrom os import path\n" + "x = 1\n" * 500 + "def f(s):\n    return |\ny = 2\n"
    ctx = ctx_at(code)
    assert ctx.before.endswith("def f(s):\n    return ") and ctx.before.count("\n") <= 80
    assert "import json" not in ctx.before and ctx.imports == ("import json", "from os import path")
    assert ctx.line_before == "    return " and ctx.after.startswith("\ny = 2")
    long_line = "z = [" + "1, " * 5000 + "|]"
    ctx = ctx_at(long_line)
    assert len(ctx.before) <= 6000 and ctx.line_after == "]"


def test_retrieval_query_reads_the_comment_function_and_names():
    q = retrieval_query(["import csv", "def load_rows(path):", "    # read a csv file into rows",
                         "    rows = csv.reader("], 3, 21)
    for w in ("load", "rows", "read", "csv", "file", "reader"):
        assert w in q.split(), q
    assert "def" not in q.split()
    # An empty line: the last line of code stands in for the current one.
    q = retrieval_query(["data = json.loads(text)", ""], 1, 0)
    assert "json" in q and "loads" in q


def test_prompt_has_signature_short_doc_one_example_and_the_code():
    rec = ApiRecord(public_path="csv.reader", canonical_path="_csv.reader", kind="function",
                    signature="(csvfile, dialect='excel', **fmtparams)", summary="Return a reader object.",
                    doc="Return a reader object. " + "Long text. " * 200, origin="stdlib",
                    origin_version="3.11",
                    examples=(Example(code="for row in csv.reader(f):\n    print(row)"),
                              Example(code="SECOND_EXAMPLE")))
    ctx = ctx_at("import csv\n\ndef rows(path):\n    with open(path) as f:\n        return |")
    msgs = build_messages(ctx, [Hit(record=rec, score=1.0, rank=1, why={})])
    assert msgs[0]["role"] == "system" and "only" in msgs[0]["content"]
    user = msgs[1]["content"]
    assert "### csv.reader(csvfile, dialect='excel', **fmtparams)" in user
    assert "Return a reader object." in user and "Long text. " * 40 not in user  # the short doc
    assert "for row in csv.reader(f):" in user and "SECOND_EXAMPLE" not in user  # one example
    assert "def rows(path):\n    with open(path) as f:\n        return </code>" in user


async def configure(client, settings: dict) -> None:
    """Change the server's settings (workspace/didChangeConfiguration) and let it apply them."""
    client.workspace_did_change_configuration(T.DidChangeConfigurationParams(settings={"apirec": settings}))
    await asyncio.sleep(0.3)


@pytest.mark.parametrize("reply, text, back, rest", [
    ("json.loads(s)", "json.loads(s)", 0, False),
    ("```python\njson.loads(s)\n```", "json.loads(s)", 0, False),  # a fenced reply
    ("Here you go:\n```py\njson.loads(s)\n```\nThis parses s.", "json.loads(s)", 0, False),
    ("`json.loads(s)`", "json.loads(s)", 0, False),
    ("return json.loads(s)", "return json.loads(s)", 7, False),  # repeats `return ` before the cursor
    ("def f(s):\n    return json.loads(s)", "    return json.loads(s)", 11, False),  # and the line above
])
def test_clean_reply_strips_fences_and_repeats(reply, text, back, rest):
    ctx = ctx_at("import json\ndef f(s):\n    return |")
    got = clean_reply(reply, ctx)
    assert (got.text, got.start_back, got.replace_rest) == (text, back, rest)


def test_clean_reply_partial_word_rest_of_line_and_empty():
    got = clean_reply("loads(s)", ctx_at("json.lo|"))
    assert (got.text, got.start_back) == ("loads(s)", 2)  # the typed `lo` is part of the span
    # `print(|)`: a reply that closes the call re-types the `)` after the cursor: it replaces it.
    assert clean_reply("x)", ctx_at("print(|)")).replace_rest
    assert not clean_reply("len(x)", ctx_at("print(|)")).replace_rest  # its own brackets only
    for empty in ("", "   \n", "```\n```", "```python\n\n```"):
        assert clean_reply(empty, ctx_at("x = |")) is None
    assert clean_reply("return ", ctx_at("    return |")) is None  # nothing new


# -- the language server, against a local OpenAI-compatible endpoint ----------------------------------------


class FakeChat:
    """A local /v1/chat/completions endpoint: records each request, answers `reply` after `delay`."""

    def __init__(self):
        self.reply = ""
        self.delay = 0.0
        self.requests: list[dict] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # http.server's name
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                fake.requests.append({"path": self.path, "body": body,
                                      "auth": self.headers.get("Authorization")})
                time.sleep(fake.delay)
                payload = json.dumps({"choices": [{"message": {"role": "assistant", "content": fake.reply}}]})
                try:
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.end_headers()
                    self.wfile.write(payload.encode())
                except OSError:  # the client gave up (timeout test)
                    pass

            def log_message(self, *a):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def prompt(self, i: int = -1) -> str:
        return self.requests[i]["body"]["messages"][-1]["content"]

    def close(self):
        self.server.shutdown()


CAPS = T.ClientCapabilities(
    workspace=T.WorkspaceClientCapabilities(configuration=False),
    text_document=T.TextDocumentClientCapabilities(
        completion=T.CompletionClientCapabilities(
            completion_item=T.ClientCompletionItemOptions(snippet_support=True)),
        inline_completion=T.InlineCompletionClientCapabilities()),
)


async def start(home: Path, init_options, env=None) -> LanguageClient:
    env = {**os.environ, "APIREC_HOME": str(home), "HF_HUB_OFFLINE": "1", "APIREC_LLM_API_KEY": "sk-test",
           **(env or {})}
    client = await ClientServerConfig(server_command=[sys.executable, "-m", "apirec.lsp"],
                                      server_env=env).start()
    await client.initialize_session(T.InitializeParams(capabilities=CAPS,
                                                       initialization_options=init_options))
    t0 = time.monotonic()
    while True:  # the default index ready
        st = await client.workspace_execute_command_async(T.ExecuteCommandParams(command="apirec.status"))
        if st["indexes"].get("default") == "ready":
            break
        assert time.monotonic() - t0 < 240, st
        await asyncio.sleep(0.2)
    return client


async def stop(client: LanguageClient) -> None:
    await client.shutdown_session()
    await client.stop()


def open_doc(client: LanguageClient, path: Path, text: str) -> str:
    uri = path.as_uri()
    client.text_document_did_open(T.DidOpenTextDocumentParams(
        text_document=T.TextDocumentItem(uri=uri, language_id="python", version=1, text=text)))
    return uri


async def inline(client, uri, line, char, **ctx) -> T.InlineCompletionList | None:
    return await client.text_document_inline_completion_async(T.InlineCompletionParams(
        text_document=T.TextDocumentIdentifier(uri=uri), position=T.Position(line=line, character=char),
        context=T.InlineCompletionContext(trigger_kind=T.InlineCompletionTriggerKind.Automatic, **ctx)))


def items_of(res) -> list[T.InlineCompletionItem]:
    if res is None:
        return []
    return list(res.items if isinstance(res, T.InlineCompletionList) else res)


async def member_labels(client, uri, line, char) -> list[str]:
    res = await client.text_document_completion_async(T.CompletionParams(
        text_document=T.TextDocumentIdentifier(uri=uri), position=T.Position(line=line, character=char)))
    return [i.label for i in sorted(res.items, key=lambda i: i.sort_text or "")]


@pytest.fixture(scope="module")
def chat():
    fake = FakeChat()
    yield fake
    fake.close()


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def client(stdlib_index, apirec_home, chat):
    c = await start(apirec_home, {"llm": {"baseUrl": chat.url, "model": "coder-1", "timeout": 20}})
    yield c
    await stop(c)


def _closed_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there
    return port


@pytest.mark.asyncio(loop_scope="module")
async def test_prompt_has_retrieved_api_docs_and_the_code(client, chat, tmp_path):
    code = ("import json\n\n\ndef load_settings(text):\n    # parse the json string into a python object\n"
            "    return json.\n")
    uri = open_doc(client, tmp_path / "settings.py", code)
    chat.reply = "```python\nreturn json.loads(text)\n```"
    n = len(chat.requests)
    res = await inline(client, uri, 5, 16)
    assert len(chat.requests) == n + 1
    req = chat.requests[-1]
    assert req["path"] == "/v1/chat/completions" and req["body"]["model"] == "coder-1"
    assert req["auth"] == "Bearer sk-test"  # the key from the environment, never from settings
    prompt = chat.prompt()
    # The retrieved APIs: json.loads with its real signature and doc from the stdlib index.
    assert "### json.loads(s, *" in prompt and "Deserialize" in prompt, prompt
    # The code before the cursor, up to the cursor.
    assert ("def load_settings(text):\n    # parse the json string into a python object\n"
            "    return json.</code>") in prompt
    # The fences are gone; the reply repeats `return json.` before the cursor, so the range starts there.
    (item,) = items_of(res)
    assert item.insert_text == "return json.loads(text)"
    rng = item.range
    assert (rng.start.line, rng.start.character, rng.end.line, rng.end.character) == (5, 4, 5, 16)


@pytest.mark.asyncio(loop_scope="module")
async def test_rest_of_line_and_empty_answer(client, chat, tmp_path):
    uri = open_doc(client, tmp_path / "sortit.py", "words = ['bb', 'a']\nresult = sorted()\n")
    chat.reply = "words, key=len)"
    (item,) = items_of(await inline(client, uri, 1, 16))
    # The reply closes the call: it replaces the `)` after the cursor instead of doubling it.
    assert item.insert_text == "words, key=len)"
    assert (item.range.start.character, item.range.end.character) == (16, 17)
    # The same context again (editors ask again as the cursor settles): answered from the cache.
    n = len(chat.requests)
    assert [i.insert_text for i in items_of(await inline(client, uri, 1, 16))] == ["words, key=len)"]
    assert len(chat.requests) == n
    chat.reply = "```python\n\n```"
    uri = open_doc(client, tmp_path / "empty.py", "words = ['bb', 'a']\nresult = max()\n")
    assert items_of(await inline(client, uri, 1, 13)) == []  # an empty answer: no item
    assert len(chat.requests) == n + 1


@pytest.mark.asyncio(loop_scope="module")
async def test_down_and_slow_endpoints_give_no_items_and_completion_goes_on(client, chat, tmp_path):
    uri = open_doc(client, tmp_path / "fallback.py", "import os\nimport json\n\nvalue = json.\nos.path.\n")
    # Down: connection refused, answered with no items and a log message.
    await configure(client, {"llm": {"baseUrl": f"http://127.0.0.1:{_closed_port()}/v1", "timeout": 2}})
    t0 = time.monotonic()
    assert items_of(await inline(client, uri, 3, 13)) == []
    assert time.monotonic() - t0 < 10
    for _ in range(50):
        logged = [m.message for m in client.log_messages
                  if "inline completion gave no suggestion" in m.message]
        if logged:
            break
        await asyncio.sleep(0.1)
    assert logged and "refused" in logged[-1].lower(), logged
    # Slow: the endpoint answers after 8 s, the timeout is 2 s. Meanwhile completion is served.
    await configure(client, {"llm": {"baseUrl": chat.url, "timeout": 2}})
    chat.delay, chat.reply = 8.0, "loads(text)"
    try:
        n = len(chat.requests)
        t0 = time.monotonic()
        pending = asyncio.ensure_future(inline(client, uri, 3, 13))
        labels = await member_labels(client, uri, 4, 8)  # answered while the model call is in flight
        assert labels[0] == "join" and not pending.done()
        assert items_of(await pending) == []
        assert time.monotonic() - t0 < 7.5 and len(chat.requests) == n + 1  # gave up before the reply
    finally:
        chat.delay = 0.0
    assert "loads" in (await member_labels(client, uri, 3, 13))[:5]  # still serving completion


@pytest.mark.asyncio(loop_scope="function")
async def test_no_endpoint_configured_sends_nothing(stdlib_index, apirec_home, chat, tmp_path):
    # The CLI's environment variable alone does not turn inline completion on: the editor's settings must.
    c = await start(apirec_home, {"maxCompletions": 20}, env={"APIREC_LLM_BASE_URL": chat.url})
    try:
        n = len(chat.requests)
        uri = open_doc(c, tmp_path / "none.py", "import json\n\ndef f(text):\n    return json.\n")
        chat.reply = "loads(text)"
        t0 = time.monotonic()
        assert items_of(await inline(c, uri, 3, 16)) == []
        assert time.monotonic() - t0 < 5
        # Turned on in the settings (and off again): now it asks, then it stops asking.
        await configure(c, {"llm": {"baseUrl": chat.url}})
        assert [i.insert_text for i in items_of(await inline(c, uri, 3, 16))] == ["loads(text)"]
        assert len(chat.requests) == n + 1
        await configure(c, {"llm": {"baseUrl": chat.url}, "features": {"inlineCompletion": False}})
        assert items_of(await inline(c, uri, 3, 16)) == [] and len(chat.requests) == n + 1
    finally:
        await stop(c)


@pytest.mark.asyncio(loop_scope="module")
async def test_cancelled_request_never_calls_the_endpoint(client, chat, tmp_path):
    await configure(client, {"llm": {"baseUrl": chat.url, "timeout": 10}})
    chat.delay, chat.reply = 2.0, "pass"
    try:
        n = len(chat.requests)
        uris = [open_doc(client, tmp_path / f"c{i}.py", f"def f{i}(x):\n    return \n") for i in range(3)]

        def ask(uri, msg_id):
            params = T.InlineCompletionParams(
                text_document=T.TextDocumentIdentifier(uri=uri), position=T.Position(line=1, character=11),
                context=T.InlineCompletionContext(trigger_kind=T.InlineCompletionTriggerKind.Automatic))
            method = T.TEXT_DOCUMENT_INLINE_COMPLETION
            return client.protocol.send_request_async(method, params, msg_id=msg_id)
        # Two requests hold both model threads for 2 s; the third waits for one, and is cancelled.
        first = [asyncio.ensure_future(ask(u, f"inline-{i}")) for i, u in enumerate(uris[:2])]
        await asyncio.sleep(0.5)
        third = asyncio.ensure_future(ask(uris[2], "inline-2"))
        await asyncio.sleep(0.2)
        client.protocol.notify(T.CANCEL_REQUEST, T.CancelParams(id="inline-2"))
        for f in first:
            assert [i.insert_text for i in items_of(await f)] == ["pass"]
        with pytest.raises(JsonRpcRequestCancelled):
            await asyncio.wait_for(third, 10)
        await asyncio.sleep(0.5)
        assert len(chat.requests) == n + 2  # the cancelled one never reached the endpoint
    finally:
        chat.delay = 0.0
