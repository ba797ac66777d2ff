"""API corpora given as JSON arrays or JSON Lines (PrivateLibrary's monkey/beatnum docs, Gorilla's API database).

A row becomes one ApiRecord; a bad row becomes a warning naming its line (or array element) and the rest
of the file is kept.
"""

from __future__ import annotations

import json
import pathlib
import re
from typing import Any

from apirec.records import ApiRecord, Example, Param, summarize

from .docs import parse_params

__all__ = ["is_corpus_file", "parse_corpus"]

_NAME_KEYS = ("api", "name", "api_call")
_TEXT_KEYS = ("doc", "signature", "description", "functionality")
_DOTTED = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*")
_KINDS = {"module", "class", "function", "method", "property", "attribute", "constant", "constructor"}


def _s(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return "\n".join(value)
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _ident(text: str) -> str:
    return re.sub(r"\W+", "_", text).strip("_")


def _kwarg(call: str, key: str) -> str:
    m = re.search(rf"\b{key}\s*=\s*['\"]([^'\"]*)['\"]", call)
    return m.group(1) if m else ""


def _gorilla_record(row: dict[str, Any], call: str, origin: str, file: str, line: int) -> ApiRecord:
    """A Gorilla row documents one model loaded through a generic loader (``torch.hub.load``).

    Every row shares the loader's name, so the public path adds repository and model
    (``torch.hub.load.pytorch_vision.resnet50``) to keep one distinct, searchable record per row.
    """
    func = call.split("(", 1)[0].strip()
    strings = re.findall(r"['\"]([^'\"]*)['\"]", call)
    repo = _kwarg(call, "repo_or_dir") or _kwarg(call, "repo") or (strings[0] if strings else "")
    model = _kwarg(call, "model") or (strings[1] if len(strings) > 1 and "=" not in call else "")
    model = model or _s(row.get("api_name"))
    path = ".".join(p for p in (func, _ident(repo), _ident(model)) if p) or f"row{row.get('id', line)}"
    domain, functionality = _s(row.get("domain")), _s(row.get("functionality"))
    description = _s(row.get("description")) or _s(row.get("doc"))
    head = " ".join(x for x in (functionality, f"({domain})" if domain else "") if x)
    summary = f"{head}: {summarize(description)}" if head and description else head or summarize(description)
    perf = row.get("performance")
    doc = "\n\n".join(x for x in (
        f"{domain}. {functionality}. {_s(row.get('api_name'))}. Repository {repo}, model {model}.",
        description,
        f"Performance: {_s(perf)}" if perf else "",
    ) if x)
    params = list(parse_params(call[len(func):]))
    args = row.get("api_arguments")
    if isinstance(args, dict):  # extra keyword arguments the model entry point accepts
        known = {p.name for p in params}
        params += [Param(str(k), default=_s(v)) for k, v in args.items() if _DOTTED.fullmatch(str(k))
                   and str(k) not in known and k not in ("repository", "repo", "model", "model_name")]
    code = _s(row.get("example_code")) or call
    extra = tuple((k, _s(row.get(k))) for k in ("domain", "framework", "api_name") if row.get(k))
    if row.get("python_environment_requirements"):
        extra += (("requirements", ", ".join(map(str, row["python_environment_requirements"]))),)
    return ApiRecord(
        public_path=path, canonical_path=path, kind="function", language="python", signature=call,
        summary=summary, doc=doc, params=tuple(params), origin=origin, file=file, line=line,
        examples=(Example(code, source=file, title=model or path),), extra=extra,
    )


def _plain_record(row: dict[str, Any], origin: str, file: str, line: int) -> ApiRecord | None:
    api = _s(row.get("api")) or _s(row.get("name")) or _s(row.get("api_name"))
    paren = api.find("(")
    name = (api[:paren] if paren >= 0 else api).strip()
    if not _DOTTED.fullmatch(name):
        return None
    sig = _s(row.get("signature")) or (api[paren:] if paren >= 0 else "")
    p = sig.find("(")
    if p > 0 and _DOTTED.fullmatch(sig[:p].strip()):  # "average(self, axis=None)" -> "(self, axis=None)"
        sig = sig[p:]
    doc = _s(row.get("doc")) or _s(row.get("description")) or _s(row.get("functionality"))
    kind = _s(row.get("kind")) or _s(row.get("type"))
    if kind not in _KINDS:
        kind = "class" if name.rsplit(".", 1)[-1][:1].isupper() and not sig.startswith("(self") else "function"
    examples = ()
    if row.get("example_code"):
        examples = (Example(_s(row["example_code"]), source=file, title=name),)
    extra = tuple((k, _s(row[k])) for k in ("text_id", "domain", "framework") if k in row)
    return ApiRecord(
        public_path=name, canonical_path=name, kind=kind, language=_s(row.get("language")) or "python",
        signature=sig, summary=summarize(doc), doc=doc, params=parse_params(sig), origin=origin, file=file,
        line=line, examples=examples, extra=extra,
    )


MAX_WARNINGS = 20  # per file; a corpus of 600k bad rows must not become 600k log lines in memory


class _Warnings(list):
    """A list of the first MAX_WARNINGS warnings that counts the rest."""

    def __init__(self):
        super().__init__()
        self.more = 0

    def append(self, w: str) -> None:
        if len(self) < MAX_WARNINGS:
            super().append(w)
        else:
            self.more += 1

    def final(self) -> list[str]:
        return list(self) + ([f"... and {self.more} more skipped rows"] if self.more else [])


def _rows(text: str, warnings: list[str], file: str):
    """``(line, label, value)`` for every row, streamed; JSON arrays label rows by element index."""
    body = text.lstrip("\ufeff \t\r\n")
    if body.startswith("["):
        try:
            data = json.loads(body)
        except (json.JSONDecodeError, RecursionError) as e:
            warnings.append(f"{file}: invalid JSON array: {e}")
            return []
        if isinstance(data, list):
            yield from ((0, f"element {k}", row) for k, row in enumerate(data))
            return
    k, start, n = 0, 0, len(text)
    while start < n:  # line by line without materialising every line (or every row) at once
        end = text.find("\n", start)
        end = n if end < 0 else end
        line, start, k = text[start:end], end + 1, k + 1
        if not line.strip():
            continue
        try:
            yield k, f"line {k}", json.loads(line)
        except (json.JSONDecodeError, RecursionError) as e:
            warnings.append(f"{file}:{k}: invalid JSON: {getattr(e, 'msg', e)}")


def parse_corpus(
    path: pathlib.Path, text: str | None = None, origin: str | None = None
) -> tuple[list[ApiRecord], list[str]]:
    """Records from a JSON array / JSON Lines API corpus, and warnings for the rows that were skipped."""
    if text is None:
        text = path.read_text(encoding="utf-8", errors="replace")
    file = str(path)
    origin = origin or path.stem
    warnings = _Warnings()
    records: list[ApiRecord] = []
    seen: set[str] = set()
    for line, label, row in _rows(text, warnings, file):
        if not isinstance(row, dict):
            warnings.append(f"{file}: {label}: not a JSON object")
            continue
        # Gorilla rows nest the original database entry under "record"; top-level fields win.
        merged = {**row["record"], **row} if isinstance(row.get("record"), dict) else row
        call = _s(merged.get("api_call")) or _s(merged.get("api"))
        if "api_call" in merged or re.match(r"[\w.]*hub\.load\s*\(", call):
            rec = _gorilla_record(merged, call, origin, file, line)
        else:
            rec = _plain_record(merged, origin, file, line)
        if rec is None:
            warnings.append(f"{file}: {label}: no usable API name")
            continue
        if "id" in row and row["id"] is not None:
            rec = rec.with_(source_id=str(row["id"]))
        if rec.public_path in seen:  # keep every row addressable under its own id
            suffix = rec.source_id or str(line or len(records))
            rec = rec.with_(public_path=f"{rec.public_path}_{_ident(suffix)}",
                            canonical_path=f"{rec.canonical_path}_{_ident(suffix)}")
        seen.add(rec.public_path)
        records.append(rec)
    return records, warnings.final()


def _first_object(text_head: str) -> Any:
    """The first array element, or the first line of JSON Lines (a lone pretty-printed object such as
    ``package.json`` is configuration, not a corpus, and does not parse from its first line)."""
    body = text_head.lstrip("\ufeff \t\r\n")
    try:
        if body.startswith("["):
            return json.JSONDecoder().raw_decode(body[1:].lstrip())[0]
        return json.loads(body.split("\n", 1)[0])
    except (json.JSONDecodeError, RecursionError):
        return None


def is_corpus_file(path: pathlib.Path, text_head: str) -> bool:
    """Whether ``text_head`` starts like an API corpus: an object with a name key and a text key."""
    obj = _first_object(text_head)
    return (isinstance(obj, dict) and any(k in obj for k in _NAME_KEYS)
            and any(k in obj for k in _TEXT_KEYS))
