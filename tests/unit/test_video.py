"""Probing and frame iteration on clips the test makes with ffmpeg."""

import cv2
import numpy as np
import pytest

from posecheck.video import VideoError, iter_frames, probe
from tests.conftest import make_test_clip, run_ffmpeg


@pytest.fixture(scope="module")
def ntsc_clip(tmp_path_factory):
    return make_test_clip(tmp_path_factory.mktemp("v") / "ntsc.mp4", rate="30000/1001", seconds=2)


def test_probe_keeps_fractional_fps(ntsc_clip):
    info = probe(ntsc_clip)
    assert info.fps == pytest.approx(30000 / 1001, rel=1e-9)
    assert info.n_frames == 60
    assert info.duration_s == pytest.approx(60 * 1001 / 30000, rel=1e-9)
    assert (info.width, info.height, info.rotation_deg) == (320, 240, 0)


@pytest.mark.parametrize(
    "suffix,codec",
    [
        (".mp4", "libx264"),
        (".mov", "libx264"),
        (".mkv", "libx264"),
        (".avi", "mpeg4"),
        (".webm", "libvpx-vp9"),
    ],
)
def test_probe_containers(tmp_path, suffix, codec):
    clip = make_test_clip(tmp_path / f"c{suffix}", rate="25", seconds=1, extra=("-c:v", codec))
    info = probe(clip)
    assert info.fps == pytest.approx(25.0)
    assert info.n_frames == pytest.approx(25, abs=1)
    assert len(list(iter_frames(clip))) == 25


def test_portrait_phone_clip_comes_out_upright(tmp_path):
    land = make_test_clip(tmp_path / "land.mp4", size="320x240", seconds=1)
    rot = tmp_path / "portrait.mp4"
    run_ffmpeg("-display_rotation", "90", "-i", str(land), "-c", "copy", str(rot))
    ref = tmp_path / "ref.png"  # ffmpeg applies the display matrix when it decodes
    run_ffmpeg("-i", str(rot), "-frames:v", "1", str(ref))
    info = probe(rot)
    assert info.rotation_deg == 90
    assert (info.width, info.height) == (240, 320)
    first = next(iter_frames(rot)).image
    assert first.shape == (320, 240, 3)
    assert np.abs(first.astype(int) - cv2.imread(str(ref)).astype(int)).mean() < 1.0


def test_timestamps_stride_and_windows(ntsc_clip):
    fps = 30000 / 1001
    frames = list(iter_frames(ntsc_clip))
    assert [f.index for f in frames] == list(range(60))
    np.testing.assert_allclose([f.t_s for f in frames], np.arange(60) / fps, atol=1e-3)
    assert [f.index for f in iter_frames(ntsc_clip, stride=7)] == list(range(0, 60, 7))
    win = list(iter_frames(ntsc_clip, windows_s=[(0.5, 1.0), (1.5, 1.7)]))
    expect = [i for i in range(60) if 0.5 <= i / fps < 1.0 or 1.5 <= i / fps < 1.7]
    assert [f.index for f in win] == expect


def test_window_far_ahead_seeks_to_the_right_frame(tmp_path):
    clip = make_test_clip(
        tmp_path / "long.mp4", rate="30", seconds=12, extra=("-c:v", "libx264", "-g", "60")
    )
    seq = {f.index: f.image for f in iter_frames(clip, windows_s=[(9.0, 9.2)])}
    assert sorted(seq) == list(range(270, 276))
    by_decoding = {f.index: f.image for f in iter_frames(clip) if 270 <= f.index < 276}
    for i, img in seq.items():
        assert np.array_equal(img, by_decoding[i]), f"frame {i} differs after seeking"


@pytest.mark.parametrize(
    "content,problem",
    [(None, "not found"), (b"", "empty"), (b"hello, not a video\n" * 50, "not a readable")],
)
def test_bad_files_name_the_file_and_problem(tmp_path, content, problem):
    path = tmp_path / "ride.mp4"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(VideoError) as err:
        probe(path)
    assert str(path) in str(err.value) and problem in str(err.value)


@pytest.mark.parametrize(
    "size,pix_fmt,extra,max_side",
    [
        ("1280x720", "yuv420p", (), 960),  # the usual phone format: converted from its planes
        ("1280x720", "yuv420p", (), 2000),  # no downscale
        ("1282x722", "yuv420p", (), 961),  # odd target size: FFmpeg's scaler
        ("1280x720", "yuvj420p", (), 960),  # full-range JPEG levels: FFmpeg's scaler
        ("1280x720", "yuv444p", (), 960),
        ("1280x720", "yuv420p", ("-display_rotation", "270"), 960),
    ],
)
def test_model_input_matches_the_decoded_picture(tmp_path, size, pix_fmt, extra, max_side):
    """``Frame.rgb`` (the model's input, made from the YUV planes) is the full picture that
    FFmpeg decodes, upright, shrunk by area averaging, in RGB. Brightness agrees to within a
    grey level; colour a little less on this harsh test pattern, since the planes path keeps
    the chroma at half the output's resolution (as any 4:2:0 video of that size)."""
    src = make_test_clip(
        tmp_path / "src.mp4",
        size=size,
        rate="10",
        seconds=0.5,
        extra=("-c:v", "libx264"),
        pix_fmt=pix_fmt,
    )
    clip = src
    if extra:
        clip = tmp_path / "rot.mp4"
        run_ffmpeg(*extra, "-i", str(src), "-c", "copy", str(clip))
    ref_png = tmp_path / "ref.png"  # ffmpeg applies the display matrix when it decodes
    run_ffmpeg("-i", str(clip), "-frames:v", "1", str(ref_png))
    ref = cv2.imread(str(ref_png))
    frame = next(iter_frames(clip))
    assert frame.size_wh == (ref.shape[1], ref.shape[0])
    assert np.abs(frame.image.astype(int) - ref).mean() < 1.5
    h, w = ref.shape[:2]
    k = min(1.0, max_side / max(w, h))
    want = cv2.cvtColor(
        ref
        if k == 1
        else cv2.resize(ref, (round(w * k), round(h * k)), interpolation=cv2.INTER_AREA),
        cv2.COLOR_BGR2RGB,
    )
    got = frame.rgb(max_side)
    assert got.shape == want.shape
    diff = np.abs(got.astype(int) - want).mean()
    luma = np.abs(
        cv2.cvtColor(got, cv2.COLOR_RGB2GRAY).astype(int) - cv2.cvtColor(want, cv2.COLOR_RGB2GRAY)
    ).mean()
    print(
        f"{size} {pix_fmt} {extra} -> {got.shape}: mean |diff| colour {diff:.2f}, "
        f"brightness {luma:.2f}"
    )
    assert luma < 1.0 and diff < 2.5


@pytest.mark.parametrize("name", ["bframes.mp4", "bframes.mov", "bframes.mkv"])
def test_keyframes_from_the_index_are_the_packets_presentation_times(tmp_path, name):
    """MP4/MOV keyframes come from the container's index (a 90-minute phone ride is about
    11 GB: reading every packet read all of it); the index holds decoding times, which run
    two frames ahead of presentation with B-frames. Matroska indexes keyframes only as cues:
    read packet by packet. Either way the times are the packets' own presentation times."""
    import av

    from posecheck.video import keyframe_times

    clip = make_test_clip(tmp_path / name, seconds=4, extra=(
        "-c:v", "libx264", "-bf", "2", "-g", "25", "-sc_threshold", "0"))  # fmt: skip
    with av.open(str(clip)) as c:
        s = c.streams.video[0]
        tb, start = s.time_base, s.start_time or 0
        pkts = [p for p in c.demux(s) if p.pts is not None]
    truth = sorted({float((p.pts - start) * tb) for p in pkts if p.is_keyframe})
    assert any(p.pts != p.dts for p in pkts)  # B-frames: decoding order is not display order
    got = keyframe_times(clip)
    assert list(got) == pytest.approx(truth, abs=1e-9) and len(truth) == 5, (got, truth)
