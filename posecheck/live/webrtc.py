"""The browser camera's WebRTC link (aiortc, under streamlit-webrtc): no receiver-side
bandwidth estimate.

aiortc, receiving the browser's camera, estimates the link's bandwidth from the packets'
arrival times (the ``abs-send-time`` header extension) and tells the browser to send no more
than that (``goog-remb`` feedback). Its packets are read by a Python event loop that shares a
process with the model and the live checks, so their arrival jitters by milliseconds that
the estimator takes for a congested link: on this project's 2-core machine, with the browser
on the same machine (a 1 ms round trip), Chromium's estimate of the link fell from 230 to
30 kbit/s within 20 s of Start (its minimum) and it sent 8 frames/s instead of the camera's 15
(``qualityLimitationReason: bandwidth`` in its ``getStats``), so too few pedal strokes
reached the analysis to judge any sign (README, Live).

:func:`no_receiver_estimate` stops aiortc from offering either, so the browser falls back to
its loss-based estimate: it sends what the camera gives unless packets are actually lost.
The video posecheck sends back (the overlay) is unaffected: aiortc's encoder keeps its own
fixed bitrate without that feedback.
"""

from __future__ import annotations

ABS_SEND_TIME = "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time"


def no_receiver_estimate() -> None:
    """Remove ``goog-remb`` and ``abs-send-time`` from what aiortc offers for video (its
    module-level codec and header-extension tables, read at each negotiation); idempotent."""
    from aiortc.codecs import CODECS, HEADER_EXTENSIONS

    for codec in CODECS["video"]:
        codec.rtcpFeedback = [fb for fb in codec.rtcpFeedback if fb.type != "goog-remb"]
    HEADER_EXTENSIONS["video"][:] = [
        ext for ext in HEADER_EXTENSIONS["video"] if ext.uri != ABS_SEND_TIME
    ]
