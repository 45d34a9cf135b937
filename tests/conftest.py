"""Shared fixtures. Sample data comes from data/ (committed) or is generated into tmp_path."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEED_DIR = ROOT / "data" / "huguan-2021"
SYNTH_DIR = ROOT / "data" / "synthetic"
IN_CI = bool(os.environ.get("EVALTOOLS_CI"))


def need_system(condition: bool, what: str) -> None:
    """Skip when a system package is missing on a user's machine; fail in CI (EVALTOOLS_CI=1)."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"CI requires {what}, which is missing")
    pytest.skip(f"needs {what}")


def need_module(name: str, what: str):
    """Import an optional test dependency: skip without it on a user's machine, fail in CI."""
    import importlib

    try:
        return importlib.import_module(name)
    except ImportError:
        need_system(False, what)


@pytest.fixture(scope="session")
def seed_book():
    import evaltools

    return evaltools.load(SEED_DIR)
