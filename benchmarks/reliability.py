"""Reliability and security checks of apirec, big versions; writes `benchmarks/RELIABILITY.md`.

Every figure in RELIABILITY.md is measured by one function below; `tests/reliability/` calls the same
functions with small sizes and asserts the property, so a figure that stops holding fails CI.

    APIREC_HOME=... python -m benchmarks.reliability            # every check, full size (~15-25 min, 2 cores)
    APIREC_HOME=... python -m benchmarks.reliability --only fuzz --fuzz-files 2000

Real parts only: tree-sitter, SQLite, FAISS, the ONNX embedder, `python -m apirec index` subprocesses
killed with SIGKILL, the real `python -m apirec lsp` / `apirec mcp` servers driven over their transports.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import platform
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import sysconfig
import tempfile
import textwrap
import threading
import time
import traceback
from collections.abc import Callable
from multiprocessing.connection import wait as mp_wait
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
OUT_MD = ROOT / "benchmarks" / "RELIABILITY.md"
OUT_JSON = ROOT / "benchmarks" / "reliability.json"
PY = sys.executable


def _env(**extra: str) -> dict[str, str]:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", **extra}
    # The children import apirec (and benchmarks helpers) from this checkout.
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT)] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p])
    return env


# =====================================================================================================
# 1. Fuzzed input through every extractor and the tokenizer
# =====================================================================================================

EXTRACTORS = ("python_ts", "docs_md", "docs_rst", "docs_html", "corpus", "java", "tokenizer")

_SEED_MD = """# mylib

## `mylib.load(path, *, strict=False)`

Load a file. Returns the parsed value.

```python
import mylib
mylib.load("x.json", strict=True)
```

- `mylib.dump(obj)`: write an object
  - nested item
> quote with `mylib.x()`
"""

_SEED_RST = """mylib
=====

.. module:: mylib

.. function:: load(path, *, strict=False)

   Load a file.

   :param path: where it is
   :type path: str
   :returns: the value

   .. code-block:: python

      import mylib
      mylib.load("x")

.. class:: Box(size)

   A box.

   .. method:: open(self)

      Open it.

   .. attribute:: size
"""

_SEED_SPHINX_HTML = """<html><body><dl class="py function">
<dt class="sig sig-object py" id="mylib.load"><span class="sig-prename descclassname">mylib.</span>
<span class="sig-name descname">load</span>(<em class="sig-param">path</em>)</dt>
<dd><p>Load a file.</p><dl class="field-list"><dt>Parameters</dt><dd><p><strong>path</strong> – where</p></dd></dl>
<div class="highlight-python"><pre>import mylib
mylib.load("x")</pre></div></dd></dl>
<dl class="py class"><dt id="mylib.Box">class mylib.Box(size)</dt><dd><p>A box.</p>
<dl class="py method"><dt id="mylib.Box.open">open()</dt><dd><p>Open it.</p></dd></dl></dd></dl>
</body></html>"""

_SEED_JAVADOC = """<!DOCTYPE HTML><html><head><meta name="generator" content="javadoc"></head><body>
<div class="sub-title"><span class="package-label-in-type">Package</span>&nbsp;<a href="package-summary.html">com.x</a></div>
<h1 class="title">Class Foo</h1>
<section class="detail" id="bar(int)"><h3>bar</h3>
<div class="member-signature"><span class="modifiers">public</span>&nbsp;<span class="return-type">int</span>&nbsp;<span class="element-name">bar</span><wbr><span class="parameters">(int&nbsp;x)</span></div>
<div class="block">Returns a bar.</div><dl class="notes"><dt>Parameters:</dt><dd><code>x</code> - the x</dd></dl></section>
</body></html>"""

_SEED_CORPUS = "\n".join(json.dumps(r) for r in [
    {"api_name": "torch.hub.load", "api_call": "torch.hub.load(repo_or_dir='pytorch/vision', model='resnet18')",
     "domain": "Image Classification", "framework": "PyTorch",
     "description": "Load a ResNet", "example_code": "import torch\nm = torch.hub.load('x', 'y')"},
    {"name": "numpy.linalg.norm", "description": "Matrix or vector norm.", "signature": "norm(x, ord=None)"},
    {"api": "pandas.read_csv", "doc": "Read a CSV file.", "id": 7},
    {"record": {"api_name": "a.b", "api_call": "a.b(c=1)"}, "id": "r1"},
])

_SEED_JAVA = """package com.example;

import java.util.*;

/** A bag of things. {@link java.util.List} {@code x}
 * @param <T> the element type */
public class Bag<T> extends AbstractCollection<T> implements Iterable<T> {
    /** The size. */
    public static final int MAX = 10;
    /** Adds one. @param t the thing @return true @throws IllegalStateException when full */
    public boolean add(T t) { return true; }
    /** @deprecated use {@link #add} */
    @Deprecated public void put(T t) {}
    public enum Kind { A, B }
    public interface Visitor<R> { R visit(T t); }
    public record Pair(int a, String b) {}
    public <R extends Comparable<? super R>> R max(List<? extends R> xs) { return null; }
}
"""


def _seed_files(limit_per_kind: int = 300) -> dict[str, list[bytes]]:
    """Real files to mutate: the stdlib's .py, installed packages' .rst/.md/.html, Java sources, JSONL
    corpora when the shared data is present, plus built-in samples of each format (always there)."""
    rng = random.Random(1234)
    seeds: dict[str, list[bytes]] = {
        "py": [], "md": [_SEED_MD.encode()], "rst": [_SEED_RST.encode()],
        "html": [_SEED_SPHINX_HTML.encode(), _SEED_JAVADOC.encode()], "jsonl": [_SEED_CORPUS.encode()],
        "java": [_SEED_JAVA.encode()],
    }

    def take(kind: str, paths: list[Path], max_bytes: int = 200_000) -> None:
        rng.shuffle(paths)
        for p in paths:
            if len(seeds[kind]) >= limit_per_kind:
                break
            try:
                if 0 < p.stat().st_size <= max_bytes:
                    seeds[kind].append(p.read_bytes())
            except OSError:
                pass

    stdlib = Path(sysconfig.get_paths()["stdlib"])
    take("py", sorted(stdlib.glob("*.py")) + sorted(stdlib.glob("*/*.py")))
    purelib = Path(sysconfig.get_paths()["purelib"])
    if purelib.is_dir():
        for kind, pattern in (("rst", "**/*.rst"), ("md", "**/*.md"), ("html", "**/*.html")):
            found = []
            for p in purelib.glob(pattern):
                found.append(p)
                if len(found) >= 3000:
                    break
            take(kind, found)
    for p in sorted((ROOT / "tests" / "data" / "java").glob("*.java")):
        seeds["java"].append(p.read_bytes())
    try:
        from apirec.indexer import java as java_mod

        z = java_mod.find_jdk_src_zip()
        if z is not None:
            import zipfile

            with zipfile.ZipFile(z) as zf:
                names = [n for n in zf.namelist() if n.startswith("java.base/java/util/") and n.endswith(".java")]
                rng.shuffle(names)
                for n in names[:limit_per_kind]:
                    data = zf.read(n)
                    if len(data) <= 200_000:
                        seeds["java"].append(data)
    except Exception:
        pass
    shared = ROOT.parent / "shared" / "data"
    for p in sorted(shared.glob("*/*.jsonl"))[:20] if shared.is_dir() else []:
        try:
            with p.open("rb") as f:
                seeds["jsonl"].append(f.read(60_000).rsplit(b"\n", 1)[0])
        except OSError:
            pass
    return seeds


def _deep(kind: str, n: int, rng: random.Random) -> bytes:
    if kind == "py":
        choice = rng.randrange(6)
        if choice == 0:
            return b"x = " + b"(" * n + b"1" + b")" * n + b"\n"
        if choice == 1:
            return b"x = " + b"[" * n + b"\n"  # unclosed
        if choice == 2:
            return "".join(" " * i + f"def f{i}():\n" for i in range(min(n, 3000))).encode() + b" " * min(n, 3000) + b"pass\n"
        if choice == 3:
            return "".join(" " * i + f"class C{i}:\n" for i in range(min(n, 3000))).encode() + b" " * min(n, 3000) + b"x = 1\n"
        if choice == 4:
            return b"y = " + b"not " * n + b"x\n"
        return b"z = " + b"a." * n + b"b(" + b"lambda: " * min(n, 5000) + b"1)\n"
    if kind == "java":
        choice = rng.randrange(4)
        if choice == 0:
            return b"class A {" + b"class B {" * n + b"}" * n + b"}"
        if choice == 1:
            return b"class A { int x = " + b"(" * n + b"1" + b")" * n + b"; }"
        if choice == 2:
            return b"class A { void f() {" + b"{" * n + b"}" * n + b"} }"
        return b"class A<" + b"List<" * n + b"X" + b">" * n + b"> {}"
    if kind == "md":
        choice = rng.randrange(4)
        if choice == 0:
            return b"> " * n + b"`a.b()`\n"
        if choice == 1:
            return b"".join(b"  " * i + b"- `x.f()` item\n" for i in range(min(n, 3000)))
        if choice == 2:
            return b"```python\n" * n
        return b"#" * n + b" `m.f(" + b"(" * n + b")`\n"
    if kind == "rst":
        choice = rng.randrange(3)
        if choice == 0:
            return "".join(" " * (3 * i) + f".. class:: C{i}(x)\n\n" for i in range(min(n, 2000))).encode()
        if choice == 1:
            return b".. function:: f" + b"(" * n + b")\n"
        return b"".join(b"   " * i + b".. code-block:: python\n\n" for i in range(min(n, 2000)))
    if kind == "html":
        choice = rng.randrange(3)
        if choice == 0:
            return b"<div>" * n + b"x" + b"</div>" * n
        if choice == 1:
            return b'<dl class="py class"><dt id="m.C">C</dt><dd>' * min(n, 3000)
        return b"<b><i>" * n
    if kind == "jsonl":
        choice = rng.randrange(3)
        if choice == 0:
            return b"[" * n + b"]" * n
        if choice == 1:
            return b'{"name": "a.b", "description": ' + b'{"a": ' * n + b"1" + b"}" * n + b"}\n"
        return b'{"name": "a.b", "description": "' + b"\\u" * n + b'"}\n'
    raise ValueError(kind)


def _huge_line(kind: str, size: int, rng: random.Random) -> bytes:
    choice = rng.randrange(5)
    if choice == 0:
        return b"x = '" + b"a" * size + b"'\n"
    if choice == 1:
        return b"f(" + b"a," * (size // 2) + b")\n"
    if choice == 2:
        return b"A" * size  # one giant identifier, no newline
    if choice == 3:
        return (b"`m." + b"x" * 50 + b"()` ") * (size // 56)
    body = {"py": b"a+", "java": b"a.", "md": b"*_", "rst": b"| ", "html": b"<a>", "jsonl": b'{"'}[kind]
    return body * (size // len(body))


def _mutate(data: bytes, rng: random.Random) -> tuple[str, bytes]:
    op = rng.randrange(10)
    n = len(data)
    if op == 0 and n:
        return "truncate", data[: rng.randrange(n)]
    if op == 1:
        b = bytearray(data)
        for _ in range(rng.randint(1, 64)):
            if b:
                b[rng.randrange(len(b))] = rng.randrange(256)
        return "byteflip", bytes(b)
    if op == 2:
        b = bytearray(data)
        for _ in range(rng.randint(1, 32)):
            b.insert(rng.randrange(len(b) + 1), 0)
        return "nul", bytes(b)
    if op == 3:
        bad = [b"\xff\xfe", b"\xed\xa0\x80", b"\xc3", b"\xf4\x90\x80\x80", b"\x80\x80", b"\xe2\x82"]
        b = bytearray(data)
        for _ in range(rng.randint(1, 16)):
            b[rng.randrange(len(b) + 1):0] = rng.choice(bad)
        return "bad_utf8", bytes(b)
    if op == 4:
        text = data.decode("utf-8", "replace")
        enc = rng.choice(["utf-16", "utf-32", "latin-1", "cp1252", "utf-8-sig"])
        return f"reencode_{enc}", text.encode(enc, "replace")
    if op == 5 and n:
        lines = data.split(b"\n")
        rng.shuffle(lines)
        return "shuffle_lines", b"\n".join(lines)
    if op == 6 and n:
        i, j = sorted(rng.randrange(n) for _ in range(2))
        return "duplicate", data[:j] + data[i:j] * rng.randint(2, 20) + data[j:]
    if op == 7 and n:
        i, j = sorted(rng.randrange(n) for _ in range(2))
        return "delete_span", data[:i] + data[j:]
    if op == 8:
        junk = rng.choice([b"\r", b"\r\n", b"\t", b"\x0c", b"\x1b[31m", b"\xe2\x80\xae", b"\\", b'"""', b"'''",
                           b"```", b"<!--", b"]]>", b"/*", b"*/", b"{@", "\ufeff".encode()])
        b = bytearray(data)
        for _ in range(rng.randint(1, 40)):
            b[rng.randrange(len(b) + 1):0] = junk
        return "junk_tokens", bytes(b)
    k = rng.randint(1, 4096)
    return "random_bytes", rng.randbytes(k)


MAX_CASE_BYTES = 2_000_000  # sources.MAX_FILE_BYTES: bigger source files never reach an extractor


def make_case(i: int, seed: int, seeds: dict[str, list[bytes]]) -> tuple[str, bytes]:
    """Case `i` of a run: (generator label, bytes), deterministic for (seed, i), at most 2 MB."""
    label, data = _make_case(i, seed, seeds)
    return label, data[:MAX_CASE_BYTES]


def _make_case(i: int, seed: int, seeds: dict[str, list[bytes]]) -> tuple[str, bytes]:
    rng = random.Random(seed * 1_000_003 + i)
    kinds = ["py", "py", "md", "rst", "html", "jsonl", "java"]
    kind = rng.choice(kinds)
    r = rng.random()
    if r < 0.08:
        return f"{kind}:random_bytes", rng.randbytes(rng.choice([0, 1, 7, 100, 1000, 20_000]))
    if r < 0.16:
        n = rng.choice([100, 1000, 10_000, 100_000])
        return f"{kind}:deep_nesting", _deep(kind, n, rng)
    if r < 0.17:
        return f"{kind}:huge_line", _huge_line(kind, rng.choice([100_000, 400_000, 1_000_000]), rng)
    if r < 0.22:
        other = rng.choice([k for k in seeds if seeds[k]])
        a, b = rng.choice(seeds[kind] or [b""]), rng.choice(seeds[other])
        return f"{kind}+{other}:splice", a[: rng.randrange(len(a) + 1)] + b[rng.randrange(len(b) + 1):]
    base = rng.choice(seeds[kind]) if seeds[kind] else rng.randbytes(500)
    label, data = _mutate(base, rng)
    if rng.random() < 0.3:  # stack a second mutation
        label2, data = _mutate(data, rng)
        label = f"{label}+{label2}"
    return f"{kind}:{label}", data


def run_extractors(data: bytes, only: tuple[str, ...] = EXTRACTORS) -> dict[str, Any]:
    """Every extractor on `data`, the way the build calls it. Returns {extractor: seconds} and errors."""
    from apirec.indexer import corpus, docs, java, python_ts

    from apirec.textproc import segment, split_identifier, tokenize

    text = data.decode("utf-8", "replace")  # what build._extract hands the text parsers
    calls: dict[str, Callable[[], Any]] = {
        "python_ts": lambda: python_ts.extract_module(data, "fuzz.mod", False),
        "docs_md": lambda: docs.parse_doc_file(Path("fuzz.md"), text),
        "docs_rst": lambda: docs.parse_doc_file(Path("fuzz.rst"), text),
        "docs_html": lambda: docs.parse_doc_file(Path("fuzz.html"), text),
        "corpus": lambda: corpus.parse_corpus(Path("fuzz.jsonl"), text, origin="fuzz"),
        "java": lambda: java.extract_java_unit(data, "Fuzz.java", "fuzz", ""),
        "tokenizer": lambda: (tokenize(text), tokenize(text, stopwords=False), split_identifier(text[:100_000]),
                              [segment(w, frozenset({"read", "line", "file", "json"})) for w in text.split()[:200]]),
    }
    times: dict[str, float] = {}
    errors: list[dict[str, str]] = []
    for name in only:
        t = time.perf_counter()
        try:
            out = calls[name]()
            if name == "python_ts":
                json.dumps(out)  # facts must be JSON-able: they go into the index as JSON
        except BaseException as e:  # noqa: BLE001 - every escape is a finding
            errors.append({"extractor": name, "error": f"{type(e).__name__}: {str(e)[:200]}",
                           "trace": traceback.format_exc(limit=-4)[-1500:]})
        times[name] = time.perf_counter() - t
    return {"times": times, "errors": errors}


def _one_extractor(data: bytes, name: str) -> None:
    run_extractors(data, (name,))
    os._exit(0)


def _attribute_death(data: bytes) -> list[str]:
    """Which extractors kill the process on `data` (each run alone in a fresh child)."""
    ctx = mp.get_context("fork")
    out = []
    for name in EXTRACTORS:
        p = ctx.Process(target=_one_extractor, args=(data, name), daemon=True)
        p.start()
        p.join(120)
        if p.is_alive():
            p.kill()
            p.join()
        if p.exitcode != 0:
            out.append(name)
    return out or ["unknown"]


def _fuzz_worker(conn, seed: int, seeds: dict[str, list[bytes]]) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    while True:
        try:
            i = conn.recv()
        except EOFError:
            return
        if i is None:
            return
        label, data = make_case(i, seed, seeds)
        res = run_extractors(data)
        conn.send((i, label, len(data), res))


def _count(items) -> dict[str, int]:
    out: dict[str, int] = {}
    for x in items:
        out[x] = out.get(x, 0) + 1
    return dict(sorted(out.items(), key=lambda kv: -kv[1]))


def fuzz_extractors(n_files: int, *, seed: int = 20260101, workers: int = 2, cap_s: float = 60.0,
                    save_dir: Path | None = None, progress: bool = False) -> dict[str, Any]:
    """`n_files` generated/mutated files, each through every extractor and the tokenizer, in worker
    processes; a case that takes longer than `cap_s` (all extractors together) is a hang (worker killed),
    a worker that dies is a crash, and so is any exception an extractor raises."""
    seeds = _seed_files()
    ctx = mp.get_context("fork")
    t0 = time.perf_counter()
    crashes: list[dict[str, Any]] = []
    hangs: list[dict[str, Any]] = []
    by_gen: dict[str, int] = {}
    max_time = {e: 0.0 for e in EXTRACTORS}
    total_time = {e: 0.0 for e in EXTRACTORS}
    slowest = {e: "" for e in EXTRACTORS}
    total_bytes = 0
    biggest = 0
    done = 0

    def start():
        a, b = ctx.Pipe()
        p = ctx.Process(target=_fuzz_worker, args=(b, seed, seeds), daemon=True)
        p.start()
        b.close()
        return {"proc": p, "conn": a, "case": None, "t": 0.0}

    pool = [start() for _ in range(max(1, workers))]
    todo = list(range(n_files))
    todo.reverse()

    def save(i: int, what: str) -> str:
        if save_dir is None:
            return ""
        save_dir.mkdir(parents=True, exist_ok=True)
        label, data = make_case(i, seed, seeds)
        p = save_dir / f"case-{seed}-{i}-{what}.bin"
        p.write_bytes(data)
        return str(p)

    try:
        while todo or any(w["case"] is not None for w in pool):
            for w in pool:
                if w["case"] is None and todo:
                    w["case"] = todo.pop()
                    w["t"] = time.monotonic()
                    w["conn"].send(w["case"])
            busy = [w for w in pool if w["case"] is not None]
            ready = mp_wait([w["conn"] for w in busy], timeout=0.5)
            now = time.monotonic()
            for k, w in enumerate(pool):
                if w["case"] is None:
                    continue
                if w["conn"] in ready:
                    try:
                        i, label, size, res = w["conn"].recv()
                    except (EOFError, OSError):
                        res = None
                    if res is None:  # the worker died: a segfault or abort inside an extractor
                        i = w["case"]
                        w["proc"].join(5)
                        label = make_case(i, seed, seeds)[0]
                        for e in _attribute_death(make_case(i, seed, seeds)[1]):
                            crashes.append({"case": i, "label": label, "extractor": e,
                                            "error": f"process died (exit {w['proc'].exitcode})",
                                            "saved": save(i, "died")})
                        pool[k] = start()
                        done += 1
                        continue
                    done += 1
                    gen = label.split(":", 1)[1].split("+")[0]
                    by_gen[gen] = by_gen.get(gen, 0) + 1
                    total_bytes += size
                    biggest = max(biggest, size)
                    for e, s in res["times"].items():
                        if s > max_time[e]:
                            max_time[e] = s
                            slowest[e] = f"case {i} ({label}, {size} bytes)"
                        total_time[e] += s
                    for err in res["errors"]:
                        crashes.append({"case": i, "label": label, **err, "saved": save(i, "crash")})
                    w["case"] = None
                elif now - w["t"] > cap_s:
                    i = w["case"]
                    w["proc"].kill()
                    w["proc"].join(5)
                    hangs.append({"case": i, "label": make_case(i, seed, seeds)[0], "cap_s": cap_s,
                                  "saved": save(i, "hang")})
                    pool[k] = start()
                    done += 1
            if progress and done and done % 500 == 0:
                print(f"  fuzz {done}/{n_files} crashes={len(crashes)} hangs={len(hangs)}", file=sys.stderr,
                      flush=True)
    finally:
        for w in pool:
            try:
                w["conn"].send(None)
            except OSError:
                pass
        for w in pool:
            w["proc"].join(2)
            if w["proc"].is_alive():
                w["proc"].kill()
                w["proc"].join(2)
    return {
        "files": n_files, "seed": seed, "workers": workers, "cap_s": cap_s,
        "extractors": list(EXTRACTORS), "calls": n_files * len(EXTRACTORS),
        "crashes": len(crashes), "hangs": len(hangs),
        "crashes_by_extractor": _count(c.get("extractor", "?") for c in crashes),
        "crashes_by_signature": _count(f"{c.get('extractor', '?')}: {c['label'].split(':', 1)[1].split('+')[0]}: "
                                       f"{c['error'].split(':')[0]}" for c in crashes),
        "crash_cases": crashes[:50], "hang_cases": hangs[:50],
        "by_generator": dict(sorted(by_gen.items(), key=lambda kv: -kv[1])),
        "seed_files": {k: len(v) for k, v in seeds.items()},
        "bytes": total_bytes, "largest_file": biggest,
        "max_seconds": {k: round(v, 3) for k, v in max_time.items()},
        "slowest_case": slowest,
        "total_seconds": {k: round(v, 1) for k, v in total_time.items()},
        "seconds": round(time.perf_counter() - t0, 1),
    }


# =====================================================================================================
# 2. Crash-safe publish (kill -9 of a real indexer) and 3. concurrency (searches during re-index)
# =====================================================================================================

N_MODULES = 20


def write_versioned_repo(repo: Path, v: int, n_modules: int = N_MODULES) -> None:
    """Version `v` of a small package: every function name carries `_v{v}`, so a generation's records
    all belong to one version and a mix of two versions is visible."""
    pkg = repo / "verpkg"
    pkg.mkdir(parents=True, exist_ok=True)
    (pkg / "__init__.py").write_text('"""A package rewritten between index runs."""\n')
    for j in range(n_modules):
        (pkg / f"m{j}.py").write_text(textwrap.dedent(f'''
            """Module {j}."""

            def compute_value_{j}_v{v}(x, y=1):
                """Compute the value number {j} of x and y."""
                return x + y

            class Store{j}V{v}:
                """A store of parsed records, number {j}."""

                def save_record(self, record):
                    """Save one record to disk."""
            '''))
    (pkg / "marker.py").write_text(f'def marker_v{v}():\n    """Marker function of version {v}."""\n')


def index_cmd(repo: Path, ix: Path) -> list[str]:
    return [PY, "-m", "apirec", "index", str(repo), "--index", str(ix), "--json"]


def generation_version(searcher) -> int:
    """The repo version a loaded generation holds (from its marker record); -1 when mixed/missing."""
    rows = searcher.db.execute("SELECT name FROM records WHERE name LIKE 'marker_v%'").fetchall()
    if len(rows) != 1:
        return -1
    return int(rows[0][0].split("_v")[1])


def check_generation(ix: Path, *, dense: bool = True) -> dict[str, Any]:
    """Load the index as a reader does and prove it is one complete version that answers searches."""
    from apirec.search import Searcher

    s = Searcher(ix, load_dense=dense)
    v = generation_version(s)
    names = [r[0] for r in s.db.execute("SELECT name FROM records WHERE name LIKE 'compute_value_%'")]
    versions = {int(n.rsplit("_v", 1)[1]) for n in names}
    hits = s.search("compute the value of x and y", k=5, dense=dense)
    hit_versions = {int(h.record.name.rsplit("_v", 1)[1]) for h in hits if h.record.name.startswith("compute_value_")}
    ok = (v >= 0 and versions == {v} and len(names) == N_MODULES and bool(hits) and hit_versions <= {v})
    return {"ok": ok, "version": v, "generation": s.folder.name, "hits": len(hits), "records": s.n}


def crash_safe_publish(runs: int, workdir: Path, *, seed: int = 4242) -> dict[str, Any]:
    """kill -9 `python -m apirec index` at random moments of `runs` re-index runs, the repo changing
    before each; after each kill the index must load as the old or the new version and answer."""
    rng = random.Random(seed)
    repo, ix = workdir / "repo", workdir / "ix"
    shutil.rmtree(workdir, ignore_errors=True)
    write_versioned_repo(repo, 0)
    t = time.monotonic()
    subprocess.run(index_cmd(repo, ix), env=_env(), check=True, capture_output=True, timeout=600)
    published = 0
    # A run that changes every file, not killed: how long the window to kill in is.
    write_versioned_repo(repo, 1)
    t = time.monotonic()
    subprocess.run(index_cmd(repo, ix), env=_env(), check=True, capture_output=True, timeout=600)
    run_s = time.monotonic() - t
    published = 1
    outcomes = {"old": 0, "new": 0}
    states = {"killed_before_new_folder": 0, "killed_with_tmp_folder_left": 0,
              "killed_after_rename_before_swap": 0, "killed_after_publish": 0, "finished_before_kill": 0}
    failures: list[dict[str, Any]] = []
    stray_pointer_files = 0
    kill_times = []
    for r in range(runs):
        v = r + 2
        write_versioned_repo(repo, v)
        before = {p.name for p in ix.glob("gen-*")}
        # Half the kills anywhere in the run, half in its last part (writing the generation, publishing).
        delay = rng.uniform(0.0, run_s * 1.15) if r % 2 else rng.uniform(run_s * 0.55, run_s * 1.05)
        proc = subprocess.Popen(index_cmd(repo, ix), env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        killed = proc.poll() is None
        if killed:
            os.kill(proc.pid, signal.SIGKILL)
            kill_times.append(round(delay, 3))
        proc.wait(600)
        after = {p.name for p in ix.glob("gen-*")}
        new = sorted(after - before)
        if not killed:
            states["finished_before_kill"] += 1
        elif any(n.endswith(".tmp") for n in new):
            states["killed_with_tmp_folder_left"] += 1
        elif new and json.loads((ix / "CURRENT").read_text())["generation"] not in new:
            states["killed_after_rename_before_swap"] += 1
        elif not new:
            states["killed_before_new_folder"] += 1
        else:
            states["killed_after_publish"] += 1  # CURRENT already swapped: pruning/cleanup was cut
        stray_pointer_files = len(list(ix.glob("CURRENT.tmp*")))
        try:
            got = check_generation(ix, dense=True)
        except Exception as e:  # noqa: BLE001 - a load failure is the finding
            got = {"ok": False, "error": f"{type(e).__name__}: {e}"}
        if got.get("ok") and got["version"] in (published, v):
            outcomes["new" if got["version"] == v else "old"] += 1
            published = got["version"]
        else:
            failures.append({"run": r, "killed": killed, "delay_s": round(delay, 3), "expected": [published, v], **got})
    # After all the kills a normal run still works and publishes the latest version.
    final_v = runs + 2
    write_versioned_repo(repo, final_v)
    fin = subprocess.run(index_cmd(repo, ix), env=_env(), capture_output=True, text=True, timeout=600)
    final = check_generation(ix) if fin.returncode == 0 else {"ok": False, "error": fin.stderr[-500:]}
    leftovers = sorted(p.name for p in ix.iterdir())
    return {
        "runs": runs, "killed": sum(1 for _ in kill_times), "run_seconds": round(run_s, 2),
        "loads_ok": outcomes["old"] + outcomes["new"], "failures": failures, "outcomes": outcomes,
        "kill_states": states, "final_run_ok": bool(final.get("ok") and final.get("version") == final_v),
        "stray_CURRENT_tmp_files_before_final_run": stray_pointer_files,
        "index_folder_after_final_run": leftovers,
    }


def concurrency(searches: int, workdir: Path, *, threads: int = 4, reindex_runs: int = 3) -> dict[str, Any]:
    """`threads` reader threads search while another process re-indexes `reindex_runs` times; each reader
    reloads when `stale()`; one more reader keeps its first Searcher while at most one newer generation
    is published (KEEP_GENERATIONS=2). Every answer must come from one complete version."""
    from apirec.search import Searcher
    from apirec.store import KEEP_GENERATIONS

    repo, ix = workdir / "repo", workdir / "ix"
    shutil.rmtree(workdir, ignore_errors=True)
    write_versioned_repo(repo, 0)
    subprocess.run(index_cmd(repo, ix), env=_env(), check=True, capture_output=True, timeout=600)
    stop = threading.Event()
    lock = threading.Lock()
    stats = {"searches": 0, "errors": [], "mixed": 0, "reloads": 0, "versions_seen": set(), "empty": 0}
    writer = {"published": 0, "runs": 0, "errors": []}
    queries = ["compute the value of x and y", "save one record to disk", "store of parsed records",
               "marker function", "value number 3"]

    def reader(n: int) -> None:
        rng = random.Random(n)
        s = None
        while not stop.is_set():
            try:
                if s is None:
                    s = Searcher(ix, load_dense=n % 2 == 0)  # half hybrid (dense + BM25), half BM25 only
                if s.stale():
                    s = Searcher(ix, load_dense=n % 2 == 0)
                    with lock:
                        stats["reloads"] += 1
                v = generation_version(s)
                hits = s.search(rng.choice(queries), k=10, dense=n % 2 == 0)
                vers = {int(h.record.name.rsplit("_v", 1)[1]) for h in hits if "_v" in h.record.name}
                vers |= {int(h.record.public_path.split("V")[-1].split(".")[0]) for h in hits
                         if h.record.public_path.count(".") >= 2 and "Store" in h.record.public_path}
                with lock:
                    stats["searches"] += 1
                    stats["versions_seen"].add(v)
                    if not hits:
                        stats["empty"] += 1
                    if v < 0 or not vers <= {v}:
                        stats["mixed"] += 1
                    if stats["searches"] >= searches and writer["runs"] >= reindex_runs:
                        stop.set()
            except Exception as e:  # noqa: BLE001
                with lock:
                    stats["errors"].append(f"{type(e).__name__}: {e}")

    old_reader = {"searches": 0, "errors": [], "generation": "", "newer_published_while_used": 0}

    def keeps_old() -> None:
        try:
            s = Searcher(ix)
        except Exception as e:  # noqa: BLE001
            old_reader["errors"].append(f"{type(e).__name__}: {e}")
            return
        old_reader["generation"] = s.folder.name
        first = generation_version(s)
        while not stop.is_set():
            if writer["published"] - first >= KEEP_GENERATIONS:
                break  # beyond what the store promises: stop using it
            try:
                hits = s.search("compute the value of x and y", k=5)
                if not hits or {int(h.record.name.rsplit("_v", 1)[1]) for h in hits
                                if h.record.name.startswith("compute_value_")} - {first}:
                    raise AssertionError("answer not from its generation")
                old_reader["searches"] += 1
                old_reader["newer_published_while_used"] = max(old_reader["newer_published_while_used"],
                                                                writer["published"] - first)
            except Exception as e:  # noqa: BLE001
                old_reader["errors"].append(f"{type(e).__name__}: {e}")
            time.sleep(0.01)

    def write_loop() -> None:
        v = 0
        while not stop.is_set():
            v += 1
            write_versioned_repo(repo, v)
            p = subprocess.run(index_cmd(repo, ix), env=_env(), capture_output=True, text=True, timeout=600)
            if p.returncode != 0:
                writer["errors"].append(p.stderr[-300:])
            else:
                writer["published"] = v
            writer["runs"] += 1

    t0 = time.perf_counter()
    ts = [threading.Thread(target=reader, args=(n,), daemon=True) for n in range(threads)]
    ts.append(threading.Thread(target=keeps_old, daemon=True))
    w = threading.Thread(target=write_loop, daemon=True)
    for t in ts:
        t.start()
    w.start()
    deadline = time.monotonic() + 900
    while not stop.is_set() and time.monotonic() < deadline:
        time.sleep(0.2)
    stop.set()
    for t in ts:
        t.join(60)
    w.join(600)
    return {
        "searches": stats["searches"], "threads": threads, "errors": len(stats["errors"]),
        "error_samples": stats["errors"][:5], "mixed_or_incomplete_answers": stats["mixed"],
        "empty_answers": stats["empty"], "reloads_on_stale": stats["reloads"],
        "generations_seen": len(stats["versions_seen"]), "reindex_runs": writer["runs"],
        "reindex_errors": len(writer["errors"]), "old_reader_searches": old_reader["searches"],
        "old_reader_errors": len(old_reader["errors"]) , "old_reader_error_samples": old_reader["errors"][:3],
        "old_reader_newer_generations": old_reader["newer_published_while_used"],
        "keep_generations": KEEP_GENERATIONS, "seconds": round(time.perf_counter() - t0, 1),
    }


# =====================================================================================================
# 4. LSP robustness (raw JSON-RPC frames to the real server) and 7. exposure (file reads, binds)
# =====================================================================================================

# The real `apirec lsp`, with an audit hook that logs every open/listdir of a path under a forbidden
# folder (resolved, so symlinks count): how the exposure check proves what the server reads.
_LSP_LAUNCHER = r"""
import os, sys, threading
_bad = os.path.realpath(os.environ.get("RELIAB_FORBIDDEN", "/nonexistent-forbidden"))
_log = os.environ.get("RELIAB_AUDIT_LOG", os.devnull)
_tl = threading.local()
def _hook(ev, args):
    if ev not in ("open", "os.listdir", "os.scandir") or getattr(_tl, "busy", False):
        return
    _tl.busy = True
    try:
        p = args[0] if args else None
        if p is None or isinstance(p, int):
            return
        p = os.fsdecode(p)
        rp = os.path.realpath(p)
        if rp == _bad or rp.startswith(_bad + os.sep):
            where = ""
            if os.environ.get("RELIAB_AUDIT_STACK"):
                import traceback
                where = " <- " + " | ".join(f"{os.path.basename(f.filename)}:{f.lineno}:{f.name}"
                                            for f in traceback.extract_stack()[-8:-1])
            with open(_log, "a") as f:
                f.write(f"{ev} {p}{where}\n")
    except Exception:
        pass
    finally:
        _tl.busy = False
sys.addaudithook(_hook)
from apirec.cli import main
sys.exit(main(["lsp"] + sys.argv[1:]))
"""


class RawLsp:
    """A JSON-RPC client that writes raw bytes to the real server's stdin and parses its stdout."""

    def __init__(self, home: Path, cwd: Path, forbidden: Path | None = None, audit_log: Path | None = None):
        env = _env(APIREC_HOME=str(home))
        if forbidden is not None:
            env["RELIAB_FORBIDDEN"] = str(forbidden)
            env["RELIAB_AUDIT_LOG"] = str(audit_log)
        self.proc = subprocess.Popen([PY, "-c", _LSP_LAUNCHER], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, cwd=str(cwd), env=env)
        self.responses: dict[Any, dict] = {}
        self.notifications: list[dict] = []
        self.cond = threading.Condition()
        self.next_id = 1000
        threading.Thread(target=self._read, daemon=True).start()
        self.stderr: list[bytes] = []
        threading.Thread(target=lambda: self.stderr.extend(self.proc.stderr), daemon=True).start()

    def _read(self) -> None:
        out = self.proc.stdout
        while True:
            length = None
            while True:
                line = out.readline()
                if not line:
                    with self.cond:
                        self.cond.notify_all()
                    return
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
                if line in (b"\r\n", b"\n"):
                    break
            msg = json.loads(out.read(length or 0))
            with self.cond:
                if "id" in msg and "method" in msg:  # a server -> client request: answer it
                    self._answer(msg)
                elif "id" in msg:
                    self.responses[msg["id"]] = msg
                else:
                    self.notifications.append(msg)
                self.cond.notify_all()

    def _answer(self, msg: dict) -> None:
        result: Any = None
        if msg.get("method") == "workspace/configuration":
            result = [None for _ in msg.get("params", {}).get("items", [])]
        self.send_obj({"jsonrpc": "2.0", "id": msg["id"], "result": result})

    def send_bytes(self, data: bytes) -> None:
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def frame(self, body: bytes, header: bytes | None = None) -> None:
        self.send_bytes((header if header is not None else b"Content-Length: %d\r\n\r\n" % len(body)) + body)

    def send_obj(self, obj: Any) -> None:
        self.frame(json.dumps(obj).encode())

    def request(self, method: str, params: Any, timeout: float = 30.0, *, wait: bool = True) -> dict | None:
        self.next_id += 1
        rid = self.next_id
        self.send_obj({"jsonrpc": "2.0", "id": rid, "method": method, "params": params})
        return self.wait(rid, timeout) if wait else {"id": rid}

    def notify(self, method: str, params: Any) -> None:
        self.send_obj({"jsonrpc": "2.0", "method": method, "params": params})

    def wait(self, rid: Any, timeout: float) -> dict | None:
        end = time.monotonic() + timeout
        with self.cond:
            while rid not in self.responses:
                left = end - time.monotonic()
                if left <= 0 or self.proc.poll() is not None:
                    return None
                self.cond.wait(min(left, 0.5))
            return self.responses.pop(rid)

    def alive(self, timeout: float = 30.0) -> bool:
        """The server is running and answers a real request (asked twice: a malformed frame before may
        swallow the first)."""
        for t in (timeout / 2, timeout / 2):
            if self.proc.poll() is not None:
                return False
            r = self.request("workspace/executeCommand", {"command": "apirec.status", "arguments": []}, t)
            if r is not None and "result" in r:
                return True
        return False

    def initialize(self, root: Path | None) -> dict:
        r = self.request("initialize", {"processId": os.getpid(), "rootUri": root.as_uri() if root else None,
                                        "capabilities": {}}, timeout=60)
        self.notify("initialized", {})
        return r

    def wait_ready(self, timeout: float = 300) -> dict:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            r = self.request("workspace/executeCommand", {"command": "apirec.status", "arguments": []}, 30)
            st = (r or {}).get("result") or {}
            if st.get("ready"):
                return st
            time.sleep(0.3)
        raise TimeoutError("the language server's indexes did not become ready")

    def close(self, timeout: float = 10) -> int | None:
        try:
            self.request("shutdown", None, timeout=timeout)
            self.notify("exit", None)
        except (BrokenPipeError, OSError, ValueError):
            pass
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            return None


def _doc_params(uri: str, line: int = 0, char: int = 0) -> dict:
    return {"textDocument": {"uri": uri}, "position": {"line": line, "character": char}}


def lsp_cases(ws: Path) -> list[tuple[str, Callable[[RawLsp], None]]]:
    """(name, action) for every hostile input; after each the server must still answer a request."""
    good = ws / "main.py"
    uri = good.as_uri()
    doomed = ws / "doomed.py"
    text = "import json\nimport os.path\njson.loads(s)\nos.path.join('a', 'b')\nx = json.\n"

    def open_doc(c: RawLsp, u: str, t: str, v: int = 1) -> None:
        c.notify("textDocument/didOpen", {"textDocument": {"uri": u, "languageId": "python", "version": v, "text": t}})

    def body(b: bytes) -> Callable[[RawLsp], None]:
        return lambda c: c.frame(b)

    def header(h: bytes, b: bytes) -> Callable[[RawLsp], None]:
        # The bad frame ends its line, so the next frame's header starts on a line of its own: the
        # check is that the server survives the frame and serves the next one, not that it can guess
        # where a frame without a usable length ends.
        return lambda c: c.frame(b + b"\r\n", h)

    def req(method: str, params: Any) -> Callable[[RawLsp], None]:
        return lambda c: c.request(method, params, timeout=10)

    def notif(method: str, params: Any) -> Callable[[RawLsp], None]:
        return lambda c: c.notify(method, params)

    def deleted_while_open(c: RawLsp) -> None:
        doomed.write_text(text)
        open_doc(c, doomed.as_uri(), text)
        doomed.unlink()
        c.request("textDocument/hover", _doc_params(doomed.as_uri(), 2, 6))
        c.request("textDocument/completion", _doc_params(doomed.as_uri(), 4, 9))
        c.notify("textDocument/didSave", {"textDocument": {"uri": doomed.as_uri()}})
        c.notify("workspace/didChangeWatchedFiles", {"changes": [{"uri": doomed.as_uri(), "type": 3}]})
        c.notify("textDocument/didClose", {"textDocument": {"uri": doomed.as_uri()}})
        c.request("textDocument/hover", _doc_params(doomed.as_uri(), 2, 6))  # closed and gone

    def dir_deleted(c: RawLsp) -> None:
        d = ws / "gone_pkg"
        d.mkdir(exist_ok=True)
        (d / "m.py").write_text("def f():\n    pass\n")
        open_doc(c, (d / "m.py").as_uri(), "def f():\n    pass\n")
        shutil.rmtree(d)
        c.notify("textDocument/didSave", {"textDocument": {"uri": (d / "m.py").as_uri()}})
        c.request("textDocument/signatureHelp", _doc_params((d / "m.py").as_uri(), 0, 6))

    def cancel_in_flight(c: RawLsp) -> None:
        r = c.request("textDocument/completion", _doc_params(uri, 4, 9), wait=False)
        c.notify("$/cancelRequest", {"id": r["id"]})
        c.notify("$/cancelRequest", {"id": 987654321})
        c.wait(r["id"], 10)

    def burst(c: RawLsp) -> None:
        ids = [c.request("textDocument/completion", _doc_params(uri, 4, 9), wait=False)["id"] for _ in range(200)]
        for rid in ids:
            c.wait(rid, 60)

    def rapid_changes(c: RawLsp) -> None:
        for v in range(2, 300):
            c.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": v},
                                                "contentChanges": [{"text": text + "#" * v}]})
        c.request("textDocument/completion", _doc_params(uri, 4, 9))

    def bad_incremental_change(c: RawLsp) -> None:
        c.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 1000}, "contentChanges": [
            {"range": {"start": {"line": 500, "character": 0}, "end": {"line": 2, "character": 99}}, "text": "zz"}]})
        c.request("textDocument/completion", _doc_params(uri, 4, 9))
        open_doc(c, uri, text, 1001)

    def huge_doc(c: RawLsp) -> None:
        big = "import os\n" + "x = os.path.join('a', 'b')\n" * 200_000 + "os.path."
        u = (ws / "huge.py").as_uri()
        open_doc(c, u, big)
        c.request("textDocument/completion", _doc_params(u, 200_001, 8), timeout=60)
        c.request("textDocument/hover", _doc_params(u, 100, 8), timeout=60)
        c.notify("textDocument/didClose", {"textDocument": {"uri": u}})

    def long_line_doc(c: RawLsp) -> None:
        u = (ws / "longline.py").as_uri()
        open_doc(c, u, "import os\nx = " + "os.path.join(" * 20_000 + "\n")
        c.request("textDocument/signatureHelp", _doc_params(u, 1, 100_000), timeout=60)
        c.request("textDocument/completion", _doc_params(u, 1, 50_000), timeout=60)

    def fifo_in_workspace(c: RawLsp) -> None:
        f = ws / "pipe_fifo.py"
        if not f.exists():
            os.mkfifo(f)
        try:
            c.request("textDocument/hover", _doc_params(f.as_uri(), 0, 0), timeout=10)
            c.notify("textDocument/didSave", {"textDocument": {"uri": f.as_uri()}})
            c.request("textDocument/completion", _doc_params(f.as_uri(), 0, 0), timeout=10)
        finally:
            f.unlink()  # a server restarted after this case would index the workspace: no FIFO there

    def binary_doc(c: RawLsp) -> None:
        u = (ws / "bin.py").as_uri()
        open_doc(c, u, "\x00\x01\ud800\udfff\x1b[31m" * 1000)
        c.request("textDocument/completion", _doc_params(u, 0, 3))
        c.request("textDocument/hover", _doc_params(u, 0, 5))

    def deep_indent_doc(c: RawLsp) -> None:
        # Never valid Python (CPython stops at 100 levels), but an editor buffer can hold anything.
        u = (ws / "deep.py").as_uri()
        t = "import os\nx = 1\n" + "".join(" " * i + "'s' y\n" for i in range(600)) + "os.path."
        open_doc(c, u, t)
        c.request("textDocument/completion", _doc_params(u, 602, 8), timeout=20)
        c.request("textDocument/hover", _doc_params(u, 300, 302), timeout=20)
        (ws / "deep.py").write_text(t)  # saved: the server re-extracts the file for its workspace index
        try:
            c.notify("textDocument/didSave", {"textDocument": {"uri": u}})
            c.request("textDocument/hover", _doc_params(u, 0, 8), timeout=20)
        finally:
            (ws / "deep.py").unlink()

    nested = b"[" * 100_000 + b"]" * 100_000
    cases: list[tuple[str, Callable[[RawLsp], None]]] = [
        # -- malformed frames
        ("invalid JSON body", body(b"{this is not json")),
        ("empty body", header(b"Content-Length: 0\r\n\r\n", b"")),
        ("non-numeric Content-Length", header(b"Content-Length: abc\r\n\r\n", b'{"jsonrpc":"2.0"}')),
        ("negative Content-Length", header(b"Content-Length: -5\r\n\r\n", b"{}")),
        ("missing Content-Length", header(b"Content-Type: application/vscode-jsonrpc\r\n\r\n", b'{"x":1}')),
        ("Content-Length too short", header(b"Content-Length: 5\r\n\r\n", b'{"jsonrpc":"2.0","id":1,"method":"x"}\r\n\r\n')),
        ("garbage header lines", header(b"X-Junk: \xff\xfe\r\nContent-Length: 2\r\n\r\n", b"{}")),
        ("body not UTF-8", body(b'{"jsonrpc":"2.0","method":"\xff\xfe"}')),
        ("JSON array body", body(b"[]")),
        ("JSON batch of requests", body(b'[{"jsonrpc":"2.0","id":5,"method":"shutdown"}]')),
        ("JSON number body", body(b"42")),
        ("JSON null body", body(b"null")),
        ("JSON string body", body(b'"hello"')),
        ("deeply nested JSON (100k levels)", body(nested)),
        ("object without method or id", body(b'{"jsonrpc":"2.0"}')),
        ("wrong jsonrpc version", body(b'{"jsonrpc":"1.0","id":77,"method":"shutdown"}')),
        ("response to a request never sent", body(b'{"jsonrpc":"2.0","id":123456,"result":null}')),
        ("error response to nothing", body(b'{"jsonrpc":"2.0","id":"zz","error":{"code":1,"message":"x"}}')),
        ("huge request id", body(b'{"jsonrpc":"2.0","id":1e400,"method":"textDocument/hover","params":{}}')),
        ("null request id", body(b'{"jsonrpc":"2.0","id":null,"method":"textDocument/hover","params":{}}')),
        ("object request id", body(b'{"jsonrpc":"2.0","id":{"a":1},"method":"textDocument/hover","params":{}}')),
        ("duplicate request ids", lambda c: [c.send_obj({"jsonrpc": "2.0", "id": 42, "method": "textDocument/hover",
                                                           "params": _doc_params(uri, 2, 6)}) for _ in range(3)]),
        # -- unknown methods
        ("unknown request method", req("foo/bar", {"x": 1})),
        ("unknown notification", notif("foo/baz", {"x": 1})),
        ("unknown $/ notification", notif("$/somethingNew", None)),
        ("unknown executeCommand", req("workspace/executeCommand", {"command": "no.such.command"})),
        ("second initialize", req("initialize", {"processId": None, "rootUri": None, "capabilities": {}})),
        # -- wrong types
        ("hover params null", req("textDocument/hover", None)),
        ("hover params is a list", req("textDocument/hover", [1, 2, 3])),
        ("position is a string", req("textDocument/hover", {"textDocument": {"uri": uri}, "position": "here"})),
        ("uri is a number", req("textDocument/completion", {"textDocument": {"uri": 5}, "position": {"line": 0, "character": 0}})),
        ("missing textDocument", req("textDocument/completion", {"position": {"line": 0, "character": 0}})),
        ("didOpen text is null", notif("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": None}})),
        ("didChange contentChanges not a list", notif("textDocument/didChange", {"textDocument": {"uri": uri, "version": 2}, "contentChanges": "x"})),
        ("completionItem/resolve with junk data", req("completionItem/resolve", {"label": "x", "data": {"id": [1], "index": 5}})),
        ("completionItem/resolve unknown id", req("completionItem/resolve", {"label": "x", "data": {"id": "nope", "index": "default"}})),
        ("didChangeConfiguration with junk settings", notif("workspace/didChangeConfiguration", {"settings": {"apirec": {"maxCompletions": "lots", "indexPaths": 7, "features": []}}})),
        ("didChangeWatchedFiles with junk", notif("workspace/didChangeWatchedFiles", {"changes": [{"uri": "not-a-uri", "type": 99}]})),
        # -- bad positions (after a real document is open)
        ("open a real document", lambda c: open_doc(c, uri, text)),
        ("line past the end", req("textDocument/completion", _doc_params(uri, 10_000, 0))),
        ("character past the line", req("textDocument/hover", _doc_params(uri, 2, 10_000))),
        ("negative line", req("textDocument/hover", _doc_params(uri, -1, 0))),
        ("negative character", req("textDocument/signatureHelp", _doc_params(uri, 3, -7))),
        ("line 2**31", req("textDocument/completion", _doc_params(uri, 2**31, 2**31))),
        ("position inside a surrogate pair", lambda c: (open_doc(c, (ws / "emoji.py").as_uri(), "s = '\U0001F600\U0001F600'.up\n"),
                                                         c.request("textDocument/completion", _doc_params((ws / "emoji.py").as_uri(), 0, 6)))),
        ("codeAction with an inverted range", req("textDocument/codeAction", {"textDocument": {"uri": uri}, "range": {"start": {"line": 5, "character": 9}, "end": {"line": 0, "character": 0}}, "context": {"diagnostics": []}})),
        ("request on a never-opened URI", req("textDocument/hover", _doc_params((ws / "never.py").as_uri(), 0, 0))),
        ("request on a non-file URI", req("textDocument/completion", _doc_params("untitled:Untitled-1", 0, 0))),
        ("request on an http URI", req("textDocument/hover", _doc_params("http://example.invalid/x.py", 0, 0))),
        ("didChange on a never-opened document", notif("textDocument/didChange", {"textDocument": {"uri": (ws / "nope.py").as_uri(), "version": 3}, "contentChanges": [{"text": "x"}]})),
        ("didClose on a never-opened document", notif("textDocument/didClose", {"textDocument": {"uri": (ws / "nope2.py").as_uri()}})),
        # -- files deleted / odd files
        ("file deleted while open", deleted_while_open),
        ("folder deleted while a file in it is open", dir_deleted),
        ("FIFO in the workspace asked about", fifo_in_workspace),
        ("binary and lone-surrogate document", binary_doc),
        ("5 MB document", huge_doc),
        ("20k-deep call on one line", long_line_doc),
        # -- load
        ("cancel in flight and cancel unknown", cancel_in_flight),
        ("200 pipelined completions", burst),
        ("300 rapid full didChanges", rapid_changes),
        ("incremental change with a bad range", bad_incremental_change),
        ("document 600 indentation levels deep", deep_indent_doc),
    ]
    return cases


def lsp_workspace(root: Path) -> Path:
    ws = root / "ws"
    shutil.rmtree(ws, ignore_errors=True)
    (ws / "mypkg").mkdir(parents=True)
    (ws / "mypkg" / "__init__.py").write_text('"""A tiny package."""\n')
    (ws / "mypkg" / "util.py").write_text('def slugify(text):\n    """Turn a title into a slug."""\n    return text\n')
    (ws / "main.py").write_text("import json\n")
    return ws


def lsp_robustness(home: Path, workdir: Path, *, case_timeout: float = 20.0, verbose: bool = False,
                   exclude: tuple[str, ...] = (), only: tuple[str, ...] | None = None) -> dict[str, Any]:
    """Every case of `lsp_cases` against one real server; after each, the server must answer a real
    request. Then: a client that disconnects mid-request (stdio: stdin closed while a request runs; the
    server must exit by itself, not hang) and the same over TCP (the server must serve the next client)."""
    ws = lsp_workspace(workdir)
    c = RawLsp(home, ws)
    stderr_all: list[str] = []
    t0 = time.perf_counter()
    c.initialize(ws)
    c.wait_ready()
    results: list[dict[str, Any]] = []
    for name, action in lsp_cases(ws):
        if name in exclude or (only is not None and name not in only):
            continue
        err = ""
        try:
            action(c)
        except Exception as e:  # noqa: BLE001 - a broken pipe means the server died
            err = f"{type(e).__name__}: {e}"
        ok = c.alive(case_timeout)
        if verbose:
            print(f"  lsp case {name!r}: {'survived' if ok else 'FAILED'} {err}", file=sys.stderr, flush=True)
        results.append({"case": name, "survived": ok, **({"client_error": err} if err else {})})
        if not ok:
            c.proc.kill()
            stderr_all.append(b"".join(c.stderr).decode("utf-8", "replace"))
            c = RawLsp(home, ws)  # keep counting the other cases
            c.initialize(ws)
            c.wait_ready()
    rc = c.close()
    time.sleep(0.2)
    stderr = "".join(stderr_all) + b"".join(c.stderr).decode("utf-8", "replace")
    if only is not None:
        survived = sum(1 for r in results if r["survived"])
        return {"cases": len(results), "survived": survived, "results": results,
                "failed": [r for r in results if not r["survived"]]}
    # A client that disconnects mid-request (stdio): the server exits by itself.
    d = RawLsp(home, ws)
    d.initialize(ws)
    d.wait_ready()
    d.notify("textDocument/didOpen", {"textDocument": {"uri": (ws / "main.py").as_uri(), "languageId": "python",
                                                       "version": 1, "text": "import json\njson."}})
    for _ in range(20):
        d.request("textDocument/completion", _doc_params((ws / "main.py").as_uri(), 1, 5), wait=False)
    d.proc.stdin.close()
    try:
        d_rc = d.proc.wait(30)
        stdio_disconnect = {"survived": True, "exit_code": d_rc}
    except subprocess.TimeoutExpired:
        d.proc.kill()
        stdio_disconnect = {"survived": False, "error": "the server kept running 30 s after its client left"}
    results.append({"case": "client disconnects mid-request (stdio)", **stdio_disconnect})
    results.append({"case": "client disconnects mid-request (TCP)", **_tcp_disconnect(home, ws)})
    survived = sum(1 for r in results if r["survived"])
    return {"cases": len(results), "survived": survived, "failed": [r for r in results if not r["survived"]],
            "results": results, "clean_exit_code": rc,
            "logged_exceptions": _exception_kinds(stderr), "seconds": round(time.perf_counter() - t0, 1)}


def _exception_kinds(stderr: str) -> dict[str, int]:
    """What the server logged with a traceback (handled: it answered an error and went on), by kind."""
    kinds = []
    for chunk in stderr.split("Traceback (most recent call last):")[1:]:
        if "The above exception was the direct cause" in chunk or "During handling of the above" in chunk:
            continue  # the cause of a chained exception: counted once, by the exception it caused
        lines = [re.sub(r"^[ |+-]*", "", ln) for ln in chunk.splitlines()]  # exception groups are indented
        last = [ln for ln in lines if re.match(r"^[\w.]+(Error|Exception|Exit|Group)\b", ln)]
        kinds.append(last[-1][:90] if last else "?")
    return _count(kinds)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _frame(obj: Any) -> bytes:
    b = json.dumps(obj).encode()
    return b"Content-Length: %d\r\n\r\n" % len(b) + b


def _tcp_roundtrip(port: int, msgs: list[dict], want_id: Any, timeout: float = 60) -> dict | None:
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        for m in msgs:
            s.sendall(_frame(m))
        f = s.makefile("rb")
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            length = None
            while True:
                line = f.readline()
                if not line:
                    return None
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
                if line in (b"\r\n", b"\n"):
                    break
            msg = json.loads(f.read(length or 0))
            if msg.get("id") == want_id and "method" not in msg:
                return msg
            if "id" in msg and "method" in msg:
                s.sendall(_frame({"jsonrpc": "2.0", "id": msg["id"], "result": None}))
    return None


def _tcp_disconnect(home: Path, ws: Path) -> dict[str, Any]:
    port = _free_port()
    p = subprocess.Popen([PY, "-m", "apirec", "lsp", "--tcp", str(port)], env=_env(APIREC_HOME=str(home)),
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=str(ws))
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        init = {"jsonrpc": "2.0", "id": 1, "method": "initialize",
                "params": {"processId": None, "rootUri": None, "capabilities": {}}}
        uri = (ws / "main.py").as_uri()
        # First client: initialize, ask for completions, vanish without reading or shutting down.
        with socket.create_connection(("127.0.0.1", port)) as s:
            s.sendall(_frame(init) + _frame({"jsonrpc": "2.0", "method": "initialized", "params": {}}))
            s.sendall(_frame({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {
                "uri": uri, "languageId": "python", "version": 1, "text": "import json\njson."}}}))
            for k in range(20):
                s.sendall(_frame({"jsonrpc": "2.0", "id": 10 + k, "method": "textDocument/completion",
                                  "params": _doc_params(uri, 1, 5)}))
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")  # RST
        time.sleep(1.0)
        if p.poll() is not None:
            # One client per server, as over stdio: a clean exit is surviving, a crash or hang is not.
            err = p.stderr.read().decode("utf-8", "replace")
            out = {"survived": p.returncode == 0 and "Traceback" not in err,
                   "behaviour": f"the server exited with code {p.returncode} when its only client left"}
            if not out["survived"]:
                out["error"] = err[-2000:]  # seen once and not reproduced since: keep what it said
            return out
        got = _tcp_roundtrip(port, [init, {"jsonrpc": "2.0", "method": "initialized", "params": {}},
                                    {"jsonrpc": "2.0", "id": 2, "method": "workspace/executeCommand",
                                     "params": {"command": "apirec.status", "arguments": []}}], 2)
        return {"survived": got is not None and "result" in got,
                "behaviour": "kept running and served the next client" if got else "the next client got no answer"}
    finally:
        p.kill()
        p.wait()


# =====================================================================================================
# 5. No code execution while indexing
# =====================================================================================================

# Installed as sitecustomize in the indexer child: logs every socket use, process start and execution
# of a code object compiled from a file of the repository.
_AUDIT_SITECUSTOMIZE = r"""
import os, sys
_repo = os.path.realpath(os.environ["RELIAB_REPO"])
_log = os.environ["RELIAB_AUDIT_LOG"]
_busy = [False]
_WATCH = ("socket.connect", "socket.bind", "socket.sendto", "socket.getaddrinfo", "subprocess.Popen",
          "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork", "os.forkpty")
def _hook(ev, args):
    if _busy[0]:
        return
    _busy[0] = True
    try:
        hit = None
        if ev.startswith(_WATCH):
            hit = f"{ev} {args!r:.200}"
        elif ev == "exec" and args and hasattr(args[0], "co_filename"):
            f = args[0].co_filename
            if os.path.isabs(f) and os.path.realpath(f).startswith(_repo + os.sep):
                hit = f"exec {f}"
        elif ev == "open" and args and isinstance(args[0], (str, bytes)) and args[1] not in (None, "r", "rb"):
            p = os.path.realpath(os.fsdecode(args[0]))
            if p.startswith(_repo + os.sep):
                hit = f"open-for-write {p} {args[1]!r}"
        if hit:
            with open(_log, "a") as fh:
                fh.write(hit + "\n")
    except Exception:
        pass
    finally:
        _busy[0] = False
sys.addaudithook(_hook)
"""

_EVIL = '''
import os, socket
open(os.path.join({markers!r}, {name!r}), "w").write("executed")
try:
    socket.create_connection(("127.0.0.1", {port}), timeout=1).close()
except OSError:
    pass
def api_{ident}():
    """An API that exists only to be indexed."""
'''

SHADOWED = ["numpy", "faiss", "Stemmer", "tree_sitter", "onnxruntime", "sqlite3", "json", "bm25s",
            "tokenizers", "pathspec", "platformdirs", "rich", "bs4", "docstring_parser"]


def hostile_repo(repo: Path, markers: Path, port: int, *, shadow: bool) -> list[str]:
    """A repository whose every executable-looking file would leave a marker and connect to `port`."""
    shutil.rmtree(repo, ignore_errors=True)
    names = []

    def evil(rel: str, extra: str = "") -> None:
        name = rel.replace("/", "__")
        names.append(name)
        p = repo / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        ident = "".join(ch if ch.isalnum() else "_" for ch in name)
        p.write_text(_EVIL.format(markers=str(markers), name=name, port=port, ident=ident) + extra)

    for rel in ["evilpkg/__init__.py", "evilpkg/mod.py", "evilpkg/__main__.py", "evilpkg/sub/__init__.py",
                "setup.py", "conftest.py", "tests/conftest.py", "tests/test_x.py", "sitecustomize.py",
                "usercustomize.py", "src/srcpkg/__init__.py", "evilpkg/stub.pyi", "evilpkg/stub.py",
                "docs/conf.py", "noxfile.py", "manage.py"]:
        evil(rel)
    (repo / "evil.pth").write_text(f"import os; open(os.path.join({str(markers)!r}, 'pth'), 'w')\n")
    names.append("pth")
    code = _EVIL.format(markers=str(markers), name="doc_example", port=port, ident="doc")
    names.append("doc_example")
    (repo / "README.md").write_text("# evil\n\n## `evilpkg.run()`\n\nRun it.\n\n```python\n" + code + "\n```\n")
    (repo / "docs" / "api.rst").write_text(".. function:: evilpkg.go()\n\n   Go.\n\n   .. code-block:: python\n\n"
                                           + textwrap.indent(code, "      ") + "\n")
    (repo / "corpus.jsonl").write_text(json.dumps({"api_name": "evil.api", "description": "An evil API",
                                                   "example_code": code}) + "\n")
    (repo / "Evil.java").write_text('public class Evil { static { System.exit(1); } /** Run. */ public void run() {} }\n')
    if shadow:  # modules named like what apirec imports: found first when the repo is the cwd
        for mod in SHADOWED:
            evil(f"{mod}.py")
    return names


def no_code_execution(workdir: Path, *, cwd_in_repo: bool) -> dict[str, Any]:
    """Index a hostile repository with the real CLI (`python -m apirec index`); nothing in it may run:
    no marker file, no connection to our listener, no audited socket/process/exec event."""
    repo, markers, ix, hook = workdir / "repo", workdir / "markers", workdir / "ix", workdir / "hook"
    shutil.rmtree(workdir, ignore_errors=True)
    markers.mkdir(parents=True)
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(_AUDIT_SITECUSTOMIZE)
    audit_log = workdir / "audit.log"
    audit_log.write_text("")
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(50)
    listener.settimeout(0.2)
    port = listener.getsockname()[1]
    names = hostile_repo(repo, markers, port, shadow=cwd_in_repo)
    env = _env(RELIAB_REPO=str(repo), RELIAB_AUDIT_LOG=str(audit_log))
    env["PYTHONPATH"] = os.pathsep.join([str(hook), env["PYTHONPATH"]])
    cmd = [PY, "-m", "apirec", "index", "." if cwd_in_repo else str(repo), "--index", str(ix), "--json"]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=str(repo if cwd_in_repo else workdir), env=env, capture_output=True,
                          text=True, timeout=600)
    connections = 0
    while True:
        try:
            listener.accept()[0].close()
            connections += 1
        except (TimeoutError, OSError):
            break
    listener.close()
    report = json.loads(proc.stdout) if proc.returncode == 0 and proc.stdout.strip().startswith("{") else {}
    from apirec.search import Searcher

    indexed = []
    if report:
        s = Searcher(ix, load_dense=False)
        indexed = [r[0] for r in s.db.execute("SELECT name FROM records WHERE name LIKE 'api_%'")]
    events = [line for line in audit_log.read_text().splitlines() if line.strip()]
    return {
        "command": " ".join(["python", "-m", "apirec", "index", "." if cwd_in_repo else "REPO", "--index", "IX"])
                   + (" (cwd = the repository)" if cwd_in_repo else " (cwd outside the repository)"),
        "hostile_files": len(names), "exit_code": proc.returncode,
        "markers_written": sorted(p.name for p in markers.iterdir()), "connections_accepted": connections,
        "audit_events": events[:20], "audit_event_count": len(events),
        "records_indexed_from_hostile_files": len(indexed), "seconds": round(time.perf_counter() - t0, 1),
        "stderr_tail": proc.stderr[-400:] if proc.returncode else "",
    }


# =====================================================================================================
# 7. Exposure: loopback binds, refusals, LSP file reads confined to the workspace
# =====================================================================================================


def _listen_addresses(port: int) -> list[str]:
    """Local addresses listening on `port`, from /proc/net/tcp{,6}."""
    out = []
    for name, v6 in (("/proc/net/tcp", False), ("/proc/net/tcp6", True)):
        try:
            lines = Path(name).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            parts = line.split()
            addr, st = parts[1], parts[3]
            hexip, hexport = addr.split(":")
            if st != "0A" or int(hexport, 16) != port:
                continue
            raw = bytes.fromhex(hexip)
            if v6:
                raw = b"".join(raw[i:i + 4][::-1] for i in range(0, 16, 4))
                out.append(str(__import__("ipaddress").IPv6Address(raw)))
            else:
                out.append(str(__import__("ipaddress").IPv4Address(raw[::-1])))
    return out


def _wait_listen(port: int, proc: subprocess.Popen, timeout: float = 120) -> list[str]:
    end = time.monotonic() + timeout
    while time.monotonic() < end and proc.poll() is None:
        got = _listen_addresses(port)
        if got:
            return got
        time.sleep(0.2)
    return []


def exposure_binds(home: Path, index: Path) -> dict[str, Any]:
    """Default binds of `apirec lsp --tcp PORT` and `apirec mcp --http`, and refusals of non-loopback
    hosts without `--allow-remote`."""
    import ipaddress

    env = _env(APIREC_HOME=str(home))
    out: dict[str, Any] = {"defaults": {}, "refusals": []}
    for label, argv in (("lsp --tcp PORT", lambda port: ["lsp", "--tcp", str(port)]),
                        ("lsp --tcp :PORT", lambda port: ["lsp", "--tcp", f":{port}"]),
                        ("mcp --http", lambda port: ["mcp", "--http", "--port", str(port), "--no-warm-up",
                                                     "--index", str(index)])):
        port = _free_port()
        p = subprocess.Popen([PY, "-m", "apirec", *argv(port)], env=env, stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE)
        try:
            addrs = _wait_listen(port, p)
        finally:
            p.kill()
            p.wait()
        out["defaults"][label] = {"listening_on": addrs,
                                  "loopback_only": bool(addrs) and all(ipaddress.ip_address(a).is_loopback for a in addrs)}
    hosts = ["0.0.0.0", "::", "[::]", "10.1.2.3", "192.168.0.1", "example.com", "0", "::ffff:10.0.0.1"]
    for host in hosts:
        for label, argv in (("lsp", ["lsp", "--tcp", f"{host}:{_free_port()}"]),
                            ("mcp", ["mcp", "--http", "--host", host, "--port", str(_free_port()), "--no-warm-up"])):
            p = subprocess.run([PY, "-m", "apirec", *argv], env=env, capture_output=True, text=True, timeout=60)
            out["refusals"].append({"server": label, "host": host, "exit_code": p.returncode,
                                    "refused": p.returncode == 2 and "loopback" in p.stderr or
                                    p.returncode == 2 and "bad --tcp" in p.stderr})
    out["all_defaults_loopback"] = all(v["loopback_only"] for v in out["defaults"].values())
    out["all_non_loopback_refused"] = all(r["refused"] for r in out["refusals"])
    # With the explicit flag a non-loopback bind is allowed (the flag works, so the refusal is the default).
    port = _free_port()
    p = subprocess.Popen([PY, "-m", "apirec", "lsp", "--tcp", f"0.0.0.0:{port}", "--allow-remote"], env=env,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        out["allow_remote_binds"] = _wait_listen(port, p)
    finally:
        p.kill()
        p.wait()
    return out


def exposure_file_reads(home: Path, workdir: Path) -> dict[str, Any]:
    """The real server (with an audit hook) is asked about files outside its workspace: a plain path,
    a `..` path, a symlink out of the workspace, a file in a symlinked folder. Reads are logged."""
    ws = lsp_workspace(workdir)
    outside = workdir / "outside"
    shutil.rmtree(outside, ignore_errors=True)
    outside.mkdir()
    secret = outside / "secret.py"
    secret.write_text("import json\njson.loads('TOP SECRET')\n")
    (ws / "link.py").symlink_to(secret)
    (ws / "linkdir").symlink_to(outside, target_is_directory=True)
    log = workdir / "reads.log"
    log.write_text("")  # a log left by an earlier run must not count
    c = RawLsp(home, ws, forbidden=outside, audit_log=log)
    c.initialize(ws)
    c.wait_ready()
    time.sleep(0.5)
    uris = {"outside path": secret.as_uri(), "'..' path": f"file://{ws}/../outside/secret.py",
            "symlink out of the workspace": (ws / "link.py").as_uri(),
            "file in a symlinked folder": (ws / "linkdir" / "secret.py").as_uri()}
    cases = []
    baseline = log.read_text() if log.exists() else ""
    cases.append({"case": "workspace indexing (symlink and symlinked folder present)", "reads": baseline.splitlines()})
    for what, uri in uris.items():
        for method, params in (("textDocument/hover", _doc_params(uri, 1, 6)),
                               ("textDocument/completion", _doc_params(uri, 1, 5)),
                               ("textDocument/signatureHelp", _doc_params(uri, 1, 11)),
                               ("textDocument/didSave", {"textDocument": {"uri": uri}}),
                               ("workspace/didChangeWatchedFiles", {"changes": [{"uri": uri, "type": 2}]})):
            before = log.read_text() if log.exists() else ""
            if method.startswith(("textDocument/didSave", "workspace/")):
                c.notify(method, params)
                c.alive()
            else:
                c.request(method, params, timeout=20)
            after = log.read_text() if log.exists() else ""
            cases.append({"case": f"{method} on {what} (not opened)", "reads": after[len(before):].splitlines()})
    # Opened by the client: the text comes with didOpen, so nothing needs reading.
    before = log.read_text() if log.exists() else ""
    c.notify("textDocument/didOpen", {"textDocument": {"uri": secret.as_uri(), "languageId": "python", "version": 1,
                                                       "text": "import json\njson.loads('x')\n"}})
    c.request("textDocument/hover", _doc_params(secret.as_uri(), 1, 6))
    after = log.read_text() if log.exists() else ""
    cases.append({"case": "didOpen + hover on an outside file", "reads": after[len(before):].splitlines()})
    c.close()
    leaking = [x for x in cases if x["reads"]]
    return {"cases": len(cases), "cases_reading_outside": len(leaking),
            "reading_cases": [{"case": x["case"], "reads": x["reads"][:3]} for x in leaking]}


# =====================================================================================================
# 8. Resource bounds
# =====================================================================================================


# Linux keeps the pre-exec RSS high-water mark of a forked child in its ru_maxrss, so a child forked
# from a big process (pytest, this benchmark) would report the parent's size. A small launcher process
# forks the measured command instead and reports getrusage(RUSAGE_CHILDREN) of that one child.
_MEASURE = (
    "import json, resource, subprocess, sys\n"
    "rc = subprocess.call(sys.argv[2:])\n"
    "open(sys.argv[1], 'w').write(json.dumps({'rc': rc, 'maxrss_kb': "
    "resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}))\n"
)


def _run_measured(cmd: list[str], env: dict[str, str], cwd: Path | None = None, timeout: float = 1800) -> dict[str, Any]:
    """Run `cmd`; its own peak RSS (rusage of that one child, via a small launcher), wall time, exit
    code, output."""
    t0 = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, \
            tempfile.NamedTemporaryFile("r", suffix=".json") as res:
        p = subprocess.run([PY, "-c", _MEASURE, res.name, *cmd], env=env, cwd=str(cwd) if cwd else None,
                           stdout=out, stderr=err, timeout=timeout, check=False)
        got = json.loads(Path(res.name).read_text() or "{}")
        out.seek(0)
        err.seek(0)
        return {"exit_code": got.get("rc", p.returncode), "seconds": round(time.perf_counter() - t0, 1),
                "peak_rss_mb": round(got.get("maxrss_kb", 0) / 1024, 1),
                "stdout": out.read().decode("utf-8", "replace"), "stderr": err.read().decode("utf-8", "replace")}


def resource_bounds(workdir: Path, *, big_mb: int = 50, lines: int = 1_000_000, small_files: int = 20_000) -> dict[str, Any]:
    """Index (real CLI, progress on) a repo with a `big_mb` MB .py, .md and JSONL file, a `lines`-line
    module, and separately a repo of `small_files` small modules: peak RSS, time, skipped files counted."""
    shutil.rmtree(workdir, ignore_errors=True)
    env = _env(APIREC_PROGRESS="1")
    out: dict[str, Any] = {}
    big = workdir / "big"
    (big / "bigpkg").mkdir(parents=True)
    (big / "bigpkg" / "__init__.py").write_text('def ok():\n    """A normal API next to the big files."""\n')
    line = b"def generated_function_with_a_long_name(a, b):\n    return a + b  # padding padding padding\n"
    n = big_mb * 1_000_000 // len(line)
    (big / "bigpkg" / "huge_generated.py").write_bytes(line * n)
    (big / "bigpkg" / "huge_doc.md").write_bytes(b"## `bigpkg.f()`\n\nSome text here. " * (big_mb * 1_000_000 // 34))
    with (big / "bigpkg" / "huge_corpus.jsonl").open("wb") as f:
        f.write(json.dumps({"name": "bigpkg.corpus_api", "description": "A corpus API."}).encode() + b"\n")
        row = b'{"name": 12345, "description": "a row without a usable name ........................"}\n'
        f.write(row * (big_mb * 1_000_000 // len(row)))
    # `lines` one-statement lines: under the 2 MB source cap; past the extractor's line cap
    # (python_ts.MAX_LINES) it is skipped and counted, since its parse tree alone would cost ~550 MB.
    (big / "bigpkg" / "million_lines.py").write_bytes(b"x\n" * lines)
    r = _run_measured([PY, "-m", "apirec", "index", str(big), "--index", str(workdir / "ix-big"), "--json"], env)
    rep = json.loads(r["stdout"]) if r["exit_code"] == 0 else {}
    out["big_files"] = {"files_mb": big_mb, "million_lines_file_lines": lines, "exit_code": r["exit_code"],
                        "seconds": r["seconds"], "peak_rss_mb": r["peak_rss_mb"], "records": rep.get("records"),
                        "skipped": [{"path": Path(x["path"]).name, "reason": x["reason"]} for x in rep.get("skipped", [])],
                        "progress_shown": "Parsing" in r["stderr"] or "Finding files" in r["stderr"],
                        "stderr_tail": r["stderr"][-300:] if r["exit_code"] else ""}
    many = workdir / "many"
    for i in range(small_files):
        d = many / f"pkg{i // 500}"
        if i % 500 == 0:
            d.mkdir(parents=True, exist_ok=True)
            (d / "__init__.py").write_text("")
        (d / f"mod{i}.py").write_text(f'def handle_item_{i}(value):\n    """Handle item {i} of the queue."""\n    return value\n')
    r = _run_measured([PY, "-m", "apirec", "index", str(many), "--index", str(workdir / "ix-many"), "--json"], env)
    rep = json.loads(r["stdout"]) if r["exit_code"] == 0 else {}
    out["many_files"] = {"files": small_files, "exit_code": r["exit_code"], "seconds": r["seconds"],
                         "peak_rss_mb": r["peak_rss_mb"], "records": rep.get("records"),
                         "skipped": len(rep.get("skipped", [])), "stage_seconds": rep.get("seconds"),
                         "progress_shown": "Parsing" in r["stderr"] or "Embedding" in r["stderr"],
                         "stderr_tail": r["stderr"][-300:] if r["exit_code"] else ""}
    # A no-change refresh of the big repo: everything reused, no re-embedding.
    r2 = _run_measured([PY, "-m", "apirec", "index", str(many), "--index", str(workdir / "ix-many"), "--json"], env)
    rep2 = json.loads(r2["stdout"]) if r2["exit_code"] == 0 else {}
    out["many_files_refresh"] = {"seconds": r2["seconds"], "peak_rss_mb": r2["peak_rss_mb"],
                                 "computed": rep2.get("computed"), "kept": rep2.get("kept"),
                                 "embedded": rep2.get("embedded")}
    return out


# =====================================================================================================
# The command: run everything at full size, write reliability.json and RELIABILITY.md
# =====================================================================================================

LLM_NOTE = ("checked by `pytest tests/test_llm.py` against a local OpenAI-compatible server, not by this command: "
            "endpoint down, slow past the timeout, non-JSON replies and invented API names each return the "
            "offline ranking with the reason logged, and a server error is retried once")


def _home() -> Path:
    from apirec.config import home

    return home()


def run_all(args) -> dict[str, Any]:
    from apirec.build import ensure_default_index

    work = Path(args.workdir)
    work.mkdir(parents=True, exist_ok=True)
    home = _home()
    ensure_default_index()
    only = set(args.only or [])
    res: dict[str, Any] = {}
    if os.path.exists(OUT_JSON):
        try:
            res = json.loads(OUT_JSON.read_text())
        except ValueError:
            res = {}

    flags = {"fuzz": f"--fuzz-files {args.fuzz_files} --workers {args.workers}",
             "publish": f"--kill-runs {args.kill_runs}",
             "concurrency": f"--searches {args.searches} --threads {args.threads} --reindex-runs {args.reindex_runs}",
             "resources": f"--big-mb {args.big_mb} --lines {args.lines} --small-files {args.small_files}"}

    def step(name: str, fn: Callable[[], Any]) -> None:
        if only and name not in only:
            return
        print(f"[reliability] {name} ...", file=sys.stderr, flush=True)
        t = time.perf_counter()
        res[name] = {"result": fn(), "seconds": round(time.perf_counter() - t, 1),
                     "finished": time.strftime("%Y-%m-%d %H:%M"),
                     "command": f"python -m benchmarks.reliability --only {name} {flags.get(name, '')}".strip()}
        OUT_JSON.write_text(json.dumps(res, indent=1, default=str))

    step("fuzz", lambda: fuzz_extractors(args.fuzz_files, workers=args.workers, save_dir=work / "fuzz-cases",
                                         progress=True))
    step("publish", lambda: crash_safe_publish(args.kill_runs, work / "publish"))
    step("concurrency", lambda: concurrency(args.searches, work / "concurrency", threads=args.threads,
                                            reindex_runs=args.reindex_runs))
    step("lsp", lambda: lsp_robustness(home, work / "lsp"))
    step("no_exec", lambda: [no_code_execution(work / "noexec-out", cwd_in_repo=False),
                             no_code_execution(work / "noexec-cwd", cwd_in_repo=True)])
    step("exposure", lambda: {"binds": exposure_binds(home, _small_index(work)),
                              "reads": exposure_file_reads(home, work / "exposure")})
    step("resources", lambda: resource_bounds(work / "resources", big_mb=args.big_mb, lines=args.lines,
                                              small_files=args.small_files))
    res["_machine"] = {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()}
    res["_argv"] = sys.argv[1:]
    OUT_JSON.write_text(json.dumps(res, indent=1, default=str))
    return res


def _small_index(work: Path) -> Path:
    ix = work / "small-ix"
    if not (ix / "CURRENT").exists():
        write_versioned_repo(work / "small-repo", 0)
        subprocess.run(index_cmd(work / "small-repo", ix), env=_env(), check=True, capture_output=True)
    return ix


def render(res: dict[str, Any], argv: str) -> str:
    cmd = "APIREC_HOME=... python -m benchmarks.reliability"
    m = res.get("_machine", {})
    L = ["# apirec reliability and security figures", "",
         f"Generated by `{cmd}` (every section; each section below names its own command) from "
         "`benchmarks/reliability.json`; nothing here is "
         "typed by hand. Each figure has a test in `tests/reliability/` (same code, smaller sizes) that fails "
         "when it stops holding; `--only NAME` reruns one section.", "",
         f"Machine: Python {m.get('python')}, {m.get('cpus')} CPUs, {m.get('platform')}.", "",
         "| figure | result | seconds | finished |", "|---|---|---|---|"]
    rows = []

    def sec(name):
        return res.get(name, {})

    f = sec("fuzz").get("result")
    if f:
        rows.append(("Fuzzed input", f"{f['files']} files x {len(f['extractors'])} extractors: "
                     f"{f['crashes']} crashes, {f['hangs']} hangs"))
    p = sec("publish").get("result")
    if p:
        rows.append(("Crash-safe publish", f"{p['killed']} kill -9 in {p['runs']} runs: {p['loads_ok']}/{p['runs']} "
                     f"loads ok (old {p['outcomes']['old']}, new {p['outcomes']['new']})"))
    c = sec("concurrency").get("result")
    if c:
        rows.append(("Concurrency", f"{c['searches']} searches / {c['threads']} threads during {c['reindex_runs']} "
                     f"re-indexes: {c['errors']} errors, {c['mixed_or_incomplete_answers']} mixed answers"))
    lsp = sec("lsp").get("result")
    if lsp:
        rows.append(("LSP robustness", f"{lsp['survived']}/{lsp['cases']} cases survived"))
    ne = sec("no_exec").get("result")
    if ne:
        rows.append(("No code execution", "; ".join(f"{x['command'].split('(')[-1].rstrip(')')}: "
                                                    f"{len(x['markers_written'])} markers, "
                                                    f"{x['connections_accepted']} connections" for x in ne)))
    rows.append(("LLM stage faults", LLM_NOTE))
    ex = sec("exposure").get("result")
    if ex:
        rows.append(("Exposure", f"defaults loopback: {ex['binds']['all_defaults_loopback']}, non-loopback refused: "
                     f"{ex['binds']['all_non_loopback_refused']}; requests reading outside the workspace: "
                     f"{ex['reads']['cases_reading_outside']}/{ex['reads']['cases']}"))
    r = sec("resources").get("result")
    if r:
        rows.append(("Resource bounds", f"{r['big_files']['files_mb']} MB files + {r['big_files']['million_lines_file_lines']}"
                     f"-line file: {r['big_files']['seconds']} s, {r['big_files']['peak_rss_mb']} MB peak, "
                     f"{len(r['big_files']['skipped'])} skipped; {r['many_files']['files']} files: "
                     f"{r['many_files']['seconds']} s, {r['many_files']['peak_rss_mb']} MB peak"))
    keys = {"Fuzzed input": "fuzz", "Crash-safe publish": "publish", "Concurrency": "concurrency",
            "LSP robustness": "lsp", "No code execution": "no_exec", "Exposure": "exposure",
            "Resource bounds": "resources"}
    for name, text in rows:
        k = keys.get(name)
        L.append(f"| {name} | {text} | {sec(k).get('seconds', '') if k else ''} | {sec(k).get('finished', '') if k else ''} |")
    L.append("")

    def block(title, name, body, only_cmd):
        run = sec(only_cmd).get("command", f"python -m benchmarks.reliability --only {only_cmd}")
        L.extend([f"## {title}", "", f"Command: `APIREC_HOME=... {run}` ({sec(only_cmd).get('seconds')} s, "
                  f"{sec(only_cmd).get('finished')})", ""] + body + [""])

    if f:
        block("1. Fuzzed input", "fuzz", [
            f"{f['files']} files (seed {f['seed']}), each through every extractor ({', '.join(f['extractors'])}) "
            f"in {f['workers']} worker processes with a {f['cap_s']:.0f} s cap per file: "
            f"**{f['crashes']} crashes, {f['hangs']} hangs**; {f['bytes'] / 1e6:.0f} MB in all, largest file "
            f"{f['largest_file']} bytes.", "",
            "Generators (files): " + ", ".join(f"{k} {v}" for k, v in f["by_generator"].items()) + ".", "",
            "Seed files mutated: " + ", ".join(f"{k} {v}" for k, v in f["seed_files"].items()) + ".", "",
            "| extractor | slowest file (s) | slowest case | total (s) |", "|---|---|---|---|"]
            + [f"| {e} | {f['max_seconds'][e]} | {f.get('slowest_case', {}).get(e, '')} | {f['total_seconds'][e]} |"
               for e in f["extractors"]]
            + ["", "Crashes by extractor: " + (", ".join(f"{k} {v}" for k, v in f.get("crashes_by_extractor", {}).items())
                                              or "none") + "; by signature (extractor: generator: error): "
               + (", ".join(f"`{k}` {v}" for k, v in f.get("crashes_by_signature", {}).items()) or "none") + ".",
               "", "Crash cases (first 50): " + ("none" if not f["crash_cases"] else "")]
            + [f"- case {x['case']} `{x['label']}`: {x.get('extractor')}: {x['error']}" for x in f["crash_cases"]]
            + (["", "Hangs: " + ", ".join(f"case {x['case']} `{x['label']}`" for x in f["hang_cases"])] if f["hang_cases"] else []),
            "fuzz")
    if p:
        block("2. Crash-safe publish", "publish", [
            f"`python -m apirec index REPO --index IX` on a {N_MODULES}-module package rewritten before every run "
            f"(a normal run takes {p['run_seconds']} s), SIGKILLed at a random moment (half anywhere, half in the "
            f"last part of the run): {p['killed']} kills in {p['runs']} runs. After every run the index loaded "
            f"with the real `Searcher` (dense + BM25) as one complete version and a search answered: "
            f"**{p['loads_ok']}/{p['runs']}** (old generation {p['outcomes']['old']}, new {p['outcomes']['new']}); "
            f"failures: {len(p['failures'])}.", "",
            "Where the kills landed: " + ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in p["kill_states"].items()) + ".", "",
            f"A normal run after all the kills: {'ok' if p['final_run_ok'] else 'FAILED'}; index folder then: "
            f"`{' '.join(p['index_folder_after_final_run'])}`; stray `CURRENT.tmp*` files before it: "
            f"{p['stray_CURRENT_tmp_files_before_final_run']}."], "publish")
    if c:
        block("3. Concurrency", "concurrency", [
            f"{c['threads']} reader threads (half hybrid, half BM25-only, each reloading its `Searcher` when "
            f"`stale()`) searched **{c['searches']}** times while another process re-indexed {c['reindex_runs']} "
            f"times ({c['generations_seen']} generations seen, {c['reloads_on_stale']} reloads): "
            f"**{c['errors']} errors, {c['mixed_or_incomplete_answers']} answers mixing versions or from an "
            f"incomplete generation**, {c['empty_answers']} empty answers, {c['reindex_errors']} re-index errors.", "",
            f"A reader that kept its first `Searcher` while up to {c['old_reader_newer_generations']} newer "
            f"generation(s) were published (the store keeps {c['keep_generations']}): {c['old_reader_searches']} "
            f"searches, {c['old_reader_errors']} errors."], "concurrency")
    if lsp:
        block("4. LSP robustness", "lsp", [
            f"The real `python -m apirec lsp` over stdio, fed raw frames; after each case a real request must be "
            f"answered: **{lsp['survived']}/{lsp['cases']} survived**; clean shutdown exit code "
            f"{lsp['clean_exit_code']}. Exceptions the server logged and handled (it answered an error or "
            f"dropped the frame, and kept serving): "
            + (", ".join(f"`{k}` x{v}" for k, v in lsp.get("logged_exceptions", {}).items()) or "none") + ".", "",
            "| case | survived | note |", "|---|---|---|"]
            + [f"| {x['case']} | {'yes' if x['survived'] else '**no**'} | {x.get('behaviour', x.get('error', ''))} |"
               for x in lsp["results"]], "lsp")
    if ne:
        body = []
        for x in ne:
            body += [f"- `{x['command']}`: {x['hostile_files']} hostile files (module code, `__init__.py`, setup.py, "
                     f"conftest.py, sitecustomize, .pth, doc and corpus examples{', modules named like apirec dependencies' if 'cwd =' in x['command'] else ''}) "
                     f"that write a marker and connect to a listener on import: exit code {x['exit_code']}, "
                     f"markers written {x['markers_written'] or 'none'}, connections {x['connections_accepted']}, "
                     f"audited socket/process/exec events {x['audit_event_count']}, records indexed from them "
                     f"{x['records_indexed_from_hostile_files']}."]
        block("5. No code execution", "no_exec", body, "no_exec")
    L.extend(["## 6. LLM stage faults", "", LLM_NOTE + ".", ""])
    if ex:
        b = ex["binds"]
        block("7. Exposure", "exposure", [
            "Listening addresses read from /proc/net/tcp*: " + "; ".join(
                f"`apirec {k}` -> {', '.join(v['listening_on']) or 'none'}" for k, v in b["defaults"].items()) + ".", "",
            f"Non-loopback hosts without `--allow-remote` ({', '.join(sorted({r['host'] for r in b['refusals']}))}; "
            f"lsp and mcp): refused {sum(r['refused'] for r in b['refusals'])}/{len(b['refusals'])}; with "
            f"`--allow-remote` the LSP binds {', '.join(b['allow_remote_binds'])}.", "",
            f"File reads (audit hook in the real server, outside folder, `..` path, symlink, symlinked folder): "
            f"**{ex['reads']['cases_reading_outside']}/{ex['reads']['cases']} cases read a file outside the "
            f"workspace**:"] + [f"- {x['case']}: {'; '.join(x['reads'])}" for x in ex["reads"]["reading_cases"]],
            "exposure")
    if r:
        bf, mf, rf = r["big_files"], r["many_files"], r["many_files_refresh"]
        block("8. Resource bounds", "resources", [
            f"`python -m apirec index` (progress on) of a repo with a {bf['files_mb']} MB .py, a {bf['files_mb']} MB "
            f".md, a {bf['files_mb']} MB JSONL corpus and a {bf['million_lines_file_lines']}-line module: exit "
            f"{bf['exit_code']}, **{bf['seconds']} s, peak RSS {bf['peak_rss_mb']} MB**, {bf['records']} records, "
            f"progress shown: {bf['progress_shown']}; skipped and counted in the build report:"]
            + [f"- {x['path']}: {x['reason']}" for x in bf["skipped"]] + [
            "", f"{mf['files']} small modules: exit {mf['exit_code']}, **{mf['seconds']} s, peak RSS "
            f"{mf['peak_rss_mb']} MB**, {mf['records']} records, {mf['skipped']} skipped, stages "
            f"{mf['stage_seconds']}; progress shown: {mf['progress_shown']}. A no-change refresh: {rf['seconds']} s, "
            f"{rf['peak_rss_mb']} MB, parsed {rf['computed']}, reused {rf['kept']}, embedded {rf['embedded']}."],
            "resources")
    return "\n".join(L) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.reliability", description=__doc__.split("\n")[0])
    ap.add_argument("--only", action="append", choices=["fuzz", "publish", "concurrency", "lsp", "no_exec",
                                                        "exposure", "resources"])
    ap.add_argument("--fuzz-files", type=int, default=10_000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--kill-runs", type=int, default=50)
    ap.add_argument("--searches", type=int, default=2_000)
    ap.add_argument("--threads", type=int, default=4)
    ap.add_argument("--reindex-runs", type=int, default=4)
    ap.add_argument("--big-mb", type=int, default=50)
    ap.add_argument("--lines", type=int, default=1_000_000)
    ap.add_argument("--small-files", type=int, default=20_000)
    ap.add_argument("--workdir", default=os.path.join(tempfile.gettempdir(), "apirec-reliability"))
    args = ap.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import warnings

    warnings.filterwarnings("ignore")
    res = run_all(args)
    OUT_MD.write_text(render(res, ""))
    print(f"wrote {OUT_MD}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
