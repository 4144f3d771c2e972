"""posecheck: posture and fit angles of cyclists from trainer video, over time.

The work is in the submodules (``posecheck.pipeline.analyze`` runs an analysis); this package
file imports nothing, so importing any part of posecheck stays cheap.
"""

__version__ = "0.1.0"
