"""Fixtures of the contract tests: the runner built once, and processes that never outlive
the test that started them."""

from __future__ import annotations

import shutil
import struct
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from contract.podlocal import Processes

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def ticker_binary(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`runner/build.sh <tmp>/ticker`: the static binary the runner image would hold."""
    if shutil.which("go") is None:
        pytest.skip("go is not installed: cannot build the runner")
    out = tmp_path_factory.mktemp("runner-build") / "ticker"
    result = subprocess.run(["bash", str(ROOT / "runner" / "build.sh"), str(out)],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, f"runner/build.sh failed:\n{result.stdout}\n{result.stderr}"
    assert out.is_file(), f"build.sh printed {result.stdout!r} but {out} is missing"
    assert not _dynamically_linked(out), f"{out} has an ELF interpreter: not a static (CGO_ENABLED=0) binary"
    return out


def _dynamically_linked(path: Path) -> bool:
    """Whether an ELF64 executable has a PT_INTERP program header (needs ld.so)."""
    head = path.read_bytes()
    assert head[:4] == b"\x7fELF" and head[4] == 2, f"{path} is not an ELF64 executable"
    phoff = struct.unpack_from("<Q", head, 32)[0]
    phentsize, phnum = struct.unpack_from("<HH", head, 54)
    return any(struct.unpack_from("<I", head, phoff + i * phentsize)[0] == 3 for i in range(phnum))


@pytest.fixture
def processes(tmp_path: Path) -> Iterator[Processes]:
    procs = Processes(tmp_path)
    try:
        yield procs
    finally:
        procs.cleanup()
