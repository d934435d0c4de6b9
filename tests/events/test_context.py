"""Context lines set the operation of an event whose own line does not say it: a JVM exception's
operation is in the stack frames under it (lines quoted verbatim from the thread named)."""

from __future__ import annotations

import pytest

from faultlens.ingest.sources import Blob
from faultlens.kb.loader import load_kb
from faultlens.pipeline import explain_blobs

FRAMES = [
    ("CCEmuX/CCEmuX#156", "mkdir", """\
java.nio.file.AccessDeniedException: /ccemux
\tat java.base/sun.nio.fs.UnixException.translateToIOException(UnixException.java:90)
\tat java.base/sun.nio.fs.UnixException.rethrowAsIOException(UnixException.java:111)
\tat java.base/sun.nio.fs.UnixException.rethrowAsIOException(UnixException.java:116)
\tat java.base/sun.nio.fs.UnixFileSystemProvider.createDirectory(UnixFileSystemProvider.java:389)
\tat java.base/java.nio.file.Files.createDirectory(Files.java:690)
"""),
    ("linkedpipes/etl#181", "create", """\
Caused by: java.nio.file.AccessDeniedException: /data/rocenka/pracovni/rocenka-generated-concepts.trig
        at sun.nio.fs.UnixException.translateToIOException(UnixException.java:84) ~[na:1.8.0_91]
        at sun.nio.fs.UnixException.rethrowAsIOException(UnixException.java:102) ~[na:1.8.0_91]
        at sun.nio.fs.UnixException.rethrowAsIOException(UnixException.java:107) ~[na:1.8.0_91]
        at sun.nio.fs.UnixCopyFile.copy(UnixCopyFile.java:566) ~[na:1.8.0_91]
        at sun.nio.fs.UnixFileSystemProvider.copy(UnixFileSystemProvider.java:253) ~[na:1.8.0_91]
"""),
    ("atomashpolskiy/bt#90", "unlink", """\
java.nio.file.AccessDeniedException: C:\\Users\\Dhaval\\AppData\\Local\\Temp\\unlink-test574818207068815219.tmp
        at sun.nio.fs.WindowsException.translateToIOException(Unknown Source)
        at sun.nio.fs.WindowsException.rethrowAsIOException(Unknown Source)
        at sun.nio.fs.WindowsException.rethrowAsIOException(Unknown Source)
        at sun.nio.fs.WindowsFileSystemProvider.implDelete(Unknown Source)
        at sun.nio.fs.AbstractFileSystemProvider.delete(Unknown Source)
        at java.nio.file.Files.delete(Unknown Source)
"""),
]


@pytest.mark.parametrize(("source", "op", "log"), FRAMES, ids=[f[0] for f in FRAMES])
def test_a_jvm_exception_takes_its_operation_from_the_frames_under_it(source, op, log):
    result = explain_blobs([Blob("app.log", log.encode())], [], load_kb())
    assert [(e.op, e.errno) for e in result.events][:1] == [(op, "EACCES")]


def test_a_frame_reaches_back_only_a_few_lines():
    far = "java.nio.file.AccessDeniedException: /ccemux\n" + "\tat a.b.C.d(C.java:1)\n" * 12 + \
        "\tat java.base/java.nio.file.Files.createDirectory(Files.java:690)\n"
    result = explain_blobs([Blob("app.log", far.encode())], [], load_kb())
    assert [(e.op, e.errno) for e in result.events][:1] == [(None, "EACCES")]


PY_FRAMES = [
    ("openai/universe#67", "mkdir", "EACCES", """\
  File "/Library/Python/2.7/site-packages/pip/wheel.py", line 205, in clobber
    os.makedirs(destdir)
  File "/System/Library/Frameworks/Python.framework/Versions/2.7/lib/python2.7/os.py", line 157, in makedirs
    mkdir(name, mode)
OSError: [Errno 13] Permission denied: '/Library/Python/2.7/site-packages/autobahn'
"""),
    ("pypa/pip#7481", "create", "EACCES", """\
Could not install packages due to an EnvironmentError: [WinError 5] Access is denied: 'c:\\\\program files (x86)\\\\python37-32\\\\lib\\\\site-packages\\\\pip-19.0.3.dist-info\\\\entry_points.txt'
Consider using the `--user` option or check the permissions.
"""),
]


@pytest.mark.parametrize(("source", "op", "errno", "log"), PY_FRAMES, ids=[f[0] for f in PY_FRAMES])
def test_a_python_exception_takes_its_operation_from_the_last_frame(source, op, errno, log):
    result = explain_blobs([Blob("app.log", log.encode())], [], load_kb())
    assert [(e.op, e.errno) for e in result.events][:1] == [(op, errno)]


def test_a_winerror_number_is_not_a_linux_errno():
    log = "PermissionError: [WinError 5] Access is denied: 'C:\\\\app\\\\data.db'\n"
    result = explain_blobs([Blob("app.log", log.encode())], [], load_kb())
    assert [e.errno for e in result.events][:1] == ["EACCES"]
