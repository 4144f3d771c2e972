"""PoseTrack: landmarks over time, saved as a plain ``.npz`` (no pickles).

Arrays are indexed ``[frame, Landmark.X]``. Missing is NaN, never zero.
"""

from __future__ import annotations

import json
import os
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from posecheck.landmarks import N_LANDMARKS


@dataclass(frozen=True)
class PoseTrack:
    frame: np.ndarray  # (T,) int frame numbers in the video
    t_s: np.ndarray  # (T,) presentation time, seconds
    xy_px: np.ndarray  # (T, 33, 2) image landmarks in pixels of the upright frame
    world_m: np.ndarray  # (T, 33, 3) world landmarks in metres (hip-centred)
    visibility: np.ndarray  # (T, 33) in [0, 1]
    meta: dict = field(default_factory=dict)  # settings and provenance, JSON-serialisable
    #: (T, 2, K) trunk outline from the segmentation mask (see posecheck.outline), or None
    outline: np.ndarray | None = None

    def __post_init__(self):
        t = len(self.t_s)
        shapes = {
            "frame": (t,),
            "xy_px": (t, N_LANDMARKS, 2),
            "world_m": (t, N_LANDMARKS, 3),
            "visibility": (t, N_LANDMARKS),
        }
        for name, shape in shapes.items():
            if getattr(self, name).shape != shape:
                raise ValueError(
                    f"PoseTrack.{name} has shape {getattr(self, name).shape}, expected {shape}"
                )
        if self.outline is not None and (self.outline.ndim != 3 or len(self.outline) != t):
            raise ValueError(f"PoseTrack.outline has shape {self.outline.shape}, expected (T,2,K)")

    def __len__(self) -> int:
        return len(self.t_s)

    @property
    def detected(self) -> np.ndarray:
        """(T,) True where a person was found."""
        return ~np.isnan(self.xy_px[:, 0, 0])

    @property
    def detection_rate(self) -> float:
        return float(self.detected.mean()) if len(self) else 0.0

    @classmethod
    def empty(cls, n: int = 0, meta: dict | None = None) -> PoseTrack:
        return cls(
            np.zeros(n, int),
            np.zeros(n),
            np.full((n, N_LANDMARKS, 2), np.nan),
            np.full((n, N_LANDMARKS, 3), np.nan),
            np.full((n, N_LANDMARKS), np.nan),
            meta or {},
        )

    def take(self, index: np.ndarray) -> PoseTrack:
        """The frames at ``index`` (positions, or a boolean mask), in that order."""
        return PoseTrack(
            self.frame[index],
            self.t_s[index],
            self.xy_px[index],
            self.world_m[index],
            self.visibility[index],
            dict(self.meta),
            None if self.outline is None else self.outline[index],
        )

    @classmethod
    def concat(cls, parts: list[PoseTrack], meta: dict | None = None) -> PoseTrack:
        if not parts:
            return cls.empty(meta=meta)
        outline = (
            np.concatenate([p.outline for p in parts])
            if all(p.outline is not None for p in parts)
            else None
        )
        arrays = {
            k: np.concatenate([getattr(p, k) for p in parts])
            for k in ("frame", "t_s", "xy_px", "world_m", "visibility")
        }
        return cls(**arrays, meta=meta if meta is not None else parts[0].meta, outline=outline)

    def save(self, path: str | Path, compact: bool = False) -> None:
        """Write atomically: a temporary file renamed into place, never a half file.

        ``compact``: for tracks kept in the repository, about a third of the size. Each
        float array is rounded to :data:`COMPACT_STEP` (0.01 px, 0.1 mm, far below the
        model's own jitter of tenths of a pixel between frames of a still rider), stored as
        whole-number steps from the frame before (LZMA-compressed) with its NaNs as a bit
        mask. It loads like any other track (float64)."""
        path = Path(path)
        tmp = path.with_name(path.name + ".tmp")
        arrays = {
            "frame": self.frame,
            "t_s": self.t_s,
            "xy_px": self.xy_px,
            "world_m": self.world_m,
            "visibility": self.visibility,
            "meta_json": np.array(json.dumps(self.meta, sort_keys=True)),
        }
        if self.outline is not None:
            arrays["outline"] = self.outline
        with open(tmp, "wb") as fh:
            if compact:
                with zipfile.ZipFile(fh, "w", compression=zipfile.ZIP_LZMA) as zf:
                    for name, a in arrays.items():
                        for key, part in _pack(name, a).items():
                            with zf.open(key + ".npy", "w") as member:
                                np.lib.format.write_array(member, part, allow_pickle=False)
            else:
                np.savez_compressed(fh, **arrays)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)

    @classmethod
    def load(cls, path: str | Path) -> PoseTrack:
        with np.load(path, allow_pickle=False) as z:

            def get(name: str) -> np.ndarray:
                return _unpack(z, name) if name + _STEPS in z.files else z[name]

            return cls(
                z["frame"],
                z["t_s"],
                get("xy_px"),
                get("world_m"),
                get("visibility"),
                json.loads(str(z["meta_json"])),
                get("outline") if {"outline", "outline" + _STEPS} & set(z.files) else None,
            )


#: rounding of a compact track's arrays (see :meth:`PoseTrack.save`)
COMPACT_STEP = {"xy_px": 0.01, "world_m": 1e-4, "visibility": 1e-4, "outline": 0.01}
_STEPS, _NAN = "__steps", "__nan"


def _pack(name: str, a: np.ndarray) -> dict[str, np.ndarray]:
    step = COMPACT_STEP.get(name)
    if step is None:
        return {name: a}
    nan = np.isnan(a)
    q = np.round(np.where(nan, 0.0, a) / step).astype(np.int64)
    steps = np.diff(q, axis=0, prepend=np.zeros_like(q[:1])) if len(q) else q
    return {
        name + _STEPS: steps.astype(np.int32),
        name + _NAN: np.packbits(nan.ravel()),
    }


def _unpack(z, name: str) -> np.ndarray:
    steps = z[name + _STEPS].astype(np.int64)
    values = np.cumsum(steps, axis=0) * COMPACT_STEP[name]
    nan = np.unpackbits(z[name + _NAN], count=values.size).astype(bool).reshape(values.shape)
    values[nan] = np.nan
    return values
