"""Optional LLM reasoning stage (APIGen style), off by default.

Given the query, the offline ranking's top candidates (signatures and docs) and the most similar
solved examples, an OpenAI-compatible chat endpoint reasons about which APIs fit and returns a
ranked list. Names outside the candidate set are dropped (no invented APIs), and any failure —
unreachable endpoint, timeout, bad reply — falls back to the offline ranking with the reason logged.

Configuration (environment): APIREC_LLM_BASE_URL (e.g. http://127.0.0.1:8000/v1), APIREC_LLM_MODEL,
APIREC_LLM_API_KEY (or OPENAI_API_KEY), APIREC_LLM_TIMEOUT (seconds, default 20).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, replace
from typing import Any

from .records import Hit

log = logging.getLogger(__name__)

SYSTEM = ("You are an expert programmer choosing library APIs. Answer only from the candidate APIs you are "
          "given; never invent an API.")


@dataclass(frozen=True)
class LLMConfig:
    base_url: str
    model: str = "default"
    api_key: str = ""
    timeout: float = 20.0
    retries: int = 1
    candidates: int = 10

    @classmethod
    def from_env(cls) -> LLMConfig | None:
        url = os.environ.get("APIREC_LLM_BASE_URL", "").strip()
        if not url:
            return None
        try:
            timeout = float(os.environ.get("APIREC_LLM_TIMEOUT", "20"))
        except ValueError:
            timeout = 20.0
        return cls(base_url=url.rstrip("/"), model=os.environ.get("APIREC_LLM_MODEL", "default"),
                   api_key=api_key_from_env(), timeout=timeout)


def api_key_from_env() -> str:
    """The endpoint's key: never from settings files, only the environment."""
    return os.environ.get("APIREC_LLM_API_KEY") or os.environ.get("OPENAI_API_KEY", "")


# What a call to the endpoint can raise: unreachable, timed out, HTTP error, a reply of the wrong shape.
CHAT_ERRORS = (urllib.error.URLError, TimeoutError, OSError, ValueError, KeyError, IndexError, TypeError)


def chat(config: LLMConfig, messages: list[dict[str, str]], *, max_tokens: int | None = None,
         stop: list[str] | None = None) -> str:
    """One call to the OpenAI-compatible `/chat/completions` endpoint: the first choice's text.
    Raises one of CHAT_ERRORS on any failure; the callers decide how to fall back."""
    body: dict[str, Any] = {"model": config.model, "temperature": 0, "messages": messages}
    if max_tokens:
        body["max_tokens"] = max_tokens
    if stop:
        body["stop"] = stop
    headers = {"Content-Type": "application/json"}
    if config.api_key:
        headers["Authorization"] = f"Bearer {config.api_key}"
    req = urllib.request.Request(f"{config.base_url}/chat/completions", data=json.dumps(body).encode(),
                                 headers=headers)
    with urllib.request.urlopen(req, timeout=config.timeout) as resp:
        payload = json.loads(resp.read().decode("utf-8"))
    content = payload["choices"][0]["message"]["content"]
    if not isinstance(content, str):
        raise TypeError(f"the reply's content is {type(content).__name__}, not text")
    return content


@dataclass(frozen=True)
class LLMResult:
    hits: list[Hit]
    used: bool  # False: the offline ranking, unchanged
    reason: str = ""  # why it fell back, or the model's reasoning
    dropped: tuple[str, ...] = ()  # names the model gave that were not candidates


def build_prompt(query: str, hits: list[Hit], examples: list[dict[str, Any]]) -> str:
    lines = [f"Task: {query}", "", "Candidate APIs:"]
    for i, h in enumerate(hits, 1):
        r = h.record
        doc = (r.summary or r.doc[:200]).replace("\n", " ")
        lines.append(f"{i}. {r.public_path}{r.signature} — {doc}")
    if examples:
        lines += ["", "Similar solved questions and the APIs that answered them:"]
        for ex in examples[:5]:
            lines.append(f"- {ex['text']} -> {', '.join(ex['apis'][:5])}")
    lines += ["", "First reason briefly about what the task needs and which candidates provide it. Then, on the "
              "last line, give the answer as JSON: {\"ranked\": [\"api.name\", ...]} with the best first, using "
              "only names from the candidate list."]
    return "\n".join(lines)


def parse_reply(text: str, candidates: list[str]) -> tuple[list[str], list[str]]:
    """(ranked candidate names, names dropped because they are not candidates). Raises ValueError."""
    matches = list(re.finditer(r"\{[^{}]*\"ranked\"\s*:\s*\[[^\]]*\][^{}]*\}", text, re.S))
    if not matches:
        raise ValueError("no {\"ranked\": [...]} in the reply")
    data = json.loads(matches[-1].group(0))
    names = data.get("ranked")
    if not isinstance(names, list):
        raise ValueError("\"ranked\" is not a list")
    by_name = {c: c for c in candidates}
    by_name.update({c.split("(")[0]: c for c in candidates})
    kept, dropped = [], []
    for n in names:
        key = str(n).split("(")[0].strip()
        if key in by_name and by_name[key] not in kept:
            kept.append(by_name[key])
        else:
            dropped.append(str(n))
    if not kept:
        raise ValueError("the reply names none of the candidates")
    return kept, dropped


class LLMReranker:
    def __init__(self, config: LLMConfig):
        self.config = config
        self._cache: dict[str, tuple[list[str], list[str], str]] = {}
        self._lock = threading.Lock()

    def _chat(self, prompt: str) -> str:
        return chat(self.config, [{"role": "system", "content": SYSTEM}, {"role": "user", "content": prompt}])

    def rerank(self, query: str, hits: list[Hit], examples: list[dict[str, Any]] | None = None) -> LLMResult:
        head = hits[: self.config.candidates]
        if not head:
            return LLMResult(hits, False, "no candidates")
        prompt = build_prompt(query, head, examples or [])
        key = hashlib.sha256(f"{self.config.model}\x00{prompt}".encode()).hexdigest()
        names = [h.record.public_path for h in head]
        with self._lock:
            cached = self._cache.get(key)
        if cached is None:
            last_error = ""
            for attempt in range(self.config.retries + 1):
                try:
                    reply = self._chat(prompt)
                    kept, dropped = parse_reply(reply, names)
                    cached = (kept, dropped, reply)
                    break
                except CHAT_ERRORS as e:
                    last_error = f"{type(e).__name__}: {e}"
                    if isinstance(e, ValueError):
                        break  # a bad reply is not retried: the same prompt gives the same answer
                    time.sleep(0.2 * (attempt + 1))
            if cached is None:
                log.warning("LLM stage failed (%s); using the offline ranking", last_error)
                return LLMResult(hits, False, f"fell back to the offline ranking: {last_error}")
            with self._lock:
                self._cache[key] = cached
        kept, dropped, reply = cached
        if dropped:
            log.info("LLM named APIs outside the candidates (dropped): %s", ", ".join(dropped))
        order = {n: i for i, n in enumerate(kept)}
        chosen = sorted((h for h in head if h.record.public_path in order), key=lambda h: order[h.record.public_path])
        rest = [h for h in hits if h.record.public_path not in order]
        out = []
        for rank, h in enumerate(chosen + rest, 1):
            why = dict(h.why)
            if h.record.public_path in order:
                why["llm"] = {"rank": order[h.record.public_path] + 1}
            out.append(replace(h, rank=rank, why=why))
        return LLMResult(out, True, reply.strip().splitlines()[0][:300] if reply.strip() else "", tuple(dropped))
