"""Live mode: cues while riding, the session recorded and analysed as it happens.

- :mod:`~posecheck.live.sources`: camera index, stream URL or a file at its real rate, into a
  one-frame slot (the newest frame wins; never a queue).
- :mod:`~posecheck.live.watch`: the fatigue timeline's own signs and thresholds on the frames
  so far, and the checks that keep cues off bad data.
- :mod:`~posecheck.live.cues`: cue words and when to repeat or clear them.
- :mod:`~posecheck.live.record`: the session folder, written as it runs; the after-ride
  analysis from the recorded keypoints.
- :mod:`~posecheck.live.overlay`: skeleton, angles and sign panels on the picture.
- :mod:`~posecheck.live.session`: one frame through all of the above; the CLI's loop.
"""

from posecheck.live.cues import Cue
from posecheck.live.record import finish, is_session, recorded_track
from posecheck.live.session import LiveSession, run
from posecheck.live.sources import Source, SourceError
from posecheck.live.watch import LiveSettings

__all__ = [
    "Cue",
    "LiveSession",
    "LiveSettings",
    "Source",
    "SourceError",
    "finish",
    "is_session",
    "recorded_track",
    "run",
]
