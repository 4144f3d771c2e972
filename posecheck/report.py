"""Reports a fitter can hand over: a self-contained HTML page and a PDF.

Both hold the session and video, the view, the key angles per stroke against the published
ranges (with convention and source), the frame at bottom dead centre with the angles drawn,
the fatigue timeline with its findings and advice, and a comparison when one is given.
Charts are drawn with matplotlib and embedded as PNG data: the HTML loads nothing from the
network.
"""

from __future__ import annotations

import base64
import html
import io
import os
import textwrap
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from posecheck.labels import explained_sentences
from posecheck.ranges import (
    POSITIONS,
    fit_position,
    load_ranges,
    position_sentence,
    range_summary,
)

DISCLAIMER = (
    "posecheck measures posture from video. These are signs for a rider, fitter or "
    "coach, not a diagnosis; pain that lasts deserves a clinician."
)


def _has_timeline(analysis) -> bool:
    """A timeline worth drawing: not for a clip too short for one (a fit check), whose
    per-stroke values would only look like a timeline."""
    return bool(len(analysis.timeline)) and not analysis.findings.get("too_short")


def _mpl():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def range_rows(strokes: pd.DataFrame, position: str = "hoods") -> list[dict]:
    return [
        {
            "Measure": r["measure"],
            "Median": f"{r['median']:.1f}",
            "Published range": r["published range"],
            "Strokes in range": r["strokes in range"],
            "Convention": r["convention"],
            "Source": r["source"],
        }
        for r in range_summary(strokes, load_ranges(position=position))
    ]


#: inches around a stack of charts (:func:`stack_margins`): left (the page's margin, then
#: tick labels up to 5 characters), right, bottom (tick labels and the axis label), above
#: each chart (its title) and between charts
STACK_IN = {"left": 0.75, "right": 0.4, "bottom": 0.5, "title": 0.25, "gap": 0.1}


def stack_margins(fig, n: int, top_in: float = 0.0) -> None:
    """Place ``n`` charts stacked in one column with fixed margins (``STACK_IN``), below
    ``top_in`` inches kept free for text. Replaces matplotlib's tight_layout, which measures
    every label with a draw of its own: a third of a report's time (1 s of 3 on a 90-minute
    ride)."""
    w, h = fig.get_size_inches()
    m = STACK_IN
    usable = h - top_in - m["title"] - m["bottom"]
    axes_h = (usable - (n - 1) * (m["title"] + m["gap"])) / n
    fig.subplots_adjust(
        left=m["left"] / w,
        right=1 - m["right"] / w,
        bottom=m["bottom"] / h,
        top=1 - (top_in + m["title"]) / h,
        hspace=(m["title"] + m["gap"]) / axes_h,
    )


def broken_at_gaps(tl: pd.DataFrame) -> pd.DataFrame:
    """``tl`` with an empty row between measured stretches (:func:`timeline_stretches`), so a
    line drawn through it breaks where nothing was measured (long mode's gaps)."""
    from posecheck.fatigue import timeline_stretches

    if tl.empty:
        return tl
    stretch = timeline_stretches(tl["time_s"])
    ends = np.flatnonzero(np.diff(stretch))
    if not len(ends):
        return tl
    t = tl["time_s"].to_numpy(float)
    gaps = pd.DataFrame({"time_s": (t[ends] + t[ends + 1]) / 2})
    return pd.concat([tl, gaps], ignore_index=True).sort_values("time_s", kind="stable")


def timeline_figure(analysis, heading: str = "", lines: Sequence[str] = ()):
    """matplotlib Figure: tension/collapse scores and each watched metric with its baseline
    band, the drift shaded and the onset dashed; ``heading`` and ``lines`` (the findings in
    words) above the charts, so the PDF has them on one page, not a page of text alone."""
    from posecheck.fatigue import SIGN_BY_METRIC
    from posecheck.labels import LABELS

    plt = _mpl()
    tl, fnd = broken_at_gaps(analysis.timeline), analysis.findings
    metrics = [m for m in SIGN_BY_METRIC if m in tl and tl[m].notna().any()]
    n = 1 + len(metrics)
    wrapped = [chunk for line in lines for chunk in textwrap.wrap(line, 120)]
    top_in = (0.45 + 0.17 * len(wrapped)) if heading else 0.0  # inches of text above
    height = 1.7 * n + 0.5 + top_in
    fig, axes = plt.subplots(n, 1, figsize=(8, height), sharex=True, squeeze=False)
    ax = axes[0, 0]
    for col, color in (("tension_score", "#ef6c00"), ("collapse_score", "#6a1b9a")):
        if col in tl:
            ax.plot(tl["time_s"], tl[col], color=color, label=col.replace("_score", ""))
    ax.axhline(1.0, color="#999", ls="--", lw=0.8)
    ax.set_title("Tension and collapse (1 = one sign at its threshold)", fontsize=9)
    ax.legend(fontsize=7, loc="upper left")
    for ax, m in zip(axes[1:, 0], metrics):
        ax.plot(tl["time_s"], tl[m], color="#37474f", lw=1)
        b = fnd["baseline"]["per_metric"].get(m)
        if b:
            ax.axhspan(
                b["median"] - b["threshold"],
                b["median"] + b["threshold"],
                color="#2e7d32",
                alpha=0.12,
            )
        ax.axvspan(
            fnd["baseline"]["start_s"], fnd["baseline"]["end_s"], color="#1565c0", alpha=0.07
        )
        for f in fnd["findings"]:
            if f["metric"] == m:
                ax.axvspan(f["onset_s"], f["sustained_until_s"], color="#c62828", alpha=0.12)
                ax.axvline(f["onset_s"], color="#c62828", ls="--", lw=1)
        ax.set_title(LABELS.get(m, m), fontsize=9)
        ax.tick_params(labelsize=7)
    axes[-1, 0].set_xlabel("ride time (s)", fontsize=8)
    stack_margins(fig, n, top_in)
    if heading:
        fig.text(0.04, 1 - 0.15 / height, heading, fontsize=14, weight="bold", va="top")
        for k, chunk in enumerate(wrapped):
            fig.text(0.04, 1 - (0.45 + 0.17 * k) / height, chunk, fontsize=7.5, va="top")
    return fig


def _png(fig_or_img) -> bytes:
    if isinstance(fig_or_img, np.ndarray):
        import cv2

        _, encoded = cv2.imencode(".png", cv2.cvtColor(fig_or_img, cv2.COLOR_RGB2BGR))
        return encoded.tobytes()
    plt = _mpl()
    buf = io.BytesIO()
    fig_or_img.savefig(buf, format="png", dpi=110)
    plt.close(fig_or_img)
    return buf.getvalue()


def _img_tag(png: bytes, alt: str) -> str:
    return (
        f'<img alt="{html.escape(alt)}" style="max-width:100%" '
        f'src="data:image/png;base64,{base64.b64encode(png).decode()}">'
    )


def _table(rows: list[dict]) -> str:
    if not rows:
        return "<p><em>No per-stroke values.</em></p>"
    head = "".join(f"<th>{html.escape(k)}</th>" for k in rows[0])
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in r.values()) + "</tr>"
        for r in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


#: the reports' picture of bottom dead centre at most this many pixels on its longer side: a
#: page shows it about 6 inches wide; a 1080p frame embedded whole made the PDF page's
#: drawing 0.5 s slower and the HTML twice the size (1.16 against 0.55 MB on a 90-minute ride)
REPORT_IMAGE_PX = 960


def bdc_image(analysis) -> np.ndarray | None:
    """The typical stroke's bottom dead centre, annotated, for the reports (or None)."""
    import cv2

    from posecheck.compare import typical_stroke
    from posecheck.render import annotated_frame
    from posecheck.video import fit_within

    st = typical_stroke(analysis.strokes)
    img = None if st is None else annotated_frame(analysis, float(st["bdc_s"]))
    if img is None:
        return None
    size = fit_within(img.shape[1], img.shape[0], REPORT_IMAGE_PX)
    return img if size is None else cv2.resize(img, size, interpolation=cv2.INTER_AREA)


def session_rows(analysis) -> list[dict]:
    s = analysis.summary
    v = s["video"]
    return [
        {"Item": k, "Value": val}
        for k, val in (
            ("Video", Path(v["path"]).name),
            (
                "Length",
                f"{v['duration_s']:.1f} s at {v['fps']:.2f} frames/s, {v['width']}×{v['height']}",
            ),
            ("Mode", s["mode"]),
            (
                "View",
                f"{s['view']['view']} (near side "
                f"{s['view']['near_side'] or '—'}, confidence "
                f"{s['view']['confidence']:.2f}, {s['view']['source']})",
            ),
            ("Rider found", f"{100 * s['detection_rate']:.1f}% of {s['frames_analysed']} frames"),
            ("Pedalling", s["pedalling"]["statement"]),
            ("posecheck", f"{s['posecheck_version']} with {s['estimator']}"),
        )
    ]


def write_html(analysis, path: str | Path, comparison=None, comparison_image=None, *, bdc) -> Path:
    """The HTML report; ``bdc``: the annotated frame at bottom dead centre
    (:func:`bdc_image`, None when there is none)."""
    path = Path(path)
    fnd = analysis.findings
    parts = [
        f"<h1>posecheck report</h1><p class=note>{html.escape(DISCLAIMER)}</p>",
        "<h2>Session</h2>",
        _table(session_rows(analysis)),
        "<h2>Fit angles per stroke against published ranges</h2>",
        _table(range_rows(analysis.strokes, fit_position(analysis.summary))),
        "<p class=note>Angles are included angles (180° = straight). A stroke counts "
        "only when the joint was seen with confidence 0.5 or more. "
        + html.escape(position_sentence(fit_position(analysis.summary)))
        + "</p>",
    ]
    if bdc is not None:
        parts += ["<h2>Bottom dead centre</h2>", _img_tag(_png(bdc), "frame at BDC")]
    parts += [
        "<h2>Posture over the ride</h2>",
        f"<p><strong>{html.escape(fnd['headline'])}</strong></p>",
    ]
    for f in fnd["findings"]:
        ride_line = f"<p>{html.escape(f['ride_sentence'])}</p>" if f.get("ride_sentence") else ""
        parts.append(
            f"<div class=finding><p>{html.escape(f['sentence'])} "
            f"(confidence {f['confidence']:.2f})</p>{ride_line}<p><em>What helps:</em> "
            f"{html.escape(f['advice'])}</p></div>"
        )
    parts += _ride_html(analysis)
    for note in fnd["variability"]["notes"] + explained_sentences(fnd.get("explained", [])):
        parts.append(f"<p>{html.escape(note)}</p>")
    if _has_timeline(analysis):
        parts.append(_img_tag(_png(timeline_figure(analysis)), "fatigue timeline"))
    parts.append(f"<p class=note>{html.escape(fnd['note'])}</p>")
    if comparison is not None:
        parts += [
            f"<h2>Comparison: {html.escape(comparison.label_a)} → "
            f"{html.escape(comparison.label_b)}</h2>",
            _table(comparison_rows(comparison)),
        ]
        if len(comparison.curves):
            parts.append(_img_tag(_png(curves_figure(comparison)), "curves over the cycle"))
        if comparison_image is not None:
            parts.append(_img_tag(_png(comparison_image), "both at bottom dead centre"))
    style = (
        "body{font-family:sans-serif;max-width:60em;margin:2em auto;color:#263238}"
        "table{border-collapse:collapse;font-size:.85em;margin:.5em 0}"
        "td,th{border:1px solid #cfd8dc;padding:.3em .5em;text-align:left}"
        ".note{color:#607d8b;font-size:.85em}.finding{border-left:4px solid #c62828;"
        "padding-left:.8em}"
    )
    doc = (
        f"<!doctype html><html><head><meta charset='utf-8'><title>posecheck report</title>"
        f"<style>{style}</style></head><body>{''.join(parts)}</body></html>"
    )
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(doc, encoding="utf-8")
    os.replace(tmp, path)
    return path


def curves_figure(cmp):
    """Mean +/- SD over the crank cycle for both sides, one panel per metric."""
    plt = _mpl()
    metrics = list(dict.fromkeys(cmp.curves["metric"]))
    fig, axes = plt.subplots(
        1, max(len(metrics), 1), figsize=(2.6 * max(len(metrics), 1), 2.4), squeeze=False
    )
    for ax, m in zip(axes[0], metrics):
        for side, label, color in (("a", cmp.label_a, "#1565c0"), ("b", cmp.label_b, "#c62828")):
            d = cmp.curves[(cmp.curves["metric"] == m) & (cmp.curves["side"] == side)]
            ax.plot(d["phase_pct"], d["mean"], color=color, label=label[:24])
            ax.fill_between(
                d["phase_pct"], d["mean"] - d["sd"], d["mean"] + d["sd"], color=color, alpha=0.15
            )
        ax.set_title(m.replace("_deg", "").replace("_", " "), fontsize=8)
        ax.set_xlabel("crank cycle %", fontsize=7)
        ax.tick_params(labelsize=6)
    axes[0, 0].legend(fontsize=6)
    fig.tight_layout()
    return fig


def comparison_rows(cmp) -> list[dict]:
    return [
        {
            "Measure": r.label,
            "Before": r.before,
            "After": r.after,
            "Change": f"{r.change:+.2f} {r.unit}",
            "Stroke spread": r.stroke_spread,
            "Noise floor": r.noise_floor,
            "Verdict": r.verdict,
        }
        for r in cmp.deltas.itertuples()
    ]


def _save_and_close(pdf, fig) -> None:
    """Add ``fig`` as a page and free it (pyplot keeps every open figure)."""
    pdf.savefig(fig)
    _mpl().close(fig)


def write_pdf(analysis, path: str | Path, comparison=None, comparison_image=None, *, bdc) -> Path:
    """A PDF of the same content (matplotlib pages); ``bdc`` as for :func:`write_html`."""
    from matplotlib.backends.backend_pdf import PdfPages

    plt = _mpl()
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    with PdfPages(tmp) as pdf:
        fig = plt.figure(figsize=(8.27, 11.69))
        fig.text(0.06, 0.96, "posecheck report", fontsize=18, weight="bold", va="top")
        fig.text(0.06, 0.925, DISCLAIMER, fontsize=7, color="#607d8b", va="top", wrap=True)
        y = 0.89
        for r in session_rows(analysis):
            fig.text(0.06, y, f"{r['Item']}:", fontsize=8, weight="bold", va="top")
            fig.text(0.2, y, str(r["Value"])[:110], fontsize=8, va="top")
            y -= 0.02
        fig.text(
            0.06,
            y - 0.01,
            "Fit angles per stroke against published ranges ("
            + POSITIONS[fit_position(analysis.summary)]
            + ")",
            fontsize=11,
            weight="bold",
            va="top",
        )
        rows = range_rows(analysis.strokes, fit_position(analysis.summary))
        if rows:
            ax = fig.add_axes(
                [0.06, max(0.42, y - 0.06 - 0.03 * len(rows)), 0.88, 0.03 * len(rows) + 0.03]
            )
            ax.axis("off")
            # widths summing to the axes' width (they summed to 1.07: the source column ran
            # off the page); long sources wrap onto a second line instead of being cut
            cells = [
                [
                    r["Measure"],
                    r["Median"],
                    r["Published range"],
                    r["Strokes in range"],
                    "\n".join(textwrap.wrap(r["Source"], 30)[:2]),
                ]
                for r in rows
            ]
            t = ax.table(
                cellText=cells,
                colLabels=["Measure", "Median", "Range", "In range", "Source"],
                loc="upper left",
                colWidths=[0.4, 0.09, 0.11, 0.12, 0.28],
                cellLoc="left",
            )
            t.scale(1, 1.5)
            t.auto_set_font_size(False)
            t.set_fontsize(7)
        if bdc is not None:  # lower and smaller for a fit check: its words sit above it
            short = bool(analysis.findings.get("too_short"))
            ax = fig.add_axes([0.2, 0.03, 0.6, 0.3] if short else [0.15, 0.04, 0.7, 0.34])
            ax.imshow(bdc)
            ax.set_title("Bottom dead centre, a typical stroke", fontsize=9)
            ax.axis("off")
        fnd = analysis.findings
        lines = (
            [fnd["headline"]]
            + [
                f"• {f['sentence']} {f.get('ride_sentence', '')} — {f['advice']}"
                for f in fnd["findings"]
            ]
            + _ride_lines(analysis)
            + fnd["variability"]["notes"]
            + explained_sentences(fnd.get("explained", []))
        )
        if fnd.get("too_short"):  # a fit check: its sentence or two on the fit page
            y = 0.405
            for line in lines:
                for chunk in textwrap.wrap(line, 125):
                    fig.text(0.06, y, chunk, fontsize=7.5, va="top", color="#37474f")
                    y -= 0.013
        pdf.savefig(fig)
        plt.close(fig)
        if _has_timeline(analysis):  # the words above the charts: one page, not two
            _save_and_close(pdf, timeline_figure(analysis, "Posture over the ride", lines))
        elif not fnd.get("too_short"):  # no timeline: the words on their own page
            fig = plt.figure(figsize=(8.27, 11.69))
            fig.text(0.06, 0.96, "Posture over the ride", fontsize=14, weight="bold", va="top")
            y = 0.93
            for line in lines:
                for chunk in textwrap.wrap(line, 110):
                    fig.text(0.06, y, chunk, fontsize=8, va="top")
                    y -= 0.016
            pdf.savefig(fig)
            plt.close(fig)
        if analysis.ride is not None and "error" not in (analysis.summary.get("ride") or {}):
            _save_and_close(pdf, ride_figure(analysis))
        if comparison is not None:
            fig = plt.figure(figsize=(8.27, 11.69))
            fig.text(
                0.06,
                0.96,
                f"Comparison: {comparison.label_a} → {comparison.label_b}",
                fontsize=12,
                weight="bold",
                va="top",
            )
            rows = comparison_rows(comparison)
            if rows:
                ax = fig.add_axes([0.04, 0.5, 0.92, 0.42])
                ax.axis("off")
                t = ax.table(
                    cellText=[[str(v)[:30] for v in r.values()] for r in rows],
                    colLabels=list(rows[0]),
                    loc="upper left",
                )
                t.auto_set_font_size(False)
                t.set_fontsize(7)
            if len(comparison.curves):
                _save_and_close(pdf, curves_figure(comparison))
            if comparison_image is not None:
                ax = fig.add_axes([0.05, 0.05, 0.9, 0.4])
                ax.imshow(comparison_image)
                ax.axis("off")
            pdf.savefig(fig)
            plt.close(fig)
    os.replace(tmp, path)
    return path


def write_reports(
    analysis, outdir: str | Path | None = None, comparison=None, comparison_image=None
) -> tuple[Path, Path]:
    outdir = Path(outdir or analysis.outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    bdc = bdc_image(analysis)  # one seek and decode for both (0.55 s on a 90-minute ride)
    return (
        write_html(analysis, outdir / "report.html", comparison, comparison_image, bdc=bdc),
        write_pdf(analysis, outdir / "report.pdf", comparison, comparison_image, bdc=bdc),
    )


def _ride_lines(analysis) -> list[str]:
    """The ride file's lines in words: which file, where it sits, heart-rate drift."""
    block = analysis.summary.get("ride")
    if not block:
        return []
    if "error" in block:
        return [f"Ride file not used: {block['error']}"]
    drift = block.get("heart_rate_drift") or {}
    return [
        f"Ride file {block['file']}: its {block['offset_s']:.1f} s is the video's first frame "
        f"(by {block['method']}, confidence {block['confidence']:.2f}).",
        drift.get("sentence") or f"Heart-rate drift not measured: {drift.get('reason')}.",
    ]


def _ride_html(analysis) -> list[str]:
    lines = _ride_lines(analysis)
    if not lines:
        return []
    parts = ["<h2>Ride data</h2>"] + [f"<p>{html.escape(x)}</p>" for x in lines]
    if analysis.ride is not None and "error" not in analysis.summary["ride"]:
        parts.append(_img_tag(_png(ride_figure(analysis)), "power, heart rate and cadence"))
    return parts


def ride_figure(analysis):
    """The posture scores, then power, heart rate and cadence under them on the video's time
    axis, the findings' onsets dashed and the analysed video shaded (for the reports)."""
    plt = _mpl()
    ride = analysis.ride
    panels = [
        (c, t, col)
        for c, t, col in (
            ("power_w", "power (W)", "#1565c0"),
            ("heart_rate_bpm", "heart rate (bpm)", "#c62828"),
            ("cadence_rpm", "cadence (rpm)", "#2e7d32"),
        )
        if c in ride and ride[c].notna().any()
    ]
    n = len(panels) + 1
    fig, axes = plt.subplots(n, 1, figsize=(8, 1.6 * n), sharex=True)
    axes = np.atleast_1d(axes)
    windows = analysis.summary.get("windows_s") or [[0.0, analysis.summary["video"]["duration_s"]]]
    tl = broken_at_gaps(analysis.timeline)  # the posture scores on top, same time axis
    for fam, colour in (("tension", "#ef6c00"), ("collapse", "#6a1b9a")):
        if f"{fam}_score" in tl:
            axes[0].plot(tl["time_s"], tl[f"{fam}_score"], color=colour, lw=1, label=fam)
    axes[0].set_ylabel("posture score", fontsize=7)
    axes[0].legend(fontsize=6, loc="upper left")
    for ax, (c, title, colour) in zip(axes[1:], panels):
        ax.plot(ride["time_s"], ride[c], color=colour, lw=0.8)
        ax.set_ylabel(title, fontsize=7)
    for ax in axes:
        ax.tick_params(labelsize=6)
        for a, b in windows:
            ax.axvspan(a, b, color="#555", alpha=0.08)
        for f in analysis.findings.get("findings", []):
            ax.axvline(f["onset_s"], color="#c62828", ls="--", lw=0.8)
    axes[-1].set_xlabel("video time (s)", fontsize=7)
    stack_margins(fig, n)
    return fig
