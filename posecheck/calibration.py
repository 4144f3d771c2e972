"""Profiles: TOML settings merged defaults -> rider -> camera -> command line, validated.

The schema is ``calibration/default.toml`` itself: every section and key there is allowed,
with the type of its default. ``[baseline.<metric>]`` tables (median, spread) hold a rider's
stored fresh baseline for the fatigue timeline.
"""
from __future__ import annotations

import copy
import sys
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

DEFAULTS_FILE = Path(__file__).resolve().parents[1] / "calibration" / "default.toml"
CHOICES = {("analysis", "mode"): ("auto", "full", "long"),
           ("view", "view"): ("auto", "side-left", "side-right", "rear", "front")}


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
                    raise ProfileError(f"{source}: unknown metric [baseline.{metric}]; allowed: "
                                       + ", ".join(SIGN_BY_METRIC))
                if not isinstance(stats, dict) or set(stats) != {"median", "spread"} or not all(
                        isinstance(v, (int, float)) for v in stats.values()) or stats["spread"] < 0:
                    raise ProfileError(f"{source}: [baseline.{metric}] needs numbers median and "
                                       "spread (spread >= 0)")
            continue
        if section not in schema or not isinstance(body, dict):
            raise ProfileError(f"{source}: unknown section [{section}]; allowed: "
                               + ", ".join(f"[{s}]" for s in list(schema) + ["baseline.<metric>"]))
        for key, value in body.items():
            if key not in schema[section]:
                raise ProfileError(f"{source}: unknown key [{section}].{key}; allowed: "
                                   + ", ".join(schema[section]))
            want = schema[section][key]
            ok = (isinstance(value, (int, float)) and not isinstance(value, bool)
                  if isinstance(want, float) else isinstance(value, type(want)))
            if not ok:
                raise ProfileError(f"{source}: [{section}].{key} must be a "
                                   f"{type(want).__name__}, not {value!r}")
            choices = CHOICES.get((section, key))
            if choices and value not in choices:
                raise ProfileError(f"{source}: [{section}].{key} = {value!r}; allowed: "
                                   + ", ".join(choices))
            if isinstance(want, float) and key != "settle_s" and value < 0:
                raise ProfileError(f"{source}: [{section}].{key} must be >= 0, not {value}")
    return data


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
    over: dict = {}
    for (section, key), v in (flags or {}).items():
        if v is not None:
            over.setdefault(section, {})[key] = v
    return merge(out, validate(over, "command line", schema))
