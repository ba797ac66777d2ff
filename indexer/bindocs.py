"""Docstrings of compiled extension modules, read from the file's bytes: the module is never loaded.

A package's stubs declare what its C code defines (`maximum: _UFunc_Nin2_Nout1[...]`) but not what it
does; the docstrings are string constants in the extension module. Two kinds are matched to names:

* CPython's text signature form, `name(args)\\n--\\n\\n<doc>` (functions of most C extensions): by name;
* numpydoc sections without a name (numpy's ufuncs get theirs at run time): by the undocumented names
  their Examples call (`np.maximum(...)`), in the order the extension lists its docstrings. A code
  generator writes them in one order (numpy's by name), so of the names a docstring's examples call,
  the one that keeps that order is its own: the examples of `logaddexp` call `np.log` first, but its
  docstring comes after `log2`'s. Where the extension has a stub of its own name (pandas'
  `_libs/lib.pyi`, `tslibs/timestamps.pyi`: Cython, docstrings in source order), a docstring goes to
  the stub's definition its examples call first (`pd.api.types.is_bool(...)`, `pd.Timestamp.now()`),
  when no other docstring of the file calls that one first.
"""

from __future__ import annotations

import inspect
import re
from collections import Counter

MAX_BYTES = 64_000_000  # extension modules are a few MB; larger binaries are bundled libraries
MAX_DOCS = 5000
MAX_DOC_CHARS = 20_000
_RUN = re.compile(rb"[\t\n\r\x20-\x7e\x80-\xff]{24,}")  # text (UTF-8 too) between the binary's NULs
_TEXT_SIGNATURE = re.compile(r"([A-Za-z_]\w*)\((?:[^()\n]|\([^()\n]*\))*\)[^\n]*\n--\n\n")
# Cython's embedded signature: the docstring's first line (`default_rng(seed=None)`).
_SIGNATURE_LINE = re.compile(r"([A-Za-z_]\w*)\((?:[^()\n]|\([^()\n]*\))*\)(?:\s*->[^\n]*)?\n")
_SECTION = re.compile(r"\n[ \t]*(?:Parameters|Returns)\n[ \t]*-{3,}\n")
# Sections, also where a docstring's lines are not all indented alike (cleandoc leaves them so).
_RETURNS = re.compile(r"\n[ \t]*(?:Returns|Yields)\n[ \t]*-{3,}\n")
_EXAMPLES = re.compile(r"\n[ \t]*Examples\n[ \t]*-{3,}\n")
_CALL = re.compile(r"\b([A-Za-z_]\w*)\.([A-Za-z_]\w*)\(")  # `np.maximum(`, `pd.Timestamp.now(`
# An extension module's file name: `name.cpython-311-x86_64-linux-gnu.so`, `name.abi3.so`, `name.pyd`;
# not a bundled library (`libtorch_cpu.so`).
_EXTENSION_FILE = re.compile(r"^(?:(?!lib)([A-Za-z_]\w*)\.(?:so|pyd)"
                             r"|([A-Za-z_]\w*)\.(?:cpython-[\w-]+|abi3|cp\d+[\w-]*|pypy[\w-]*)\.(?:so|pyd))$")


def extension_module(filename: str) -> str | None:
    """The module name of an extension module's file name, or None for any other file."""
    m = _EXTENSION_FILE.match(filename)
    return (m.group(1) or m.group(2)) if m else None


def docstrings(data: bytes) -> list[str]:
    """The docstring-like strings of a binary, in file order."""
    out: list[str] = []
    for m in _RUN.finditer(data):
        if b"--" not in m.group():  # both kinds have a rule: most strings go here, undecoded
            continue
        s = inspect.cleandoc(m.group().decode("utf-8", "replace"))  # Cython keeps the source's indent
        if _TEXT_SIGNATURE.match(s) or _SECTION.search(s):
            out.append(s[:MAX_DOC_CHARS])
            if len(out) >= MAX_DOCS:
                break
    return out


def _calls(doc: str, names: set[str]) -> list[str]:
    """What a docstring's Examples call, in order: `Owner.name` where that is one of `names`, else
    the name (`np.maximum(` -> maximum, `pd.Timestamp.now(` -> Timestamp.now)."""
    parts = _EXAMPLES.split(doc, maxsplit=1)
    if len(parts) < 2:
        return []
    return [f"{o}.{n}" if f"{o}.{n}" in names else n for o, n in _CALL.findall(parts[1])]


def match_module(docs: list[str], names: set[str], classes: frozenset[str] = frozenset()) -> dict[str, str]:
    """Docstrings for the undocumented definitions (`names`: `is_bool`, `Timestamp.now`) of the stub
    of the extension's own name: by a signature line (`default_rng(seed=None)`), else the definition
    the examples call first, where no other docstring calls it first. Not a class (in `classes`) by a
    docstring that says what comes back (a Returns section) or whose examples go on to call one of the
    stub's undocumented members (`td.view(...)`): a member's examples make its class first
    (`freq = pd.offsets.Day(); freq.is_on_offset(ts)`)."""
    members = {q.rsplit(".", 1)[1] for q in names if "." in q}
    out: dict[str, str] = {}
    claims: dict[str, list[str]] = {}
    for d in docs:
        text_signature = _TEXT_SIGNATURE.match(d)
        m = text_signature or _SIGNATURE_LINE.match(d)
        if m is not None and m.group(1) in names:
            # A text signature is no part of the doc; an embedded one is its first paragraph, which
            # summaries skip.
            out.setdefault(m.group(1), d[m.end():].strip() if text_signature else d.strip())
            continue
        if text_signature:
            continue
        calls = _calls(d, names)
        first = next((c for c in calls if c in names), None)
        if first is None:
            continue
        if first in classes and (_RETURNS.search(d) or any(c.rsplit(".", 1)[-1] in members for c in calls)):
            continue
        claims.setdefault(first, []).append(d)
    for name, ds in claims.items():
        if len(ds) == 1:
            out.setdefault(name, ds[0].strip())
    return out


def match(docs: list[str], names: set[str]) -> dict[str, str]:
    """Docstrings for undocumented `names` (short names): name -> doc (a text signature line removed)."""
    out: dict[str, str] = {}
    unnamed: list[str] = []
    for d in docs:
        m = _TEXT_SIGNATURE.match(d)
        if m is None:
            unnamed.append(d)
        elif m.group(1) in names and m.group(1) not in out:
            out[m.group(1)] = d[m.end():].strip()
    options: list[list[tuple[str, float]]] = []
    for d in unnamed:
        calls = _calls(d, names)
        counts = Counter(c for c in calls if c in names and c not in out)
        # Examples open with the function they show (`np.add(1.0, 4.0)`, then `np.arange(9.0)`).
        opts = [(c, 1.0 + (0.5 if c == calls[0] else 0.0) + 0.01 * n) for c, n in counts.items()]
        if calls and calls[0] not in counts:
            # The first call is a documented function (`np.log1p`, whose examples then call `np.log`):
            # as an option it can take the docstring out of the running, never win a name.
            opts.append((calls[0], 1.0))
        options.append(opts)
    for i, name in _increasing_chain(options):
        if name in names:
            out.setdefault(name, unnamed[i].strip())
    return out


def _increasing_chain(options: list[list[tuple[str, float]]]) -> list[tuple[int, str]]:
    """One name per document (or none), names strictly increasing with the documents' order, of the
    largest total weight: (document index, name) pairs."""
    universe = sorted({n for opts in options for n, _ in opts})
    rank = {n: i + 1 for i, n in enumerate(universe)}
    size = len(universe)
    tree: list[tuple[float, int]] = [(0.0, -1)] * (size + 1)  # Fenwick tree of prefix maxima: (total, node)
    nodes: list[tuple[int, str, int]] = []  # (document, name, previous node)

    def best_below(r: int) -> tuple[float, int]:
        got = (0.0, -1)
        while r > 0:
            got = max(got, tree[r])
            r -= r & -r
        return got

    def update(r: int, value: tuple[float, int]) -> None:
        while r <= size:
            if value > tree[r]:
                tree[r] = value
            r += r & -r

    for i, opts in enumerate(options):
        # All options of one document read the chains of earlier documents only.
        found = [(best_below(rank[n] - 1), n, w) for n, w in opts]
        for (total, prev), n, w in found:
            nodes.append((i, n, prev))
            update(rank[n], (total + w, len(nodes) - 1))
    total, node = best_below(size)
    chain: list[tuple[int, str]] = []
    while node >= 0:
        i, n, node = nodes[node]
        chain.append((i, n))
    return chain[::-1]
