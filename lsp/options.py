"""Server settings: fully defaulted dataclasses. Invalid values fall back to defaults (with messages).

Accepted from `initializationOptions` (either `{"apirec": {...}}` or the settings themselves) and from
`workspace/configuration` section "apirec"; keys may be snake_case or camelCase.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields, is_dataclass
from typing import Any

import cattrs


@dataclass
class LlmOptions:
    """The OpenAI-compatible endpoint for inline completion (`textDocument/inlineCompletion`): off while
    base_url is empty. The API key comes from the environment (APIREC_LLM_API_KEY or OPENAI_API_KEY),
    never from settings; the model defaults to APIREC_LLM_MODEL."""

    base_url: str = ""  # e.g. http://127.0.0.1:8000/v1
    model: str = ""
    timeout: float = 10.0  # seconds for one call; past it the request answers no items
    max_tokens: int = 256
    apis: int = 5  # retrieved APIs shown to the model


@dataclass
class FeatureOptions:
    diagnostics: bool = True  # "unknown API" warnings
    nl_comments: bool = True  # `# read a json string` -> API suggestions
    hover: bool = True
    signature_help: bool = True
    workspace_index: bool = True  # index the workspace folder at startup
    inline_completion: bool = True  # served only when llm.base_url is set


@dataclass
class Options:
    index_paths: list[str] = field(default_factory=list)  # extra index folders to search
    extra_packages: list[str] = field(default_factory=list)  # `pkg:NAME` sources, indexed on demand
    ignore_globs: list[str] = field(default_factory=list)  # workspace files never re-indexed
    max_completions: int = 50
    llm: LlmOptions = field(default_factory=LlmOptions)
    features: FeatureOptions = field(default_factory=FeatureOptions)


def _strict(tp):
    def hook(v, _t):
        if tp is int and (isinstance(v, bool) or not isinstance(v, int)):
            raise TypeError(f"expected an integer, got {v!r}")
        if tp is float:
            if isinstance(v, bool) or not isinstance(v, (int, float)):
                raise TypeError(f"expected a number, got {v!r}")
            return float(v)
        if tp is not int and not isinstance(v, tp):
            raise TypeError(f"expected {tp.__name__}, got {v!r}")
        return v
    return hook


def _str_list(v, _t):
    # cattrs would happily turn "abc" into ["a", "b", "c"]: only real lists of strings pass.
    if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
        raise TypeError(f"expected a list of strings, got {v!r}")
    return list(v)


_conv = cattrs.Converter()
for _tp in (str, bool, int, float):
    _conv.register_structure_hook(_tp, _strict(_tp))
_conv.register_structure_hook_func(lambda t: t == list[str], _str_list)

_CHECKS = {
    "max_completions": lambda v: 1 <= v <= 1000 or "must be between 1 and 1000",
    "extra_packages": lambda v: all(x.startswith("pkg:") and len(x) > 4 for x in v)
    or "entries must look like pkg:NAME",
    "base_url": lambda v: not v or re.match(r"^https?://", v) is not None or "must be an http(s) URL",
    "timeout": lambda v: 0.1 <= v <= 300 or "must be between 0.1 and 300 seconds",
    "max_tokens": lambda v: 1 <= v <= 8192 or "must be between 1 and 8192",
    "apis": lambda v: 0 <= v <= 20 or "must be between 0 and 20",
}


def _snake(key: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", key).lower()


def _build(cls, raw: Any, path: str, errors: list[str]):
    out = cls()
    if raw is None:
        return out
    if not isinstance(raw, dict):
        errors.append(f"{path or 'settings'}: expected an object, got {type(raw).__name__}; using defaults")
        return out
    known = {f.name: f for f in fields(cls)}
    for key, value in raw.items():
        name = _snake(str(key))
        f = known.get(name)
        where = f"{path}.{name}" if path else name
        if f is None:
            errors.append(f"unknown setting {where!r} ignored")
            continue
        tp = f.type if not isinstance(f.type, str) else eval(f.type, globals())  # noqa: S307 (our own annotations)
        if is_dataclass(tp):
            setattr(out, name, _build(tp, value, where, errors))
            continue
        try:
            v = _conv.structure(value, tp)
        except Exception as e:  # cattrs wraps errors in its own exception groups
            errors.append(f"invalid setting {where}: {_reason(e)}; using the default")
            continue
        check = _CHECKS.get(name)
        verdict = check(v) if check else True
        if verdict is not True:
            errors.append(f"invalid setting {where}: {verdict}; using the default")
            continue
        setattr(out, name, v)
    return out


def _reason(e: BaseException) -> str:
    subs = getattr(e, "exceptions", None)
    return _reason(subs[0]) if subs else str(e)


def parse_options(raw: Any) -> tuple[Options, list[str]]:
    """Options from client JSON, and a message for every value that was ignored."""
    errors: list[str] = []
    if isinstance(raw, dict) and set(raw) == {"apirec"}:
        raw = raw["apirec"]
    return _build(Options, raw, "", errors), errors


def to_dict(opts: Options) -> dict[str, Any]:
    return _conv.unstructure(opts)
