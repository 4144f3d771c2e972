"""``posecheck live SOURCE``: cues while riding, in the terminal."""

from __future__ import annotations

import datetime as dt
import signal
import sys
import threading
import time
from pathlib import Path

from posecheck.live.cues import Cue
from posecheck.live.session import LiveSession, run
from posecheck.live.sources import Source, SourceError
from posecheck.live.watch import LiveSettings

STATUS_EVERY_S = 10.0


def default_outdir() -> Path:
    return Path(f"live_{dt.datetime.now():%Y%m%d_%H%M%S}")


#: the command line's exit code for unusable input (``posecheck.cli.EXIT_BAD_INPUT``)
EXIT_BAD_INPUT = 2


def main(args, profile: dict) -> int:
    """Run a live session for ``posecheck live`` (``profile``: the merged rider profile)."""
    try:
        source = Source(str(args.source), realtime=True)
    except SourceError as exc:
        print(f"posecheck: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    settings = LiveSettings.from_profile(
        profile, baseline_s=args.baseline_s, sustain_s=args.sustain_s
    )
    outdir = args.outdir or default_outdir()
    if (outdir / "live.json").exists() or (outdir / "summary.json").exists():
        print(f"posecheck: {outdir} already holds a session or analysis", file=sys.stderr)
        return EXIT_BAD_INPUT
    bell = "\a" if args.bell else ""

    def on_cue(cue: Cue) -> None:
        from posecheck.fatigue import mmss

        print(f"{mmss(cue.time_s)}  {cue.message}{bell}", flush=True)

    slot = source.start()
    first = None
    end = time.perf_counter() + 30
    while first is None and time.perf_counter() < end and not slot.finished:
        first = slot.take(timeout=1.0)
    if first is None:
        source.stop()
        print(
            f"posecheck: {args.source}: {slot.error or 'no frame arrived in 30 s'}", file=sys.stderr
        )
        return EXIT_BAD_INPUT
    size = (first.image.shape[1], first.image.shape[0])
    session = LiveSession(
        outdir,
        size,
        source.fps or 30.0,
        settings,
        profile=profile,
        view=profile["view"]["view"],
        on_cue=on_cue,
        source=str(args.source),
    )
    print(
        f"live: {args.source} -> {outdir}/ (baseline over the first {settings.baseline_s:.0f} s, "
        f"cues after {settings.sustain_s:.0f} s held; Ctrl-C ends the ride)",
        file=sys.stderr,
        flush=True,
    )
    stop = threading.Event()
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    session.process(first.image, first.t_s, first.arrived)
    last_status = [time.perf_counter()]

    def on_frame(_img, s: LiveSession) -> None:
        if time.perf_counter() - last_status[0] >= STATUS_EVERY_S:
            last_status[0] = time.perf_counter()
            st = s.state
            what = (
                f"paused: {st.problem}"
                if st.problem
                else f"baseline, {st.baseline_left_s:.0f} s left"
                if st.phase == "baseline"
                else st.phase
            )
            fig = s.stats.as_dict()
            print(
                f"  [{st.time_s:6.1f} s] {what}; {fig['analysed_fps']:.1f} frames/s analysed",
                file=sys.stderr,
                flush=True,
            )

    stats = run(source, session, on_frame, should_stop=stop.is_set)
    if slot.error:
        print(f"posecheck: {slot.error} (the ride so far is kept)", file=sys.stderr)
    print(
        f"live: {stats['frames_analysed']} frames analysed ({stats['analysed_fps']} per s), "
        f"{stats['dropped_share']:.0%} dropped, latency p50 {stats['latency_ms_p50']} ms, "
        f"p95 {stats['latency_ms_p95']} ms",
        file=sys.stderr,
    )
    from posecheck.pipeline import NoRiderError
    from posecheck.video import VideoError

    try:
        analysis = session.close(analyse=True, workers=1, history=not args.no_history)
    except (NoRiderError, VideoError) as exc:
        print(f"posecheck: {exc} (the recording is kept in {outdir})", file=sys.stderr)
        return EXIT_BAD_INPUT
    if analysis is not None:
        print(analysis.findings["headline"])
        print(f"after-ride analysis: {outdir}/report.html")
    return 0
