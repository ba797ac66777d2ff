"""Where apirec keeps its files: `APIREC_HOME`, else the user cache folder (XDG)."""

from __future__ import annotations

import os
from pathlib import Path


def home() -> Path:
    env = os.environ.get("APIREC_HOME")
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("apirec", appauthor=False))


def default_index_dir() -> Path:
    return home() / "default-index"


def model_cache_dir() -> Path:
    return home() / "models"
