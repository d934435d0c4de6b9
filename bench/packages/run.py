"""`faultlens check` on real packages nobody here built: as shipped (must pass) and repacked
under umask 077 with a personal owner (must fail).

    python bench/packages/run.py                 # fetch (once) 30 .deb and 10 wheels, check, print counts
    python bench/packages/run.py --cache DIR     # default ~/.cache/faultlens-bench/packages
    python bench/packages/run.py --offline       # only what the cache holds

Fetching uses the ordinary clients: `apt-get download` (a Debian/Ubuntu host) and
`pip download --no-deps --only-binary=:all:`. Each package is checked in its native format for
`--user nobody --group nogroup`, then repacked the way a person with umask 077 would (modes
& ~077, owner jdoe:jdoe):

    .deb  -> a .deb again (data.tar rewritten, the control part kept) and a .tar.gz of its files
    .whl  -> a .tar.gz of the tree pip would lay out under umask 077 (files 0600/0700, dirs 0700),
             and a .whl with its stored modes & ~077, checked as unzip extracts it (pip would
             give it the umask's modes again: that one passes with --installer pip, as it should)
"""

from __future__ import annotations

import argparse
import io
import subprocess
import sys
import tarfile
import time
import zipfile
from pathlib import Path

DEBS = ("coreutils bash libc6 libc6-dev git openssh-server openssh-client sudo python3.11-minimal libssl3 curl tar "
        "passwd login mount util-linux dpkg perl-base libpython3.11-stdlib polkitd cron iputils-ping ca-certificates "
        "openssl ssl-cert libpam-modules procps libstdc++6 zlib1g libcap2-bin").split()
WHEELS = "numpy cryptography pyyaml black awscli lxml psutil pillow markupsafe setuptools".split()
PIP_PLATFORM = ["--python-version", "3.11", "--platform", "manylinux2014_x86_64", "--platform", "manylinux_2_17_x86_64",
                "--platform", "manylinux_2_28_x86_64"]
PERSON = "jdoe"


def fetch(cache: Path, offline: bool) -> tuple[list[Path], list[Path]]:
    debs, wheels = cache / "deb", cache / "whl"
    debs.mkdir(parents=True, exist_ok=True)
    wheels.mkdir(parents=True, exist_ok=True)
    if not offline:
        missing = [d for d in DEBS if not list(debs.glob(f"{d}_*.deb"))]
        if missing:
            subprocess.run(["apt-get", "download", *missing], cwd=debs, check=True, capture_output=True)
        missing = [w for w in WHEELS if not _wheel(wheels, w)]
        if missing:
            subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", *PIP_PLATFORM,
                            "--dest", str(wheels), *missing], check=True, capture_output=True)
    found_debs = [p for d in DEBS for p in sorted(debs.glob(f"{d}_*.deb"))[:1]]
    found_wheels = [p for w in WHEELS for p in [_wheel(wheels, w)] if p]
    return found_debs, found_wheels


def _wheel(folder: Path, name: str) -> Path | None:
    for p in sorted(folder.glob("*.whl")):
        if p.name.split("-", 1)[0].lower().replace("_", "-") == name:
            return p
    return None


# -- repacking under umask 077 ------------------------------------------------------------------

def _personal(info: tarfile.TarInfo) -> tarfile.TarInfo:
    info.mode &= ~0o077
    info.uname = info.gname = PERSON
    info.uid = info.gid = 1000
    return info


def _ar_members(data: bytes):
    at = 8
    while at + 60 <= len(data):
        header = data[at:at + 60]
        name = header[:16].decode().strip().rstrip("/")
        size = int(header[48:58])
        yield name, header, data[at + 60:at + 60 + size]
        at += 60 + size + size % 2


def _decompress(name: str, blob: bytes) -> bytes:
    if name.endswith(".zst"):
        import zstandard

        return zstandard.ZstdDecompressor().stream_reader(io.BytesIO(blob), read_across_frames=True).read()
    import bz2
    import gzip
    import lzma

    for suffix, fn in ((".gz", gzip.decompress), (".xz", lzma.decompress), (".bz2", bz2.decompress)):
        if name.endswith(suffix):
            return fn(blob)
    return blob


def _personal_tar(src: bytes, compress: str = "") -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=io.BytesIO(src), mode="r:") as tin, tarfile.open(fileobj=out, mode=f"w:{compress}") as tout:
        for member in tin:
            fh = tin.extractfile(member) if member.isreg() else None
            tout.addfile(_personal(member), fh)
    return out.getvalue()


def repack_deb(deb: Path, out_dir: Path) -> tuple[Path, Path]:
    """(the .deb with its data.tar under umask 077 and jdoe, a .tar.gz of the same files)"""
    data = deb.read_bytes()
    members = []
    tar_gz = out_dir / (deb.stem + ".umask077.tar.gz")
    for name, header, blob in _ar_members(data):
        if name.startswith("data.tar"):
            plain = _decompress(name, blob)
            tar_gz.write_bytes(_personal_tar(plain, "gz"))
            name, blob = "data.tar.xz", _personal_tar(plain, "xz")
            header = f"{name:<16}{header[16:48].decode()}{len(blob):<10}`\n".encode()
        members.append(header + blob + (b"\n" if len(blob) % 2 else b""))
    repacked = out_dir / (deb.stem + ".umask077.deb")
    repacked.write_bytes(b"!<arch>\n" + b"".join(members))
    return repacked, tar_gz


def repack_wheel(wheel: Path, out_dir: Path) -> tuple[Path, Path]:
    """(a .tar.gz of pip's layout under umask 077 owned by jdoe, the .whl with stored modes & ~077)"""
    tar_gz = out_dir / (wheel.stem + ".umask077.tar.gz")
    zipped = out_dir / (wheel.stem + ".umask077.whl")
    made: set[str] = set()
    with zipfile.ZipFile(wheel) as zin, tarfile.open(tar_gz, "w:gz") as tout, \
            zipfile.ZipFile(zipped, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            body = zin.read(info)
            mode = (info.external_attr >> 16) & 0o7777
            copy = zipfile.ZipInfo(info.filename, info.date_time)
            copy.create_system, copy.external_attr = 3, ((info.external_attr >> 16) & ~0o077) << 16
            zout.writestr(copy, body)
            parts = info.filename.split("/")
            for i in range(1, len(parts)):  # the folders pip makes, 0700 under umask 077
                folder = "site-packages/" + "/".join(parts[:i])
                if folder not in made:
                    made.add(folder)
                    tout.addfile(_personal(_info(folder, tarfile.DIRTYPE, 0o777)))
            tout.addfile(_personal(_info("site-packages/" + info.filename, tarfile.REGTYPE,
                                         0o777 if mode & 0o111 else 0o666, len(body))), io.BytesIO(body))
    return tar_gz, zipped


def _info(name: str, kind: bytes, mode: int, size: int = 0) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type, info.mode, info.size, info.mtime = kind, mode, size, 1_700_000_000
    return info


# -- checking -----------------------------------------------------------------------------------

def check(path: Path, *extra: str) -> tuple[int, dict, float]:
    import json

    start = time.perf_counter()
    out = subprocess.run([sys.executable, "-m", "faultlens", "check", str(path), "--user", "nobody", "--group", "nogroup",
                          "--format", "json", *extra], capture_output=True, text=True)
    took = time.perf_counter() - start
    if out.returncode == 2:
        return 2, {"error": out.stderr.strip()}, took
    return out.returncode, json.loads(out.stdout), took


def summary(doc: dict) -> str:
    if "error" in doc:
        return doc["error"]
    return ", ".join(f"{f['severity'][0]}:{f['check']} {f['count']}" for f in doc["findings"]) or "-"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cache", type=Path, default=Path.home() / ".cache" / "faultlens-bench" / "packages")
    ap.add_argument("--offline", action="store_true", help="use only what the cache holds")
    args = ap.parse_args()
    debs, wheels = fetch(args.cache, args.offline)
    repacked_dir = args.cache / "repacked"
    repacked_dir.mkdir(exist_ok=True)
    rows, tally = [], {"shipped": [0, 0], "repacked": [0, 0], "repacked-tar": [0, 0]}
    for pkg in debs + wheels:
        if pkg.suffix == ".deb":
            same, tar_gz = repack_deb(pkg, repacked_dir)
            same_args: tuple[str, ...] = ()
        else:
            tar_gz, same = repack_wheel(pkg, repacked_dir)
            same_args = ("--installer", "unzip")
        code, doc, took = check(pkg)
        code_same, doc_same, _ = check(same, *same_args)
        code_tar, doc_tar, _ = check(tar_gz)
        tally["shipped"][code == 0] += 1
        tally["repacked"][code_same == 1] += 1
        tally["repacked-tar"][code_tar == 1] += 1
        rows.append((pkg.name, doc.get("kind", "?"), doc.get("entries_checked", 0), code, summary(doc), code_same, code_tar,
                     summary(doc_same), took))
    print("| package | format | entries | shipped: exit | shipped: findings | repacked same format: exit | repacked .tar.gz: exit | repacked: findings | time |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, kind, entries, code, found, code_same, code_tar, found_same, took in rows:
        print(f"| {name[:48]} | {kind} | {entries} | {code} | {found} | {code_same} | {code_tar} | {found_same} | {took:.2f} s |")
    n = len(rows)
    print(f"\n{len(debs)} .deb + {len(wheels)} .whl: as shipped {tally['shipped'][1]}/{n} pass (exit 0); "
          f"repacked under umask 077 as jdoe: {tally['repacked'][1]}/{n} fail in the same format "
          f"(wheels as unzip lays them out), {tally['repacked-tar'][1]}/{n} fail as .tar.gz (exit 1)")
    if tally["shipped"][0] or tally["repacked"][0] or tally["repacked-tar"][0]:
        sys.exit(1)


if __name__ == "__main__":
    main()
