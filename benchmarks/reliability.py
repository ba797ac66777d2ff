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
import resource
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
from multiprocessing.connection import wait as mp_wait
from pathlib import Path
from typing import Any, Callable

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
    if r < 0.18:
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


def fuzz_extractors(n_files: int, *, seed: int = 20260101, workers: int = 2, cap_s: float = 30.0,
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
                        max_time[e] = max(max_time[e], s)
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
        "crash_cases": crashes[:50], "hang_cases": hangs[:50],
        "by_generator": dict(sorted(by_gen.items(), key=lambda kv: -kv[1])),
        "seed_files": {k: len(v) for k, v in seeds.items()},
        "bytes": total_bytes, "largest_file": biggest,
        "max_seconds": {k: round(v, 3) for k, v in max_time.items()},
        "total_seconds": {k: round(v, 1) for k, v in total_time.items()},
        "seconds": round(time.perf_counter() - t0, 1),
    }
