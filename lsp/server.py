"""apirec language server (pygls 2): thin handlers named after LSP methods; the work is in features.py,
conversions in convert.py, indexes in indexes.py, settings in options.py.

Run: `apirec lsp` (stdio), `apirec lsp --tcp [HOST:]PORT` (loopback unless --allow-remote).
"""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import logging
import os
import stat
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Callable

from lsprotocol import types as T
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from apirec import __version__, generate

from . import convert, features
from .indexes import IndexSet
from .options import Options, parse_options

log = logging.getLogger("apirec.lsp")


def safe_regular_file(path: Path) -> bool:
    """A regular file (not a FIFO or device, which would block a read)."""
    try:
        return stat.S_ISREG(path.stat().st_mode)
    except OSError:
        return False


def _is_pipe(stream: Any) -> bool:
    try:
        mode = os.fstat(stream.fileno()).st_mode
    except (OSError, ValueError, AttributeError):
        return False
    return stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode)


class _PipeReader:
    """pygls' AsyncReader over an asyncio stream; end of input reads as b"" as pygls expects."""

    def __init__(self) -> None:
        self.stream = asyncio.StreamReader(limit=1 << 20)

    async def readline(self) -> bytes:
        try:
            return await self.stream.readline()
        except (ValueError, asyncio.LimitOverrunError):  # a header line past 1 MB: not LSP, stop reading
            return b""

    async def readexactly(self, n: int) -> bytes:
        try:
            return await self.stream.readexactly(n)
        except asyncio.IncompleteReadError:
            return b""


STATUS_COMMAND = "apirec.status"
SEARCH_COMMAND = "apirec.search"
REINDEX_COMMAND = "apirec.reindex"


class ApirecServer(LanguageServer):
    def __init__(self):
        super().__init__("apirec", __version__)
        self.options = Options()
        self.indexes = IndexSet(self.notify_threadsafe)
        self.pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="apirec-req")
        # LLM calls wait on the network: their own threads, so a slow endpoint never holds up the others.
        self.llm_pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="apirec-llm")
        self.inline_gen: generate.InlineGenerator | None = None
        self._last_log: tuple[str, float] = ("", 0.0)
        self.loop: asyncio.AbstractEventLoop | None = None
        self._diag_tasks: dict[str, asyncio.TimerHandle] = {}
        self.init_options: Any = None

    # -- helpers the handlers share -----------------------------------------------------------------
    def notify_threadsafe(self, message: str, error: bool = False) -> None:
        """window/logMessage from any thread (pygls writes from the event loop)."""
        if self.loop is not None and not self.loop.is_closed():
            self.loop.call_soon_threadsafe(self.window_log_message, convert.log(message, error))

    def log_once(self, message: str, every: float = 30.0) -> None:
        """window/logMessage, the same message at most once per `every` seconds (a down endpoint would
        otherwise log on every keystroke)."""
        last, at = self._last_log
        if message != last or time.monotonic() - at > every:
            self._last_log = (message, time.monotonic())
            log.warning("%s", message)
            self.window_log_message(convert.log(message, error=True))

    def warn(self, message: str) -> None:
        self.window_show_message(convert.show(message))
        self.window_log_message(convert.log(message))

    def _start_io_async(self, stdin=None, stdout=None):
        """pygls reads stdin on a worker thread: three thread hops per message, the largest share of
        the stdio latency here under load. A pipe (how editors start servers) is read by the event
        loop itself; anything else (a file, a tty) keeps pygls' reader."""
        if stdin is not None or not _is_pipe(sys.stdin):
            return super()._start_io_async(stdin, stdout)
        from pygls.io_ import StdoutWriter, run_async

        self._stop_event = threading.Event()
        self.protocol.set_writer(StdoutWriter(stdout or sys.stdout.buffer))

        async def serve() -> None:
            reader = _PipeReader()
            await asyncio.get_running_loop().connect_read_pipe(
                lambda: asyncio.StreamReaderProtocol(reader.stream), sys.stdin.buffer)
            await run_async(stop_event=self._stop_event, reader=reader, protocol=self.protocol, logger=log,
                            error_handler=self.report_server_error)

        try:
            asyncio.run(serve())
        except BrokenPipeError:
            log.error("Connection to the client is lost! Shutting down the server.")
        except (KeyboardInterrupt, SystemExit):
            pass
        finally:
            self.shutdown()

    async def run(self, fn: Callable, *args) -> Any:
        """Off the event loop: typing never waits for an index query."""
        return await asyncio.get_running_loop().run_in_executor(self.pool, fn, *args)

    def text_of(self, uri: str) -> tuple[str, int | None] | None:
        """(text, version) of the document at `uri`, or None. Open documents are the client's; a file
        never opened is read from disk only when it is a regular file inside the workspace (no FIFOs,
        nothing outside, no symlinks out)."""
        if uri not in self.workspace.text_documents and not self.readable(uri):
            return None
        try:
            doc = self.workspace.get_text_document(uri)
            return doc.source, doc.version  # (`source` reads an unopened file: once here)
        except Exception:  # not readable after all (deleted, non-file URI)
            return None

    def doc(self, uri: str, pos: T.Position) -> features.Doc | None:
        got = self.text_of(uri)
        if got is None:
            return None
        return features.Doc(got[0], uri, pos, convert.encoding_of(self.server_capabilities), self.indexes)

    def readable(self, uri: str) -> bool:
        try:
            path = Path(to_fs_path(uri) or "")
        except Exception:
            return False
        return bool(str(path)) and self.indexes.in_workspace(path) and safe_regular_file(path)

    def apply_options(self, raw: Any, origin: str) -> None:
        opts, errors = parse_options(raw)
        for e in errors:
            self.warn(f"apirec ({origin}): {e}")
        self.options = opts
        self.inline_gen = features.generator(opts, self.inline_gen)
        self.indexes.ignore = list(opts.ignore_globs)
        self.indexes.load_extra(opts.index_paths, opts.extra_packages)

    def client_supports(self, *path: str) -> bool:
        node: Any = self.client_capabilities
        for p in path:
            node = getattr(node, p, None)
            if node is None:
                return False
        return bool(node)

    def schedule_diagnostics(self, uri: str, delay: float = 0.3) -> None:
        if self.loop is None:
            return
        old = self._diag_tasks.pop(uri, None)
        if old is not None:
            old.cancel()
        self._diag_tasks[uri] = self.loop.call_later(delay, lambda: asyncio.ensure_future(publish_diagnostics(self, uri)))


server = ApirecServer()


async def publish_diagnostics(ls: ApirecServer, uri: str) -> None:
    got = ls.text_of(uri)
    if got is None:
        return
    text, version = got
    diags = []
    if ls.options.features.diagnostics:
        diags = await ls.run(features.diagnostics, text, ls.indexes, convert.encoding_of(ls.server_capabilities))
    ls.text_document_publish_diagnostics(convert.publish(uri, diags, version))


# -- lifecycle ------------------------------------------------------------------------------------------


@server.feature(T.INITIALIZE)
def initialize(ls: ApirecServer, params: T.InitializeParams) -> None:
    ls.init_options = params.initialization_options
    ls.apply_options(params.initialization_options, "initializationOptions")


@server.feature(T.INITIALIZED)
async def initialized(ls: ApirecServer, params: T.InitializedParams) -> None:
    ls.loop = asyncio.get_running_loop()
    if ls.client_supports("workspace", "configuration"):
        await pull_configuration(ls)
    ls.indexes.load_default()
    if ls.client_supports("workspace", "did_change_watched_files", "dynamic_registration"):
        await ls.client_register_capability_async(convert.watcher_registration())
    root = ls.workspace.root_path
    if root and ls.options.features.workspace_index and Path(root).is_dir():
        await start_workspace_index(ls, Path(root))


async def pull_configuration(ls: ApirecServer) -> None:
    try:
        got = await ls.workspace_configuration_async(convert.configuration_params())
    except Exception as e:  # a client that advertises but fails the request
        ls.window_log_message(convert.log(f"apirec: workspace/configuration failed: {e}"))
        return
    if got and got[0] is not None:
        ls.apply_options(got[0], "workspace/configuration")


async def start_workspace_index(ls: ApirecServer, root: Path) -> None:
    token = None
    if ls.client_supports("window", "work_done_progress"):
        token = f"apirec-index-{time.monotonic_ns()}"
        await ls.work_done_progress.create_async(token)
        ls.work_done_progress.begin(token, convert.progress_begin("apirec: indexing workspace", str(root)))
    else:
        ls.window_log_message(convert.log(f"apirec: indexing workspace {root}"))
    last = [0.0]

    def progress(stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        if now - last[0] < 0.2 and done < total:
            return  # a few reports a second are plenty
        last[0] = now
        pct = int(100 * done / total) if total else None
        msg = f"{stage} {done}/{total}"
        if token is not None:
            ls.loop.call_soon_threadsafe(ls.work_done_progress.report, token, convert.progress_report(msg, pct))
        else:
            ls.notify_threadsafe(f"apirec: {msg}")

    def done(message: str) -> None:
        if token is not None:
            ls.loop.call_soon_threadsafe(ls.work_done_progress.end, token, convert.progress_end(message))
        ls.notify_threadsafe(f"apirec: {message}")

    ls.indexes.index_workspace(root, progress, done)


@server.feature(T.WORKSPACE_DID_CHANGE_CONFIGURATION)
async def workspace_did_change_configuration(ls: ApirecServer, params: T.DidChangeConfigurationParams) -> None:
    settings = params.settings
    if isinstance(settings, dict) and settings:
        ls.apply_options(settings, "didChangeConfiguration")
    elif ls.client_supports("workspace", "configuration"):
        await pull_configuration(ls)  # the notification is only a nudge: pull the real values


@server.command(STATUS_COMMAND)
def apirec_status(ls: ApirecServer, *args) -> dict[str, Any]:
    """workspace/executeCommand `apirec.status`: which indexes are ready, and the options in force."""
    return features.status(ls.indexes, ls.options)


@server.command(SEARCH_COMMAND)
async def apirec_search(ls: ApirecServer, *args) -> dict[str, Any]:
    """workspace/executeCommand `apirec.search` [{query, k?, textDocument?: {uri}}]: ranked APIs with the
    call text and import that fit the given document (the editors' "Search APIs" command)."""
    arg = args[0] if args and isinstance(args[0], dict) else {}
    if len(args) == 1 and isinstance(args[0], list) and args[0] and isinstance(args[0][0], dict):
        arg = args[0][0]  # pygls may pass the arguments list as one value
    query = arg.get("query")
    if not isinstance(query, str) or not query.strip():
        return {"hits": [], "error": "query must be a non-empty string"}
    k = arg.get("k", 10)
    k = max(1, min(int(k), 50)) if isinstance(k, int) else 10
    text = ""
    uri = (arg.get("textDocument") or {}).get("uri") if isinstance(arg.get("textDocument"), dict) else None
    got = ls.text_of(uri) if isinstance(uri, str) else None
    if got is not None:
        text = got[0]
    return await ls.run(features.search_command, query.strip(), k, text, ls.indexes)


@server.command(REINDEX_COMMAND)
async def apirec_reindex(ls: ApirecServer, *args) -> dict[str, Any]:
    """workspace/executeCommand `apirec.reindex`: index the workspace again (unchanged files are reused)."""
    root = ls.workspace.root_path
    if not root:
        return {"started": False, "reason": "no workspace folder"}
    await start_workspace_index(ls, Path(root))
    return {"started": True, "root": str(root)}


# -- documents ----------------------------------------------------------------------------------------


@server.feature(T.TEXT_DOCUMENT_DID_OPEN)
def text_document_did_open(ls: ApirecServer, params: T.DidOpenTextDocumentParams) -> None:
    ls.schedule_diagnostics(params.text_document.uri)  # debounced: a completion right after open goes first


@server.feature(T.TEXT_DOCUMENT_DID_CHANGE)
def text_document_did_change(ls: ApirecServer, params: T.DidChangeTextDocumentParams) -> None:
    ls.schedule_diagnostics(params.text_document.uri)


@server.feature(T.TEXT_DOCUMENT_DID_CLOSE)
def text_document_did_close(ls: ApirecServer, params: T.DidCloseTextDocumentParams) -> None:
    pending = ls._diag_tasks.pop(params.text_document.uri, None)
    if pending is not None:
        pending.cancel()  # a closed document needs no diagnostics
    ls.text_document_publish_diagnostics(convert.publish(params.text_document.uri, [], None))


@server.feature(T.TEXT_DOCUMENT_DID_SAVE)
async def text_document_did_save(ls: ApirecServer, params: T.DidSaveTextDocumentParams) -> None:
    uri = params.text_document.uri
    if uri.startswith("file:"):
        await ls.run(reindex_file, ls, Path(to_fs_path(uri)), True)
    ls.schedule_diagnostics(uri, 0.0)


@server.feature(T.WORKSPACE_DID_CHANGE_WATCHED_FILES)
async def workspace_did_change_watched_files(ls: ApirecServer, params: T.DidChangeWatchedFilesParams) -> None:
    for ch in params.changes:
        if ch.uri.startswith("file:"):
            await ls.run(reindex_file, ls, Path(to_fs_path(ch.uri)), ch.type != T.FileChangeType.Deleted)


def reindex_file(ls: ApirecServer, path: Path, exists: bool) -> None:
    t0 = time.perf_counter()
    try:
        if not ls.indexes.in_workspace(path):
            return  # checked before any read: nothing outside the workspace is opened
        data = path.read_bytes() if exists and safe_regular_file(path) else None
        n = ls.indexes.file_changed(path, data)
    except Exception as e:  # one bad file never takes the server down
        ls.notify_threadsafe(f"apirec: re-indexing {path} failed: {e}", True)
        return
    if n is not None:
        ls.notify_threadsafe(f"apirec: re-indexed {path.name}: {n} APIs in "
                             f"{(time.perf_counter() - t0) * 1000:.1f} ms")


# -- language features ----------------------------------------------------------------------------------


@server.feature(T.TEXT_DOCUMENT_COMPLETION, T.CompletionOptions(trigger_characters=["."], resolve_provider=True))
async def text_document_completion(ls: ApirecServer, params: T.CompletionParams) -> T.CompletionList | None:
    doc = ls.doc(params.text_document.uri, params.position)
    if doc is None:
        return None
    snippets = ls.client_supports("text_document", "completion", "completion_item", "snippet_support")
    if features.cheap_completion(doc, ls.options):
        return features.completion(doc, ls.indexes, ls.options, snippets)  # no thread hop: p95 matters
    return await ls.run(features.completion, doc, ls.indexes, ls.options, snippets)


@server.feature(T.COMPLETION_ITEM_RESOLVE)
async def completion_item_resolve(ls: ApirecServer, item: T.CompletionItem) -> T.CompletionItem:
    return await ls.run(features.resolve, item, ls.indexes)


@server.feature(T.TEXT_DOCUMENT_INLINE_COMPLETION, T.InlineCompletionOptions())
async def text_document_inline_completion(ls: ApirecServer, params: T.InlineCompletionParams
                                          ) -> T.InlineCompletionList | None:
    """The model's continuation of the code, with the APIs it needs retrieved into the prompt. Served only
    when settings name an endpoint (llm.baseUrl); otherwise None at once, and nothing is sent anywhere."""
    gen = ls.inline_gen
    doc = ls.doc(params.text_document.uri, params.position) if gen is not None else None
    if doc is None or params.context.selected_completion_info is not None:
        return None  # (with a completion item selected, the completion list has the floor)
    cancel = threading.Event()
    try:
        fut = asyncio.get_running_loop().run_in_executor(ls.llm_pool, features.inline_completion, doc, ls.indexes,
                                                         gen, cancel.is_set)
        return await asyncio.wait_for(fut, gen.config.timeout + 2.0)
    except Exception as e:  # noqa: BLE001 - the endpoint failed or timed out (or a bug): no items, say why once
        ls.log_once(f"apirec: inline completion gave no suggestion: {str(e) or type(e).__name__}")
        return None
    finally:
        cancel.set()  # cancelled or timed out: a call still queued is never made


@server.feature(T.TEXT_DOCUMENT_HOVER)
async def text_document_hover(ls: ApirecServer, params: T.HoverParams) -> T.Hover | None:
    doc = ls.doc(params.text_document.uri, params.position)
    if doc is None or not ls.options.features.hover:
        return None
    return await ls.run(features.hover, doc, ls.indexes)


@server.feature(T.TEXT_DOCUMENT_SIGNATURE_HELP, T.SignatureHelpOptions(trigger_characters=["(", ","]))
async def text_document_signature_help(ls: ApirecServer, params: T.SignatureHelpParams) -> T.SignatureHelp | None:
    doc = ls.doc(params.text_document.uri, params.position)
    if doc is None or not ls.options.features.signature_help:
        return None
    return await ls.run(features.signature_help, doc, ls.indexes)


@server.feature(T.TEXT_DOCUMENT_CODE_ACTION,
                T.CodeActionOptions(code_action_kinds=[T.CodeActionKind.RefactorRewrite]))
async def text_document_code_action(ls: ApirecServer, params: T.CodeActionParams) -> list[T.CodeAction] | None:
    doc = ls.doc(params.text_document.uri, params.range.start)
    if doc is None or not ls.options.features.nl_comments:
        return None
    return await ls.run(features.code_actions, doc, ls.indexes, params.text_document.uri)


# -- entry point ------------------------------------------------------------------------------------


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="apirec lsp", description="apirec language server (stdio by default)")
    p.add_argument("--stdio", action="store_true", help="serve on stdin/stdout (the default)")
    p.add_argument("--tcp", metavar="[HOST:]PORT", help="serve on TCP (127.0.0.1 unless HOST is given)")
    p.add_argument("--allow-remote", action="store_true", help="allow a non-loopback --tcp host")
    p.add_argument("--log-file", type=Path, help="write the server log here")
    p.add_argument("-v", "--verbose", action="store_true")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = _parse_args(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING,
                        filename=str(args.log_file) if args.log_file else None,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if args.tcp:
        host, _, port = args.tcp.rpartition(":")
        host = host.strip("[]") or "127.0.0.1"
        try:
            port_n = int(port)
            loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
        except ValueError:
            print(f"apirec lsp: error: bad --tcp address {args.tcp!r} (want [HOST:]PORT)", file=sys.stderr)
            return 2
        if not loopback and not args.allow_remote:
            print(f"apirec lsp: error: {host} is not a loopback address; the server has no authentication, "
                  "pass --allow-remote to serve it anyway", file=sys.stderr)
            return 2
        server.start_tcp(host, port_n)
        return 0
    server.start_io()
    return 0
