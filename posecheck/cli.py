"""``posecheck analyze|samples``: the command line. Exit 0 on success, 2 for bad input."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from posecheck.video import VideoError

EXIT_BAD_INPUT = 2


def _positive_float(text: str) -> float:
    v = float(text)
    if v <= 0:
        raise argparse.ArgumentTypeError(f"must be > 0, not {text}")
    return v


def _workers(text: str) -> int:
    from posecheck.cores import resolve_workers

    try:
        return resolve_workers(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _iso_date(text: str) -> str:
    import datetime as dt

    try:
        dt.datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD[THH:MM]): {text}") from None
    return text


WORKERS_HELP = "processes: 'auto' (default) = the cores this process may use, or a number"


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="posecheck", description=__doc__)
    ap.add_argument("-v", "--verbose", action="store_true", help="log what each stage does")
    sub = ap.add_subparsers(dest="command", required=True)
    an = sub.add_parser("analyze", help="analyse a trainer video")
    an.add_argument("video", type=Path)
    an.add_argument("-o", "--outdir", type=Path, help="output folder (default: VIDEO_posecheck/)")
    an.add_argument(
        "--profile",
        type=Path,
        action="append",
        help="rider or camera profile (TOML); repeat to merge in order",
    )
    an.add_argument(
        "--mode",
        choices=("auto", "full", "long"),
        help="full: every frame; long: 10 s windows every 5 min, more where a sign begins to "
        "change (auto: long above 20 min)",
    )
    an.add_argument(
        "--position",
        choices=("hoods", "drops", "aero"),
        help="riding position the fit ranges are read for (default: the profile's, hoods)",
    )
    an.add_argument("--baseline-s", type=_positive_float, help="fresh baseline length, seconds")
    an.add_argument(
        "--sustain-s", type=_positive_float, help="how long a drift must last to count, seconds"
    )
    an.add_argument("--workers", type=_workers, default="auto", help="pose " + WORKERS_HELP)
    an.add_argument(
        "--ride",
        type=Path,
        help="the ride's FIT, TCX or CSV file (power, heart rate, cadence), matched to the "
        "video by cadence",
    )
    an.add_argument("--rider", help="record the ride under this rider (default: the profile's)")
    an.add_argument("--setup", help='the bike setup ridden, in words ("saddle +20 mm")')
    an.add_argument(
        "--date",
        type=_iso_date,
        help="the ride's date for the history, YYYY-MM-DD[THH:MM] (default: the clip's own)",
    )
    an.add_argument(
        "--ride-offset-s",
        type=float,
        help="the ride file's elapsed seconds at the video's first frame (skips matching)",
    )
    an.add_argument(
        "--view",
        choices=("side-left", "side-right", "rear", "front"),
        help="override the automatic view and near-side decision",
    )
    co = sub.add_parser("compare", help="compare two clips or analyses (before/after)")
    co.add_argument("a", type=Path, help="video or analysis folder (before)")
    co.add_argument(
        "b",
        type=Path,
        nargs="?",
        help="video or analysis folder (after); omitted: the first third of A "
        "against its last third",
    )
    co.add_argument("-o", "--outdir", type=Path, required=True)
    co.add_argument("--workers", type=_workers, default="auto", help="pose " + WORKERS_HELP)
    ca = sub.add_parser("calibrate", help="write a rider profile from a short fresh clip")
    ca.add_argument("video", type=Path, help="a short fresh clip, or its analysis folder")
    ca.add_argument("--rider", required=True, help="rider name (the profile's file name)")
    ca.add_argument(
        "--marker-size-cm",
        type=_positive_float,
        help="side of the ArUco marker (DICT_4X4_50) in the clip, cm",
    )
    ca.add_argument(
        "-o", "--output", type=Path, help="profile file (default: calibration/RIDER.toml)"
    )
    ca.add_argument(
        "--view",
        choices=("side-left", "side-right", "rear", "front"),
        help="record this view in the profile (when the automatic one is wrong)",
    )
    ba = sub.add_parser("batch", help="analyse every clip in a folder (skips finished ones)")
    ba.add_argument("folder", type=Path)
    ba.add_argument("-o", "--outdir", type=Path, required=True)
    ba.add_argument(
        "--workers", type=_workers, default="auto", help="clips at a time: " + WORKERS_HELP
    )
    ba.add_argument(
        "--scheduler",
        help="run on a Dask cluster: its scheduler address "
        "(tcp://host:8786); needs the 'cluster' extra",
    )
    ba.add_argument("--mode", choices=("auto", "full", "long"))
    ba.add_argument("--rider", help="record every ride under this rider")
    ba.add_argument("--profile", type=Path, action="append")
    hi = sub.add_parser("history", help="the rides recorded so far (POSECHECK_DB or SQLite)")
    hi.add_argument("--rider", help="only this rider's rides")
    hi.add_argument("--csv", type=Path, help="write the table to this CSV file")
    hi.add_argument(
        "--rebuild",
        type=Path,
        nargs="*",
        metavar="FOLDER",
        help="record every analysis folder under FOLDER again (default: the app's analyses)",
    )
    hi.add_argument("--clients", action="store_true", help="riders with their last ride")
    hi.add_argument("--rename", nargs=2, metavar=("OLD", "NEW"), help="rename a rider")
    hi.add_argument("--merge", nargs=2, metavar=("FROM", "INTO"), help="merge two riders")
    hi.add_argument("--delete", type=int, metavar="RIDE_ID", help="remove a ride's row")
    hi.add_argument(
        "--with-folder", action="store_true", help="with --delete: its analysis folder too"
    )
    li = sub.add_parser("live", help="cues while riding; the ride recorded and analysed")
    li.add_argument(
        "source", help="camera index (0), stream URL (rtsp://, http://) or a video file"
    )
    li.add_argument("-o", "--outdir", type=Path, help="session folder (default: live_DATE_TIME/)")
    li.add_argument("--profile", type=Path, action="append", help="rider profile (TOML)")
    li.add_argument(
        "--baseline-s", type=_positive_float, help="seconds the fresh baseline forms over"
    )
    li.add_argument(
        "--sustain-s", type=_positive_float, help="seconds a drift must hold before a cue"
    )
    li.add_argument("--bell", action="store_true", help="ring the terminal bell with each cue")
    li.add_argument("--no-history", action="store_true", help="do not record in the history")
    rp = sub.add_parser("report", help="write report.html and report.pdf for an analysis")
    rp.add_argument("analysis", type=Path, help="analysis folder (with summary.json)")
    rp.add_argument("-o", "--outdir", type=Path, help="where to write (default: the folder)")
    sa = sub.add_parser("samples", help="render the sample clips with their ground truth")
    sa.add_argument("-o", "--outdir", type=Path, default=Path("sample_videos"))
    sa.add_argument("names", nargs="*", help="scenarios to render (default: the bundled ones)")
    sa.add_argument(
        "--all",
        action="store_true",
        help="render every scenario: the bundled ones into OUTDIR, the ones the tests use "
        "into OUTDIR/scenarios",
    )
    sa.add_argument(
        "--human",
        action="store_true",
        help="render the human-body scenarios (MakeHuman riders) into OUTDIR/human; needs "
        "pip install 'posecheck[human]'",
    )
    sa.add_argument(
        "--analyses",
        action="store_true",
        help="analyse the bundled sample clips with the defaults into OUTDIR/analyses, so the "
        "app shows a sample's results as soon as it is chosen (after --poses)",
    )
    sa.add_argument(
        "--poses",
        action="store_true",
        help="run the model on every sample clip (and the scenarios the tests render) and "
        "keep the tracks in OUTDIR/poses, so that their first analysis opens at once; with "
        "NAMES (scenarios or clips such as human/human_shrug.mp4), refresh only those",
    )
    return ap


def _progress_bar():
    from tqdm import tqdm

    # a terminal redraws one line several times a second; a pipe or a log file (batch runs,
    # CI, `2> log`) gets the state every 10 s and at the end, not every update twice over
    tty = sys.stderr.isatty()
    bar = tqdm(
        total=0,
        unit="frame",
        file=sys.stderr,
        dynamic_ncols=True,
        mininterval=0.2 if tty else 10.0,
    )

    def update(done: int, total: int, fps: float) -> None:
        bar.total = total
        bar.set_postfix_str(f"{fps:.1f} fps", refresh=False)
        bar.update(done - bar.n)  # prints only when mininterval has passed

    return bar, update


def _profile_or_none(paths) -> dict | None:
    """The merged profile, or None after printing the one-line reason it is unusable."""
    from posecheck.calibration import ProfileError, load_profile

    try:
        return load_profile(*(paths or []))
    except ProfileError as exc:
        print(f"posecheck: {exc}", file=sys.stderr)
        return None


def cmd_analyze(args) -> int:
    from posecheck.calibration import ProfileError
    from posecheck.pipeline import NoRiderError, analyze

    profile = _profile_or_none(args.profile)
    if profile is None:
        return EXIT_BAD_INPUT
    bar, update = _progress_bar()
    try:
        result = analyze(
            args.video,
            args.outdir,
            mode=args.mode,
            workers=args.workers,
            view=args.view,
            profile=profile,
            position=args.position,
            baseline_s=args.baseline_s,
            sustain_s=args.sustain_s,
            progress=update,
            ride=args.ride,
            ride_offset_s=args.ride_offset_s,
            rider=args.rider or (args.profile[0].stem if args.profile else None),
            setup=args.setup,
            ridden_on=args.date,
        )
    except (VideoError, NoRiderError, ProfileError) as exc:
        bar.close()
        print(f"posecheck: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except OSError as exc:  # unwritable output folder, disk full
        bar.close()
        where = exc.filename or args.outdir or args.video
        print(
            f"posecheck: cannot write results for {args.video} to {where}: {exc.strerror or exc}",
            file=sys.stderr,
        )
        return EXIT_BAD_INPUT
    bar.close()
    s = result.summary
    print(
        f"{args.video}: {s['frames_analysed']} frames, rider found in "
        f"{100 * s['detection_rate']:.1f}%, view {s['view']['view']} "
        f"(confidence {s['view']['confidence']:.2f}); results in {result.outdir}"
    )
    if not s["decoding"]["complete"]:
        print(f"posecheck: warning: {args.video}: {s['decoding']['note']}", file=sys.stderr)
    print(s["pedalling"]["statement"])
    print(result.findings["headline"])
    ride = s.get("ride")
    if ride and "error" in ride:
        print(f"posecheck: warning: ride file not used: {ride['error']}", file=sys.stderr)
    elif ride:
        print(
            f"Ride file {ride['file']}: its {ride['offset_s']:.1f} s is the video's first frame "
            f"(by {ride['method']}, confidence {ride['confidence']:.2f})."
        )
    return 0


def _open_or_analyse(path: Path, workers: int):
    from posecheck.pipeline import analyze, load_analysis

    if path.is_dir():
        return load_analysis(path)
    return analyze(path, workers=workers)


def cmd_compare(args) -> int:
    from posecheck.compare import compare_analyses, compare_windows, side_by_side, write_comparison
    from posecheck.pipeline import NoRiderError
    from posecheck.report import write_reports

    try:
        a = _open_or_analyse(args.a, args.workers)
        b = _open_or_analyse(args.b, args.workers) if args.b else a
    except (VideoError, NoRiderError, FileNotFoundError) as exc:
        print(f"posecheck: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if args.b:
        cmp, img = compare_analyses(a, b), side_by_side(a, b)
    else:
        d = a.info.duration_s
        cmp, img = compare_windows(a, d / 3, 2 * d / 3), None
    write_comparison(cmp, args.outdir, img)
    write_reports(b, args.outdir, comparison=cmp, comparison_image=img)
    for r in cmp.deltas.itertuples():
        print(
            f"{r.label:32s} {r.before:8.2f} -> {r.after:8.2f}  {r.change:+7.2f} {r.unit:5s} "
            f"{r.verdict}"
        )
    print(f"comparison in {args.outdir}")
    return 0


def cmd_calibrate(args) -> int:
    from posecheck.calibration import ProfileError, calibrate
    from posecheck.pipeline import NoRiderError, analyze, load_analysis

    try:
        a = (
            load_analysis(args.video)
            if args.video.is_dir()
            else analyze(args.video, view=args.view, reports=False)
        )
        path, written = calibrate(a, args.rider, args.marker_size_cm, args.output)
    except (VideoError, NoRiderError, ProfileError, FileNotFoundError) as exc:
        print(f"posecheck: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    cam = written["camera"]
    print(
        f"{path}: baseline for {', '.join(written['baseline']) or 'no metric'}"
        + (f"; camera tilt {cam['tilt_deg']:+.2f} deg, {cam['cm_per_px']:.4f} cm/px" if cam else "")
    )
    return 0


def cmd_batch(args) -> int:
    from posecheck.batch import batch

    if not args.folder.is_dir():
        print(f"posecheck: {args.folder}: not a folder", file=sys.stderr)
        return EXIT_BAD_INPUT
    profile = _profile_or_none(args.profile)
    if profile is None:
        return EXIT_BAD_INPUT
    table = batch(
        args.folder,
        args.outdir,
        workers=args.workers,
        scheduler=args.scheduler,
        mode=args.mode,
        profile=profile,
        rider=args.rider,
    )
    with_cols = ["video", "status", "detection_rate", "strokes", "findings", "message"]
    print(table[with_cols].to_string(index=False))
    print(f"summary: {args.outdir / 'batch_summary.csv'}")
    return 0 if (table["status"] != "error").all() else EXIT_BAD_INPUT


def cmd_live(args) -> int:
    from posecheck.live.command import main

    profile = _profile_or_none(args.profile)
    return EXIT_BAD_INPUT if profile is None else main(args, profile)


def cmd_report(args) -> int:
    from posecheck.live import finish, is_session
    from posecheck.pipeline import NoRiderError, load_analysis
    from posecheck.report import write_reports

    try:
        if is_session(args.analysis) and not (args.analysis / "summary.json").exists():
            # a live session that ended without its analysis (killed, or the tab closed):
            # the after-ride analysis from the keypoints recorded up to the last chunk
            a = finish(args.analysis, reports=False, history=False)
        else:
            a = load_analysis(args.analysis)
    except NoRiderError as exc:
        print(f"posecheck: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except (FileNotFoundError, VideoError) as exc:
        print(f"posecheck: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        written = write_reports(a, args.outdir)
    except OSError as exc:  # the output folder is a file, read-only, on a full disk...
        where = exc.filename or args.outdir or args.analysis
        print(
            f"posecheck: {where}: cannot write the reports ({exc.strerror or exc})", file=sys.stderr
        )
        return EXIT_BAD_INPUT
    for p in written:
        print(p)
    return 0


def cmd_samples(args) -> int:
    from posecheck.samples import BUNDLED, SCENARIO_CLIPS, SCENARIOS, TEST_SCENARIOS, render_clip

    if args.human:
        return _human_samples(args)
    if args.analyses:
        from posecheck.samples.analyses import make_ready_made

        make_ready_made(args.outdir, [f"{n}.mp4" for n in (args.names or BUNDLED)])
        return 0
    if args.poses:
        from posecheck.samples.poses import make_store

        make_store(args.outdir, list(TEST_SCENARIOS), args.names or None)
        return 0
    names = args.names or (list(SCENARIOS) if args.all else list(BUNDLED))
    if _unknown_scenarios(names, SCENARIOS, "scenario(s)"):
        return EXIT_BAD_INPUT
    for name in names:
        test_only = args.all and name in TEST_SCENARIOS
        print(
            render_clip(SCENARIOS[name], args.outdir / SCENARIO_CLIPS if test_only else args.outdir)
        )
    return 0


def _unknown_scenarios(names, known, kind: str) -> bool:
    """Say which asked-for scenarios do not exist (and which do); True if any."""
    unknown = [n for n in names if n not in known]
    if unknown:
        print(
            f"posecheck: unknown {kind} {', '.join(unknown)}; choose from {', '.join(known)}",
            file=sys.stderr,
        )
    return bool(unknown)


def _human_samples(args) -> int:
    from posecheck.samples import render_clip
    from posecheck.samples.human import HUMAN_DIR, HUMAN_SCENARIOS
    from posecheck.samples.human.body import AnnyMissing, data_dir

    names = args.names or list(HUMAN_SCENARIOS)
    if _unknown_scenarios(names, HUMAN_SCENARIOS, "human scenario(s)"):
        return EXIT_BAD_INPUT
    try:
        data_dir()
    except AnnyMissing as e:
        print(f"posecheck: {e}", file=sys.stderr)
        return EXIT_BAD_INPUT
    for name in names:
        print(render_clip(HUMAN_SCENARIOS[name], args.outdir / HUMAN_DIR))
    return 0


HISTORY_COLUMNS = [
    "id",
    "rider",
    "setup",
    "clip_name",
    "recorded_at",
    "analysed_at",
    "duration_s",
    "knee_bdc_deg",
    "knee_tdc_deg",
    "hip_closed_deg",
    "back_deg",
    "elbow_deg",
    "cadence_rpm",
    "tension_peak",
    "collapse_peak",
    "folder_exists",
]


def cmd_history(args) -> int:
    from posecheck import history
    from posecheck.io import data_root

    try:
        engine = history.open_db()
    except history.HistoryError as exc:
        print(f"posecheck: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        if args.rebuild is not None:
            from posecheck.history.record import rebuild

            roots = args.rebuild or [data_root() / "analyses"]
            print(f"recorded {rebuild(engine, roots)} analyses from {', '.join(map(str, roots))}")
        if args.rename:
            history.rename_rider(engine, *args.rename)
        if args.merge:
            history.merge_riders(engine, *args.merge)
        if args.delete is not None:
            history.delete_ride(engine, args.delete, with_folder=args.with_folder)
        if args.clients:
            print(history.clients(engine).to_string(index=False))
            return 0
        table = history.rides_table(engine, args.rider)
    except ValueError as exc:
        print(f"posecheck: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    finally:
        engine.dispose()
    if not len(table):
        print("no rides recorded" + (f" for {args.rider}" if args.rider else ""))
        return 0
    out = table.reindex(columns=HISTORY_COLUMNS)
    out["findings"] = [
        "; ".join(f"{f['metric']} {f['onset_s']:.0f}s" for f in (fs or []))
        for fs in table["findings"]
    ]
    if args.csv:
        from posecheck.io import write_csv

        write_csv(out, args.csv)
    print(_readable_history(out.drop(columns=["analysed_at"])).to_string(index=False))
    return 0


def _readable_history(table):
    """The rides table as a rider reads it in a terminal (the CSV keeps every digit): dates
    to the minute, figures to a tenth, no "None" for a setup never given."""
    import pandas as pd

    out = table.copy()
    out["recorded_at"] = pd.to_datetime(out["recorded_at"], errors="coerce").dt.strftime(
        "%Y-%m-%d %H:%M"
    )
    out["setup"] = out["setup"].fillna("")
    floats = out.select_dtypes("float").columns
    out[floats] = out[floats].round(1)
    return out.fillna({"recorded_at": ""})


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    return {
        "analyze": cmd_analyze,
        "history": cmd_history,
        "samples": cmd_samples,
        "compare": cmd_compare,
        "report": cmd_report,
        "live": cmd_live,
        "calibrate": cmd_calibrate,
        "batch": cmd_batch,
    }[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
