"""Profiles: TOML settings merged defaults -> rider -> camera -> command line, validated.

The schema is ``calibration/default.toml`` itself: every section and key there is allowed,
with the type of its default. ``[baseline.<metric>]`` tables (median, spread) hold a rider's
stored fresh baseline for the fatigue timeline.
"""

from __future__ import annotations

import copy
import sys
from pathlib import Path

import numpy as np

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

DEFAULTS_FILE = Path(__file__).resolve().parents[1] / "calibration" / "default.toml"
CHOICES = {
    ("analysis", "mode"): ("auto", "full", "long"),
    ("view", "view"): ("auto", "side-left", "side-right", "rear", "front"),
    ("fit", "position"): ("hoods", "drops", "aero"),
}


class ProfileError(ValueError):
    """A profile that cannot be used; the message names the file, the key and what is allowed."""


def _read(path: Path) -> dict:
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise ProfileError(f"{path}: profile file not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(f"{path}: not valid TOML ({exc})") from None


def defaults() -> dict:
    return _read(DEFAULTS_FILE)


def validate(data: dict, source: str, schema: dict | None = None) -> dict:
    schema = schema or defaults()
    from posecheck.fatigue import SIGN_BY_METRIC

    for section, body in data.items():
        if section == "baseline":
            if not isinstance(body, dict):
                raise ProfileError(f"{source}: [baseline] must hold [baseline.<metric>] tables")
            for metric, stats in body.items():
                if metric not in SIGN_BY_METRIC:
                    raise ProfileError(
                        f"{source}: unknown metric [baseline.{metric}]; allowed: "
                        + ", ".join(SIGN_BY_METRIC)
                    )
                if (
                    not isinstance(stats, dict)
                    or not {"median", "spread"} <= set(stats) <= {"median", "spread", "gain"}
                    or not all(isinstance(v, (int, float)) for v in stats.values())
                    or stats["spread"] < 0
                    or stats.get("gain", 1.0) <= 0
                ):
                    raise ProfileError(
                        f"{source}: [baseline.{metric}] needs numbers median and "
                        "spread (spread >= 0), and optionally gain (> 0)"
                    )
            continue
        if section == "thresholds":
            for metric, value in (body or {}).items():
                if metric not in SIGN_BY_METRIC:
                    raise ProfileError(
                        f"{source}: unknown metric [thresholds].{metric}; "
                        "allowed: " + ", ".join(SIGN_BY_METRIC)
                    )
                if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
                    raise ProfileError(
                        f"{source}: [thresholds].{metric} must be a number > 0 "
                        f"(degrees, or a fraction for shrug_ratio), not {value!r}"
                    )
            continue
        if section not in schema or not isinstance(body, dict):
            raise ProfileError(
                f"{source}: unknown section [{section}]; allowed: "
                + ", ".join(f"[{s}]" for s in list(schema) + ["baseline.<metric>", "thresholds"])
            )
        for key, value in body.items():
            if key not in schema[section]:
                raise ProfileError(
                    f"{source}: unknown key [{section}].{key}; allowed: "
                    + ", ".join(schema[section])
                )
            want = schema[section][key]
            if (section, key) == ("camera", "level_line"):
                if not (
                    isinstance(value, list)
                    and len(value) in (0, 4)
                    and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value)
                ):
                    raise ProfileError(
                        f"{source}: [camera].level_line must be [] or four "
                        f"pixel numbers [x1, y1, x2, y2], not {value!r}"
                    )
                if len(value) == 4 and value[0] == value[2] and value[1] == value[3]:
                    raise ProfileError(f"{source}: [camera].level_line needs two different points")
                continue
            ok = (
                isinstance(value, (int, float)) and not isinstance(value, bool)
                if isinstance(want, float)
                else isinstance(value, type(want))
            )
            if not ok:
                raise ProfileError(
                    f"{source}: [{section}].{key} must be a {type(want).__name__}, not {value!r}"
                )
            choices = CHOICES.get((section, key))
            if choices and value not in choices:
                raise ProfileError(
                    f"{source}: [{section}].{key} = {value!r}; allowed: " + ", ".join(choices)
                )
            if isinstance(want, float) and key not in ("settle_s", "tilt_deg") and value < 0:
                raise ProfileError(f"{source}: [{section}].{key} must be >= 0, not {value}")
    return data


def stored_baseline(profile: dict) -> dict | None:
    """The profile's ``[baseline.<metric>]`` tables in today's units: a table records the
    outline gain it was measured with (``gain``; absent = 1, a profile calibrated before the
    gains existed), and an outline sign's median and spread are brought to the gain in use
    (:data:`posecheck.metrics.bias.OUTLINE_GAIN`)."""
    from posecheck.metrics.bias import OUTLINE_GAIN

    base = profile.get("baseline")
    if not base:
        return None
    out = {}
    for metric, stats in base.items():
        k = OUTLINE_GAIN.get(metric, 1.0) / stats.get("gain", 1.0)
        out[metric] = {"median": stats["median"] * k, "spread": stats["spread"] * k}
    return out


def merge(base: dict, override: dict) -> dict:
    out = copy.deepcopy(base)
    for k, v in override.items():
        out[k] = merge(out.get(k, {}), v) if isinstance(v, dict) else v
    return out


def load_profile(*paths: str | Path | None, flags: dict | None = None) -> dict:
    """Defaults merged with each profile file in order, then ``flags`` ({(section, key): v},
    None values ignored). Raises :class:`ProfileError`."""
    schema = defaults()
    out = copy.deepcopy(schema)
    for p in paths:
        if p is None:
            continue
        out = merge(out, validate(_read(Path(p)), str(p), schema))
    return with_flags(out, flags)


def with_flags(profile: dict, flags: dict | None, where: str = "command line") -> dict:
    """``profile`` with ``flags`` ({(section, key): v}, None values ignored) laid over it,
    validated. Raises :class:`ProfileError` naming ``where``."""
    over: dict = {}
    for (section, key), v in (flags or {}).items():
        if v is not None:
            over.setdefault(section, {})[key] = v
    return merge(profile, validate(over, where))


# --- camera correction -------------------------------------------------------------------

ARUCO_DICT = "DICT_4X4_50"


def line_tilt_deg(x1: float, y1: float, x2: float, y2: float) -> float:
    """Counter-clockwise angle of an image line (y down) against horizontal, in (-90, 90];
    the same label-free measure as the rear-view hip line (:mod:`posecheck.metrics.frontal`)."""
    from posecheck.metrics.frontal import line_tilt_deg as tilt

    return float(tilt(np.array([[x1, y1]], float), np.array([[x2, y2]], float))[0])


def find_aruco(image: np.ndarray, marker_cm: float) -> dict | None:
    """The first DICT_4X4_50 marker in a BGR image: its tilt (degrees, counter-clockwise, from
    its top edge) and the scale (cm per pixel, from its mean side). None when none is found."""
    import cv2

    params = cv2.aruco.DetectorParameters()
    params.cornerRefinementMethod = cv2.aruco.CORNER_REFINE_SUBPIX
    det = cv2.aruco.ArucoDetector(
        cv2.aruco.getPredefinedDictionary(getattr(cv2.aruco, ARUCO_DICT)), params
    )
    corners, ids, _ = det.detectMarkers(image)
    if ids is None or not len(corners):
        return None
    c = corners[0].reshape(4, 2).astype(float)  # TL, TR, BR, BL
    side_px = float(np.mean(np.linalg.norm(c - np.roll(c, -1, axis=0), axis=1)))
    tilt = line_tilt_deg(*c[0], *c[1])
    return {
        "id": int(ids[0][0]),
        "tilt_deg": tilt,
        "cm_per_px": marker_cm / side_px,
        "side_px": side_px,
        "centre_px": c.mean(axis=0).tolist(),
    }


def camera_from_marker(
    video, marker_cm: float, seconds: float = 10.0, samples: int = 10
) -> dict | None:
    """Median marker tilt and scale over ``samples`` frames of the first ``seconds``."""
    from posecheck.video import iter_frames, probe

    info = probe(video)
    step = max(1, int(min(seconds, info.duration_s) * info.fps / samples))
    found = []
    for frame in iter_frames(video, stride=step, stop_frame=int(seconds * info.fps)):
        r = find_aruco(frame.image, marker_cm)
        if r:
            found.append(r)
    if not found:
        return None
    return {
        "tilt_deg": float(np.median([f["tilt_deg"] for f in found])),
        "cm_per_px": float(np.median([f["cm_per_px"] for f in found])),
        "frames_with_marker": len(found),
        "source": "aruco",
    }


def camera_correction(profile: dict, video=None) -> dict:
    """{"tilt_deg", "cm_per_px" (or None), "source"} from the profile's [camera] section."""
    cam = profile.get("camera", {})
    if cam.get("aruco_marker_cm", 0) > 0 and video is not None:
        got = camera_from_marker(video, cam["aruco_marker_cm"])
        if got:
            return got
        return {"tilt_deg": 0.0, "cm_per_px": None, "source": "aruco marker not found"}
    if cam.get("level_line"):
        return {
            "tilt_deg": line_tilt_deg(*cam["level_line"]),
            "cm_per_px": None,
            "source": "level line",
        }
    return {
        "tilt_deg": float(cam.get("tilt_deg", 0.0)),
        "cm_per_px": None,
        "source": "profile" if cam.get("tilt_deg") else "none",
    }


def untilt(xy: np.ndarray, tilt_deg: float, centre_xy) -> np.ndarray:
    """Rotate image points (..., 2) by ``-tilt_deg`` about ``centre_xy``: what a level camera
    would have seen."""
    from posecheck.geometry import rotate_points

    return xy if not tilt_deg else rotate_points(xy, -tilt_deg, np.asarray(centre_xy, float))


# --- writing profiles ----------------------------------------------------------------------


def _toml_value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(float(v)) if isinstance(v, float) else str(v)
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    return '"' + str(v).replace("\\", "\\\\").replace('"', '\\"') + '"'


def dump_toml(data: dict, header: str = "") -> str:
    """TOML text for a profile (sections of scalars and lists; [baseline.<metric>] tables)."""
    lines = [f"# {line}" for line in header.splitlines()] + ([""] if header else [])
    for section, body in data.items():
        if section == "baseline":
            for metric, stats in body.items():
                lines.append(f"[baseline.{metric}]")
                lines += [f"{k} = {_toml_value(v)}" for k, v in stats.items()]
                lines.append("")
            continue
        lines.append(f"[{section}]")
        lines += [f"{k} = {_toml_value(v)}" for k, v in body.items()]
        lines.append("")
    return "\n".join(lines)


def set_position(path: str | Path, position: str) -> None:
    """Remember the rider's riding position (``[fit] position``) in their profile file,
    keeping everything else it holds."""
    from posecheck.io import write_text

    path = Path(path)
    existing = validate(_read(path), str(path)) if path.exists() else {}
    merged = validate(merge(existing, {"fit": {"position": position}}), str(path))
    write_text(dump_toml(merged, f"posecheck profile {path.stem}"), path)


def calibrate(
    analysis, rider: str, marker_cm: float | None = None, path: str | Path | None = None
) -> tuple[Path, dict]:
    """Write (or update) the rider's profile from a short fresh clip's analysis: a stored
    baseline per watched metric (median and spread of its per-stroke values after the first
    seconds) and, with a marker size, the camera tilt and scale from the ArUco marker.
    Returns the profile's path and what was written."""
    from posecheck.fatigue import SIGNS, default_windows, units
    from posecheck.io import write_text
    from posecheck.metrics.bias import OUTLINE_GAIN

    safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in rider).strip("_")
    if not safe:
        raise ProfileError(f"rider name {rider!r} has no usable characters")
    path = Path(path) if path else DEFAULTS_FILE.parent / f"{safe}.toml"
    existing = validate(_read(path), str(path)) if path.exists() else {}
    u = units(analysis.metrics, analysis.strokes)
    settle, _, _ = default_windows(analysis.info.duration_s)
    u = u[u["time_s"] >= settle]
    baseline = {}
    for sign in SIGNS:
        if sign.metric in u and u[sign.metric].notna().sum() >= 5:
            v = u[sign.metric].dropna().to_numpy()
            med = float(np.median(v))
            baseline[sign.metric] = {
                "median": round(med, 4),
                "spread": round(float(1.4826 * np.median(np.abs(v - med))), 4),
            }
            if sign.metric in OUTLINE_GAIN:  # the units it was measured in (stored_baseline)
                baseline[sign.metric]["gain"] = OUTLINE_GAIN[sign.metric]
    update: dict = {"baseline": baseline}
    camera = None
    if marker_cm:
        camera = camera_from_marker(analysis.info.path, marker_cm)
        if camera is None:
            raise ProfileError(
                f"{analysis.info.path}: no ArUco marker ({ARUCO_DICT}) found in "
                "the first 10 seconds"
            )
        update["camera"] = {
            "tilt_deg": round(camera["tilt_deg"], 2),
            "aruco_marker_cm": float(marker_cm),
        }
    view = analysis.view
    if view.source == "override":
        update["view"] = {"view": view.view}
    merged = merge(existing, update)
    merged["baseline"] = baseline  # a new calibration replaces the old baseline
    validate(merged, str(path))
    text = dump_toml(
        merged,
        f"posecheck rider profile for {rider}, written by posecheck "
        f"calibrate from {Path(analysis.info.path).name}.",
    )
    write_text(text, path)
    return path, {"baseline": baseline, "camera": camera}
