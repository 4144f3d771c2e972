"""Helpers for the Streamlit app: where things live, and analysis without Streamlit imports."""
from __future__ import annotations

import json
import os
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SAMPLES_DIR = ROOT / "sample_videos"
SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def data_root() -> Path:
    """Where uploads and analyses are kept (``POSECHECK_DATA``, default ``~/.posecheck``)."""
    root = Path(os.environ.get("POSECHECK_DATA", Path.home() / ".posecheck"))
    root.mkdir(parents=True, exist_ok=True)
    return root


def list_samples() -> dict[str, Path]:
    """Bundled sample clips by display name, with their descriptions."""
    out = {}
    for clip in sorted(SAMPLES_DIR.glob("*.mp4")):
        meta = clip.with_suffix(".json")
        desc = json.loads(meta.read_text()).get("description", "") if meta.exists() else ""
        out[f"{clip.stem} — {desc}" if desc else clip.stem] = clip
    return out


def safe_filename(name: str) -> str:
    """A file name with no folders and only harmless characters."""
    base = SAFE_NAME.sub("_", Path(name).name).strip("._") or "upload"
    return base[:120]


def analysis_dir(video: Path) -> Path:
    """The analysis folder for a clip, keyed by content, so a re-upload finds earlier work."""
    from posecheck.extract import video_fingerprint

    return data_root() / "analyses" / f"{safe_filename(video.stem)}-{video_fingerprint(video)[:12]}"


def list_analyses() -> list[Path]:
    root = data_root() / "analyses"
    return sorted((p for p in root.glob("*") if (p / "summary.json").exists()),
                  key=lambda p: p.stat().st_mtime, reverse=True) if root.exists() else []


def profiles_dir() -> Path:
    """Where the app saves riders' profiles (beside the analyses)."""
    d = data_root() / "profiles"
    d.mkdir(parents=True, exist_ok=True)
    return d


def list_profiles() -> dict[str, Path | None]:
    """Profiles by name: "default" (no extra file), the examples in ``calibration/`` and the
    riders' profiles saved by the app."""
    out: dict[str, Path | None] = {"default": None}
    for p in sorted((ROOT / "calibration").glob("*.toml")) + sorted(profiles_dir().glob("*.toml")):
        if p.stem not in ("default", "ranges"):
            out[p.stem] = p
    return out
