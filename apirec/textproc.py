"""Identifier-aware tokenizer shared by indexing and querying (BM25 needs both sides identical)."""

from __future__ import annotations

import re
from functools import lru_cache

_WORD = re.compile(r"[A-Za-z]+|[0-9]+")
# camelCase / PascalCase / ACRONYMWord boundaries inside one alphabetic run.
_CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+")

STOPWORDS = frozenset(
    """a an and are as at be by can do does for from how i if in into is it its of on or
    that the this to was what when where which while will with without you your my me we
    should would could there their them then than so such use using get way want need
    one some any all""".split()
)

# A question names the language it is asked in ("... in Python", "Java 8: ...", "python3 - ...", "(Python)"):
# a tag, not its topic. Left in, it matched the few docs that say "Python code" (`tokenize`) for
# questions about anything. Only where it reads as a tag: after a preposition, at either end, in
# parentheses or before a separator; "get python version" and "parse python source code" keep it, and
# so do dotted names and longer words (`java.util.Date`, `Foo.java`, JavaScript).
def _language_rx(lang: str) -> re.Pattern[str]:
    name = r"(?<![\w.])" + lang + r"(?:\s*\d+(?:\.\d+)*)?(?!\w|\.\w)(?:'s)?"
    sep = "-\u2013\u2014:|"
    return re.compile(r"(?i)" + name + r"\s+(?:program|script|code)\s+(?:to|for|that)\b"
                      + r"|\b(?:in|with|using|use|via|for|from|on|by)\s+" + name
                      + r"|^\s*" + name + r"\s*[" + sep + ",]?"
                      + r"|" + name + r"[\s?.!]*$"
                      + r"|\(\s*" + name + r"\s*\)"
                      + r"|" + name + r"\s*[" + sep + "]")


_LANGUAGE_NAME = {lang: _language_rx(lang) for lang in ("python", "java")}


def without_language_name(text: str, language: str) -> str:
    """`text` without the name of `language` (the index's) where it tags the question; `text` itself
    when nothing else is left."""
    rx = _LANGUAGE_NAME.get(language)
    if rx is None:
        return text
    out = re.sub(r"\s+([?.!,])", r"\1", re.sub(r"\s+", " ", rx.sub(" ", text))).strip(" -\u2013\u2014:,|")
    return out or text


# A code-generation prompt ends its task with what to hand back ("Concatenate the frames and return
# the new frame", "Return: the result"): words about the output, not the API that makes it, and they
# pulled the ranking toward whatever doc says "return" or "frame". The clause goes when it is short and
# enough of the question is left; the noun stays ("carriage return", "the return value of a thread").
_RETURN_CLAUSE = re.compile(
    r"(,?\s*\b(?:and|then|finally,?)\s+)?\breturn\b(:?)\s*(\w*)[^.?!\n]*[.?!]?", re.I)
_RETURNED_WHAT = frozenset("the a an it its this that these those them all each result true false none"
                           .split())
_RETURN_NOUN = frozenset("value values type types code codes statement statements key keys in of".split())
_RETURN_CLAUSE_WORDS = 7  # "return" and at most six more
_LEFT_WORDS = 3  # content words the question must keep


def without_return_clause(text: str) -> str:
    """`text` without its short "(and) return the ..." clauses; `text` itself when too little is left."""
    def drop(m: re.Match[str]) -> str:
        words = len(_WORD.findall(m.group(0))) - (m.group(1) is not None)  # "and" is not the clause's
        return " " if words <= _RETURN_CLAUSE_WORDS and _returns_verb(m, text) else m.group(0)

    out = _RETURN_CLAUSE.sub(drop, text)
    return out if len(tokenize(out)) >= _LEFT_WORDS else text


def _returns_verb(m: re.Match[str], text: str) -> bool:
    """Whether a `_RETURN_CLAUSE` match is the verb (after "and"/"then", at a sentence's start, before
    "the"/"it" or a colon), not the noun."""
    nxt = m.group(3).lower()
    if m.group(2) or nxt in _RETURNED_WHAT:
        return True
    before = text[:m.start()].rstrip()
    return (bool(m.group(1)) or not before or before[-1] in ".?!,;:") and nxt not in _RETURN_NOUN


@lru_cache(maxsize=1)
def _stemmer():
    import Stemmer  # PyStemmer: Snowball English, a C extension that imports in ~1 ms

    return Stemmer.Stemmer("english")


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """Snowball stem, so "parsing"/"parsed"/"parse" and "files"/"file" meet."""
    return _stemmer().stemWord(word)


def split_identifier(text: str) -> list[str]:
    """'readCSVFile' -> ['read', 'csv', 'file']; 'os.path.join' -> ['os', 'path', 'join']."""
    out: list[str] = []
    for run in _WORD.findall(text):
        out.extend(p.lower() for p in _CAMEL.findall(run))
    return out


_RAW = re.compile(r"[A-Za-z0-9_]+")


def tokenize(text: str, *, stopwords: bool = True) -> list[str]:
    """Tokens for BM25: identifier parts, lowercased, stemmed; compound identifiers also kept whole."""
    out: list[str] = []
    for raw in _RAW.findall(text):
        out.extend(_raw_tokens(raw, stopwords))
    return out


def whole_token(raw: str) -> str:
    """A compound identifier's token as a unit: a run of letters is stemmed as the word written
    lowercase is (`DataFrame` and "dataframe", `toString` and "tostring" meet); one with `_` or digits
    is kept as it is (`read_csv`, `log10`)."""
    whole = raw.lower().strip("_")
    return stem(whole) if whole.isalpha() else whole


@lru_cache(maxsize=200_000)
def _raw_tokens(raw: str, stopwords: bool) -> tuple[str, ...]:
    # Words repeat across texts far more than texts do: remembering each word's tokens makes
    # tokenizing mostly dictionary lookups (query time and indexing both).
    out: list[str] = []
    parts = split_identifier(raw)
    if len(parts) > 1:
        whole = whole_token(raw)
        if whole and len(whole) <= 40:
            out.append(whole)  # "readlines" and "read_csv" also match as a unit
    for p in parts:
        if stopwords and p in STOPWORDS:
            continue
        if len(p) == 1 and not p.isdigit():
            continue
        out.append(stem(p))
    return tuple(out)


def in_order(a: str, b: str) -> bool:
    """The letters of `a` appear in `b` in order (`np` in numpy, `msg` in message)."""
    it = iter(b)
    return all(c in it for c in a)


def segment(word: str, vocab: frozenset[str] | set[str], max_len: int = 24) -> list[str] | None:
    """Split a run-together identifier into known words: 'readline' -> ['read', 'line'].

    Dynamic programming over split points, fewest pieces wins; None when it cannot be covered.
    """
    n = len(word)
    if n < 6 or n > 40 or word in vocab:
        return None
    best: list[list[str] | None] = [None] * (n + 1)
    best[0] = []
    for i in range(1, n + 1):
        for j in range(max(0, i - max_len), i - 1):
            prev = best[j]
            piece = word[j:i]
            if prev is None or piece not in vocab:
                continue
            if best[i] is None or len(prev) + 1 < len(best[i]):
                best[i] = prev + [piece]
    parts = best[n]
    return parts if parts and len(parts) > 1 else None
