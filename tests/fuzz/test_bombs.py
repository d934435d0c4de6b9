"""No input under 1 MiB makes `explain` hold more than 1 GB or run 30 s of CPU: bombs of every
kind (gzip members in a .tgz, gzip'd logs of 1 GiB, gzip in gzip, tars nested 400 deep, folders
deep, alias YAML in a --kb, JSON nested deep, NUL runs), each explained in a child process whose
address space is capped at 1.5 GB (RLIMIT_AS) and CPU at 30 s (RLIMIT_CPU: CPU time, so a busy
machine does not make it fail). The log beside the bomb must still be explained."""

from __future__ import annotations

import gzip
import io
import json
import lzma
import subprocess
import sys
import tarfile
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.conftest import tar_of

GOOD = b"2026-11-20 10:00:01 ERROR write failed: [Errno 28] No space left on device\n"
MAX_INPUT = 1 << 20
CHILD = """
import json, resource, sys
resource.setrlimit(resource.RLIMIT_AS, (1536 << 20, 1536 << 20))
resource.setrlimit(resource.RLIMIT_CPU, (30, 30))
from faultlens.ingest.sources import InputError
from faultlens.kb.loader import KBError, load_kb
from faultlens.pipeline import explain
args = json.loads(sys.argv[1])
try:
    kb = load_kb(args["kb"])
except KBError as exc:  # a bomb in the --kb: refused with a named error; the run goes on without it
    print(json.dumps({"kb_error": str(exc)}), file=sys.stderr)
    kb = load_kb()
result = explain(args["inputs"], kb)
usage = resource.getrusage(resource.RUSAGE_SELF)
children = resource.getrusage(resource.RUSAGE_CHILDREN)  # the piece runner's workers, if any
# VmHWM, not ru_maxrss: Linux carries the parent's (pytest's) high-water mark across exec into ru_maxrss
hwm = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print(json.dumps({"top": [e.source for f in result.findings[:1] for e in f.evidence],
                  "peak_mib": max(hwm, children.ru_maxrss) >> 10,
                  "cpu": usage.ru_utime + usage.ru_stime + children.ru_utime + children.ru_stime}))
"""


def _zeros_gz(mib: int, byte: bytes = b"\0") -> bytes:
    out = io.BytesIO()
    with gzip.GzipFile(fileobj=out, mode="wb", compresslevel=9) as gz:
        chunk = byte * (1 << 20)
        for _ in range(mib):
            gz.write(chunk)
    return out.getvalue()


def _nested_tar(depth: int) -> bytes:
    def tar_of(name, data):
        info = tarfile.TarInfo(name)
        info.size = len(data)
        return info.tobuf(tarfile.USTAR_FORMAT) + data + b"\0" * ((-len(data)) % 512) + b"\0" * 1024

    data = tar_of("inner.log", b"INFO\n")
    for i in range(depth - 1):
        data = tar_of(f"l{i}.tar", data)
    return data


def build(kind: str, n: int, folder: Path) -> tuple[list[str], list[str]]:
    """Files of one bomb kind (n sets its size) beside good.log: (inputs, --kb folders)."""
    good = folder / "good.log"
    good.write_bytes(GOOD)
    bomb = folder / "bomb"
    kb: list[str] = []
    if kind == "gzip-members":  # H3: n members of 64 MiB each, gzip'd, in a .tgz
        one = _zeros_gz(64, b"A")
        bomb = folder / "bomb.tgz"
        bomb.write_bytes(tar_of([(f"logs/p{i}.log.gz", one) for i in range(n)] + [("logs/zz.log", GOOD)]))
    elif kind == "gzip-log":  # a gzip'd log of n x 64 MiB: one line, no line break
        bomb = folder / "bomb.log.gz"
        bomb.write_bytes(_zeros_gz(64 * n, b"A"))
    elif kind == "gzip-in-gzip":  # the inner stream would be gigabytes
        bomb = folder / "bomb.log.gz"
        bomb.write_bytes(gzip.compress(_zeros_gz(64 * n), compresslevel=9))
    elif kind == "xz-nuls":  # NUL runs, xz'd: n x 64 MiB of NULs
        bomb = folder / "bomb.log.xz"
        packer, nuls = lzma.LZMACompressor(), b"\0" * (1 << 20)
        bomb.write_bytes(b"".join(packer.compress(nuls) for _ in range(64 * n)) + packer.compress(GOOD) + packer.flush())
    elif kind == "nested-tar":
        bomb = folder / "bomb.tar"
        bomb.write_bytes(_nested_tar(min(40 * n, 400)))
    elif kind == "deep-folders":
        deep = folder / "run"
        for _ in range(min(30 * n, 300)):
            deep = deep / "d"
        deep.mkdir(parents=True)
        (deep / "x.log").write_bytes(b"INFO\n")
        bomb = folder / "run"
    elif kind == "deep-json":
        bomb = folder / "app.log"
        depth = min(40_000 * n, 400_000)
        bomb.write_text('{"msg": ' + "[" * depth + "]" * depth + '}\n{"msg": "ok"}\n')
    elif kind == "nul-runs":
        bomb = folder / "crash.log"
        bomb.write_bytes((b"\0" * 4096 + b"INFO tick\n") * (n * 10) + b"\0" * (MAX_INPUT // 4))
    elif kind == "alias-kb":
        (folder / "kb" / "causes").mkdir(parents=True)
        levels = min(5 + n, 12)
        doc = "id: bomb\ntitle: t\ncategory: environment\nsummary: s\nsignals:\n  - id: s1\n    log: BOMB\n    weight: 0.9\nsources:\n"
        doc += '  - &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
        doc += "".join(f"  - &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]\n" for i in range(1, levels))
        (folder / "kb" / "causes" / "bomb.yaml").write_text(doc + f"next_steps:\n  - *a{levels - 2}\n")
        kb = [str(folder / "kb")]
        bomb.write_bytes(b"ERROR BOMB\n")
    size = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
    assert size < MAX_INPUT, (kind, n, size)
    return [str(bomb), str(good)], kb


KINDS = ["gzip-members", "gzip-log", "gzip-in-gzip", "xz-nuls", "nested-tar", "deep-folders", "deep-json",
         "nul-runs", "alias-kb"]
BIGGEST = {"gzip-members": 12, "gzip-log": 14, "gzip-in-gzip": 16, "xz-nuls": 4}


@settings(max_examples=12, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(kind=st.sampled_from(KINDS), n=st.integers(1, 16))
@example(kind="gzip-members", n=12)  # the biggest of each that fits in 1 MiB, always
@example(kind="gzip-log", n=14)
@example(kind="gzip-in-gzip", n=16)
@example(kind="xz-nuls", n=4)
@example(kind="nested-tar", n=10)
@example(kind="deep-folders", n=10)
@example(kind="deep-json", n=10)
@example(kind="nul-runs", n=16)
@example(kind="alias-kb", n=7)
def test_no_input_under_1_mib_costs_more_than_1_gb_or_30_s(tmp_path_factory, kind, n):
    folder = tmp_path_factory.mktemp(kind)
    inputs, kb = build(kind, min(n, BIGGEST.get(kind, n)), folder)
    done = subprocess.run([sys.executable, "-c", CHILD, json.dumps({"inputs": inputs, "kb": kb})],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, (kind, n, done.stderr[-2000:])
    report = json.loads(done.stdout)
    assert report["peak_mib"] < 1024, (kind, n, report)
    assert report["cpu"] < 30, (kind, n, report)
    assert str(folder / "good.log") in report["top"]  # the log beside the bomb is still explained
