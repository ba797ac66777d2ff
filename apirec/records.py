"""The one record type passed between indexer, store, recommender, servers and benchmarks."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass, field, replace
from typing import Any

KINDS = (
    "module",
    "class",
    "function",
    "method",
    "property",
    "attribute",
    "constant",
    "constructor",
)


@dataclass(frozen=True)
class Param:
    name: str
    annotation: str = ""
    default: str = ""
    doc: str = ""
    kind: str = "positional_or_keyword"  # as inspect.Parameter kinds, lowercased


@dataclass(frozen=True)
class Example:
    code: str
    source: str = ""  # where it was found: "docstring", a doc file path, "usage:<file>"
    title: str = ""


@dataclass(frozen=True)
class ApiRecord:
    """One API (module, class, function, ...) as apirec knows it.

    `public_path` is the name users write (``pandas.read_csv``); `canonical_path` is where it is
    defined (``pandas.io.parsers.readers.read_csv``); `aliases` are other public names.
    """

    public_path: str
    canonical_path: str
    kind: str
    language: str = "python"
    signature: str = ""
    summary: str = ""
    doc: str = ""
    params: tuple[Param, ...] = ()
    returns: str = ""
    aliases: tuple[str, ...] = ()
    origin: str = ""  # distribution name, "stdlib", a corpus file or a repository path
    origin_version: str = ""
    file: str = ""
    line: int = 0
    deprecated: bool = False
    private: bool = False
    examples: tuple[Example, ...] = ()
    source_id: str | None = None  # the row id when the record came from a JSON corpus
    extra: tuple[tuple[str, str], ...] = ()

    @property
    def id(self) -> str:
        """Stable id: the same API from the same origin keeps its id across re-indexing."""
        # public_path too: an inherited Java member shares its canonical path with the declaring one.
        key = f"{self.language}\x00{self.origin}\x00{self.canonical_path}\x00{self.kind}\x00{self.public_path}"
        return hashlib.blake2b(key.encode(), digest_size=8).hexdigest()

    @property
    def name(self) -> str:
        return self.public_path.rsplit(".", 1)[-1]

    @property
    def parent(self) -> str:
        return self.public_path.rsplit(".", 1)[0] if "." in self.public_path else ""

    def with_(self, **changes: Any) -> ApiRecord:
        return replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["id"] = self.id
        d["name"] = self.name
        return d

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ApiRecord:
        d = dict(d)
        d.pop("id", None)
        d.pop("name", None)
        d["params"] = tuple(Param(**p) for p in d.get("params", ()))
        d["examples"] = tuple(Example(**e) for e in d.get("examples", ()))
        d["aliases"] = tuple(d.get("aliases", ()))
        d["extra"] = tuple(tuple(x) for x in d.get("extra", ()))
        return cls(**d)

    @classmethod
    def from_json(cls, s: str) -> ApiRecord:
        return cls.from_dict(json.loads(s))


def format_signature(params: tuple[Param, ...] | list[Param], returns: str = "") -> str:
    """`(a, /, b=1, *, c, **kw) -> str` from parameters, with the `/` and `*` markers."""
    out: list[str] = []
    kinds = [p.kind for p in params]
    for i, p in enumerate(params):
        if p.kind == "keyword_only" and "var_positional" not in kinds and (i == 0 or kinds[i - 1] != "keyword_only"):
            out.append("*")
        s = {"var_positional": "*", "var_keyword": "**"}.get(p.kind, "") + p.name
        if p.annotation:
            s += f": {p.annotation}"
        if p.default:
            s += f" = {p.default}" if p.annotation else f"={p.default}"
        out.append(s)
        if p.kind == "positional_only" and (i + 1 == len(params) or kinds[i + 1] != "positional_only"):
            out.append("/")
    return "(" + ", ".join(out) + ")" + (f" -> {returns}" if returns else "")


def asked_names(text: str) -> tuple[str, ...]:
    """The names to look up, in turn, for an API's name as a user or an agent may write it: as given
    (a Javadoc overload's canonical name ends in its parameter types: `java.util.List.add(int,E)`),
    then without a call's arguments or a trailing dot (`json.loads(s)`, `json.` -> `json.loads`,
    `json`). Empty when nothing names an API (``, `()`)."""
    name = text.strip()
    written = name[: name.index("(")] if name.endswith(")") and "(" in name else name
    written = written.strip().rstrip(".")
    if not written:
        return ()
    return (name,) if written == name else (name, written)


_WHOLE_CALL = re.compile(r"[A-Za-z_][\w.]*\(")


def is_whole_call(sig: str) -> bool:
    """Whether a signature is a call of its own rather than what follows the name: a model hub entry's
    `torch.hub.load(repo_or_dir='hustvl/yolop', model='yolop')`, where other signatures are `(s, *,
    cls=None)` or ` = 2`."""
    return bool(_WHOLE_CALL.match(sig))


def after_name(r: ApiRecord, sig: str | None = None) -> str:
    """What follows a record's name where a list or a hover shows it: its signature (`sig`, default: the
    whole one), none for a module. A signature that is a call of its own follows after a dash: glued
    on, a model hub entry read `torch.hub.load.hustvl_yolop.yoloptorch.hub.load(...)`."""
    sig = r.signature if sig is None else sig
    if r.kind == "module" or not sig:
        return ""
    return f" \u2014 {sig}" if is_whole_call(sig) else sig


def as_code(r: ApiRecord, sig: str) -> str:
    """The record written as code with signature `sig`: a call of its own (a model hub entry's
    `torch.hub.load(...)`) as it is, else the public path and `sig` (`json.loads(s, *, cls=None)`)."""
    return sig if is_whole_call(sig) else r.public_path + sig


def declaration(r: ApiRecord, name: str | None = None) -> str:
    """`name` (default: the record's public path) and what follows it (`after_name`)."""
    return (r.public_path if name is None else name) + after_name(r)


def brief_signature(sig: str, limit: int = 160) -> str:
    """A signature cut for a list of answers: the parameters that fit in about `limit` characters, then
    `...` and what it returns. `pandas.read_csv` has 49 parameters (1,800 characters); the full one is
    for `show` and get_api."""
    if len(sig) <= limit:
        return sig
    start = sig.find("(")
    if start < 0:
        return sig[: limit - 3].rstrip() + "..."
    params, depth, quote, cur, end = [], 0, "", start + 1, -1
    for i in range(start + 1, len(sig)):
        ch = sig[i]
        if quote:
            if ch == quote and sig[i - 1] != "\\":
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch in "([{<":
            depth += 1
        elif ch in "]}>" and not (ch == ">" and sig[i - 1] == "-"):
            depth -= 1
        elif ch == ")":
            if depth == 0:
                params.append(sig[cur:i].strip())
                end = i
                break
            depth -= 1
        elif ch == "," and depth == 0:
            params.append(sig[cur:i].strip())
            cur = i + 1
    if end < 0:  # unbalanced: cut as text
        return sig[: limit - 3].rstrip() + "..."
    rest = " ".join(sig[end + 1:].split())
    if len(rest) > 60:
        rest = rest[:57].rstrip() + "..."
    head, room, kept = sig[: start + 1], limit - start - len(rest) - 7, []
    for p in params:
        p = " ".join(p.split())
        if kept and sum(len(k) + 2 for k in kept) + len(p) > room:
            break
        kept.append(p if len(p) <= room else p[: max(room, 20)].rstrip() + "...")
    tail = " " + rest if rest and not rest.startswith(":") else rest
    if len(kept) == len(params):
        return head + ", ".join(kept) + ")" + tail
    if kept and kept[-1] == "*":  # what follows is keyword-only, and all of it is cut
        kept.pop()
    return head + ", ".join(kept + ["..."]) + ")" + tail


def base_paths(base: str, cls: ApiRecord) -> tuple[str, str, str]:
    """Where a base class written `base` in class `cls` may be: as named, in the class's module (an
    import there), a builtin."""
    return base, f"{cls.canonical_path.rsplit('.', 1)[0]}.{base}", f"builtins.{base}"


def written_bases(r: ApiRecord) -> list[str]:
    """The base classes a class record names, as written, without type arguments and without `object`:
    "NDFrame,OpsMixin" -> [NDFrame, OpsMixin]; "Mapping[str, int], Generic[T]" -> [Mapping, Generic]."""
    out: list[str] = []
    for k, v in r.extra:
        if k != "bases":
            continue
        depth, part = 0, []
        for ch in v + ",":
            if ch == "[":
                depth += 1
            elif ch == "]":
                depth -= 1
            elif ch == "," and depth <= 0:
                name = "".join(part).strip()
                if name and name not in ("object", "builtins.object"):
                    out.append(name)
                part = []
            elif depth <= 0:
                part.append(ch)
    return out


_CALL_HEAD = re.compile(r"\s*(?:--\s*)?[A-Za-z_][\w.]*\(")


def _is_signature(para: str) -> bool:
    """Whether a docstring paragraph is only signatures, `--` lines included (numpy's C functions:
    `zeros(shape, dtype=None)`, `concatenate(\n    arrays, /, axis=0,\n)`, `range(stop) -> range
    object`)."""
    text = "\n".join(" ".join(line.split()) for line in para.strip().splitlines())
    pos = 0
    while pos < len(text):
        m = _CALL_HEAD.match(text, pos)
        if m is None:
            return text[pos:].strip() in ("", "--")
        depth, i = 1, m.end()
        while i < len(text) and depth:
            depth += {"(": 1, ")": -1}.get(text[i], 0)
            i += 1
        if depth:
            return False
        # What it gives, to the end of its line: "-> range object", "-> opts, args".
        tail = re.match(r"[ \t]*(?:-+>[^\n]*)?\s*(?:--)?\s*", text[i:])
        pos = i + tail.end()
    return True


# Older C docstrings open with "arguments -> result": "string, format -> new datetime parsed from a
# string" (datetime.strptime, the README's first answer), "datetime -> string name of time zone".
_ARROW = re.compile(r"(?:[a-z_][^>]{0,60}?|[\w.]+\(.*?\))\s*-+>\s*(?P<result>[a-z]\w+[,\s].*)")


def returns_sentence(text: str) -> str:
    """"args -> what it gives" as the sentence it means ("Return what it gives"); other text as it is."""
    m = _ARROW.fullmatch(text)
    if m is None or "->" in m["result"]:
        return text
    return "Return " + m["result"]


# An RST title's over- or underline ("=====", "~~~"), and the sections a docstring's description ends at.
_RULE = re.compile(r"[ \t]*([=\-~^*#+`])\1{2,}[ \t]*")
_SECTIONS = frozenset({"parameters", "params", "args", "arguments", "returns", "yields", "raises",
                       "attributes", "methods", "examples", "notes", "see also", "other parameters",
                       "references"})


def summarize(doc: str) -> str:
    """First sentence (or first paragraph line) of a docstring, whitespace-folded."""
    text = doc.strip()
    if not text:
        return ""
    paras = [p for p in text.split("\n\n") if p.strip()]
    # C functions' docstrings open with their signature: `where(condition, [x, y], /)`, `--`.
    while len(paras) > 1 and _is_signature(paras[0]):
        paras.pop(0)
    # A module's RST title is its summary without the rules: "Discrete Fourier Transform", not
    # "Discrete Fourier Transform ==========================".
    lines = [line for line in paras[0].split("\n") if not _RULE.fullmatch(line)]
    if len(lines) < paras[0].count("\n") + 1:
        if lines and lines[0].strip().rstrip(":").lower() in _SECTIONS:
            return ""  # no description, only sections ("Parameters\n----------")
        paras = ["\n".join(lines)] + paras[1:] if lines else paras[1:] or [""]
    para = " ".join(paras[0].split())
    # A sentence ends at ". " followed by an upper-case letter or at the end of the paragraph.
    for i in range(len(para) - 1):
        if para[i] == "." and para[i + 1] == " " and i + 2 < len(para) and para[i + 2].isupper():
            return returns_sentence(para[: i + 1])
    return returns_sentence(para[:300])


@dataclass(frozen=True)
class Hit:
    """A ranked answer: the record, its fused score and the signals that put it there."""

    record: ApiRecord
    score: float
    rank: int
    why: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        r = self.record
        return {
            "rank": self.rank,
            "score": round(self.score, 6),
            "id": r.id,
            "public_path": r.public_path,
            "canonical_path": r.canonical_path,
            "kind": r.kind,
            "language": r.language,
            "signature": r.signature,
            "summary": r.summary,
            "origin": r.origin,
            "version": r.origin_version,
            "file": r.file,
            "line": r.line,
            "source_id": r.source_id,
            "why": self.why,
        }
