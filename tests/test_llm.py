"""The LLM stage against a local OpenAI-compatible HTTP server (no LLM runs here): what it can prove is
the prompt's content, the parsing of good and bad replies, and the fallbacks."""

from __future__ import annotations

import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from apirec.cli import main
from apirec.llm import LLMConfig, LLMReranker, build_prompt, parse_reply
from apirec.records import ApiRecord, Hit


class FakeChat:
    """A local /v1/chat/completions endpoint whose reply each test sets."""

    def __init__(self):
        self.reply = ""
        self.status = 200
        self.delay = 0.0
        self.requests: list[dict] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server API)
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                fake.requests.append({"path": self.path, "body": body, "auth": self.headers.get("Authorization")})
                time.sleep(fake.delay)
                status = fake.status
                if fake.status != 200:
                    fake.status = 200  # fail once, then recover (retry test)
                payload = json.dumps({"choices": [{"message": {"role": "assistant", "content": fake.reply}}]})
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(payload.encode() if status == 200 else b'{"error": "boom"}')

            def log_message(self, *a):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()


@pytest.fixture
def chat():
    fake = FakeChat()
    yield fake
    fake.close()


def hits(*names):
    return [Hit(record=ApiRecord(public_path=n, canonical_path=n, kind="function", signature="(s)",
                                 summary=f"Doc of {n}."), score=1.0 / i, rank=i, why={})
            for i, n in enumerate(names, 1)]


def test_prompt_has_query_candidates_signatures_and_examples():
    p = build_prompt("parse a json string", hits("json.loads", "json.dumps"),
                     [{"text": "read json from text", "apis": ["json.loads"]}])
    assert "Task: parse a json string" in p
    assert "1. json.loads(s) — Doc of json.loads." in p and "2. json.dumps(s)" in p
    assert "read json from text -> json.loads" in p
    assert '{"ranked"' in p and "only names from the candidate list" in p


def test_parse_reply_keeps_candidates_and_drops_invented_names():
    cands = ["json.loads", "json.dumps", "json.load"]
    kept, dropped = parse_reply('Reasoning: loads parses strings.\n{"ranked": ["json.loads", "json.parse", '
                                '"json.load(fp)"]}', cands)
    assert kept == ["json.loads", "json.load"] and dropped == ["json.parse"]
    for bad in ("no json here", '{"ranked": "json.loads"}', '{"ranked": ["made.up"]}'):
        with pytest.raises(ValueError):
            parse_reply(bad, cands)


def test_good_reply_reranks_and_says_so(chat):
    chat.reply = 'The task parses text.\n{"ranked": ["json.load", "json.loads"]}'
    r = LLMReranker(LLMConfig(base_url=chat.url, model="m", api_key="k")).rerank(
        "parse", hits("json.loads", "json.dumps", "json.load"))
    assert r.used and [h.record.public_path for h in r.hits] == ["json.load", "json.loads", "json.dumps"]
    assert r.hits[0].why["llm"] == {"rank": 1} and "llm" not in r.hits[2].why
    req = chat.requests[0]
    assert req["path"] == "/v1/chat/completions" and req["auth"] == "Bearer k" and req["body"]["model"] == "m"
    assert "Task: parse" in req["body"]["messages"][-1]["content"]


def test_cache_avoids_a_second_call(chat):
    chat.reply = '{"ranked": ["b"]}'
    rr = LLMReranker(LLMConfig(base_url=chat.url))
    rr.rerank("q", hits("a", "b"))
    rr.rerank("q", hits("a", "b"))
    assert len(chat.requests) == 1


def test_fallbacks_down_slow_bad_and_invented(chat):
    offline = hits("a", "b")
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()  # nothing listens there
    down = LLMReranker(LLMConfig(base_url=f"http://127.0.0.1:{port}/v1", retries=0)).rerank("q", offline)
    assert not down.used and down.hits == offline and "offline ranking" in down.reason
    chat.delay = 1.0
    slow = LLMReranker(LLMConfig(base_url=chat.url, timeout=0.2, retries=0)).rerank("q", offline)
    assert not slow.used and "timed out" in slow.reason.lower()
    chat.delay = 0.0
    chat.reply = "I think b is best."  # no JSON
    assert not LLMReranker(LLMConfig(base_url=chat.url)).rerank("q2", offline).used
    chat.reply = '{"ranked": ["zzz.invented"]}'
    invented = LLMReranker(LLMConfig(base_url=chat.url)).rerank("q3", offline)
    assert not invented.used and invented.hits == offline


def test_retry_after_a_server_error(chat):
    chat.status = 500
    chat.reply = '{"ranked": ["b"]}'
    r = LLMReranker(LLMConfig(base_url=chat.url, retries=1)).rerank("q", hits("a", "b"))
    assert r.used and r.hits[0].record.public_path == "b" and len(chat.requests) == 2


def test_cli_llm_flag_uses_the_endpoint_and_falls_back(chat, stdlib_index, capsys, monkeypatch):
    monkeypatch.setenv("APIREC_LLM_BASE_URL", chat.url)
    chat.reply = '{"ranked": ["json.load"]}'
    assert main(["search", "parse a json string", "--llm", "--json", "-k", "3"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["llm"]["used"] and out["hits"][0]["public_path"] == "json.load"
    assert "json.loads" in chat.requests[0]["body"]["messages"][-1]["content"]  # candidates in the prompt
    chat.reply = "nonsense"
    assert main(["search", "parse a json string", "--llm", "--json", "-k", "3"]) == 0
    captured = capsys.readouterr()
    out = json.loads(captured.out)
    assert not out["llm"]["used"] and out["hits"][0]["public_path"] == "json.loads"  # the offline ranking
    assert "offline ranking" in captured.err
    monkeypatch.delenv("APIREC_LLM_BASE_URL")
    assert main(["search", "x", "--llm"]) == 2
