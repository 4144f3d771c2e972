"""Rider history in a real database: the same tests on SQLite (the default, a file in the
data folder) and on a real PostgreSQL server (``POSECHECK_TEST_PG``: an admin URL such as
``postgresql+psycopg://posecheck:posecheck@127.0.0.1:5432/postgres``; `.ci/run` installs,
starts and sets it). Each PostgreSQL test creates its own database and drops it after."""

from __future__ import annotations

import hashlib
import json
import multiprocessing as mp
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from posecheck import history
from posecheck.history.db import HEAD_REVISION, head_revision
from tests.conftest import ROOT

PG_ENV = "POSECHECK_TEST_PG"
V1_FIXTURE = ROOT / "tests" / "data" / "history_v1.sqlite"


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'history.sqlite'}"
        return
    admin = os.environ.get(PG_ENV)
    if not admin:
        pytest.skip(f"no PostgreSQL server configured ({PG_ENV}; .ci/run starts one)")
    name = f"posecheck_test_{uuid.uuid4().hex[:10]}"
    eng = sa.create_engine(admin, isolation_level="AUTOCOMMIT")
    with eng.connect() as c:
        c.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield sa.make_url(admin).set(database=name).render_as_string(hide_password=False)
    with eng.connect() as c:
        c.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    eng.dispose()


def fake_analysis(root: Path, name: str, knee: float = 140.0, onset: float = 2280.0) -> Path:
    """An analysis folder as the pipeline writes it (summary, findings, strokes, timeline),
    for a clip that is not on this machine (its folder stands for its content)."""
    d = root / name
    d.mkdir(parents=True)
    (d / "summary.json").write_text(
        json.dumps({"video": {"path": f"/clips/{name}.mp4", "duration_s": 3600.0}, "mode": "long"})
    )
    (d / "findings.json").write_text(
        json.dumps(
            {
                "baseline": {"per_metric": {"shrug_ratio": {"median": 0.41}}},
                "findings": [
                    {"metric": "shrug_ratio", "onset_s": onset, "change": -12.0, "change_unit": "%"}
                ],
            }
        )
    )
    rows = ["stroke,start_s,end_s,cadence_rpm,knee_at_bdc_deg,knee_min_deg,standing"]
    rows += [f"{i},{i},{i + 0.7},88,{knee + (i % 3 - 1)},65,False" for i in range(30)]
    (d / "strokes.csv").write_text("\n".join(rows) + "\n")
    (d / "timeline.csv").write_text("time_s,tension_score,collapse_score\n0,0.2,0.1\n60,1.8,0.4\n")
    return d


def test_a_ride_is_recorded_once_and_updated_when_analysed_again(
    db_url, tmp_path, fit_check_analysis
):
    engine = history.open_db(db_url)
    folder = tmp_path / "fit"
    shutil.copytree(fit_check_analysis.outdir, folder)
    first = history.record_analysis(engine, folder, rider="Ana", setup="saddle 72.0 cm")
    again = history.record_analysis(
        engine,
        folder,
        rider="Ana",
        setup="saddle 74.0 cm",
        setup_fields={"saddle_height_mm": 740.0, "bar_drop_mm": 60.0, "bike": "road"},
    )
    other = history.record_analysis(engine, fake_analysis(tmp_path, "long_ride"), rider="Ana")
    table = history.rides_table(engine, "Ana")
    assert first == again != other and len(table) == 2
    row = table.set_index("id").loc[first]
    assert row["setup"] == "saddle 74.0 cm" and row["saddle_height_mm"] == 740.0
    assert row["bar_drop_mm"] == 60.0 and row["bike"] == "road"
    strokes = fit_check_analysis.strokes
    seated = strokes[~strokes["standing"].astype(bool)]
    assert row["knee_bdc_deg"] == pytest.approx(seated["knee_at_bdc_deg"].median(), abs=0.01)
    assert row["cadence_rpm"] == pytest.approx(seated["cadence_rpm"].median(), abs=0.01)
    assert row["folder_exists"]
    long = table.set_index("id").loc[other]
    assert long["findings"][0]["onset_s"] == 2280.0 and long["tension_peak"] == 1.8
    engine.dispose()


def test_riders_are_renamed_merged_and_rides_deleted(db_url, tmp_path):
    engine = history.open_db(db_url)
    a = history.record_analysis(engine, fake_analysis(tmp_path, "a"), rider="Ana", setup="s1")
    history.record_analysis(engine, fake_analysis(tmp_path, "b"), rider="ana b", setup="s1")
    history.record_analysis(engine, fake_analysis(tmp_path, "c"))  # no rider named
    history.rename_rider(engine, "Ana", "Ana Silva")
    history.merge_riders(engine, "ana b", "Ana Silva")
    history.merge_riders(engine, history.UNNAMED, "Ana Silva")
    clients = history.clients(engine)
    assert list(clients["rider"]) == ["Ana Silva"] and clients["rides"].iloc[0] == 3
    with pytest.raises(ValueError, match="no rider"):
        history.rename_rider(engine, "Nobody", "X")
    history.delete_ride(engine, a, with_folder=True)
    assert not (tmp_path / "a").exists() and len(history.rides_table(engine)) == 2
    # a folder deleted by hand: shown as missing, not a crash
    shutil.rmtree(tmp_path / "b")
    table = history.rides_table(engine)
    assert dict(zip(table["clip_name"], table["folder_exists"])) == {"b.mp4": False, "c.mp4": True}
    engine.dispose()


def _writer(url: str, root: str, names: list[str], rider: str) -> None:
    engine = history.open_db(url)
    for n in names:
        history.record_analysis(engine, Path(root) / n, rider=rider)
    engine.dispose()


def test_app_cli_and_batch_writing_at_once_lose_no_row(db_url, tmp_path):
    """At once on a fresh database (each opens it, so they also race to make the schema):
    `posecheck batch --workers 2` analysing two bundled clips (their poses are stored, so
    the two workers reach the database within seconds), a writer recording as the app does,
    two more processes recording as batch workers do, and `posecheck history --rebuild`."""
    from tests.conftest import SAMPLES

    clips = tmp_path / "clips"
    clips.mkdir()
    for name in ("fit_check_side.mp4", "rear_rocking.mp4"):
        shutil.copy(SAMPLES / name, clips / name)
    roots = {k: tmp_path / k for k in ("app", "w1", "w2", "cli")}
    names = {k: [f"{k}_{i}" for i in range(12)] for k in roots}
    for k, root in roots.items():
        for n in names[k]:
            fake_analysis(root, n)
    ctx = mp.get_context("spawn")
    procs = [
        ctx.Process(target=_writer, args=(db_url, str(roots[k]), names[k], k))
        for k in ("app", "w1", "w2")
    ]
    env = dict(os.environ, POSECHECK_DB=db_url)
    cli = subprocess.Popen(
        [sys.executable, "-m", "posecheck", "history", "--rebuild", str(roots["cli"])],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    batch = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "posecheck",
            "batch",
            str(clips),
            "-o",
            str(tmp_path / "out"),
            "--workers",
            "2",
            "--rider",
            "Batch",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
    out, err = cli.communicate(timeout=120)
    batch_out = batch.communicate(timeout=300)[0]
    assert [p.exitcode for p in procs] == [0, 0, 0] and cli.returncode == 0, err
    assert batch.returncode == 0, batch_out[-2000:]
    assert "locked" not in (err + batch_out).lower() and "not recorded" not in batch_out
    engine = history.open_db(db_url)
    table = history.rides_table(engine)
    assert len(table) == 50
    assert sorted(table["clip_name"]) == sorted(
        [f"{n}.mp4" for k in names for n in names[k]] + ["fit_check_side.mp4", "rear_rocking.mp4"]
    )
    assert set(table.loc[table["rider"] == "Batch", "clip_name"]) == {
        "fit_check_side.mp4",
        "rear_rocking.mp4",
    }
    engine.dispose()


def test_an_up_to_date_database_opens_without_alembic(db_url):
    """The newest migration is written into the code (``HEAD_REVISION``, what Alembic reads
    from the migrations folder: a new migration fails here until it is written there too);
    a database already at it opens without importing Alembic (0.5 s of each analysis)."""
    assert HEAD_REVISION == head_revision()
    history.open_db(db_url).dispose()  # made and migrated
    code = (
        "import sys; from posecheck import history; "
        f"history.open_db({db_url!r}).dispose(); print('alembic' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "False"


def test_a_first_version_database_upgrades_with_its_rows(db_url, tmp_path):
    """SQLite: the committed database made by the first schema version. PostgreSQL: a
    database migrated to the first version and filled the same way."""
    if db_url.startswith("sqlite"):
        shutil.copy(V1_FIXTURE, tmp_path / "history.sqlite")
    else:
        from alembic import command

        from posecheck.history.db import _alembic_config

        src = sa.create_engine(f"sqlite:///{V1_FIXTURE}")
        eng = sa.create_engine(db_url)
        with eng.begin() as c, src.connect() as s:
            command.upgrade(_alembic_config(c), "0001")
            for table in ("riders", "rides"):  # ids from the sequences, as v1 made them
                rows = [
                    {k: v for k, v in r.items() if k != "id"}
                    for r in s.execute(sa.text(f"SELECT * FROM {table} ORDER BY id")).mappings()
                ]
                cols = ", ".join(rows[0])
                marks = ", ".join(f":{k}" for k in rows[0])
                c.execute(sa.text(f"INSERT INTO {table} ({cols}) VALUES ({marks})"), rows)
        eng.dispose()
    engine = history.open_db(db_url)
    with engine.connect() as c:
        assert c.execute(sa.text("SELECT version_num FROM alembic_version")).scalar() == (
            head_revision()
        )
        assert {"setups"} <= set(sa.inspect(c).get_table_names())
    table = history.rides_table(engine, "Ana")
    assert list(table["clip_name"]) == ["before.mp4", "after.mp4"]
    assert list(table["knee_bdc_deg"]) == [139.4, 145.5]
    assert table["findings"].iloc[0][0]["onset_s"] == 2280.0
    assert table["setup"].isna().all() and table["knee_tdc_deg"].isna().all()
    # and the upgraded database takes new rides
    history.record_analysis(engine, fake_analysis(tmp_path, "third"), rider="Ana", setup="s2")
    assert len(history.rides_table(engine, "Ana")) == 3
    engine.dispose()


def test_rides_from_before_the_outline_gains_are_brought_to_the_body_degrees(db_url, tmp_path):
    """A database at schema 0002 holds upper-back rounding in the outline's degrees (about
    half the body's); upgrading multiplies its baselines and findings' changes by the gains,
    so old and new rides of one rider share a scale; other signs are left alone. A legacy
    analysis folder recorded afterwards is scaled the same way."""
    import datetime as dt

    from alembic import command

    from posecheck.history.db import _alembic_config
    from posecheck.metrics.bias import OUTLINE_GAIN

    eng = sa.create_engine(db_url)
    now = dt.datetime(2026, 11, 1, tzinfo=dt.timezone.utc)
    with eng.begin() as c:
        command.upgrade(_alembic_config(c), "0002")
        c.execute(
            sa.text("INSERT INTO riders (name, notes, created_at) VALUES ('Ana', '', :t)"),
            {"t": now},
        )
        ride = {
            "rider_id": 1,
            "clip_hash": "h1",
            "clip_name": "old.mp4",
            "folder": "/x/old",
            "analysed_at": now,
            "duration_s": 3600.0,
            "mode": "long",
            "baselines": json.dumps({"thoracic_rounding_deg": 5.0, "shrug_ratio": 0.41}),
            "findings": json.dumps(
                [
                    {
                        "metric": "thoracic_rounding_deg",
                        "onset_s": 2000.0,
                        "change": 6.0,
                        "change_unit": "deg",
                    },
                    {
                        "metric": "shrug_ratio",
                        "onset_s": 2280.0,
                        "change": -12.0,
                        "change_unit": "%",
                    },
                ]
            ),
        }
        c.execute(
            sa.text(
                "INSERT INTO rides (rider_id, clip_hash, clip_name, folder, analysed_at,"
                " duration_s, mode, baselines, findings) VALUES (:rider_id, :clip_hash,"
                " :clip_name, :folder, :analysed_at, :duration_s, :mode, :baselines, :findings)"
            ),
            ride,
        )
    eng.dispose()
    engine = history.open_db(db_url)
    g = OUTLINE_GAIN["thoracic_rounding_deg"]
    row = history.rides_table(engine, "Ana").iloc[0]
    assert row["baselines"]["thoracic_rounding_deg"] == pytest.approx(5.0 * g)
    assert row["baselines"]["shrug_ratio"] == pytest.approx(0.41)
    assert [f["change"] for f in row["findings"]] == pytest.approx([6.0 * g, -12.0])
    # an analysis folder written before the gains, recorded now
    d = fake_analysis(tmp_path, "legacy")
    f = json.loads((d / "findings.json").read_text())
    f["baseline"]["per_metric"]["pelvic_tilt_deg"] = {"median": 4.0}
    (d / "findings.json").write_text(json.dumps(f))
    history.record_analysis(engine, d, rider="Ana")
    got = history.rides_table(engine, "Ana").set_index("clip_name").loc["legacy.mp4"]
    assert got["baselines"]["pelvic_tilt_deg"] == pytest.approx(
        4.0 * OUTLINE_GAIN["pelvic_tilt_deg"]
    )
    engine.dispose()


def test_a_corrupt_or_foreign_database_is_refused_and_left_alone(tmp_path):
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(os.urandom(4096))
    foreign = tmp_path / "shop.sqlite"
    eng = sa.create_engine(f"sqlite:///{foreign}")
    with eng.begin() as c:
        c.execute(sa.text("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)"))
        c.execute(sa.text("INSERT INTO customers VALUES (1, 'x')"))
    eng.dispose()
    for path, words in ((junk, "not a SQLite database"), (foreign, "not a posecheck history")):
        before = hashlib.sha1(path.read_bytes()).hexdigest()
        with pytest.raises(history.HistoryError, match=words) as e:
            history.open_db(f"sqlite:///{path}")
        assert str(path) in str(e.value)
        assert hashlib.sha1(path.read_bytes()).hexdigest() == before


def test_an_analysis_is_recorded_and_a_broken_database_never_fails_it(
    tmp_path, monkeypatch, capsys
):
    from posecheck.cli import main
    from tests.conftest import SAMPLES

    url = f"sqlite:///{tmp_path / 'h.sqlite'}"
    monkeypatch.setenv("POSECHECK_DB", url)
    clip = str(SAMPLES / "fit_check_side.mp4")
    args = ["--rider", "Ana", "--setup", "saddle 72.0 cm", "--date", "2026-10-03"]
    assert main(["analyze", clip, "-o", str(tmp_path / "a"), *args]) == 0
    assert main(["history", "--rider", "Ana", "--csv", str(tmp_path / "h.csv")]) == 0
    written = (tmp_path / "h.csv").read_text()
    assert "fit_check_side.mp4" in written and "saddle 72.0 cm" in written
    assert "2026-10-03" in written
    # the terminal's table: the date to the minute, not to the microsecond
    shown = capsys.readouterr().out
    assert "2026-10-03 00:00 " in shown and "00:00:00" not in shown, shown
    assert main(["analyze", clip, "-o", str(tmp_path / "c"), "--rider", "Ben"]) == 0
    capsys.readouterr()
    assert main(["history", "--rider", "Ben"]) == 0
    assert "None" not in capsys.readouterr().out  # no setup given: blank
    (tmp_path / "bad.sqlite").write_bytes(b"not a database" * 100)
    monkeypatch.setenv("POSECHECK_DB", f"sqlite:///{tmp_path / 'bad.sqlite'}")
    assert main(["analyze", clip, "-o", str(tmp_path / "b")]) == 0  # analysed all the same
    assert (tmp_path / "b" / "findings.json").exists()
    assert main(["history"]) == 2


def test_a_clip_without_a_pedal_stroke_is_not_recorded_as_a_ride(tmp_path, monkeypatch, caplog):
    """The rider from the hips up (no foot in the picture): analysed, but no stroke. Its row
    once entered the history with empty figures and tension and collapse peaks of 0.0, which
    read as a ride without any tension in a rider's trend."""
    from posecheck.cli import main
    from posecheck.history.record import rebuild
    from tests.conftest import SAMPLES, run_ffmpeg

    clip = tmp_path / "no_feet.mp4"
    hips_up = ["-vf", "crop=iw:ih*0.45:0:0", "-c:v", "libx264", "-preset", "ultrafast"]
    run_ffmpeg("-i", str(SAMPLES / "fit_check_side.mp4"), "-t", "2", *hips_up, str(clip))
    url = f"sqlite:///{tmp_path / 'h.sqlite'}"
    monkeypatch.setenv("POSECHECK_DB", url)
    out = tmp_path / "runs" / "no_feet"
    assert main(["analyze", str(clip), "-o", str(out)]) == 0
    summary = json.loads((out / "summary.json").read_text())
    assert summary["pedalling"]["strokes"] == 0 and not history.is_ride(summary)
    assert "no_feet.mp4: no pedal stroke was measured" in caplog.text
    engine = history.open_db(url)
    assert len(history.rides_table(engine)) == 0
    with pytest.raises(history.NotARide, match="not a ride"):
        history.record_analysis(engine, out, rider="Ana")
    # a row an earlier version recorded for it (then any stroke count was taken): the
    # rebuild takes it out again
    summary["pedalling"]["strokes"] = 1
    (out / "summary.json").write_text(json.dumps(summary))
    history.record_analysis(engine, out)
    summary["pedalling"]["strokes"] = 0
    (out / "summary.json").write_text(json.dumps(summary))
    assert list(history.rides_table(engine)["clip_name"]) == ["no_feet.mp4"]
    fake_analysis(tmp_path / "runs", "long_ride")  # a ride beside it
    assert rebuild(engine, [tmp_path / "runs"]) == 1
    assert list(history.rides_table(engine)["clip_name"]) == ["long_ride.mp4"]
    engine.dispose()
