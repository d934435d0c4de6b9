"""`faultlens report --scheduler`: the per-run analysis on a Dask distributed cluster writes the
same tables, byte for byte, as the local pool."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest

from faultlens.ingest.sources import InputError
from faultlens.report.build import FILES, build

distributed = pytest.importorskip("distributed", reason="the dask extra is not installed")

ROOT = Path(__file__).resolve().parents[2]
NIGHT = ROOT / "samples" / "floor-night"
NOW = datetime(2026, 11, 25, 7, 0, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  silence_logs=50) as local:
        yield local


def outputs(folder: Path) -> dict[str, bytes]:
    return {name: (folder / name).read_bytes() for name in FILES}


def test_the_cluster_writes_the_same_report_as_the_local_pool(tmp_path: Path, cluster):
    build(str(NIGHT), str(tmp_path / "local"), workers=2, progress=False, now=NOW)
    remote = build(str(NIGHT), str(tmp_path / "dask"), progress=False, now=NOW, scheduler=cluster.scheduler_address)
    assert remote["totals"] == {"runs": 40, "failing": 16, "explained": 12, "unexplained": 4, "passed": 23, "errors": 1}
    assert outputs(tmp_path / "dask") == outputs(tmp_path / "local")


def test_runs_given_as_a_file_url(tmp_path: Path, cluster):
    build(str(NIGHT), str(tmp_path / "local"), workers=1, progress=False, now=NOW)
    build(NIGHT.as_uri(), str(tmp_path / "dask"), progress=False, now=NOW, scheduler=cluster.scheduler_address)
    for name in ("runs.parquet", "report.md", "report.html"):
        assert (tmp_path / "dask" / name).read_bytes() == (tmp_path / "local" / name).read_bytes(), name


def test_other_urls_are_refused(tmp_path: Path):
    with pytest.raises(InputError, match="runs are read from a local path or a file:// URL"):
        build("s3://bucket/night", str(tmp_path), progress=False)


def test_an_unreachable_scheduler_is_an_input_error(tmp_path: Path, monkeypatch):
    from faultlens.report import batch

    monkeypatch.setattr(batch, "CONNECT_SECONDS", 1)
    with pytest.raises(InputError, match=r"^tcp://127.0.0.1:9: cannot reach the Dask scheduler: Timed out"):
        build(str(NIGHT), str(tmp_path / "o"), progress=False, scheduler="tcp://127.0.0.1:9")


class Finished(distributed.diagnostics.plugin.SchedulerPlugin):
    """Counts the tasks of batch._remote (one per run) the scheduler saw finish."""

    def __init__(self):
        self.count = 0

    def transition(self, key, start, finish, *args, **kwargs):
        if finish == "memory" and str(key).startswith("_remote-"):
            self.count += 1


def test_the_cli_passes_the_scheduler_on(tmp_path: Path, cluster):
    finished = Finished()
    cluster.scheduler.add_plugin(finished, name="finished")
    done = subprocess.run([sys.executable, "-m", "faultlens", "report", str(NIGHT), "--out", str(tmp_path / "o"),
                           "--scheduler", cluster.scheduler_address], capture_output=True, text=True, timeout=600)
    assert done.returncode == 1, done.stderr  # the sample night has one unreadable run
    assert done.stdout.startswith(f"{tmp_path / 'o'}: 40 runs, 16 failed (12 explained, 4 unexplained), 1 unreadable")
    assert finished.count == 40 + 23  # every run, then the passing ones for their everyday lines
