"""Query understanding: programming vocabulary that users and API names spell differently.

"parse a json string" should meet `json.loads` ("load from string"), "current time" should meet
`datetime.now`. Expansions are added to the BM25 query at a lower weight; they never replace words.
"""

from __future__ import annotations

from functools import lru_cache

from .textproc import tokenize

EXPANSION_WEIGHT = 0.4

# word -> related API vocabulary (plain words; stemmed by the shared tokenizer)
_RELATED = {
    "parse": "load loads decode deserialize read",
    "convert": "parse format encode decode cast",
    "current": "now today",
    "now": "current today",
    "today": "now current date",
    "delete": "remove unlink rmtree discard pop drop",
    "remove": "delete unlink discard pop strip drop",
    "erase": "delete remove clear",
    "drop": "remove delete",
    "folder": "directory dir mkdir listdir",
    "directory": "dir folder mkdir listdir",
    "length": "len size count",
    "size": "len length getsize",
    "count": "len counter",
    "concatenate": "join concat cat",
    "combine": "join merge concat",
    "merge": "join concat update",
    "string": "str text",
    "text": "str string",
    "integer": "int",
    "number": "int float num",
    "download": "urlopen urlretrieve fetch get",
    "fetch": "get urlopen",
    "execute": "run call exec popen",
    "run": "call exec popen execute",
    "command": "subprocess popen run shell",
    "rename": "move replace",
    "move": "rename",
    "exist": "exists isfile isdir",
    "exists": "exist isfile isdir",
    "sort": "sorted order",
    "order": "sort sorted",
    "reverse": "reversed",
    "lowercase": "lower",
    "uppercase": "upper",
    "print": "write display",
    "save": "write dump store",
    "store": "save dump write",
    "serialize": "dump dumps pickle encode",
    "deserialize": "load loads unpickle decode",
    "sleep": "wait pause delay",
    "wait": "sleep",
    "pause": "sleep wait",
    "delay": "sleep wait",
    "environment": "environ getenv env",
    "dictionary": "dict mapping",
    "dict": "dictionary mapping",
    "array": "list ndarray",
    "regex": "re pattern match sub",
    "regular": "re pattern",
    "replace": "sub substitute",
    "find": "search index locate match",
    "search": "find match",
    "unique": "set distinct",
    "duplicate": "copy set unique",
    "maximum": "max largest",
    "largest": "max maximum",
    "minimum": "min smallest",
    "smallest": "min minimum",
    "average": "mean",
    "mean": "average",
    "total": "sum",
    "iterate": "iter loop enumerate",
    "loop": "iter iterate",
    "url": "urllib uri link",
    "web": "http url request",
    "http": "url urlopen",
    "email": "mail smtp",
    "mail": "email smtp",
    "thread": "threading",
    "random": "rand choice",
    "copy": "clone duplicate",
    "create": "make new",
    "make": "create new",
    "check": "is test",
    "line": "readline lines",
    "timestamp": "time",
    "zip": "compress archive",
    "compress": "zip gzip",
    "encrypt": "cipher hash",
    "hash": "digest md5 sha",
    "round": "ceil floor",
    "absolute": "abs",
    "power": "pow exp",
    "square": "sqrt pow",
    "root": "sqrt",
    "terminal": "console stdout",
    "console": "terminal stdout",
    "user": "input",
    "input": "read stdin",
    "key": "keys",
    "value": "values",
    "empty": "clear",
}


@lru_cache(maxsize=1)
def _table() -> dict[str, tuple[str, ...]]:
    out: dict[str, list[str]] = {}
    for word, related in _RELATED.items():
        for key in tokenize(word, stopwords=False):
            lst = out.setdefault(key, [])
            for t in tokenize(related, stopwords=False):
                if t not in lst:
                    lst.append(t)
    return {k: tuple(v) for k, v in out.items()}


def expand(tokens: list[str]) -> list[str]:
    """Related tokens for a tokenized query, not already in it."""
    table = _table()
    have = set(tokens)
    out: list[str] = []
    for t in tokens:
        for r in table.get(t, ()):
            if r not in have:
                have.add(r)
                out.append(r)
    return out


# Words that name the same operation or thing with another root, which API names spell either way
# ("delete a file": `os.remove`). Narrower than _RELATED: a related word (remove: `pop`, `strip`)
# retrieves, but spelling a name with it would call `set.pop` an answer to "remove an element".
# Words whose start is the name's (maximum: max, directory: dir) need none: their starts spell it.
_SAME = {
    "delete": "remove unlink",
    "remove": "delete",
    "erase": "delete remove",
    "folder": "directory dir",
    "average": "mean",
    "mean": "average",
    "total": "sum",
    "copy": "clone",
    "clone": "copy",
    "execute": "run",
    "run": "execute exec",
    "make": "create",
    "create": "make",
    "wait": "sleep",
    "pause": "sleep",
    "delay": "sleep",
    "download": "urlretrieve urlopen",
    "size": "len",
}


def same_words(word: str) -> tuple[str, ...]:
    """Other words for what one lowercased query word names, as API names spell them."""
    return tuple(_SAME.get(word, "").split())
