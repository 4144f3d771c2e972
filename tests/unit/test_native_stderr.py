"""MediaPipe's native start-up chatter is kept out of the terminal; everything else is not."""

import os

from posecheck.pose import native_stderr_filtered


def test_native_chatter_is_dropped_and_errors_pass(capfd):
    with native_stderr_filtered():
        os.write(2, b"INFO: Created TensorFlow Lite XNNPACK delegate for CPU.\n")
        os.write(
            2,
            b"WARNING: All log messages before absl::InitializeLog() is called are written "
            b"to STDERR\n",
        )
        os.write(
            2,
            b"W0000 00:00:1796237060.563853   15794 inference_feedback_manager.cc:114] "
            b"Feedback manager requires a model with a single signature inference.\n",
        )
        os.write(2, b"E0000 00:00:1796237060.600000   15794 graph.cc:1] the model is broken\n")
        os.write(2, b"Traceback (most recent call last):\n")
    err = capfd.readouterr().err
    assert "XNNPACK" not in err and "absl" not in err and "Feedback manager" not in err
    assert "the model is broken" in err and "Traceback" in err
    # the descriptor is back where it was: what follows is not swallowed
    os.write(2, b"after the block\n")
    assert "after the block" in capfd.readouterr().err
