"""`posecheck batch`: a folder of clips, locally and on a Dask cluster the test starts."""

import pandas as pd
import pytest

from posecheck.batch import batch, find_videos
from posecheck.cli import main
from tests.conftest import SAMPLES, run_ffmpeg

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    d = tmp_path_factory.mktemp("clips")
    (d / "rider_b").mkdir()
    for name, start in (("a.mp4", 0), ("rider_b/b.mov", 5)):
        run_ffmpeg(
            "-ss",
            str(start),
            "-i",
            str(SAMPLES / "fit_check_side.mp4"),
            "-t",
            "3",
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-pix_fmt",
            "yuv420p",
            str(d / name),
        )
    # the rider from the hips up: no foot in the picture, so no pedal stroke
    run_ffmpeg("-i", str(SAMPLES / "fit_check_side.mp4"), "-t", "3", "-vf", "crop=iw:ih*0.45:0:0",
               "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
               str(d / "c_no_feet.mp4"))  # fmt: skip
    (d / "notes.mp4").write_text("not a video")
    return d


def test_local_batch_then_skip(folder, tmp_path, capsys):
    out = tmp_path / "out"
    assert [p.name for p in find_videos(folder)] == ["a.mp4", "c_no_feet.mp4", "notes.mp4", "b.mov"]
    code = main(["batch", str(folder), "-o", str(out), "--workers", "2"])
    table = pd.read_csv(out / "batch_summary.csv").set_index("video")
    print(table[["status", "detection_rate", "strokes", "seconds", "message"]])
    assert code == 2  # one clip failed, and the exit code says so
    assert table.loc[str(folder / "a.mp4"), "status"] == "analysed"
    assert pd.isna(table.loc[str(folder / "a.mp4"), "message"])  # strokes: nothing to say
    # analysed, but without a stroke: the row says why it has no figures
    no_feet = table.loc[str(folder / "c_no_feet.mp4")]
    assert no_feet["status"] == "analysed" and no_feet["strokes"] == 0, no_feet
    assert no_feet["message"] in ("Pedal strokes could not be measured", "No pedalling seen")
    assert table.loc[str(folder / "rider_b" / "b.mov"), "status"] == "analysed"
    bad = table.loc[str(folder / "notes.mp4")]
    assert bad["status"] == "error" and "not a readable video" in bad["message"]
    assert (out / "rider_b" / "b_mov" / "summary.json").exists()
    again = batch(folder, out).set_index("video")
    assert again.loc[str(folder / "a.mp4"), "status"] == "done before"
    assert again.loc[str(folder / "c_no_feet.mp4"), "message"] == no_feet["message"]
    assert again.loc[str(folder / "notes.mp4"), "status"] == "error"


def test_batch_on_a_dask_cluster(folder, tmp_path):
    from distributed import Client, LocalCluster

    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        table = batch(folder, tmp_path / "dask", scheduler=client).set_index("video")
        workers_used = len(client.scheduler_info()["workers"])
    print(table[["status", "strokes", "seconds"]])
    assert workers_used == 2
    assert table.loc[str(folder / "a.mp4"), "status"] == "analysed"
    assert table.loc[str(folder / "a.mp4"), "strokes"] >= 3
    assert table.loc[str(folder / "notes.mp4"), "status"] == "error"
