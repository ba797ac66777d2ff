"""The refresh plan: a pure function of content hashes (unit-tested alone).

Given what the current generation holds and what a scan found, decide per file whether to
extract it again (compute), drop it (delete), reuse its facts (keep), or reuse the facts of an
identical file that moved (retag).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RefreshPlan:
    compute: tuple[str, ...]
    delete: tuple[str, ...]
    keep: tuple[str, ...]
    retag: tuple[tuple[str, str], ...]  # (new key, old key with the same content)

    @property
    def changed(self) -> bool:
        return bool(self.compute or self.delete or self.retag)


def make_plan(old: dict[str, tuple[str, str]], new: dict[str, tuple[str, str]],
              rescanned_sources: set[str]) -> RefreshPlan:
    """`old`/`new` map file key -> (source spec, content hash).

    Files of sources that were not re-scanned are kept as they are; files of re-scanned sources
    that the scan no longer found are deleted.
    """
    compute, keep, retag = [], [], []
    by_hash: dict[str, str] = {}
    for key, (_, h) in old.items():
        by_hash.setdefault(h, key)
    for key in sorted(new):
        _, h = new[key]
        if key in old and old[key][1] == h:
            keep.append(key)
        elif key not in old and h in by_hash:
            retag.append((key, by_hash[h]))
        else:
            compute.append(key)
    delete = []
    for key in sorted(old):
        src, _ = old[key]
        if key in new:
            continue
        if src in rescanned_sources:
            delete.append(key)
        else:
            keep.append(key)
    return RefreshPlan(tuple(compute), tuple(delete), tuple(sorted(keep)), tuple(retag))
