"""How many processes to run by default: the cores this process may use.

Both the CPU affinity mask (``taskset``, a batch scheduler's pinning) and a cgroup CPU quota
(a container limited to 2 CPUs on a 64-core host: ``docker --cpus 2``) count; a quota of
1.5 CPUs gives 1 worker (a second would only share the first one's time). ``--workers auto``
(the default of the CLI, the app and batch) uses this; a number overrides it.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

CGROUP = Path("/sys/fs/cgroup")


def cgroup_cpu_quota(root: Path = CGROUP) -> float | None:
    """CPUs allowed by the cgroup's quota (v2 ``cpu.max``, else v1 ``cpu.cfs_quota_us``);
    None when there is no quota or no cgroup file to read."""
    try:
        quota, period = (root / "cpu.max").read_text().split()[:2]
        return None if quota == "max" else int(quota) / int(period)
    except (OSError, ValueError):
        pass
    try:
        quota_us = int((root / "cpu" / "cpu.cfs_quota_us").read_text())
        period_us = int((root / "cpu" / "cpu.cfs_period_us").read_text())
        return None if quota_us <= 0 or period_us <= 0 else quota_us / period_us
    except (OSError, ValueError):
        return None


def usable_cores(root: Path = CGROUP) -> int:
    """The cores this process may run on: its affinity mask, capped by the cgroup quota."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    cores = cores or 1
    quota = cgroup_cpu_quota(root)
    if quota is not None:
        cores = min(cores, max(1, math.floor(quota)))
    return max(1, cores)


def resolve_workers(value: int | str | None) -> int:
    """``"auto"`` (or None) -> :func:`usable_cores`; a whole number >= 1 -> itself."""
    if value is None or (isinstance(value, str) and value.strip().lower() == "auto"):
        return usable_cores()
    try:
        n = int(value)
    except (TypeError, ValueError):
        n = 0
    if n < 1 or str(n) != str(value).strip():
        raise ValueError(f"workers must be 'auto' or a whole number of at least 1, not {value!r}")
    return n


def exit_with_parent(poll_s: float = 0.5) -> None:
    """In a worker process: exit as soon as the process that started it is gone.

    A pool's workers outlive a parent killed with SIGKILL (a closed laptop lid, ``kill
    -9``, the app's server stopped): each would keep its model and hundreds of MB. A daemon
    thread checks the parent every ``poll_s`` seconds and ends the worker when it changed."""
    import threading
    import time

    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(poll_s)
        os._exit(0)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()
