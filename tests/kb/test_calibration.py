from __future__ import annotations

from pathlib import Path

import pytest
from msgspec.structs import replace

from faultlens.kb.loader import KBError, load_kb


def test_calibrate_is_piecewise_linear_and_identity_without_knots(kb):
    plain = replace(kb, calibration=())
    assert plain.calibrate(0.42) == 0.42
    knotted = replace(kb, calibration=((0.0, 0.0), (0.5, 0.5), (0.6, 0.8), (1.0, 1.0)))
    assert knotted.calibrate(0.3) == pytest.approx(0.3)
    assert knotted.calibrate(0.55) == pytest.approx(0.65)
    assert knotted.calibrate(1.0) == 1.0


def test_shipped_map_never_promotes_weak_evidence(kb):
    assert all(kb.calibrate(s / 100) <= 0.5 for s in range(0, 50))


def test_bad_calibration_is_reported_with_file_and_line(tmp_path: Path):
    (tmp_path / "signals.yaml").write_text("calibration:\n  - [0.0, 0.0]\n  - [0.5, 0.9]\n  - [0.6, 0.4]\n")
    with pytest.raises(KBError, match=r"signals.yaml:1: calibration knots must lie in \[0, 1\]"):
        load_kb([str(tmp_path)])
