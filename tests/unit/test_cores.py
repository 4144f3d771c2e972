"""`--workers auto` (the default): the cores this process may use, affinity and cgroup quota
both counted."""

from __future__ import annotations

import os

import pytest

from posecheck.cli import main
from posecheck.cores import cgroup_cpu_quota, resolve_workers, usable_cores


def cgroup(tmp_path, v2=None, v1=None):
    if v2 is not None:
        (tmp_path / "cpu.max").write_text(v2 + "\n")
    if v1 is not None:
        (tmp_path / "cpu").mkdir()
        (tmp_path / "cpu" / "cpu.cfs_quota_us").write_text(f"{v1[0]}\n")
        (tmp_path / "cpu" / "cpu.cfs_period_us").write_text(f"{v1[1]}\n")
    return tmp_path


@pytest.mark.parametrize(
    "v2, v1, quota",
    [
        ("200000 100000", None, 2.0),  # docker --cpus 2 (cgroup v2)
        ("max 100000", None, None),  # no limit
        (None, (150000, 100000), 1.5),  # cgroup v1
        (None, (-1, 100000), None),  # v1, no limit
        (None, None, None),  # no cgroup files
    ],
)
def test_the_cgroup_quota_is_read(tmp_path, v2, v1, quota):
    assert cgroup_cpu_quota(cgroup(tmp_path, v2, v1)) == quota


def test_a_quota_caps_the_cores_and_a_fraction_is_not_a_core(tmp_path):
    mine = len(os.sched_getaffinity(0))
    assert usable_cores(cgroup(tmp_path)) == mine
    for sub, limit, cores in (("a", "150000 100000", 1), ("b", f"{mine + 8}00000 100000", mine)):
        (tmp_path / sub).mkdir()
        assert usable_cores(cgroup(tmp_path / sub, limit)) == cores


def test_auto_or_a_number():
    assert resolve_workers("auto") == resolve_workers(None) == usable_cores()
    assert resolve_workers("3") == resolve_workers(3) == 3
    for bad in ("0", "-1", "two", "1.5", 0):
        with pytest.raises(ValueError, match="workers"):
            resolve_workers(bad)


def test_the_cli_refuses_a_bad_worker_count_in_one_line(capsys):
    with pytest.raises(SystemExit) as ex:
        main(["analyze", "clip.mp4", "--workers", "0"])
    assert ex.value.code == 2
    assert "workers must be 'auto' or a whole number" in capsys.readouterr().err
