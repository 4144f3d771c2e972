"""Writing results: atomic CSV and JSON files. Beneath every module that writes results
(pipeline, compare, batch), so none of them imports another just to write a file."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd


def _atomic(path: Path, write: Callable[[Path], Any]) -> None:
    """Write to ``path.tmp`` then rename: a reader never sees a half-written file, and a
    failed write (disk full) leaves no temporary file behind."""
    tmp = path.with_name(path.name + ".tmp")
    try:
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_text(text: str, path: Path) -> None:
    """Write a text file atomically (a profile, a note)."""
    _atomic(path, lambda tmp: tmp.write_text(text))


def write_json(obj: dict, path: Path) -> None:
    text = json.dumps(obj, indent=2, allow_nan=False, default=_json_default)
    _atomic(path, lambda tmp: tmp.write_text(text))


def write_csv(df: pd.DataFrame, path: Path) -> None:
    _atomic(path, lambda tmp: df.to_csv(tmp, index=False, float_format="%.4f"))


def _json_default(o: object) -> object:
    if isinstance(o, (np.floating, np.integer)):
        return o.item()
    raise TypeError(f"not JSON-serialisable: {type(o).__name__}")


def data_root() -> Path:
    """Where the app keeps uploads and analyses, and where the history database lives by
    default (``POSECHECK_DATA``, default ``~/.posecheck``)."""
    root = Path(os.environ.get("POSECHECK_DATA", Path.home() / ".posecheck"))
    root.mkdir(parents=True, exist_ok=True)
    return root


#: hex digits of the content hash an uploaded clip is kept under (uploads/<hash>-<name>)
UPLOAD_HASH_CHARS = 12


def strip_upload_hash(name: str) -> str:
    """``name`` without the leading ``<content hash>-`` an uploaded clip is stored under:
    what the rider called the clip ("nstallmann.mp4", not "74a9ff6a1a70-nstallmann.mp4")."""
    head, sep, rest = name.partition("-")
    is_hash = len(head) == UPLOAD_HASH_CHARS and all(c in "0123456789abcdef" for c in head)
    return rest if sep and rest and is_hash else name
