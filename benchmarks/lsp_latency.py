"""Completion latency of the apirec language server next to jedi, on real member positions.

Positions: `receiver.name` accesses in a real repository's files (default: the stdlib's own `json`,
`email` and `http` packages). For each, the member name is deleted, as if the user had just typed the
dot, and completion is asked right after the dot:

- apirec over LSP: the real server process on stdio (JSON-RPC included), one didOpen per position;
- apirec in-process: the same completion function without the protocol;
- jedi: `jedi.Script(code, path=...).complete(line, col)` on the same text and position.

Also reports the server's RSS with its indexes loaded, and whether the name that was deleted came back
in the top 5 (a sanity check, not an accuracy benchmark). Prints a JSON summary and a Markdown table.

    APIREC_HOME=... python benchmarks/lsp_latency.py [--n 300] [--packages json email http] [--no-jedi]

Before/after a server change, on a loaded machine: copy the old `lsp/` package somewhere as `lspbase/`
(its `__main__.py` importing `lspbase.server`) and time both servers position by position in turn:

    PYTHONPATH=/tmp/old python benchmarks/lsp_latency.py --no-jedi --rounds 3 \
        --baseline-cmd "python -m lspbase"
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shlex
import statistics
import sys
import sysconfig
import time
from pathlib import Path

ATTR = re.compile(r"(?<![\w.])([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)\.([A-Za-z_]\w*)")


def positions(packages: list[str], n: int) -> list[dict]:
    """Deterministic sample of member positions: (text with the member deleted, line, col, expected)."""
    root = Path(sysconfig.get_paths()["stdlib"])
    found = []
    for pkg in packages:
        base = root / pkg
        files = sorted(base.rglob("*.py")) if base.is_dir() else [base.with_suffix(".py")]
        for f in files:
            if "test" in f.parts:
                continue
            text = f.read_text("utf-8", "replace")
            lines = text.split("\n")
            for i, line in enumerate(lines):
                s = line.lstrip()
                if s.startswith("#") or '"' in line or "'" in line:
                    continue  # keep clear of strings and comments
                for m in ATTR.finditer(line):
                    col = m.start(2)
                    edited = line[:col] + line[m.end(2):]
                    code = "\n".join(lines[:i] + [edited] + lines[i + 1:])
                    found.append({"file": str(f), "code": code, "line": i, "col": col, "expected": m.group(2)})
    step = max(1, len(found) // n)
    return found[::step][:n]


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def summary(ms: list[float]) -> dict:
    return {"n": len(ms), "p50_ms": round(statistics.median(ms), 2), "p95_ms": round(pct(ms, 95), 2),
            "p90_ms": round(pct(ms, 90), 2), "max_ms": round(max(ms), 2), "mean_ms": round(statistics.mean(ms), 2)}


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def _start(cmd: list[str], index_paths: list[str] | None = None):
    from lsprotocol import types as T
    from pygls.lsp.client import LanguageClient

    client = LanguageClient("apirec-bench", "1")
    await client.start_io(cmd[0], *cmd[1:])
    await client.initialize_async(T.InitializeParams(
        capabilities=T.ClientCapabilities(),
        initialization_options={"indexPaths": index_paths} if index_paths else None))
    client.initialized(T.InitializedParams())
    t0 = time.monotonic()
    while True:
        st = await client.workspace_execute_command_async(T.ExecuteCommandParams(command="apirec.status"))
        states = st.get("indexes", {})
        if states.get("default") == "ready" and all(v == "ready" for v in states.values()):
            return client
        if time.monotonic() - t0 > 300:
            raise RuntimeError(f"default index not ready: {st}")
        await asyncio.sleep(0.2)


async def bench_lsp(pos: list[dict], server_cmds: list[list[str]] | None = None,
                    rounds: int = 1) -> list[tuple[list[float], int, float, dict]]:
    """(times ms, expected names in the top 5, RSS MB, status) per server command. With several
    servers each position goes to all of them in turn (the order rotating), so a before/after
    comparison sees the same machine load."""
    from lsprotocol import types as T

    cmds = server_cmds or [[sys.executable, "-m", "apirec.lsp"]]
    clients = [await _start(cmd) for cmd in cmds]
    times: list[list[float]] = [[] for _ in cmds]
    hits = [0] * len(cmds)
    n = 0
    for _ in range(rounds):
        for p in pos:
            n += 1
            for j in [(n + i) % len(cmds) for i in range(len(cmds))]:
                client = clients[j]
                uri = Path(p["file"]).with_name(f"bench_{n}.py").as_uri()
                client.text_document_did_open(T.DidOpenTextDocumentParams(text_document=T.TextDocumentItem(
                    uri=uri, language_id="python", version=1, text=p["code"])))
                t = time.perf_counter()
                res = await client.text_document_completion_async(T.CompletionParams(
                    text_document=T.TextDocumentIdentifier(uri=uri),
                    position=T.Position(line=p["line"], character=p["col"])))
                times[j].append((time.perf_counter() - t) * 1000)
                items = sorted(res.items if res else [], key=lambda i: i.sort_text or "")
                hits[j] += p["expected"] in [i.label for i in items[:5]]
                client.text_document_did_close(T.DidCloseTextDocumentParams(
                    text_document=T.TextDocumentIdentifier(uri=uri)))
    out = []
    for j, client in enumerate(clients):
        rss = rss_mb(client._server.pid)
        st = await client.workspace_execute_command_async(T.ExecuteCommandParams(command="apirec.status"))
        await client.shutdown_async(None)
        client.exit(None)
        await client.stop()
        out.append((times[j], hits[j], rss, st))
    return out


async def rss_with_indexes(pos: list[dict], index_paths: list[str]) -> dict:
    """RSS of a server that has the default index plus `index_paths` loaded and has answered member
    completions and an NL search (so the dense parts are loaded too)."""
    from lsprotocol import types as T

    from apirec.build import ensure_default_index
    from apirec.search import Searcher

    client = await _start([sys.executable, "-m", "apirec.lsp"], index_paths)
    for n, p in enumerate(pos[:50]):
        uri = Path(p["file"]).with_name(f"rss_{n}.py").as_uri()
        client.text_document_did_open(T.DidOpenTextDocumentParams(text_document=T.TextDocumentItem(
            uri=uri, language_id="python", version=1, text=p["code"])))
        await client.text_document_completion_async(T.CompletionParams(
            text_document=T.TextDocumentIdentifier(uri=uri), position=T.Position(line=p["line"], character=p["col"])))
        client.text_document_did_close(T.DidCloseTextDocumentParams(text_document=T.TextDocumentIdentifier(uri=uri)))
    for q in ("read a csv file into a dataframe", "parse a json string", "sort an array"):
        await client.workspace_execute_command_async(T.ExecuteCommandParams(command="apirec.search",
                                                                            arguments=[{"query": q}]))
    rss = rss_mb(client._server.pid)
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()
    records = Searcher(ensure_default_index(), load_dense=False).n
    records += sum(Searcher(Path(p), load_dense=False).n for p in index_paths)
    return {"records": records, "rss_mb": round(rss, 1), "index_paths": index_paths}


def bench_inprocess(pos: list[dict]) -> tuple[list[float], int]:
    from apirec.build import ensure_default_index
    from apirec.context import member_completions, warm
    from apirec.search import Searcher

    s = Searcher(ensure_default_index(), load_dense=False)
    warm(s)  # as the language server does when it loads the index
    times, hits = [], 0
    for p in pos:
        t = time.perf_counter()
        got = member_completions([s], p["code"], p["line"], p["col"], k=50)
        times.append((time.perf_counter() - t) * 1000)
        hits += p["expected"] in [h.record.name for h in got[:5]]
    return times, hits


def bench_jedi(pos: list[dict], budget_s: float) -> tuple[list[float], int]:
    import jedi

    times, hits = [], 0
    t_end = time.monotonic() + budget_s
    for p in pos:
        if time.monotonic() > t_end:
            break  # keep the whole run short: jedi's slow tail is in the sample already
        t = time.perf_counter()
        got = jedi.Script(p["code"], path=p["file"]).complete(p["line"] + 1, p["col"])
        times.append((time.perf_counter() - t) * 1000)
        hits += p["expected"] in [c.name for c in got[:5]]
    return times, hits


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=300)
    ap.add_argument("--packages", nargs="+", default=["json", "email", "http"])
    ap.add_argument("--no-jedi", action="store_true")
    ap.add_argument("--jedi-budget", type=float, default=90.0, help="seconds at most for jedi")
    ap.add_argument("--server-cmd", help="start this server command instead of `python -m apirec.lsp`")
    ap.add_argument("--baseline-cmd", help="also time this server command (e.g. a copy of an older lsp/ "
                    "package), position by position in turn with the first, so before/after numbers are "
                    "taken under the same machine load")
    ap.add_argument("--rounds", type=int, default=1, help="go over the positions this many times")
    ap.add_argument("--no-inprocess", action="store_true")
    ap.add_argument("--rss-index", action="append", default=[], metavar="DIR",
                    help="also report the RSS of a server with these extra indexes loaded (indexPaths)")
    args = ap.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    pos = positions(args.packages, args.n)
    cmds = [shlex.split(args.server_cmd) if args.server_cmd else [sys.executable, "-m", "apirec.lsp"]]
    if args.baseline_cmd:
        cmds.append(shlex.split(args.baseline_cmd))
    runs = asyncio.run(bench_lsp(pos, cmds, args.rounds))
    lsp_ms, lsp_hits, rss, st = runs[0]
    asked = len(pos) * args.rounds
    out = {"positions": len(pos), "rounds": args.rounds, "packages": args.packages, "python": sys.version.split()[0],
           "apirec_lsp": {**summary(lsp_ms), "top5_recovered": round(lsp_hits / asked, 3)},
           "server_rss_mb": round(rss, 1), "index_records": None}
    if args.baseline_cmd:
        b_ms, b_hits, b_rss, _ = runs[1]
        out["baseline_lsp"] = {**summary(b_ms), "top5_recovered": round(b_hits / asked, 3),
                               "server_rss_mb": round(b_rss, 1), "cmd": args.baseline_cmd}
    if not args.no_inprocess:
        inproc_ms, inproc_hits = bench_inprocess(pos)
        out["apirec_inprocess"] = {**summary(inproc_ms), "top5_recovered": round(inproc_hits / len(pos), 3)}
    try:
        from apirec.build import ensure_default_index
        from apirec.search import Searcher

        out["index_records"] = Searcher(ensure_default_index(), load_dense=False).n
    except Exception:
        pass
    if args.rss_index:
        out["large_index_rss"] = asyncio.run(rss_with_indexes(pos, args.rss_index))
    if not args.no_jedi:
        j_ms, j_hits = bench_jedi(pos, args.jedi_budget)
        out["jedi"] = {**summary(j_ms), "top5_recovered": round(j_hits / max(1, len(j_ms)), 3)}
        out["speedup_p50"] = round(out["jedi"]["p50_ms"] / out["apirec_lsp"]["p50_ms"], 1)
        out["speedup_p95"] = round(out["jedi"]["p95_ms"] / out["apirec_lsp"]["p95_ms"], 1)
    print(json.dumps(out, indent=1))
    print()
    print("| engine | positions | p50 ms | p95 ms | max ms | expected name in top 5 |")
    print("|---|---|---|---|---|---|")
    for key, label in (("apirec_lsp", "apirec (LSP, stdio)"), ("baseline_lsp", "baseline (LSP, stdio)"),
                       ("apirec_inprocess", "apirec (in-process)"), ("jedi", "jedi")):
        if key in out:
            d = out[key]
            print(f"| {label} | {d['n']} | {d['p50_ms']} | {d['p95_ms']} | {d['max_ms']} | {d['top5_recovered']:.0%} |")
    print(f"\nServer RSS with the default index loaded ({out['index_records']} records): {out['server_rss_mb']} MB")
    if "large_index_rss" in out:
        big = out["large_index_rss"]
        print(f"Server RSS with {big['records']} records loaded (default + {', '.join(big['index_paths'])}): "
              f"{big['rss_mb']} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
