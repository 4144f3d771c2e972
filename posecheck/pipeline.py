"""Compose the stages: video -> PoseTrack -> view -> metrics -> files. Nothing else here."""

from __future__ import annotations

import dataclasses
import functools
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from posecheck import __version__
from posecheck.adaptive import adaptive_track, pending_crossings, tolerance_s
from posecheck.calibration import (
    camera_correction,
    load_profile,
    merge,
    stored_baseline,
    with_flags,
)
from posecheck.extract import (
    ExtractSettings,
    Progress,
    extract_track,
    pose_stores,
    shared_pose_cache,
    video_fingerprint,
)
from posecheck.fatigue import FatigueSettings, analyse_fatigue
from posecheck.io import write_csv, write_json
from posecheck.measure import measure
from posecheck.metrics.bias import LANDMARK_ANGLES, LANDMARK_OFFSET, OUTLINE_GAIN
from posecheck.pose import PoseEstimator, make_mediapipe
from posecheck.ranges import unjudged
from posecheck.strokes import coasting_spells, pedalling_statement
from posecheck.track import PoseTrack
from posecheck.video import VideoError, VideoInfo, probe
from posecheck.view import ViewDecision

log = logging.getLogger(__name__)


class NoRiderError(ValueError):
    """No person was found in the clip; the message names the file."""


@dataclass
class Analysis:
    outdir: Path
    info: VideoInfo
    track: PoseTrack
    view: ViewDecision
    metrics: pd.DataFrame
    strokes: pd.DataFrame
    summary: dict
    findings: dict
    timeline: pd.DataFrame
    #: the attached ride file on the video's time axis (``ride.csv``), or None
    ride: pd.DataFrame | None = None

    @property
    def video_available(self) -> bool:
        """Whether the analysed video is still where it was: riders delete or move hour-long
        clips once analysed, and every figure lives in the folder; only pictures (a frame,
        the annotated video, the side-by-side) need the clip itself."""
        return Path(self.info.path).is_file()


def long_mode_windows(
    duration_s: float, window_s: float = 10.0, every_s: float = 300.0
) -> tuple[tuple[float, float], ...]:
    """Windows of ``window_s`` seconds at full frame rate, one every ``every_s`` seconds."""
    starts = np.arange(0.0, max(duration_s - 1e-9, 0.0), every_s)
    return tuple((float(s), float(min(s + window_s, duration_s))) for s in starts)


def default_outdir(video: str | Path) -> Path:
    v = Path(video)
    return v.with_name(v.stem + "_posecheck")


def analyze(
    video: str | Path,
    outdir: str | Path | None = None,
    *,
    mode: str | None = None,
    workers: int = 1,
    view: str | None = None,
    profile: dict | None = None,
    position: str | None = None,
    baseline_s: float | None = None,
    sustain_s: float | None = None,
    make_estimator: Callable[[], PoseEstimator] | None = None,
    progress: Progress | None = None,
    reports: bool = True,
    correct_bias: bool = True,
    reuse_poses: bool = True,
    ride: str | Path | None = None,
    ride_offset_s: float | None = None,
    ride_label: str | None = None,
    rider: str | None = None,
    setup: str | None = None,
    ridden_on: str | None = None,
    history: bool = True,
    track: PoseTrack | None = None,
) -> Analysis:
    """Analyse one clip into ``outdir`` (see the README for the files written).

    ``profile`` is a merged profile (:func:`posecheck.calibration.load_profile`; defaults
    when None); ``mode``, ``view``, ``position`` (the riding position the fit ranges are
    read for: hoods, drops, aero), ``baseline_s`` and ``sustain_s`` override it.
    ``reports`` also writes ``report.html`` and ``report.pdf``. ``correct_bias=False``
    leaves out the correction of MediaPipe's knee bias (:mod:`posecheck.metrics.bias`).
    ``reuse_poses=False`` runs the model even when the pose cache or the stored sample poses
    hold this clip's track (:func:`posecheck.extract.pose_stores`). ``ride``: a ride file
    (FIT, TCX, CSV) attached with :func:`posecheck.ride.attach_ride` (``ride_offset_s``: its
    elapsed seconds at the video's first frame, instead of finding it); a file that cannot
    be used is reported in ``summary.json`` and the analysis goes on without it
    (``ride_label``: its name as the rider knows it, for messages).
    ``history``: record the ride in the history database (:mod:`posecheck.history`) under
    ``rider`` and ``setup`` (``ridden_on``: the ride's date, ``YYYY-MM-DD[THH:MM]``, when the
    clip's own creation time is wrong or missing); a database that cannot be written is
    logged, never fatal.
    ``track``: the clip's landmarks already found (a live session recorded them as it
    filmed, :mod:`posecheck.live`): used as they are, the model is not run.
    Raises :class:`posecheck.video.VideoError` for unusable input, :class:`NoRiderError`
    (after saving what was found) when no person appears in any frame, and
    :class:`posecheck.calibration.ProfileError` for bad settings.
    """
    t0 = time.perf_counter()
    prof = with_flags(
        load_profile() if profile is None else merge(load_profile(), profile),
        {
            ("analysis", "mode"): mode,
            ("view", "view"): view,
            ("fit", "position"): position,
            ("fatigue", "baseline_s"): baseline_s,
            ("fatigue", "sustain_s"): sustain_s,
        },
        "arguments",
    )
    info = probe(video)
    outdir = Path(outdir) if outdir else default_outdir(video)
    an = prof["analysis"]
    mode = an["mode"]
    if mode == "auto":
        mode = "long" if info.duration_s > an["long_above_s"] else "full"
    view = None if prof["view"]["view"] == "auto" else prof["view"]["view"]
    factory = make_estimator or functools.partial(make_mediapipe, True)
    # used here with one worker; with more, only its name and settings (MediaPipePose loads
    # its model at the first frame, so this costs nothing)
    first = factory()
    name = first.name
    seg = bool(getattr(first, "segmentation", False))
    est: PoseEstimator | None = first
    if workers > 1:  # the workers build their own
        first.close()
        est = None
    # Chunks of 5-10 s (six or more from 30 s up) so that parallel workers
    # share the work evenly. Chunking depends on the clip only (not on the worker count), so
    # any number of workers gives the same track and reuses the same cache.
    chunk_s = float(np.clip(info.duration_s / 6, 5.0, 10.0))
    settings = ExtractSettings(
        estimator=name,
        segmentation=seg,
        chunk_s=chunk_s,
        windows_s=long_mode_windows(info.duration_s, an["long_window_s"], an["long_every_s"])
        if mode == "long"
        else None,
    )
    fz = prof["fatigue"]
    fsettings = FatigueSettings(
        baseline_s=fz["baseline_s"] or None,
        sustain_s=fz["sustain_s"] or None,
        settle_s=None if fz["settle_s"] < 0 else fz["settle_s"],
    )
    camera = camera_correction(prof, info.path)
    position = prof["fit"]["position"]
    refined = None
    # the refinement's last measurement, reused below when its track is the final one (the
    # same arrays and settings: measuring them again cost ~1 s on a 90-minute ride)
    last: dict = {}
    if track is not None:
        if est is not None:
            est.close()
        est = None
        stats = {"cached": True, "frames_processed": 0, "seconds": 0.0}
        outdir.mkdir(parents=True, exist_ok=True)
        track.save(outdir / "keypoints.npz")
    elif mode == "long" and an["long_refine"]:
        if est is not None:
            est.close()  # each pass makes its own

        def measured(tr: PoseTrack, windows: list) -> list[dict]:
            if not tr.detected.any():
                return []  # no rider in these windows: nothing to refine (said below)
            got = measure(
                tr, info.fps, info.size_wh, view, camera["tilt_deg"], correct_bias, position
            )
            f, tl = analyse_fatigue(
                got[3],  # metrics
                got[4],  # strokes
                info.duration_s,
                fsettings,
                stored_baseline=stored_baseline(prof),
                thresholds=prof.get("thresholds"),
            )
            last.update(track=tr, measured=got, fatigue=(f, tl))
            pending = pending_crossings(windows, f, tl, info.duration_s, an["long_window_s"])
            return f["findings"] + pending

        track, stats, refined = adaptive_track(
            info,
            outdir,
            settings,
            an["long_window_s"],
            an["long_every_s"],
            fsettings,
            lambda windows_settings, folder: _extract(
                info, folder, windows_settings, factory, progress, workers, None, reuse_poses
            ),
            measured,
        )
        settings = dataclasses.replace(settings, windows_s=tuple(refined.windows))
    else:
        track, stats = _extract(
            info, outdir, settings, factory, progress, workers, est, reuse_poses
        )
    decoding = decoding_check(info, track, settings)
    if not len(track):
        raise VideoError(f"{video}: no frame could be decoded (corrupt, or not a video)")
    if not track.detected.any():
        write_json(
            {
                "posecheck_version": __version__,
                "video": {"path": str(Path(info.path).resolve())},
                "frames_analysed": len(track),
                "detection_rate": 0.0,
                "decoding": decoding,
                "error": "no rider found",
            },
            outdir / "summary.json",
        )
        light = mean_brightness(info)
        hint = (
            f"the video is very dark (mean brightness {light:.0f} of 255): film with more "
            "light on the rider"
            if light < DARK_BELOW
            else "film from the side with the whole body in view"
        )
        raise NoRiderError(f"{video}: no rider found in any of {len(track)} frames ({hint})")
    if refined is not None and last.get("track") is refined.result:
        decision, clean, level, metrics, strokes = last["measured"]
        findings, timeline = last["fatigue"]
    else:
        decision, clean, level, metrics, strokes = measure(
            track, info.fps, info.size_wh, view, camera["tilt_deg"], correct_bias, position
        )
        findings, timeline = analyse_fatigue(
            metrics,
            strokes,
            info.duration_s,
            fsettings,
            stored_baseline=stored_baseline(prof),
            thresholds=prof.get("thresholds"),
        )
    wall = time.perf_counter() - t0
    summary = {
        "posecheck_version": __version__,
        "video": {
            # absolute: the folder is reopened from anywhere (a relative path only held from
            # the folder the analysis was started in)
            "path": str(Path(info.path).resolve()),
            "fps": info.fps,
            "n_frames": info.n_frames,
            "width": info.width,
            "height": info.height,
            "rotation_deg": info.rotation_deg,
            "duration_s": round(info.duration_s, 3),
            "fingerprint": video_fingerprint(info.path),  # content hash: the history's key
        },
        "mode": mode,
        # the riding position the fit verdicts in strokes.csv are for, and what has no range
        "fit": {"position": position, "not_judged": unjudged(position)},
        "windows_s": [list(w) for w in settings.windows_s] if settings.windows_s else None,
        # long mode's refinement: windows added where a sign began to change (None: not used)
        "long_refine": None
        if refined is None
        else {
            "every_s": an["long_every_s"],
            "tolerance_s": tolerance_s(info.duration_s),
            "rounds": refined.rounds,
            "windows_added": [list(w) for w in refined.added],
            "open_brackets": [list(w) for w in refined.open_brackets],
        },
        "fatigue": {
            "baseline": findings["baseline"],
            "sustain_s": findings["sustain_s"],
            "findings": len(findings["findings"]),
            "headline": findings["headline"],
        },
        "estimator": name,
        "view": decision.as_dict(),
        "frames_analysed": len(track),
        "detection_rate": round(track.detection_rate, 4),
        "pose_cached": stats["cached"],
        "processing_s": round(wall, 2),
        "pose_fps": round(stats["frames_processed"] / stats["seconds"], 1)
        if stats["seconds"] > 0
        else None,
        "workers": workers,
        "pedalling": pedalling_statement(
            strokes,
            info.duration_s,
            feet_in_frame_share(track, clean, decision, info.size_wh),
            coasting_spells(clean.t_s, clean.xy_px, decision),
        ),
        "cleaning": clean.meta.get("cleaning"),
        # MediaPipe's side-view landmarks moved to the joint centres for these angles
        # (posecheck.metrics.bias); before 2026-12-02 "angle_bias_corrected_deg" held a
        # constant subtracted from the knee (posecheck.metrics.bias.landmarks_legacy)
        "landmark_correction": {
            "offsets": {j: list(v) for j, v in LANDMARK_OFFSET.items()},
            "angles": list(LANDMARK_ANGLES),
        }
        if correct_bias
        else {},
        # the outline's back signs multiplied to the body's degrees (they read about half)
        "outline_gain": dict(OUTLINE_GAIN) if correct_bias else {},
        "decoding": decoding,
        "camera": {k: (round(v, 5) if isinstance(v, float) else v) for k, v in camera.items()},
        "distances_cm": distances_cm(level, decision, camera.get("cm_per_px")),
    }
    write_csv(metrics, outdir / "metrics.csv")
    write_csv(strokes, outdir / "strokes.csv")
    write_csv(timeline, outdir / "timeline.csv")
    write_json(findings, outdir / "findings.json")
    write_json(summary, outdir / "summary.json")
    analysis = Analysis(
        outdir, info, track, decision, metrics, strokes, summary, findings, timeline
    )
    if ride is not None:
        from posecheck.ride import attach_ride, ride_table

        attach_ride(analysis, ride, ride_offset_s, label=ride_label)
        analysis.ride = ride_table(outdir)
    if reports:
        from posecheck.report import write_reports

        write_reports(analysis)
    if history:
        record_in_history(outdir, rider, setup, ridden_on)
    return analysis


def _extract(info, outdir, settings, factory, progress, workers, est, reuse_poses):
    """The model's pass over the clip (or its cached track): (track, stats)."""
    try:
        return extract_track(
            info,
            outdir,
            settings,
            factory,
            progress,
            workers=workers,
            estimator=est,
            shared_cache=shared_pose_cache() if reuse_poses else None,
            stores=pose_stores() if reuse_poses else (),
        )
    finally:
        if est is not None:
            est.close()


def record_in_history(
    outdir: Path, rider: str | None, setup: str | None, ridden_on: str | None = None
) -> int | None:
    """Record the analysis in the history database; the row id, or None (logged) when the
    database cannot be used: the analysis itself is complete either way."""
    import sqlalchemy as sa

    from posecheck.history import HistoryError, NotARide, open_db, record_analysis

    try:
        engine = open_db()
    except HistoryError as exc:
        log.warning("not recorded in the history: %s", exc)
        return None
    try:
        when = None
        if ridden_on:
            import datetime as dt

            when = dt.datetime.fromisoformat(ridden_on)
            when = when if when.tzinfo else when.replace(tzinfo=dt.timezone.utc)
        return record_analysis(engine, outdir, rider=rider, setup=setup, recorded_at=when)
    except NotARide as exc:  # the message says it all
        log.warning("%s", exc)
        return None
    except (sa.exc.SQLAlchemyError, OSError, ValueError) as exc:
        log.warning("not recorded in the history: %s", exc)
        return None
    finally:
        engine.dispose()


DARK_BELOW = 40.0  # mean 8-bit brightness under which a clip counts as too dark


def mean_brightness(info: VideoInfo, samples: int = 10) -> float:
    """Mean grey level (0-255) of up to ``samples`` frames spread over the clip."""
    from posecheck.video import iter_frames

    stride = max(1, info.n_frames // samples)
    vals = [
        float(f.image.mean()) for _, f in zip(range(samples), iter_frames(info.path, stride=stride))
    ]
    return float(np.mean(vals)) if vals else 0.0


def decoding_check(info: VideoInfo, track: PoseTrack, settings: ExtractSettings) -> dict:
    """Did every frame the container announces decode? A file corrupt or cut short part-way
    decodes only up to the damage: say so rather than pass a partial ride as the whole."""
    if settings.windows_s:
        expected = int(sum(round((b - a) * info.fps) for a, b in settings.windows_s))
    else:
        expected = int(info.n_frames)
    last = float(track.t_s[-1]) if len(track) else 0.0
    step = max(1, settings.stride)
    jumps = np.flatnonzero(np.diff(track.frame) > step) if len(track) > 1 else np.zeros(0, int)
    if settings.windows_s:  # long mode: the gaps between windows are expected
        gap_starts = track.t_s[jumps]
        jumps = jumps[
            [not any(abs(g - b) < 1.0 for _, b in settings.windows_s) for g in gap_starts]
        ]
    # Frame counts of some containers are estimates: a clip read to its end without a gap is
    # complete whatever the count said.
    complete = len(track) >= 0.98 * expected or (last >= info.duration_s - 1.0 and not len(jumps))
    out: dict[str, object] = {
        "expected_frames": expected,
        "decoded_frames": int(len(track)),
        "complete": complete,
    }
    if not complete:
        where = (
            f"frames are missing from {float(track.t_s[jumps[0]]):.1f} s"
            if len(jumps)
            else f"the video stops after {last:.1f} s"
        )
        out["note"] = (
            f"only {len(track)} of {expected} frames could be decoded ({where}, "
            f"of {info.duration_s:.1f} s): the file is damaged; results cover the "
            "decoded part only"
        )
    return out


def distances_cm(level: PoseTrack, view: ViewDecision, cm_per_px: float | None) -> dict | None:
    """Side views with a scale (ArUco marker): the hip-to-wrist drop and reach, proxies of the
    saddle-to-bar drop and reach, medians over the clip in centimetres."""
    if not cm_per_px or not view.near_side or not len(level):
        return None
    from posecheck.landmarks import side_landmark

    hip = level.xy_px[:, side_landmark(view.near_side, "HIP")]
    wrist = level.xy_px[:, side_landmark(view.near_side, "WRIST")]
    d = wrist - hip
    if not np.isfinite(d).any():
        return None
    return {
        "hip_to_wrist_drop_cm": round(float(np.nanmedian(d[:, 1])) * cm_per_px, 1),
        "hip_to_wrist_reach_cm": round(float(np.nanmedian(np.abs(d[:, 0]))) * cm_per_px, 1),
    }


def feet_in_frame_share(
    raw: PoseTrack, clean: PoseTrack, view: ViewDecision, size_wh: tuple[int, int]
) -> float | None:
    """Share of frames with the near foot (ankle, heel, toe) inside the picture; None for
    rear/front views."""
    if not view.near_side or not len(raw):
        return None
    from posecheck.landmarks import side_landmark
    from posecheck.metrics import landmark_confidence

    conf = landmark_confidence(raw.visibility, clean.xy_px, size_wh)
    foot = [side_landmark(view.near_side, j) for j in ("ANKLE", "HEEL", "FOOT_INDEX")]
    return float(np.mean(conf[:, foot].min(axis=1) > 0))


def stored_video_info(video: dict) -> VideoInfo:
    """The analysed video's facts: read from the file when it is still there, else as
    ``summary.json`` recorded them (moved or deleted clips leave a folder that still opens:
    see :attr:`Analysis.video_available`)."""
    try:
        return probe(video["path"])
    except VideoError:
        log.info("%s: the analysed video is no longer readable there", video["path"])
        return VideoInfo(
            str(video["path"]),
            float(video["fps"]),
            int(video["n_frames"]),
            int(video["width"]),
            int(video["height"]),
            int(video.get("rotation_deg", 0)),
            float(video["duration_s"]),
        )


def load_analysis(outdir: str | Path) -> Analysis:
    """Reopen a finished analysis from its folder (no model run). Raises FileNotFoundError
    when the folder holds no complete analysis."""
    outdir = Path(outdir)
    summary_path = outdir / "summary.json"
    if not summary_path.exists():
        raise FileNotFoundError(f"{outdir}: no summary.json, not a finished analysis")
    summary = json.loads(summary_path.read_text())
    findings = json.loads((outdir / "findings.json").read_text())
    v = summary["view"]
    view = ViewDecision(v["view"], v["near_side"], v["facing"], v["confidence"], v["source"])
    info = stored_video_info(summary["video"])
    return Analysis(
        outdir,
        info,
        PoseTrack.load(outdir / "keypoints.npz"),
        view,
        pd.read_csv(outdir / "metrics.csv"),
        pd.read_csv(outdir / "strokes.csv"),
        summary,
        findings,
        pd.read_csv(outdir / "timeline.csv"),
        pd.read_csv(outdir / "ride.csv") if (outdir / "ride.csv").exists() else None,
    )
