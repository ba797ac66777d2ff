"""`pip install .` (a wheel) and `pip install -e .` both give apirec, apirec.indexer and apirec.lsp."""

from __future__ import annotations

import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PROBE = ("import apirec, apirec.indexer.python_ts, apirec.lsp, apirec.cli, apirec.usage; "
         "print(apirec.indexer.python_ts.__file__); print(len(apirec.usage.shipped_usage()))")


def _venv(path: Path) -> Path:
    # System site-packages supply the dependencies (already installed here); the project itself
    # is installed fresh into the venv, so the import must come from there, not from the checkout.
    # No pip of its own: the outer pip and setuptools (visible through system site-packages) install
    # into the venv; an ensurepip-era setuptools could not build editable wheels.
    venv.EnvBuilder(system_site_packages=True, with_pip=False).create(path)
    return path / "bin" / "python"


def _pip(py: Path, *args: str) -> None:
    r = subprocess.run([str(py), "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation", *args],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]


@pytest.mark.parametrize("editable", [False, True], ids=["wheel", "editable"])
def test_install_modes(tmp_path, editable):
    py = _venv(tmp_path / "venv")
    if editable:
        _pip(py, "-e", str(ROOT))
    else:
        wheel_dir = tmp_path / "wheels"
        r = subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
                            "-w", str(wheel_dir), str(ROOT)], capture_output=True, text=True, timeout=600)
        assert r.returncode == 0, r.stderr[-2000:]
        (wheel,) = wheel_dir.glob("apirec-*.whl")
        import zipfile

        names = zipfile.ZipFile(wheel).namelist()
        assert "apirec/indexer/python_ts.py" in names and "apirec/lsp/__init__.py" in names
        assert "apirec/data/usage_python.json.gz" in names
        assert not any(n.startswith(("indexer/", "lsp/", "tests/")) for n in names)  # no generic top-level names
        _pip(py, str(wheel))
    r = subprocess.run([str(py), "-c", PROBE], capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert r.returncode == 0, r.stderr
    location, n_usage = r.stdout.split()
    if editable:
        assert Path(location).resolve() == (ROOT / "indexer" / "python_ts.py").resolve()
    else:
        assert str(tmp_path / "venv") in location
    assert int(n_usage) > 1000
    script = tmp_path / "venv" / "bin" / "apirec"
    r = subprocess.run([str(script), "--version"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and r.stdout.startswith("apirec ")
