"""Helpers for the Streamlit app: where things live, and analysis without Streamlit imports."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from posecheck.io import UPLOAD_HASH_CHARS, data_root, strip_upload_hash

__all__ = ["data_root"]  # the app's data folder, defined beneath the app (posecheck.io)

ROOT = Path(__file__).resolve().parents[2]
INTRO = (
    "Film yourself from the side on a trainer (whole body and crank in frame, phone level). "
    "posecheck measures your fit angles and shows when your posture starts to go."
)
SAMPLES_DIR = ROOT / "sample_videos"
SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


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
    base = SAFE_NAME.sub("_", Path(name.replace("\\", "/")).name).strip("._") or "upload"
    stem, suffix = (base.rsplit(".", 1) + [""])[:2] if "." in base else (base, "")
    suffix = f".{suffix[:10]}" if suffix else ""
    return stem[: 120 - len(suffix)] + suffix  # long names keep their suffix


class UploadError(ValueError):
    """An upload that cannot be kept; the message names the file and the problem."""


STALE_PART_S = 3600.0  # a ``.part`` file this old was left by a server that died mid-write


def store_upload(name: str, data, limit_mb: float) -> Path:
    """Keep an uploaded clip as ``uploads/<content hash>-<safe name>`` and return its path.

    ``data`` is the upload's bytes (bytes or a memoryview). The name is sanitised (no folders,
    harmless characters, a video suffix required); the file is written under a temporary name
    and renamed when complete, and removed if writing fails; the same content uploaded again
    reuses the stored file. Raises :class:`UploadError` with a one-line message.
    """
    import hashlib
    import time

    from posecheck.video import VIDEO_SUFFIXES

    view = memoryview(data)
    size = view.nbytes
    if size > limit_mb * 2**20:
        raise UploadError(f"{name}: {size / 2**20:.0f} MB is over the {limit_mb:.0f} MB limit")
    if size == 0:
        raise UploadError(f"{name}: file is empty (0 bytes)")
    safe = safe_filename(name)
    if Path(safe).suffix.lower() not in VIDEO_SUFFIXES:
        raise UploadError(
            f"{name}: not a video file name (expected one of {', '.join(VIDEO_SUFFIXES)})"
        )
    folder = data_root() / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("*.part"):
        if time.time() - stale.stat().st_mtime > STALE_PART_S:
            stale.unlink(missing_ok=True)
    dest = folder / f"{hashlib.sha1(view).hexdigest()[:UPLOAD_HASH_CHARS]}-{safe}"
    if dest.exists() and dest.stat().st_size == size:
        return dest
    tmp = dest.with_name(dest.name + f".{os.getpid()}.part")
    try:
        with open(tmp, "wb") as fh:
            fh.write(view)
        tmp.replace(dest)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise UploadError(f"{name}: could not be saved ({exc.strerror or exc})") from None
    return dest


def analysis_dir(video: Path) -> Path:
    """The analysis folder for a clip, keyed by content, so a re-upload finds earlier work."""
    from posecheck.extract import video_fingerprint

    return data_root() / "analyses" / f"{safe_filename(video.stem)}-{video_fingerprint(video)[:12]}"


def list_analyses() -> list[Path]:
    root = data_root() / "analyses"
    return (
        sorted(
            (p for p in root.glob("*") if (p / "summary.json").exists()),
            key=lambda p: p.stat().st_mtime,
            reverse=True,
        )
        if root.exists()
        else []
    )


def analysis_label(folder: Path) -> str:
    """What a person calls an analysis: the clip's name and when it was analysed, without
    the content hash that keys the folder ("fit_check_side · 30 Nov 2026 21:05")."""
    import datetime as dt

    stem = folder.name
    live = re.fullmatch(r"live-(\d{8})-(\d{6})", stem)
    if live:  # a live session's folder: when it was ridden
        when = dt.datetime.strptime("".join(live.groups()), "%Y%m%d%H%M%S")
        return f"Live ride · {when:%d %b %Y %H:%M}"
    head, _, tail = stem.rpartition("-")
    if head and len(tail) == 12 and all(c in "0123456789abcdef" for c in tail):
        stem = head
    stem = strip_upload_hash(stem)  # an uploaded clip's own content-hash prefix
    summary = folder / "summary.json"
    if summary.exists():
        when = dt.datetime.fromtimestamp(summary.stat().st_mtime)
        return f"{stem} · {when:%d %b %Y %H:%M}"
    return stem


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
