"""PoseTrack: landmarks over time, saved as a plain ``.npz`` (no pickles).

Arrays are indexed ``[frame, Landmark.X]``. Missing is NaN, never zero.
"""

from __future__ import annotations

import json
import os
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

    def save(self, path: str | Path) -> None:
        """Write atomically: a temporary file renamed into place, never a half file."""
        path = Path(path)
        tmp = path.with_name(path.name + ".tmp")
        with open(tmp, "wb") as fh:
            extra = {} if self.outline is None else {"outline": self.outline}
            np.savez_compressed(
                fh,
                frame=self.frame,
                t_s=self.t_s,
                xy_px=self.xy_px,
                world_m=self.world_m,
                visibility=self.visibility,
                meta_json=np.array(json.dumps(self.meta, sort_keys=True)),
                **extra,
            )
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)

    @classmethod
    def load(cls, path: str | Path) -> PoseTrack:
        with np.load(path, allow_pickle=False) as z:
            return cls(
                z["frame"],
                z["t_s"],
                z["xy_px"],
                z["world_m"],
                z["visibility"],
                json.loads(str(z["meta_json"])),
                z["outline"] if "outline" in z.files else None,
            )
