import sys

import pytest


@pytest.fixture(autouse=True)
def _restore_main(monkeypatch):
    """AppTest installs app.py as ``__main__``; put the real one back after each test, or
    processes spawned later (Dask workers, pose workers) would run the app again."""
    monkeypatch.setitem(sys.modules, "__main__", sys.modules["__main__"])
