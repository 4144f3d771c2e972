"""Exports tab: every result file of the analysis as a download."""

from __future__ import annotations

import streamlit as st

FILES = (
    ("metrics.csv", "text/csv"),
    ("strokes.csv", "text/csv"),
    ("timeline.csv", "text/csv"),
    ("findings.json", "application/json"),
    ("summary.json", "application/json"),
    ("report.html", "text/html"),
    ("report.pdf", "application/pdf"),
    ("annotated.mp4", "video/mp4"),
)


def show(result, marker_s: float) -> None:
    out = result.outdir
    for name, mime in FILES:
        p = out / name
        if p.exists():
            st.download_button(f"Download {name}", p.read_bytes(), name, mime, key=f"dl_{name}")
    st.caption(f"All files are in {out}")
