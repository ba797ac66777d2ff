"""`apirec mcp`: the MCP server for coding agents (stdio, or streamable HTTP on loopback).

Tools: search_apis, get_api, complete_member, check_apis, index_status; resource api://{name}.
Everything is answered offline from local indexes. Answers are compact JSON text, bounded in size
(an agent's context is precious): `k` is capped, long docs are truncated with a note saying how to
get the rest, and every response stays under a character budget. Bad arguments come back as tool
errors (isError) with a message that says what to change; the server keeps serving.
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import logging
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import __version__
from .records import ApiRecord, asked_names, brief_signature

log = logging.getLogger(__name__)

MAX_K = 50
MAX_CODE_CHARS = 200_000  # about 5,000 lines: more is not one file an agent is writing
MAX_QUERY_CHARS = 2_000
MAX_NAME_CHARS = 500
MAX_RESPONSE_CHARS = 24_000  # the budget of one tool answer
MAX_DOC_CHARS = 8_000  # get_api's doc; the api:// resource has up to MAX_RESOURCE_CHARS
MAX_RESOURCE_CHARS = 100_000
MAX_PROBLEMS = 100
MAX_SUMMARY_CHARS = 300
DEFAULT_PORT = 8765

INSTRUCTIONS = """\
apirec answers API questions offline from local indexes of the installed libraries (at their
installed versions), the standard library and the user's own code.
- search_apis: find the API for a task described in words ("parse a json string").
- get_api: signature, parameters, doc and examples of one API by its dotted name.
- check_apis: before finishing, check code you wrote for APIs that do not exist (invented or
  misspelled names) and get the closest real names.
- complete_member: the members available after `receiver.` at a position in code.
- index_status: what is indexed (libraries and versions)."""


class ApiToolError(ValueError):
    """A bad argument or an answer that cannot be given; becomes an MCP tool error."""


# -- the service (no MCP types: testable and reusable) -----------------------------------------------


class ApiService:
    """Searchers over the configured indexes, opened lazily (the default index is built on first use)."""

    def __init__(self, index_paths: list[Path] | None = None):
        self.index_paths = [Path(p) for p in index_paths or []]
        self._searchers: list[Any] | None = None
        self._lock = threading.Lock()

    # -- searchers ------------------------------------------------------------------------------
    def searchers(self) -> list[Any]:
        if self._searchers is None:
            with self._lock:
                if self._searchers is None:
                    from .search import Searcher

                    paths = self.index_paths
                    if not paths:
                        from .build import ensure_default_index

                        paths = [ensure_default_index()]
                    # Dense parts load on the first search: startup and check_apis stay fast.
                    self._searchers = [Searcher(p, load_dense=False) for p in paths]
        return self._searchers

    def warm_up(self) -> None:
        """Open the indexes and load the embedding model ahead of the first request."""
        try:
            for s in self.searchers():
                s.search("read a file", k=1)
        except Exception as e:  # noqa: BLE001  (reported again, with its message, by the first tool call)
            log.warning("warm-up failed: %s", e)

    # -- lookups --------------------------------------------------------------------------------
    def exact(self, name: str) -> list[ApiRecord]:
        out: list[ApiRecord] = []
        seen: set[str] = set()
        for s in self.searchers():
            for r in s.lookup(name, limit=20, inherited=True):
                if (r.public_path == name or r.canonical_path == name or name in r.aliases
                        or r.id == name) and r.id not in seen:
                    seen.add(r.id)
                    out.append(r)
        # The public name first, then public before private records.
        out.sort(key=lambda r: (r.public_path != name, r.private, len(r.public_path)))
        return out

    def close_names(self, name: str, n: int = 5) -> list[str]:
        """Real names near an unknown one, from every index (see Searcher.close_names)."""
        return list(dict.fromkeys(x for s in self.searchers() for x in s.close_names(name, n)))[:n]

    # -- tools ----------------------------------------------------------------------------------
    def search_apis(self, query: str, k: int = 10, library: str | None = None) -> dict[str, Any]:
        from .search import QueryError

        query = _text_arg(query, "query", MAX_QUERY_CHARS).strip()
        if not query:
            raise ApiToolError("query is empty: describe what the code should do, e.g. \"parse a json string\"")
        k = _k_arg(k)
        lib = (library or "").strip().lower() or None
        notes: list[str] = []
        hits = []
        try:
            for s in self.searchers():
                # A library filter is applied to the ranked list, so ask for the whole candidate pool.
                hits += s.search(query, k=200 if lib else k)
                if lib and sum(_in_library(h.record, lib) for h in hits) < k:
                    hits += s.search(f"{lib} {query}", k=200)  # the library's name pulls its APIs up
        except QueryError as e:
            raise ApiToolError(str(e)) from None
        if lib:
            hits = [h for h in hits if _in_library(h.record, lib)]
            if not hits:
                known = self._libraries()
                raise ApiToolError(f"no API of library {library!r} matches; indexed libraries include: "
                                   + ", ".join(known[:30]) + ("" if len(known) <= 30 else ", ..."))
        best: dict[tuple[str, str], Any] = {}
        for h in sorted(hits, key=lambda h: -h.score):
            best.setdefault((h.record.public_path, h.record.origin), h)
        ranked = list(best.values())[:k]
        results = []
        for i, h in enumerate(ranked, 1):
            r = h.record
            item = {"rank": i, "name": r.public_path, "kind": r.kind,
                    "signature": brief_signature(r.signature),  # get_api has it whole
                    "summary": _clip(r.summary, MAX_SUMMARY_CHARS), "origin": r.origin,
                    "version": r.origin_version}
            if r.canonical_path != r.public_path:
                item["canonical_path"] = r.canonical_path
            if r.deprecated:
                item["deprecated"] = True
            results.append(item)
        payload = {"query": query, "results": results}
        if library:
            payload["library"] = library
        payload = _fit_list(payload, "results", notes, "result")
        if notes:
            payload["note"] = " ".join(notes)
        payload["hint"] = "get_api(name) for the full signature, parameters and doc of a result."
        return payload

    def get_api(self, name: str) -> dict[str, Any]:
        names = asked_names(_text_arg(name, "name", MAX_NAME_CHARS))
        if not names:
            raise ApiToolError("name is empty: give a dotted API name such as json.loads")
        for name in names:
            recs = self.exact(name)
            if recs:
                break
        if not recs:
            close = self.close_names(name)
            hint = f"; did you mean {', '.join(close)}?" if close else "; search_apis finds APIs by what they do."
            raise ApiToolError(f"no API named {name!r} in the index{hint}")
        r = recs[0]
        notes: list[str] = []
        doc = r.doc or r.summary
        if len(doc) > MAX_DOC_CHARS:
            notes.append(f"doc truncated at {MAX_DOC_CHARS} of {len(doc)} characters; read the resource "
                         f"api://{r.public_path} for the full text.")
            doc = doc[:MAX_DOC_CHARS] + " …"
        payload: dict[str, Any] = {
            "name": r.public_path, "canonical_path": r.canonical_path, "kind": r.kind,
            "signature": r.signature, "summary": r.summary, "doc": doc,
            "parameters": [{"name": p.name, "kind": p.kind, "annotation": p.annotation, "default": p.default,
                            "doc": _clip(p.doc, 500)} for p in r.params[:60]],
            "returns": r.returns, "aliases": list(r.aliases[:20]),
            "examples": [{"code": _clip(e.code, 1500), "source": e.source, "title": e.title}
                         for e in r.examples[:3]],
            "origin": r.origin, "version": r.origin_version, "file": r.file, "line": r.line,
            "deprecated": r.deprecated, "language": r.language,
        }
        if len(r.params) > 60:
            notes.append(f"{len(r.params) - 60} more parameters not shown.")
        if len(r.aliases) > 20:
            notes.append(f"{len(r.aliases) - 20} more aliases not shown.")
        if r.kind in ("module", "class"):
            members = []
            for s in self.searchers():
                members += [m.name for m in s.members(r.public_path, limit=1000) if not m.private]
            members = sorted(set(members))
            payload["members"] = members[:200]
            if len(members) > 200:
                notes.append(f"{len(members) - 200} more members not shown; use complete_member or search_apis.")
        if len(recs) > 1:
            payload["other_definitions"] = [
                {"name": o.public_path, "canonical_path": o.canonical_path, "kind": o.kind,
                 "signature": o.signature, "origin": o.origin, "version": o.origin_version}
                for o in recs[1:6]]
        payload = _fit_api(payload, notes)
        if notes:
            payload["note"] = " ".join(notes)
        return payload

    def complete_member(self, code: str, line: int, character: int, k: int = 20) -> dict[str, Any]:
        code = _code_arg(code)
        lines = code.split("\n")
        if not isinstance(line, int) or not 0 <= line < len(lines):
            raise ApiToolError(f"line {line} is outside the code (0-based; the code has {len(lines)} lines)")
        if not isinstance(character, int) or not 0 <= character <= len(lines[line]):
            raise ApiToolError(f"character {character} is outside line {line} (0-based; the line has "
                               f"{len(lines[line])} characters)")
        k = _k_arg(k)
        try:
            from .context import member_completions
        except ImportError as e:
            raise ApiToolError(f"member completion is not available in this installation ({e})") from None
        hits = member_completions(self.searchers(), code, line, character, k=k)
        results = []
        for i, h in enumerate(hits[:k], 1):
            r = h.record
            results.append({"rank": i, "name": r.name, "path": r.public_path, "kind": r.kind,
                            "signature": brief_signature(r.signature),
                            "summary": _clip(r.summary, MAX_SUMMARY_CHARS),
                            "origin": r.origin, "version": r.origin_version})
        notes: list[str] = []
        payload = _fit_list({"results": results}, "results", notes, "member")
        if not results:
            notes.append("no members known at this position: put the position right after `receiver.` "
                         "and make sure the receiver's module is indexed (index_status).")
        if notes:
            payload["note"] = " ".join(notes)
        return payload

    def check_apis(self, code: str, language: str = "python") -> dict[str, Any]:
        from .check import SUPPORTED_LANGUAGES, check_report

        code = _code_arg(code)
        language = _text_arg(language, "language", 50).strip().lower() or "python"
        if language not in SUPPORTED_LANGUAGES:
            raise ApiToolError(f"language {language!r} is not supported; supported: {', '.join(SUPPORTED_LANGUAGES)}")
        report = check_report(code, self.searchers(), language)
        problems = [p.to_dict() for p in report.problems]
        notes: list[str] = []
        if len(problems) > MAX_PROBLEMS:
            notes.append(f"{len(problems) - MAX_PROBLEMS} more problems not shown; fix these and check again.")
        payload: dict[str, Any] = {
            "problems": problems[:MAX_PROBLEMS],
            "count": len(problems),
            "summary": (f"{len(problems)} referenced API(s) do not exist in the indexed versions."
                        if problems else "No problems: every checked API exists in the indexed versions."),
            "positions": "0-based line and character (code points) of the wrong name segment",
        }
        if report.unindexed_modules:
            payload["unchecked_modules"] = list(report.unindexed_modules[:50])
            notes.append("unchecked_modules are imported but not indexed, so references into them were not "
                         "checked (apirec index pkg:NAME adds an installed package).")
        payload = _fit_list(payload, "problems", notes, "problem")
        if notes:
            payload["note"] = " ".join(notes)
        return payload

    def index_status(self) -> dict[str, Any]:
        indexes = []
        for s in self.searchers():
            info = s.info()
            origins = info.get("origins") or {}
            info["origins"] = dict(list(origins.items())[:50])
            if len(origins) > 50:
                info["origins_not_shown"] = len(origins) - 50
            sources = info.get("sources") or []
            info["sources"] = sources[:50]
            if len(sources) > 50:
                info["sources_not_shown"] = len(sources) - 50
            indexes.append(info)
        payload = {"apirec_version": __version__, "indexes": indexes,
                   "records": sum(i["records"] for i in indexes),
                   "models": sorted({str(i.get("model")) for i in indexes}),
                   "limits": {"max_k": MAX_K, "max_code_chars": MAX_CODE_CHARS,
                              "max_response_chars": MAX_RESPONSE_CHARS}}
        return payload

    def api_markdown(self, name: str) -> str:
        recs = self.exact(name.strip())
        if not recs:
            close = self.close_names(name)
            raise KeyError(f"no API named {name!r} in the index"
                           + (f"; did you mean {', '.join(close)}?" if close else ""))
        out = []
        for r in recs[:3]:
            out.append(_markdown(r))
        text = "\n\n---\n\n".join(out)
        if len(text) > MAX_RESOURCE_CHARS:
            text = text[:MAX_RESOURCE_CHARS] + f"\n\n… (truncated at {MAX_RESOURCE_CHARS} characters)"
        return text

    def _libraries(self) -> list[str]:
        libs: set[str] = set()
        for s in self.searchers():
            libs.update((s.params.get("origins") or {}).keys())
        return sorted(libs)


def _in_library(r: ApiRecord, lib: str) -> bool:
    return (r.public_path.split(".", 1)[0].lower() == lib or r.canonical_path.split(".", 1)[0].lower() == lib
            or r.origin.lower() == lib)


def _markdown(r: ApiRecord) -> str:
    lines = [f"# {r.public_path}", "", f"```python\n{r.public_path}{r.signature}\n```", "",
             f"*{r.kind}* · {r.origin} {r.origin_version}".rstrip()]
    if r.canonical_path != r.public_path:
        lines.append(f"Defined as `{r.canonical_path}`.")
    if r.aliases:
        lines.append("Also: " + ", ".join(f"`{a}`" for a in r.aliases[:20]))
    if r.deprecated:
        lines.append("**Deprecated.**")
    if r.file:
        lines.append(f"Source: `{r.file}{':' + str(r.line) if r.line else ''}`")
    lines += ["", r.doc or r.summary or "(no documentation)"]
    documented = [p for p in r.params if p.doc]
    if documented:
        lines += ["", "## Parameters", ""] + [f"- `{p.name}`: {p.doc}" for p in documented]
    if r.returns:
        lines += ["", f"Returns: `{r.returns}`"]
    for ex in r.examples[:3]:
        lines += ["", f"## Example{': ' + ex.title if ex.title else ''}", "", f"```python\n{ex.code}\n```"]
    return "\n".join(lines)


# -- argument checks and size bounds -------------------------------------------------------------------


def _text_arg(value: Any, what: str, cap: int) -> str:
    if not isinstance(value, str):
        raise ApiToolError(f"{what} must be a string, not {type(value).__name__}")
    if len(value) > cap:
        raise ApiToolError(f"{what} is too long ({len(value)} characters; at most {cap})")
    return value


def _code_arg(code: Any) -> str:
    code = _text_arg(code, "code", MAX_CODE_CHARS)
    if not code.strip():
        raise ApiToolError("code is empty: pass the Python source to look at")
    return code


def _k_arg(k: Any) -> int:
    if isinstance(k, bool) or not isinstance(k, int):
        raise ApiToolError(f"k must be an integer, not {type(k).__name__}")
    if k < 1:
        raise ApiToolError(f"k must be at least 1 (got {k})")
    return min(k, MAX_K)


def _clip(s: str, n: int) -> str:
    return s if len(s) <= n else s[: n - 1] + "…"


def _size(payload: dict[str, Any]) -> int:
    return len(json.dumps(payload, ensure_ascii=False))


def _fit_list(payload: dict[str, Any], key: str, notes: list[str], what: str) -> dict[str, Any]:
    """Drop trailing items of payload[key] until the answer fits the response budget."""
    items = payload[key]
    dropped = 0
    while items and _size(payload) > MAX_RESPONSE_CHARS - 400:
        items.pop()
        dropped += 1
    if dropped:
        notes.append(f"{dropped} more {what}(s) left out to keep the answer under {MAX_RESPONSE_CHARS} characters.")
    return payload


def _fit_api(payload: dict[str, Any], notes: list[str]) -> dict[str, Any]:
    """Shrink the least useful parts of get_api's answer first until it fits the budget."""
    budget = MAX_RESPONSE_CHARS - 600
    if _size(payload) > budget and payload.get("members"):
        n = len(payload["members"])
        while payload["members"] and _size(payload) > budget:
            payload["members"] = payload["members"][: len(payload["members"]) // 2]
        notes.append(f"members list cut to {len(payload['members'])} of {n}.")
    if _size(payload) > budget and payload.get("examples"):
        payload["examples"] = payload["examples"][:1]
        notes.append("only one example shown.")
    for p in payload.get("parameters", ()):
        if _size(payload) <= budget:
            break
        p["doc"] = _clip(p["doc"], 120)
    if _size(payload) > budget:
        over = _size(payload) - budget
        doc = payload["doc"]
        payload["doc"] = doc[: max(0, len(doc) - over - 10)] + " …"
        notes.append(f"doc shortened to fit; read the resource api://{payload['name']} for the full text.")
    return payload


# -- MCP wiring ------------------------------------------------------------------------------------------


def build_server(service: ApiService):
    """An MCPServer exposing `service` as tools and the api:// resource."""
    from mcp.server.mcpserver import MCPServer
    from mcp.server.mcpserver.exceptions import ResourceNotFoundError, ToolError
    from mcp.types import ToolAnnotations

    server = MCPServer("apirec", title="apirec: offline API lookup", version=__version__,
                       instructions=INSTRUCTIONS, log_level="WARNING")
    read_only = ToolAnnotations(read_only_hint=True, open_world_hint=False, idempotent_hint=True)

    def answer(fn: Callable[..., dict[str, Any]], *args: Any) -> str:
        try:
            payload = fn(*args)
        except ApiToolError as e:
            raise ToolError(str(e)) from None
        except ToolError:
            raise
        except Exception as e:  # index or model trouble: the message says what to do; keep serving
            log.exception("tool failed")
            raise ToolError(f"{type(e).__name__}: {e}") from None
        return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))

    @server.tool(annotations=read_only, structured_output=False)
    def search_apis(query: str, k: int = 10, library: str | None = None) -> str:
        """Rank APIs (functions, classes, methods, modules) for a task described in words.

        Args:
            query: what the code should do, e.g. "parse a json string" or "join path components".
            k: how many results (1-50, default 10).
            library: only APIs of this library: a top-level package ("json", "numpy") or an origin
                ("stdlib", a distribution name).

        Returns JSON: results with name (the public dotted path), kind, signature (long ones cut
        with "..."; get_api has it whole), summary, origin and version (the installed version that
        was indexed).
        """
        return answer(service.search_apis, query, k, library)

    @server.tool(annotations=read_only, structured_output=False)
    def get_api(name: str) -> str:
        """Everything about one API by dotted name (e.g. "json.loads", "collections.OrderedDict").

        Returns JSON: signature, parameters, doc (long docs truncated; the resource api://NAME has
        the full text), examples, aliases, canonical path, file and line, version; members for a
        module or class. An unknown name is an error that lists the closest real names.
        """
        return answer(service.get_api, name)

    @server.tool(annotations=read_only, structured_output=False)
    def complete_member(code: str, line: int, character: int, k: int = 20) -> str:
        """Ranked members available at a position in Python code, right after `receiver.`.

        Args:
            code: the Python source.
            line: 0-based line of the position.
            character: 0-based character (code point) of the position, right after the dot.
            k: how many members (1-50, default 20).

        Returns JSON: results with name, path, kind, signature (long ones cut with "..."; get_api
        has it whole), summary, origin and version.
        """
        return answer(service.complete_member, code, line, character, k)

    @server.tool(annotations=read_only, structured_output=False)
    def check_apis(code: str, language: str = "python") -> str:
        """Check code for referenced APIs that do not exist in the indexed (installed) versions.

        Finds invented or misspelled names such as json.lods or os.path.joinn (attribute chains
        on imported modules and classes, `from M import name`, `import M.sub`) and gives the
        closest real names. Modules that are not indexed are listed as unchecked, not reported.
        The code is parsed, never run.

        Args:
            code: the source to check (up to 200,000 characters).
            language: "python".
        """
        return answer(service.check_apis, code, language)

    @server.tool(annotations=read_only, structured_output=False)
    def index_status() -> str:
        """What is indexed: libraries and their versions, record counts, the embedding model."""
        return answer(service.index_status)

    @server.resource("api://{name}", name="api", title="API documentation", mime_type="text/markdown",
                     description="Full documentation of an API by dotted name, e.g. api://json.loads")
    def api_doc(name: str) -> str:
        try:
            return service.api_markdown(name)
        except KeyError as e:
            raise ResourceNotFoundError(e.args[0]) from None

    return server


# -- command line --------------------------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="apirec mcp", description="MCP server for coding agents: search, read "
                                "and check APIs offline. Serves stdio unless --http is given.")
    p.add_argument("--index", type=Path, action="append", default=[], metavar="DIR",
                   help="index folder (repeatable; default: the per-user default index, built on first use)")
    p.add_argument("--http", action="store_true", help="serve streamable HTTP instead of stdio")
    p.add_argument("--host", default="127.0.0.1", help="HTTP host (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"HTTP port (default {DEFAULT_PORT})")
    p.add_argument("--allow-remote", action="store_true",
                   help="allow a non-loopback --host (the server has no authentication)")
    p.add_argument("--no-warm-up", action="store_true", help="do not load the indexes and model before "
                   "the first request")
    p.add_argument("-v", "--verbose", action="store_true", help="log requests and errors to stderr")
    return p


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["--"]:
        argv = argv[1:]  # `apirec mcp -- --index DIR`: the separator the top-level parser needs
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, stream=sys.stderr,
                        format="apirec mcp: %(levelname)s %(message)s")
    if args.http and not _is_loopback(args.host) and not args.allow_remote:
        print(f"apirec mcp: error: --host {args.host} is not a loopback address; the server has no "
              "authentication, so add --allow-remote to serve other machines", file=sys.stderr)
        return 2
    if not 0 < args.port < 65536:
        print(f"apirec mcp: error: --port {args.port} is not a port number", file=sys.stderr)
        return 2
    from .store import IndexDir, IndexLoadError

    for p in args.index:
        if not IndexDir(p).exists():
            print(f"apirec mcp: error: no index at {p}; build one with: apirec index SOURCE --index {p}",
                  file=sys.stderr)
            return 2
    service = ApiService(args.index)
    if args.index:
        try:
            service.searchers()  # a corrupt index fails here, with its message, not at the first call
        except IndexLoadError as e:
            print(f"apirec mcp: error: {e}", file=sys.stderr)
            return 2
    if not args.no_warm_up:
        threading.Thread(target=service.warm_up, name="apirec-warm-up", daemon=True).start()
    server = build_server(service)
    try:
        if args.http:
            print(f"apirec mcp: serving streamable HTTP on http://{args.host}:{args.port}/mcp", file=sys.stderr)
            server.run("streamable-http", host=args.host, port=args.port)
        else:
            server.run("stdio")
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
