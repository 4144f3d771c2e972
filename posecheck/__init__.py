"""posecheck: posture and fit angles of cyclists from trainer video, over time."""
__version__ = "0.1.0"


def analyze(*args, **kwargs):
    """See :func:`posecheck.pipeline.analyze` (imported lazily to keep import cheap)."""
    from posecheck.pipeline import analyze as _analyze

    return _analyze(*args, **kwargs)
