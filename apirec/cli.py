"""Command line: `apirec index | search | show | info`."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path
from typing import Any

from . import __version__
from .build import DEFAULT_SOURCES  # noqa: E402


class CliError(Exception):
    """One clear line for the user; exit code 2."""


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="apirec", description="Offline API recommendation.")
    p.add_argument("--version", action="version", version=f"apirec {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    def common(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--index", type=Path, help="index folder (default: the per-user default index)")
        sp.add_argument("--json", action="store_true", help="machine-readable output")
        sp.add_argument("-v", "--verbose", action="store_true")

    ix = sub.add_parser("index", help="index sources: paths, pkg:NAME, python:stdlib, java:jdk, corpora")
    ix.add_argument("sources", nargs="*", metavar="SOURCE")
    ix.add_argument("--installed", action="store_true", help="add every package of this environment")
    ix.add_argument("--refresh", action="store_true", help="re-scan every source the index already has")
    ix.add_argument("--rebuild", action="store_true", help="rebuild from scratch (after an upgrade)")
    ix.add_argument("--remove", action="append", default=[], metavar="SOURCE", help="drop a source")
    ix.add_argument("--model", help="embedding model name or folder (default all-MiniLM-L6-v2)")
    common(ix)

    se = sub.add_parser("search", help="rank APIs for a natural-language query")
    se.add_argument("query", nargs="+")
    se.add_argument("-k", type=int, default=10, help="how many results (default 10)")
    se.add_argument("--explain", action="store_true", help="show which signals ranked each API")
    se.add_argument("--private", action="store_true", help="include private APIs and test code")
    se.add_argument("--language", choices=["python", "java"], help="only APIs of this language")
    se.add_argument("--llm", action="store_true",
                    help="rerank with an OpenAI-compatible endpoint (APIREC_LLM_BASE_URL, APIREC_LLM_MODEL, "
                         "APIREC_LLM_API_KEY); falls back to the offline ranking on any failure")
    common(se)

    sh = sub.add_parser("show", help="signature, full doc and examples of an API")
    sh.add_argument("name")
    common(sh)

    inf = sub.add_parser("info", help="what the index holds")
    common(inf)

    tr = sub.add_parser("train-reranker", help="train the learned reranker on solved queries (title -> APIs)")
    tr.add_argument("pairs", type=Path, help="JSONL rows {\"title\" or \"query\", \"apis\" or \"gold\"}")
    tr.add_argument("--out", type=Path, help="model file (default: the shipped model for the index's "
                                             "language; use another with APIREC_RERANKER=FILE)")
    tr.add_argument("--limit", type=int, default=20000, help="at most this many rows (default 20000)")
    tr.add_argument("--pool", type=int, default=40, help="candidates per training query (default 40)")
    tr.add_argument("--depth", type=int, default=25, help="candidates reordered at search time (default 25)")
    tr.add_argument("--seed", type=int, default=0)
    common(tr)

    # Subsystems with their own argument parsers (each module has main(argv) -> int).
    for name, help_ in (("lsp", "run the language server (stdio, or --tcp HOST:PORT)"),
                        ("mcp", "run the MCP server for coding agents (stdio, or --http)"),
                        ("bench", "score recommendation accuracy and speed on benchmark datasets")):
        sp = sub.add_parser(name, help=help_, add_help=False)
        sp.add_argument("rest", nargs=argparse.REMAINDER)
    return p


# -- helpers ------------------------------------------------------------------------------------


def _console(stderr: bool = False):
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=False)


class _Progress:
    """rich progress bars for index builds, on stderr so --json output stays clean."""

    LABELS = {"discover": "Finding files", "extract": "Parsing", "embed": "Embedding"}

    def __init__(self, enabled: bool):
        self.enabled = enabled
        self.bar = None
        self.tasks: dict[str, Any] = {}

    def __enter__(self):
        if self.enabled:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self.bar = Progress(TextColumn("{task.description:<14}"), BarColumn(), MofNCompleteColumn(),
                                TimeElapsedColumn(), console=_console(stderr=True), transient=False)
            self.bar.__enter__()
        return self

    def __call__(self, stage: str, done: int, total: int) -> None:
        if self.bar is None:
            return
        if stage not in self.tasks:
            self.tasks[stage] = self.bar.add_task(self.LABELS.get(stage, stage), total=max(total, 1))
        self.bar.update(self.tasks[stage], completed=done, total=max(total, 1))

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.__exit__(*exc)


def _index_path(args) -> Path:
    if getattr(args, "index", None):
        return args.index
    from .config import default_index_dir

    return default_index_dir()


def _ensure_default_index(args) -> Path:
    """The default index is built on first use from the standard library and builtins."""
    path = _index_path(args)
    if args.index is None:
        from .build import index_state

        state = index_state(path)
        if state != "ok":
            what = {"missing": "Building", "outdated": "Rebuilding (made by another apirec version)",
                    "stale": "Refreshing (made by another apirec or Python version)"}[state]
            _console(stderr=True).print(f"[bold]{what} the default index[/] (Python standard library) in "
                                        f"{path} — once, about a minute.")
            if state == "stale":
                from .build import refresh_default_index

                _run_build(path, DEFAULT_SOURCES, quiet=args.json, build=refresh_default_index)
            else:
                _run_build(path, DEFAULT_SOURCES, quiet=args.json, rebuild=state == "outdated")
    return path


def _run_build(path: Path, sources: list[str], *, quiet: bool, build=None, **kw):
    from .build import build_index

    with _Progress(enabled=not quiet and sys.stderr.isatty() or os.environ.get("APIREC_PROGRESS") == "1") as pr:
        return (build or build_index)(path, sources, progress=pr, **kw)


def _searcher(path: Path):
    from .search import Searcher

    return Searcher(path)


# -- commands -----------------------------------------------------------------------------------


def cmd_index(args) -> int:
    from .indexer.sources import installed_distributions

    sources = list(args.sources)
    if args.installed:
        sources += [f"pkg:{n}" for n in installed_distributions()]
    path = _index_path(args)
    if not sources and not (args.refresh or args.rebuild or args.remove):
        if args.index is None:
            sources = list(DEFAULT_SOURCES)
        else:
            raise CliError("nothing to index: give SOURCE paths, pkg:NAME, python:stdlib, java:jdk, a corpus "
                           "file, or --installed / --refresh")
    report = _run_build(path, sources, quiet=args.json, model=args.model, rebuild=args.rebuild,
                        refresh_all=args.refresh, remove=args.remove)
    if args.json:
        print(json.dumps(report.to_dict(), indent=1))
        return 0
    con = _console()
    if report.unchanged:
        con.print(f"Unchanged: [bold]{report.records}[/] APIs from {report.files} files in {report.index} "
                  f"({report.generation}); nothing to re-read in {report.seconds.get('total', 0):.1f} s")
    else:
        con.print(f"Indexed [bold]{report.records}[/] APIs from {report.files} files into {report.index} "
                  f"({report.generation}) in {report.seconds.get('total', 0):.1f} s "
                  f"[dim](parsed {report.computed}, reused {report.kept}, removed {report.deleted}; "
                  f"embedded {report.embedded}, reused {report.reused_vectors} vectors)[/]")
    if report.skipped:
        con.print(f"[yellow]Skipped {len(report.skipped)} files[/] (see --json or -v for the list)")
        if args.verbose:
            for p, r in report.skipped:
                con.print(f"  {p}: {r}")
    return 0


def cmd_search(args) -> int:
    from .search import QueryError

    query = " ".join(args.query).strip()
    if not query:
        raise CliError("empty query: say what you want to do, e.g. apirec search \"parse a json string\"")
    if args.k < 1:
        raise CliError("-k must be at least 1")
    path = _ensure_default_index(args)
    s = _searcher(path)
    llm_info = None
    try:
        if args.llm:
            from .llm import LLMConfig, LLMReranker

            config = LLMConfig.from_env()
            if config is None:
                raise CliError("--llm needs APIREC_LLM_BASE_URL (an OpenAI-compatible endpoint, e.g. "
                               "http://127.0.0.1:8000/v1)")
            pool = s.search(query, k=max(args.k, config.candidates), include_private=args.private,
                            language=args.language)
            examples = [ex for _, ex in s.similar_solved(query, None, 5)]
            result = LLMReranker(config).rerank(query, pool, examples)
            hits = result.hits[: args.k]
            llm_info = {"used": result.used, "reason": result.reason, "dropped": list(result.dropped)}
            if not result.used:
                print(f"apirec: {result.reason}", file=sys.stderr)
        else:
            hits = s.search(query, k=args.k, include_private=args.private, language=args.language)
    except QueryError as e:
        raise CliError(str(e)) from None
    if args.json:
        out = {"query": query, "index": str(path), "hits": [h.to_dict() for h in hits]}
        if llm_info is not None:
            out["llm"] = llm_info
        print(json.dumps(out, indent=1, ensure_ascii=False))
        return 0
    con = _console()
    if not hits:
        con.print("No matching APIs.")
        return 0
    from rich.markup import escape

    from .records import after_name, brief_signature

    for h in hits:
        r = h.record
        sig = escape(after_name(r, brief_signature(r.signature)))
        kind = f"[dim]{r.kind}[/]"
        ver = f" [dim]{escape(r.origin)} {escape(r.origin_version)}[/]" if r.origin else ""
        con.print(f"[bold cyan]{h.rank:>2}.[/] [bold]{escape(r.public_path)}[/]{sig}  {kind}{ver}")
        if r.summary:
            con.print(f"    {escape(r.summary[:200])}")
        if args.explain:
            con.print(f"    [dim]score {h.score:.4f}: {escape(_explain(h.why))}[/]")
    return 0


def _explain(why: dict[str, Any]) -> str:
    parts = []
    for key in ("bm25", "dense"):
        if key in why:
            parts.append(f"{key} #{why[key]['rank']} ({why[key]['score']})")
    if why.get("votes"):
        ex = why["votes"].get("examples") or []
        parts.append(f"similar solved queries vote {why['votes']['score']}" + (f" (e.g. {ex[0]!r})" if ex else ""))
    if "learned" in why:
        parts.append(f"learned reranker {why['learned']} (fused {why['fused']})")
    if why.get("llm"):
        parts.append(f"LLM ranked it #{why['llm']['rank']}")
    if why.get("name_match"):
        parts.append("query names it")
    if why.get("builtin_named"):
        parts.append(f"a method of a builtin type the query names {why['builtin_named']:+}")
    if why.get("code_use"):
        parts.append("the question says to use it")
    elif why.get("code_mention"):
        parts.append("the question names it as code")
    if why.get("name_cover"):
        parts.append(f"query words spell {why['name_cover']:.0%} of its name")
    if why.get("prior"):
        parts.append(f"prior {why['prior']:+}")
    if why.get("off_scope"):
        parts.append(f"a library the question does not involve {why['off_scope']:+}")
    if why.get("undocumented"):
        parts.append(f"undocumented in a library that documents its API {why['undocumented']:+}")
    if why.get("exception"):
        parts.append(f"an exception class, for a question not about an error {why['exception']:+}")
    if why.get("backwards"):
        parts.append(f"converts the wrong way for the question {why['backwards']:+}")
    if why.get("module_main"):
        parts.append(f"the namesake of module {why['module_main']}, put before it")
    if why.get("before_member"):
        parts.append(f"the module function before {why['before_member']}, a class's member of its name")
    if why.get("before_prior_only"):
        parts.append(f"found by the question's text, put before {why['before_prior_only']} (usage prior only)")
    if why.get("inherited_from"):
        parts.append(f"inherited from {why['inherited_from']}")
    if why.get("matched_terms"):
        parts.append("terms " + ",".join(why["matched_terms"]))
    return "; ".join(parts)


def cmd_show(args) -> int:
    path = _ensure_default_index(args)
    from .records import after_name, asked_names

    names = asked_names(args.name)
    if not names:
        raise CliError("say which API to show, e.g. apirec show json.loads")
    s = _searcher_light(path)
    for name in names:
        recs = s.lookup(name, inherited=True)
        if recs:
            break
    if not recs:
        close = s.close_names(name)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise CliError(f"no API named {name!r} in {path}{hint} (or: apirec search {name!r})")
    if args.json:
        print(json.dumps([r.to_dict() for r in recs], indent=1, ensure_ascii=False))
        return 0
    from rich.markup import escape

    con = _console()
    for r in recs[:3]:
        sig = escape(after_name(r))
        con.print(f"[bold]{escape(r.public_path)}[/]{sig}  [dim]{r.kind}, {escape(r.origin)} "
                  f"{escape(r.origin_version)}[/]")
        if r.canonical_path != r.public_path:
            con.print(f"  [dim]defined as {escape(r.canonical_path)}[/]")
        if r.aliases:
            con.print(f"  [dim]also: {escape(', '.join(r.aliases[:5]))}[/]")
        if r.file:
            con.print(f"  [dim]{escape(r.file)}{':' + str(r.line) if r.line else ''}[/]")
        if r.deprecated:
            con.print("  [yellow]deprecated[/]")
        con.print()
        con.print(escape(r.doc or r.summary or "(no documentation)"))
        for p in r.params:
            if p.doc:
                con.print(f"  [bold]{escape(p.name)}[/]: {escape(p.doc)}")
        for ex in r.examples[:2]:
            con.print(f"\n[dim]Example{(' (' + escape(ex.title) + ')') if ex.title else ''}:[/]")
            con.print(escape(ex.code))
        con.print()
    return 0


def _searcher_light(path: Path):
    from .search import Searcher

    return Searcher(path, load_dense=False)


def cmd_info(args) -> int:
    path = _index_path(args)
    s = _searcher_light(path)
    info = s.info()
    if args.json:
        print(json.dumps(info, indent=1))
        return 0
    con = _console()
    con.print(f"[bold]{info['index']}[/] ({info['generation']}, schema {info['schema_version']}, "
              f"apirec {info['apirec_version']})")
    con.print(f"  {info['records']} records, {info['size_bytes'] / 1e6:.1f} MB, model {info['model']}")
    con.print("  kinds: " + ", ".join(f"{k} {v}" for k, v in sorted(info["kinds"].items())))
    for src in info["sources"]:
        con.print(f"  source {src['spec']}: {src['origin']} {src['version']} ({src['files']} files)")
    return 0


def cmd_train_reranker(args) -> int:
    from .rerank import train

    if not args.pairs.is_file():
        raise CliError(f"no such file: {args.pairs}")
    path = _index_path(args)
    show = not args.json and sys.stderr.isatty() or os.environ.get("APIREC_PROGRESS") == "1"
    with _Progress(enabled=show) as pr:
        report = train(path, args.pairs, args.out, limit=args.limit, pool=args.pool, depth=args.depth,
                       seed=args.seed, progress=lambda done, total: pr("features", done + 1, total))
    if args.json:
        print(json.dumps(report, indent=1))
    else:
        _console().print(f"[bold]{report['out']}[/]: trained on {report['train']} queries "
                         f"({report['usable']} of {report['rows']} had a gold API among the candidates); "
                         "held-out hit@1 "
                         f"{report['validation_hit1_fused']:.3f} (fused) -> "
                         f"{report['validation_hit1_learned']:.3f}")
    return 0


COMMANDS = {"index": cmd_index, "search": cmd_search, "show": cmd_show, "info": cmd_info,
            "train-reranker": cmd_train_reranker}


DELEGATED = {"lsp": "apirec.lsp.server", "mcp": "apirec.mcp_server", "bench": "apirec.bench"}


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in DELEGATED:
        # Subsystems parse their own options (argparse.REMAINDER would refuse `--index` here).
        import importlib

        return importlib.import_module(DELEGATED[argv[0]]).main(argv[1:])
    parser = _parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return 2
    logging.basicConfig(level=logging.INFO if getattr(args, "verbose", False) else logging.ERROR,
                        format="%(levelname)s %(name)s: %(message)s")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from .build import EmptyIndex, SourceUnavailable
    from .dense import ModelError
    from .indexer.sources import SourceError
    from .rerank import RerankError
    from .store import IndexLoadError

    try:
        return COMMANDS[args.command](args)
    except (CliError, IndexLoadError, ModelError, SourceError, SourceUnavailable, EmptyIndex,
            RerankError) as e:
        print(f"apirec: error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("apirec: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
