"""Reliability suite: the checks of `benchmarks/reliability.py` at CI sizes.

    pytest tests/reliability                 # everything, <= 6 min on 2 cores
    pytest tests/reliability -m "not slow"   # the quick part
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # benchmarks.reliability holds the checks


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: a reliability check that takes more than ~20 s")


@pytest.fixture(scope="session")
def rel_home(stdlib_index, apirec_home) -> Path:
    """APIREC_HOME with the real default index built (the language server loads it)."""
    return apirec_home
