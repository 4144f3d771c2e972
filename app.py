"""posecheck in the browser: `streamlit run app.py`. Layout only; the work is in posecheck."""
from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pandas as pd
import streamlit as st

from posecheck.calibration import ProfileError, calibrate, load_profile
from posecheck.compare import compare_analyses, compare_windows, side_by_side
from posecheck.pipeline import NoRiderError, analyze, load_analysis
from posecheck.ranges import load_ranges
from posecheck.render import annotated_frame, write_annotated_video
from posecheck.ui import (UploadError, analysis_dir, data_root, list_analyses, list_profiles,
                          list_samples, profiles_dir, safe_filename, store_upload)
from posecheck.ui.charts import (distribution, metric_timeline, phase_chart, scores_chart,
                                 watched_metrics)
from posecheck.video import VIDEO_SUFFIXES, VideoError

MAX_UPLOAD_MB = st.get_option("server.maxUploadSize")  # .streamlit/config.toml

st.set_page_config(page_title="posecheck", page_icon="🚴", layout="wide")
st.title("posecheck — posture on the bike, over time")
st.caption("Film yourself from the side on a trainer (whole body and crank in frame, phone "
           "level). posecheck measures your fit angles and shows when your posture starts to go.")

with st.sidebar:
    st.header("Clip")
    source = st.radio("Source", ["Bundled sample", "Upload a clip", "Earlier analysis"],
                      key="source")
    video: Path | None = None
    label: str | None = None  # what the rider calls the clip (an upload's own name)
    reopen: Path | None = None
    if source == "Bundled sample":
        samples = list_samples()
        choice = st.selectbox("Sample", list(samples), key="sample")
        video = samples[choice] if choice else None
    elif source == "Upload a clip":
        up = st.file_uploader("Video (mp4, mov, mkv, avi, webm)",
                              type=[s.lstrip(".") for s in VIDEO_SUFFIXES], key="upload")
        if up is not None:
            try:
                video = store_upload(up.name, up.getbuffer(), MAX_UPLOAD_MB)
                label = up.name
            except UploadError as exc:
                st.error(str(exc))
    else:
        earlier = list_analyses()
        if earlier:
            pick = st.selectbox("Analysis", [p.name for p in earlier], key="earlier")
            reopen = next(p for p in earlier if p.name == pick)
        else:
            st.caption("No analyses yet.")
    profiles = list_profiles()
    profile_name = st.selectbox("Profile", list(profiles), key="profile",
                                help="Rider and camera settings from calibration/")
    mode = st.selectbox("Mode", ["auto", "full", "long"], key="mode",
                        help="full: every frame; long: 10 s windows every 90 s (auto: long "
                             "above 20 minutes)")
    view_choice = st.selectbox("View", ["auto", "side-right", "side-left", "rear", "front"],
                               key="view", help="Override when the automatic choice is wrong")
    if reopen is not None:
        go = st.button("Open", type="primary", key="open")
    else:
        go = st.button("Analyse", type="primary", disabled=video is None, key="analyse")


def run(video: Path, mode: str, view: str, profile_path: Path | None, label: str | None):
    bar = st.progress(0.0, text="Starting the pose model…")
    t0 = time.monotonic()

    def progress(done: int, total: int, fps: float) -> None:
        left = (total - done) / fps if fps > 0 else float("nan")
        bar.progress(min(done / max(total, 1), 1.0),
                     text=f"{done}/{total} frames · {fps:.0f} frames/s · {left:.0f} s left")

    try:
        profile = load_profile(profile_path) if profile_path else None
        result = analyze(video, analysis_dir(video), mode=mode,
                         view=None if view == "auto" else view, profile=profile,
                         progress=progress)
    except (VideoError, NoRiderError, ProfileError) as exc:
        bar.empty()
        # name the clip as the rider knows it, not by the server's copy
        st.error(str(exc).replace(str(video), label) if label else str(exc))
        if isinstance(exc, VideoError) and video.parent == data_root() / "uploads":
            video.unlink(missing_ok=True)  # an upload that is not a usable video is not kept
        return None
    bar.empty()
    cached = " (pose from cache)" if result.summary["pose_cached"] else ""
    st.success(f"Analysed in {time.monotonic() - t0:.1f} s{cached}")
    return result


if go and reopen is not None:
    try:
        st.session_state["result"] = load_analysis(reopen)
    except (FileNotFoundError, VideoError, ValueError) as exc:  # ValueError: not our npz
        st.error(f"Cannot reopen {reopen.name}: {exc}")
elif go and video is not None:
    st.session_state["result"] = run(video, mode, view_choice, profiles[profile_name], label)

result = st.session_state.get("result")
if result is None:
    st.info("Choose a clip in the sidebar and press **Analyse**.")
    st.stop()

s, fnd, tl = result.summary, result.findings, result.timeline
duration = float(s["video"]["duration_s"])
if fnd["findings"]:
    st.warning(f"**{fnd['headline']}**")
elif fnd.get("steady", True):
    st.success(f"**{fnd['headline']}**")
else:  # nothing could be assessed
    st.info(f"**{fnd['headline']}**")
if not s.get("decoding", {"complete": True})["complete"]:
    st.warning(s["decoding"]["note"])
st.caption(s["pedalling"]["statement"] + f" Baseline: {fnd['baseline']['start_s']:.0f}–"
           f"{fnd['baseline']['end_s']:.0f} s; a drift must hold {fnd['sustain_s']:.0f} s.")
c1, c2, c3, c4 = st.columns(4)
c1.metric("Frames analysed", s["frames_analysed"])
c2.metric("Rider found", f"{100 * s['detection_rate']:.0f}%")
c3.metric("View", s["view"]["view"], help=f"confidence {s['view']['confidence']:.2f}, "
          f"{s['view']['source']}")
c4.metric("Cadence", f"{s['pedalling'].get('cadence_rpm_median', 0) or 0:.0f} rpm"
          if s["pedalling"].get("pedalling") else "—")

marker = st.slider("Time in the ride (s)", 0.0, max(duration, 0.1), 0.0,
                   step=max(round(duration / 500, 2), 0.05), key="time")
rider, fitter, video_tab, coach, calib, exports = st.tabs(
    ["Rider", "Fitter", "Video", "Coach", "Calibrate", "Exports"])

with rider:
    st.subheader("What happened over the ride")
    for f in fnd["findings"]:
        with st.expander(f"{f['sentence']} (confidence {f['confidence']:.2f})", expanded=True):
            st.write(f"**What helps:** {f['advice']}")
    for note in fnd["variability"]["notes"]:
        st.info(note)
    st.caption(fnd["note"])
    if len(tl):
        st.altair_chart(scores_chart(tl, marker), width="stretch")
        cols = st.columns(2)
        for i, metric in enumerate(watched_metrics(tl)):
            cols[i % 2].altair_chart(metric_timeline(tl, fnd, metric, marker),
                                     width="stretch")
        st.caption("Green band: your fresh baseline ± the smallest change that counts; blue: "
                   "the baseline minutes; red: a sustained drift from its onset (dashed).")
    if fnd["not_assessed"]:
        st.caption("Not assessed: " + "; ".join(f"{x['metric']} ({x['reason']})"
                                                for x in fnd["not_assessed"]))

with fitter:
    st.subheader("Per pedal stroke, against published ranges")
    ranges = load_ranges()
    strokes = result.strokes
    if strokes.empty:
        st.info(s["pedalling"]["statement"])
    else:
        summary_rows = []
        for r in ranges:
            if r.column in strokes:
                v = strokes[r.column].dropna()
                verdicts = strokes.get(f"{r.column}_status", pd.Series(dtype=str))
                counts = verdicts.value_counts()
                summary_rows.append({
                    "measure": r.label,
                    "median": round(float(v.median()), 1) if len(v) else None,
                    "published range": f"{r.low:g}–{r.high:g}",
                    "strokes in range": f"{int(counts.get('in', 0))} of {len(strokes)}",
                    "verdict": counts.index[0] if len(counts) else "",
                    "convention": r.convention, "source": r.source})
        st.dataframe(pd.DataFrame(summary_rows), hide_index=True, key="range_table")
        st.caption("Angles are included angles (180° = straight). Each stroke's verdict is "
                   "in / below / above the published range, or low confidence when the "
                   "joint was not seen well enough.")
        shown = ["stroke", "start_s", "cadence_rpm"] + [
            c for r in ranges for c in (r.column, f"{r.column}_status") if c in strokes]
        st.dataframe(strokes[list(dict.fromkeys(shown))].round(1), hide_index=True,
                     key="stroke_table")
        dcols = st.columns(3)
        for i, r in enumerate(x for x in ranges if x.column in strokes
                              and strokes[x.column].notna().any()):
            dcols[i % 3].altair_chart(distribution(strokes, r.column, r.low, r.high, r.label),
                                      width="stretch")
        typical = strokes.iloc[(strokes["knee_at_bdc_deg"] - strokes["knee_at_bdc_deg"].median()
                                ).abs().fillna(np.inf).argsort().iat[0]]
        fc1, fc2 = st.columns(2)
        for col, label, t in ((fc1, "Bottom dead centre", typical["bdc_s"]),
                              (fc2, "Top dead centre", typical["start_s"])):
            if np.isfinite(t):
                img = annotated_frame(result, float(t))
                if img is not None:
                    col.image(img, caption=f"{label}, stroke {int(typical['stroke'])} at "
                              f"{t:.2f} s", width="stretch")
    st.subheader("View and confidence")
    conf = {c[:-5]: round(float(result.metrics[c].median()), 2)
            for c in result.metrics.columns if c.endswith("_conf")}
    st.write(f"View **{s['view']['view']}**, near side **{s['view']['near_side'] or '—'}** "
             f"({s['view']['source']}, confidence {s['view']['confidence']:.2f}). Use **View** "
             "in the sidebar to override it.")
    st.dataframe(pd.DataFrame({"metric": list(conf), "median confidence": list(conf.values())}),
                 hide_index=True, key="conf_table")

with video_tab:
    img = annotated_frame(result, marker)
    if img is not None:
        st.image(img, caption=f"Frame at {marker:.2f} s with the near side's angles",
                 width="stretch")
    ann = result.outdir / "annotated.mp4"
    if not ann.exists():
        slot = st.empty()
        if slot.button("Make the annotated video", key="make_video"):
            with st.spinner("Drawing the skeleton on every analysed frame…"):
                write_annotated_video(result, ann)
            slot.empty()
    if ann.exists():
        st.video(str(ann), start_time=int(marker))  # the time slider moves the video too

with coach:
    st.subheader("Compare two analyses")
    earlier = {p.name: p for p in list_analyses()}
    others = [n for n in earlier if earlier[n] != result.outdir]
    options = ["early vs late of this ride"] + others
    against = st.selectbox("Compare this analysis (after) with", options, key="compare_with")
    if st.button("Compare", key="compare"):
        try:
            if against == options[0]:
                d = duration
                cmp = compare_windows(result, d / 3, 2 * d / 3)
                img = None
            else:
                before = load_analysis(earlier[against])
                cmp = compare_analyses(before, result)
                img = side_by_side(before, result)
            st.session_state["comparison"] = (cmp, img)
        except (FileNotFoundError, VideoError) as exc:
            st.error(f"Cannot compare with {against}: {exc}")
    got = st.session_state.get("comparison")
    if got:
        cmp, img = got
        st.write(f"**{cmp.label_a}** → **{cmp.label_b}**: a change counts only when it is "
                 "larger than both the strokes' own spread and the measurement-noise floor.")
        st.dataframe(cmp.deltas[["label", "before", "after", "change", "unit", "stroke_spread",
                                 "noise_floor", "verdict"]], hide_index=True,
                     key="delta_table")
        if len(cmp.curves):
            st.altair_chart(phase_chart(cmp), width="stretch")
        if img is not None:
            st.image(img, caption="Both at bottom dead centre (a typical stroke each)",
                     width="stretch")

with calib:
    st.subheader("Save this clip as a rider's fresh baseline")
    st.write("Film a few fresh minutes, analyse them, then save them here: later rides chosen "
             "with this profile are judged against it, not only against their own first "
             "minutes. With an ArUco marker (OpenCV DICT_4X4_50) fixed upright in view, the "
             "camera's tilt and a centimetre scale are saved too.")
    rider_name = st.text_input("Rider name", key="rider_name")
    marker_cm = st.number_input("ArUco marker side (cm, 0 = none)", 0.0, 100.0, 0.0,
                                key="marker_cm")
    if st.button("Save profile", key="save_profile", disabled=not rider_name.strip()):
        try:
            path, written = calibrate(result, rider_name, marker_cm or None,
                                      profiles_dir() / f"{safe_filename(rider_name)}.toml")
            st.success(f"Saved {path.name}: baseline for {len(written['baseline'])} metrics"
                       + (f", camera tilt {written['camera']['tilt_deg']:+.1f}°"
                          if written["camera"] else "") + ". Choose it under Profile.")
        except ProfileError as exc:
            st.error(str(exc))

with exports:
    out = result.outdir
    for name, mime in (("metrics.csv", "text/csv"), ("strokes.csv", "text/csv"),
                       ("timeline.csv", "text/csv"), ("findings.json", "application/json"),
                       ("summary.json", "application/json"), ("report.html", "text/html"),
                       ("report.pdf", "application/pdf"), ("annotated.mp4", "video/mp4")):
        p = out / name
        if p.exists():
            st.download_button(f"Download {name}", p.read_bytes(), name, mime,
                               key=f"dl_{name}")
    st.caption(f"All files are in {out}")
