from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"


def pytest_configure(config):
    """A cache folder of the test session's own (inherited by the commands tests start): the
    suite starts cold, exercises building every cached thing, and leaves the user's cache alone."""
    config._faultlens_cache = tempfile.mkdtemp(prefix="faultlens-test-cache-")
    os.environ["XDG_CACHE_HOME"] = config._faultlens_cache
    # ...and no team knowledge base of the user's: no FAULTLENS_KB, an empty config folder
    os.environ.pop("FAULTLENS_KB", None)
    os.environ["XDG_CONFIG_HOME"] = os.path.join(config._faultlens_cache, "config")


def pytest_unconfigure(config):
    shutil.rmtree(getattr(config, "_faultlens_cache", ""), ignore_errors=True)


@pytest.fixture(scope="session")
def kb():
    from faultlens.kb.loader import load_kb

    return load_kb()


def explain_texts(kb, files: dict[str, str], user: str | None = None):
    """Run the whole pipeline on in-memory files."""
    from faultlens.ingest.sources import Blob
    from faultlens.pipeline import explain_blobs

    return explain_blobs([Blob(name, text.encode()) for name, text in files.items()], [], kb, user)


def tar_of(members: list[tuple[str, bytes]], mode: str = "w:gz") -> bytes:
    """A tarball in memory of (name, content) members (gzip'd unless mode says otherwise)."""
    import io
    import tarfile

    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode=mode) as tar:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()
