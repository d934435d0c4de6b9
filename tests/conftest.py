from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"


@pytest.fixture(scope="session")
def kb():
    from faultlens.kb.loader import load_kb

    return load_kb()


def explain_texts(kb, files: dict[str, str], user: str | None = None):
    """Run the whole pipeline on in-memory files."""
    from faultlens.ingest.sources import Blob
    from faultlens.pipeline import explain_blobs

    return explain_blobs([Blob(name, text.encode()) for name, text in files.items()], [], kb, user)
