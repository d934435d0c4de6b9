"""`faultlens collect`: gather what `explain` needs from a failing host into one tarball.

The collector is a POSIX sh script: `faultlens collect --script` prints it for hosts without
faultlens, and `faultlens collect` runs the very same script, so the two cannot drift apart.
It lists only the given paths, copies only regular files below the given logs (the last MAX bytes
of each; no FIFO, device, or symlink leading out is ever opened), and runs only the commands in
COMMANDS. Paths are data: absolute or ./-prefixed, so "-delete" is a file name, never a find
expression; file names reach the copier as arguments, never as lines, and the listing escapes
them (GNU find -ls; parse/collected.py reads it back exactly). Everything it writes goes to a
temporary folder that is removed, and the bundle appears under its final name only when complete.

What the POSIX tools cannot close: between the copier's checks and its open, a name swapped for a
FIFO makes that open wait (a symlink swapped in is detected and not read). `faultlens collect`
kills the whole run on a signal and leaves nothing behind; the script run by hand cleans up on
HUP, INT and TERM once its current command returns.
"""

from __future__ import annotations

import contextlib
import os
import re
import shlex
import signal
import subprocess
import tempfile
import threading
from pathlib import Path

from faultlens import __version__
from faultlens.ingest.sources import InputError

MANIFEST = "faultlens-manifest.txt"
DEFAULT_MAX_LOG_BYTES = 20 << 20
DEFAULT_SINCE = "2 hours ago"
SNAPSHOT_MAX_BYTES = 1 << 20  # getfacl/lsattr of the given paths: bounded whatever they hold

# (file in the bundle, condition, command): run only where the condition holds (the command
# exists, the /proc file is there); a failure is noted in the manifest, never fatal. "$SERVICE_USER",
# "$SINCE", "$MAX", "$SNAP_MAX", "$UNIT" and "$PID" are set by the script; "$@" is the given paths.
COMMANDS = (
    ("host/id.txt", "", 'id "$SERVICE_USER"'),
    ("host/umask.txt", "", 'printf "%s\\n" "$UMASK_WAS"'),  # the caller's, before the script's own umask 077
    ("host/df.txt", "", "df -P"),
    ("host/df-inodes.txt", "", "df -Pi"),
    ("host/journal.txt", "have journalctl", 'journalctl --no-pager -q --since "$SINCE" | tail -c "$MAX"'),
    ("host/kernel.txt", "", 'dmesg 2>/dev/null | tail -c "$MAX" || journalctl -k --no-pager -q --since "$SINCE" | tail -c "$MAX"'),
    ("snapshot/mounts.txt", "have findmnt", "findmnt -rn -o TARGET,SOURCE,FSTYPE,OPTIONS"),
    ("snapshot/mountinfo.txt", "[ -r /proc/self/mountinfo ]", "cat /proc/self/mountinfo"),
    ("snapshot/proc-mounts.txt", "[ -r /proc/mounts ]", "cat /proc/mounts"),
    ("snapshot/getenforce.txt", "have getenforce", "getenforce"),
    ("snapshot/sestatus.txt", "have sestatus", "sestatus"),
    ("snapshot/aa-status.txt", "have aa-status", "aa-status"),
    ("snapshot/getfacl.txt", 'have getfacl && [ "$#" -gt 0 ]', 'getfacl -p -- "$@" | head -c "$SNAP_MAX"'),
    ("snapshot/lsattr.txt", 'have lsattr && [ "$#" -gt 0 ]', 'lsattr -d -- "$@" | head -c "$SNAP_MAX"'),
    ("snapshot/ulimit.txt", "", "ulimit -a"),
    ("snapshot/inotify.txt", "have sysctl || [ -d /proc/sys/fs/inotify ]",
     'sysctl fs.inotify 2>/dev/null || for f in /proc/sys/fs/inotify/*; do '
     'printf "fs.inotify.%s = %s\\n" "${f##*/}" "$(cat "$f")"; done'),
    ("snapshot/systemctl-show.txt", 'have systemctl && [ -n "$UNIT" ]', 'systemctl show --no-pager -- "$UNIT"'),
    ("snapshot/unit-main-status.txt", 'have systemctl && [ -n "$UNIT" ]',
     'pid=$(systemctl show -p MainPID -- "$UNIT" | sed -n "s/^MainPID=//p"); '
     'case $pid in ""|0|*[!0-9]*) echo "no main process for $UNIT" >&2; exit 1 ;; esac; cat "/proc/$pid/status"'),
    ("snapshot/pid-status.txt", '[ -n "$PID" ]', 'cat "/proc/$PID/status"'),
)
SYSLOGS = ("/var/log/syslog", "/var/log/messages")

_SIZE = re.compile(r"^(\d+)([KMG]?)$")


def parse_size(text: str) -> int:
    m = _SIZE.match(text.strip().upper())
    if not m:
        raise InputError(f"size must look like 500K, 20M or 1G, not {text!r}")
    return int(m[1]) << {"": 0, "K": 10, "M": 20, "G": 30}[m[2]]


# The log copier. find runs it (`-exec sh -c "$COPY" sh ROOT SHOWN {} +`) with each name as an
# argument: exact bytes, never split from a listing. ROOT is the physical folder (cd -P, pwd -P)
# the names are below; each file is read from inside its own folder after checking that folder is
# still below ROOT, only if it is a regular file and not a symlink, and only if what was opened is
# the file that was checked (same inode): a name swapped for a symlink meanwhile is not read. With
# an empty ROOT, SHOWN is one file named on the command line: followed if a symlink (as meant),
# read only if regular (never a FIFO or a device).
_COPY = r"""
root=$1 shown=$2; shift 2
case $root in /) pre=/ ;; *) pre=$root/ ;; esac
safe() { printf '%s' "$1" | tr -c 'A-Za-z0-9 ._/+,:=@%-' '?'; }
ino() { ls -di$2 -- "$1" 2>/dev/null | { read -r n _ && printf '%s' "$n"; }; }
for one do
    if [ -n "$root" ]; then label=${shown%/}/${one#"$pre"}; else label=$one; fi
    dest=$(printf '%s' "$label" | tr -c 'A-Za-z0-9._/-' '_' | sed 's|^\./||; s|^/*||; s|/|__|g')
    [ -n "$dest" ] || dest=log
    [ ${#dest} -le 200 ] || dest=$(printf '%s' "$dest" | tail -c 200)  # a file name holds 255 bytes at most
    try=$dest k=1
    while [ -e "$b/logs/$try" ]; do k=$((k + 1)); try=$dest.$k; done
    dest=$try
    if [ -z "$root" ]; then
        if [ -f "$one" ]; then tail -c "$MAX" < "$one"; else echo "$(safe "$label"): not a regular file, not read" >&2; false; fi
    else (
        dir=${one%/*}
        cd -P -- "${dir:-/}" || exit 1
        case "$(pwd -P)/" in "$pre"*) ;; *) echo "$(safe "$label"): its folder leads out of $(safe "$shown"), not read" >&2; exit 1 ;; esac
        base=./${one##*/}
        if [ ! -f "$base" ] || [ -h "$base" ]; then echo "$(safe "$label"): not a regular file, not read" >&2; exit 1; fi
        want=$(ino "$base")
        { [ -f /dev/stdin ] && [ -n "$want" ] && [ "$(ino /dev/stdin L)" = "$want" ] && tail -c "$MAX"; } < "$base"
    ) fi > "$b/logs/$dest" && printf 'log: %s -> logs/%s\n' "$(safe "$label")" "$dest" >> "$m" || rm -f "$b/logs/$dest"
done
"""


def _as_data(path: str) -> str:
    """A path no command can take for an option or a find expression ("-delete", "!", "(")."""
    return path if path.startswith("/") else "./" + path


def script(paths: list[str], logs: list[str], user: str, since: str = DEFAULT_SINCE,
           max_log_bytes: int = DEFAULT_MAX_LOG_BYTES, unit: str | None = None, pid: int | None = None) -> str:
    """The collector as a POSIX sh script. Every value from the command line is shell-quoted, every
    path is passed as data (absolute or ./-prefixed), file names travel as arguments, never as
    lines, and the listing escapes them (find -ls)."""
    from faultlens.parse.collected import HEADER

    q = shlex.quote
    paths = [_as_data(p) for p in paths if p]
    logs = [_as_data(p) for p in logs if p]
    lines = [
        "#!/bin/sh",
        f"# faultlens collect {__version__}: gathers logs, listings and host facts for `faultlens explain`.",
        "# It lists only the paths below, copies only regular files below the logs below (their last",
        "# $MAX bytes; no FIFOs, devices or symlinks leading out) and runs only the commands below.",
        "# Output: the bundle named by $FAULTLENS_OUT, or one in this folder.",
        "set -u",
        "UMASK_WAS=$(umask)",
        "umask 077  # the bundle may hold logs only root could read",
        "LC_ALL=C  # find -ls then escapes every byte of a name outside 041-176",
        f"SERVICE_USER={q(user)}",
        f"SINCE={q(since)}",
        f"MAX={int(max_log_bytes)}",
        f"SNAP_MAX={SNAPSHOT_MAX_BYTES}",
        f"UNIT={q(unit or '')}",
        f"PID={'' if pid is None else int(pid)}",
        f"HEADER={q(HEADER)}",
        f"COPY={q(_COPY)}",
        'OUT=${FAULTLENS_OUT:-"./faultlens-bundle-$(hostname 2>/dev/null || echo host)-$(date -u +%Y%m%dT%H%M%SZ).tgz"}',
        'tmp=${FAULTLENS_PARTIAL:-"$OUT.partial.$$"}',
        'work=$(mktemp -d "${TMPDIR:-/tmp}/faultlens.XXXXXX") || exit 2',
        "trap 'rm -rf \"$work\"; rm -f \"$tmp\"' EXIT",
        "trap 'exit 2' HUP INT TERM",
        'b="$work/bundle"',
        f'm="$b/{MANIFEST}"',
        "export LC_ALL UMASK_WAS SERVICE_USER SINCE MAX SNAP_MAX UNIT PID b m",
        'mkdir -p "$b/host" "$b/listings" "$b/logs" "$b/snapshot" || exit 2',
        "note() { printf '%s\\n' \"$*\" >> \"$m\"; }",
        "safe() { printf '%s' \"$1\" | tr -c 'A-Za-z0-9 ._/+,:=@%-' '?'; }  # one manifest line, whatever a name holds",
        "have() { command -v \"$1\" >/dev/null 2>&1; }",
        "note 'faultlens-bundle: 1'",
        f"note 'collector: faultlens collect {__version__}'",
        'note "host: $(hostname 2>/dev/null)"',
        'note "created: $(date -u +%Y-%m-%dT%H:%M:%SZ)"',
        'note "service_user: $(safe "$SERVICE_USER")"',
        "# the given paths, as data: getfacl and lsattr get them as \"$@\"",
        "set -- " + " ".join(q(p) for p in paths + logs),
        "run() {  # run FILE CONDITION COMMAND PATH...: output to the bundle, failures to the manifest",
        '    out=$1 cond=$2 cmd=$3; shift 3',
        '    if [ -n "$cond" ] && ! eval "$cond"; then note "skipped: $out (not here: $cond)"; return 0; fi',
        '    if ! sh -c "$cmd" sh "$@" > "$b/$out" 2>> "$work/err"; then note "command failed: $cmd"; fi',
        '    if [ -s "$b/$out" ]; then note "gathered: $out"; else rm -f "$b/$out"; note "empty: $out"; fi',
        "}",
    ]
    lines += [f'run {q(name)} {q(cond)} {q(command)} "$@"' for name, cond, command in COMMANDS]
    lines += [
        'if [ ! -s "$b/host/journal.txt" ]; then',
        *[f'    [ -f {q(p)} ] && tail -c "$MAX" < {q(p)} > "$b/host/{Path(p).name}.txt" && note "gathered: host/{Path(p).name}.txt"'
          for p in SYSLOGS],
        "fi",
        "if find / -maxdepth 0 -ls >/dev/null 2>&1 && find --version 2>/dev/null | grep -q GNU; then gnu=1; else gnu=0; fi",
        "n=0",
        "listing() {  # GNU find -ls: one escaped line per file; elsewhere POSIX ls -ldq (odd bytes as ?)",
        "    n=$((n + 1))",
        '    if [ "$gnu" = 1 ]; then',
        "        { printf '%s\\n' \"$HEADER\"; find \"$1\" -ls; } > \"$b/listings/$n.txt\" 2>> \"$work/err\"",
        "    else",
        '        find "$1" -exec ls -ldq {} + > "$b/listings/$n.txt" 2>> "$work/err"',
        "    fi",
        '    note "listed: $(safe "$1") -> listings/$n.txt"',
        "}",
        "copy() {  # the regular files below a log folder, or one log file",
        '    if [ -d "$1" ]; then',
        '        root=$(cd -P -- "$1" && pwd -P) || { note "error: cannot enter $(safe "$1")"; return 0; }',
        '        find "$root" -type f -exec sh -c "$COPY" sh "$root" "$1" {} + 2>> "$work/err"',
        "    else",
        '        sh -c "$COPY" sh "" "$1" "$1" 2>> "$work/err"',
        "    fi",
        "}",
        *[f"listing {q(p)}" for p in paths],
        *[f"copy {q(p)}" for p in logs],
        '[ -s "$work/err" ] && sed "s/^/error: /" "$work/err" >> "$m"',
        'if tar -czf "$tmp" -C "$work" bundle; then mv -f "$tmp" "$OUT" && printf "%s\\n" "$OUT"; else exit 2; fi',
    ]
    return "\n".join(lines) + "\n"

class _Stopped(Exception):
    pass


def _stop(signum, _frame):
    raise _Stopped(signum)


def collect(paths: list[str], logs: list[str], user: str, out: str | None, since: str = DEFAULT_SINCE,
            max_log_bytes: int = DEFAULT_MAX_LOG_BYTES, unit: str | None = None, pid: int | None = None) -> str:
    """Run the collector here; returns the bundle's path. The script runs in a session of its own
    inside a temporary folder: stopped (a signal, Ctrl-C), the whole session is killed and the
    folder and the partial bundle are removed."""
    for p in paths + logs:
        if not os.path.lexists(p):
            raise InputError(f"{p}: no such file or directory")
    if pid is not None and pid <= 0:
        raise InputError(f"--pid must be a process id, not {pid}")
    target = out or os.path.join(os.getcwd(), f"faultlens-bundle-{os.uname().nodename}.tgz")
    partial = f"{target}.partial.{os.getpid()}"
    text = script(paths, logs, user, since, max_log_bytes, unit, pid)
    main = threading.current_thread() is threading.main_thread()
    previous = {sig: signal.signal(sig, _stop) for sig in (signal.SIGTERM, signal.SIGHUP)} if main else {}
    try:
        with tempfile.TemporaryDirectory(prefix="faultlens-collect.") as tmp:
            env = {**os.environ, "FAULTLENS_OUT": target, "FAULTLENS_PARTIAL": partial, "TMPDIR": tmp}
            proc = subprocess.Popen(["sh", "-s"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                    text=True, env=env, start_new_session=True)
            try:
                _, err = proc.communicate(text)
            finally:
                if proc.returncode is None:  # stopped: nothing of the session outlives us
                    with contextlib.suppress(OSError):
                        os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait()
    except _Stopped as stopped:
        raise InputError(f"collect stopped by signal {stopped.args[0]}; no bundle written") from None
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        with contextlib.suppress(OSError):
            os.unlink(partial)
    if proc.returncode != 0 or not os.path.exists(target):
        raise InputError(f"collect failed: {err.strip().splitlines()[-1] if err.strip() else 'no bundle written'}")
    return target
