"""The record lookups member completion asks of one index generation, memoized.

Records of a generation never change, so every answer can be remembered until the Searcher opens
another generation (it makes a new `Lookups` then). All SQL of the completion path lives here; the
values are always bound, never interpolated.
"""

from __future__ import annotations

import json
import re
from typing import Any, Callable

import numpy as np

from .records import ApiRecord

_MISSING = object()
MEMO_BOUND = 20000  # entries per kind of lookup; past it that kind starts over
MEMBERS_BOUND = 512  # member lists are large (hundreds of records each): fewer of them


def _from_json(s: str) -> ApiRecord:
    from .search import record_from_json  # shared lru cache of parsed rows

    return record_from_json(s)


class Lookups:
    def __init__(self, db: Any, priors: np.ndarray):
        self.db = db
        self.priors = priors
        self._memos: dict[str, dict] = {}
        self._aliased: dict[str, ApiRecord] = {}  # members offered under an alias, by the id they carry

    def memo(self, kind: str, key: Any, compute: Callable[[], Any], bound: int = MEMO_BOUND) -> Any:
        """`compute()`, remembered under `key` among the `kind` answers. The language server completes
        from several threads: a lost race only computes twice."""
        memo = self._memos.get(kind)
        if memo is None or len(memo) >= bound:
            memo = self._memos[kind] = {}
        got = memo.get(key, _MISSING)
        if got is _MISSING:
            got = memo[key] = compute()
        return got

    def exact(self, path: str) -> tuple[ApiRecord, ...]:
        """Records whose public path, canonical path or alias is exactly `path`."""
        def query() -> tuple[ApiRecord, ...]:
            rows = self.db.execute(
                "SELECT json FROM records WHERE public_path = ? UNION ALL "
                "SELECT json FROM records WHERE canonical_path = ? UNION ALL "
                "SELECT r.json FROM aliases a JOIN records r ON r.idx = a.idx WHERE a.alias = ? LIMIT 20",
                (path, path, path)).fetchall()
            return tuple(_from_json(js) for (js,) in rows)

        return self.memo("exact", path, query)

    def members(self, parent: str) -> tuple[ApiRecord, ...]:
        """Direct members of a module or class, by public path."""
        def query() -> tuple[ApiRecord, ...]:
            # A range scan on the public_path index that keeps direct children in SQL, before any JSON
            # is read: `javax.swing` has 50,000 descendants and 134 members (no cap cuts the list short).
            lo, hi, n = parent + ".", parent + "/", len(parent) + 2
            rows = self.db.execute("SELECT json FROM records WHERE public_path > ? AND public_path < ? "
                                   "AND instr(substr(public_path, ?), '.') = 0", (lo, hi, n)).fetchall()
            out = [_from_json(js) for (js,) in rows]
            # Other names the parent binds to records public elsewhere: `np.min` (= amin), `np.abs`
            # (= absolute), `np.concatenate` (public as concat). Offered under the name written here;
            # `by_id` finds them by the id they are offered with.
            have = {r.name for r in out}
            for alias, js in self.db.execute(
                    "SELECT a.alias, r.json FROM aliases a JOIN records r ON r.idx = a.idx WHERE a.alias > ? "
                    "AND a.alias < ? AND instr(substr(a.alias, ?), '.') = 0 AND r.private = 0", (lo, hi, n)):
                name = alias[n - 1:]
                if name in have or name.startswith("_"):
                    continue
                have.add(name)
                r = _from_json(js).with_(public_path=alias)
                if len(self._aliased) >= MEMO_BOUND:  # bounded like the memos (a long editor session)
                    self._aliased.clear()
                self._aliased[r.id] = r
                out.append(r)
            return tuple(out)

        return self.memo("members", parent, query, MEMBERS_BOUND)

    def defined_in(self, module: str) -> tuple[ApiRecord, ...]:
        """Records defined directly in `module` whose public path is elsewhere (re-exported)."""
        def query() -> tuple[ApiRecord, ...]:
            rows = self.db.execute("SELECT json FROM records WHERE canonical_path > ? AND canonical_path < ? "
                                   "AND instr(substr(canonical_path, ?), '.') = 0 "
                                   "AND public_path != canonical_path", (module + ".", module + "/",
                                                                         len(module) + 2)).fetchall()
            return tuple(_from_json(js) for (js,) in rows)

        return self.memo("defined_in", module, query)

    def by_name(self, name: str, limit: int = 5) -> tuple[ApiRecord, ...]:
        """Public methods, properties, attributes and functions with this short name."""
        def query() -> tuple[ApiRecord, ...]:
            rows = self.db.execute("SELECT json FROM records WHERE name = ? AND private = 0 AND kind IN "
                                   "('method','property','attribute','function') LIMIT ?",
                                   (name, limit)).fetchall()
            return tuple(_from_json(js) for (js,) in rows)

        return self.memo("by_name", (name, limit), query)

    def n_defining(self, name: str) -> int:
        """How many methods and properties are named `name`."""
        return self.memo("n_defining", name, lambda: self.db.execute(
            "SELECT COUNT(*) FROM records WHERE name = ? AND kind IN ('method','property')",
            (name,)).fetchone()[0])

    def top_module_defining(self, attr: str) -> str | None:
        """The top-level module that defines a public class or function `attr`."""
        def query() -> str | None:
            row = self.db.execute("SELECT public_path FROM records WHERE name = ? AND private = 0 "
                                  "AND kind IN ('class','function') "
                                  "AND instr(public_path, '.') = length(public_path) - length(name) LIMIT 1",
                                  (attr,)).fetchone()
            return row[0].rsplit(".", 1)[0] if row else None

        return self.memo("top_module", attr, query)

    def named_in_package(self, package: str, name: str) -> str | None:
        """The shortest public path of a class or module-level name `name` defined in `package`."""
        def query() -> str | None:
            row = self.db.execute("SELECT public_path FROM records WHERE name = ? AND kind IN "
                                  "('class','attribute') AND public_path > ? AND public_path < ? "
                                  "ORDER BY private, length(public_path) LIMIT 1",
                                  (name, package + ".", package + "/")).fetchone()
            return row[0] if row else None

        return self.memo("in_package", (package, name), query)

    def module_classes(self, module: str) -> list[str]:
        """Public paths of the public classes directly in `module`, those it re-exports higher up
        included (asyncio.futures.Future is public as asyncio.Future)."""
        def query() -> list[str]:  # the class rows only, no JSON parsed (`asyncio` has hundreds of members)
            lo, hi, n = module + ".", module + "/", len(module) + 2
            rows = self.db.execute(
                "SELECT public_path FROM records WHERE public_path > ? AND public_path < ? "
                "AND instr(substr(public_path, ?), '.') = 0 AND kind = 'class' AND private = 0 UNION ALL "
                "SELECT public_path FROM records WHERE canonical_path > ? AND canonical_path < ? "
                "AND instr(substr(canonical_path, ?), '.') = 0 AND kind = 'class' AND private = 0",
                (lo, hi, n, lo, hi, n))
            return list(dict.fromkeys(pub for (pub,) in rows))

        return self.memo("classes", module, query)

    def frequent_methods(self, n: int = 100) -> list[ApiRecord]:
        """The most used method names (usage mined at index time), one record per name."""
        def query() -> list[ApiRecord]:
            rows = self.db.execute("SELECT idx FROM records WHERE kind IN ('method','property') "
                                   "AND private = 0")
            idx = np.array([i for (i,) in rows], dtype=np.int64)
            out: dict[str, ApiRecord] = {}
            if len(idx):
                for i in idx[np.argsort(-self.priors[idx], kind="stable")[: n * 4]].tolist():
                    row = self.db.execute("SELECT json FROM records WHERE idx = ?", (i,)).fetchone()
                    r = _from_json(row[0])
                    out.setdefault(r.name, r)
            return list(out.values())[:n]

        return self.memo("frequent", n, query)

    def top_level_named(self, prefix: str) -> list[ApiRecord]:
        """Public top-level names (modules, builtins) starting with `prefix`, as typed or capitalised."""
        rows: list = []
        for p in dict.fromkeys((prefix, prefix.lower(), prefix[:1].upper() + prefix[1:])):
            # Range scans on the name index (lower(name) would scan the whole table).
            rows += self.db.execute("SELECT json FROM records WHERE name >= ? AND name < ? AND private = 0 "
                                    "AND instr(public_path, '.') = 0 LIMIT 200", (p, p + "\uffff")).fetchall()
        return [_from_json(js) for (js,) in rows]

    def top_level_callables(self) -> list[ApiRecord]:
        """Public functions and classes reachable without a dot (builtins)."""
        def query() -> list[ApiRecord]:
            rows = self.db.execute("SELECT json FROM records WHERE instr(public_path, '.') = 0 "
                                   "AND private = 0 AND kind IN ('function', 'class') LIMIT 2000").fetchall()
            return [_from_json(js) for (js,) in rows]

        return self.memo("top_level_callables", None, query)

    def inherited_home(self, rec: ApiRecord, words: frozenset[str] = frozenset()) -> ApiRecord | None:
        """A member of an internal base class under the public class users reach it through:
        `pandas.core.generic.NDFrame.tail` as `pandas.DataFrame.tail`. The subclass is the one with the
        shortest public path (among equals, one that `words` name, then the most used) that does not
        define the name itself; None where no subclass is more public than the record's own class."""
        parent = rec.parent
        depth = parent.count(".")
        if depth < 2 or rec.kind not in ("method", "property", "attribute") or rec.language != "python":
            return None  # nothing public is shorter than `pkg.Class`
        cls = parent.rsplit(".", 1)[-1]
        home = [p for p in self.memo("subclasses", None, self._subclasses).get((rec.origin, cls), ())
                if 1 <= p.count(".") < depth]
        if words:
            home.sort(key=lambda p: (p.count("."), p.rsplit(".", 1)[-1].lower() not in words))
        for sub in home:
            if not self.exact(f"{sub}.{rec.name}"):
                shown = rec.with_(public_path=f"{sub}.{rec.name}", aliases=(rec.public_path, *rec.aliases))
                if len(self._aliased) >= MEMO_BOUND:
                    self._aliased.clear()
                self._aliased[shown.id] = shown  # `by_id` finds it by the id it is shown with
                return shown
        return None

    def _subclasses(self) -> dict[tuple[str, str], tuple[str, ...]]:
        """(origin, base class name) -> public paths of the classes that name it among their bases,
        shortest (then most used) first. Bases are stored as written (`NDFrame`, `generic.NDFrame`,
        `GroupBy[DataFrame]`): matched by their last name, within one origin. One scan of the classes."""
        found: dict[tuple[str, str], list[tuple[int, int, str]]] = {}
        for path, origin, extra in self.db.execute(
                "SELECT public_path, origin, json_extract(json, '$.extra') FROM records "
                "WHERE kind = 'class' AND private = 0"):
            if not extra or '"bases"' not in extra:
                continue
            pairs = dict(json.loads(extra))
            usage = int(pairs["usage"]) if pairs.get("usage", "").isdigit() else 0
            for m in re.findall(r"(?:^|,)\s*([A-Za-z_][\w.]*)", pairs["bases"]):
                found.setdefault((origin, m.rsplit(".", 1)[-1]), []).append((path.count("."), -usage, path))
        return {key: tuple(p for _, _, p in sorted(v)) for key, v in found.items()}

    def by_id(self, record_id: str) -> ApiRecord | None:
        if record_id in self._aliased:
            return self._aliased[record_id]
        row = self.db.execute("SELECT json FROM records WHERE id = ? LIMIT 1", (record_id,)).fetchone()
        return ApiRecord.from_json(row[0]) if row else None
