"""Error numbers and their texts: what `errno` a failure message names, however it spells it.

Linux numbering (the platform the floor runs); the strerror texts are glibc's, and the resolver's
for name lookups. Data only: the events stage looks a line up here after a form matched it.
"""

from __future__ import annotations

# number -> name (Linux, asm-generic)
NUMBERS: dict[int, str] = {
    1: "EPERM", 2: "ENOENT", 4: "EINTR", 5: "EIO", 7: "E2BIG", 8: "ENOEXEC", 9: "EBADF", 11: "EAGAIN",
    12: "ENOMEM", 13: "EACCES", 16: "EBUSY", 17: "EEXIST", 20: "ENOTDIR", 21: "EISDIR", 22: "EINVAL",
    23: "ENFILE", 24: "EMFILE", 26: "ETXTBSY", 28: "ENOSPC", 30: "EROFS", 32: "EPIPE", 36: "ENAMETOOLONG",
    38: "ENOSYS", 39: "ENOTEMPTY", 40: "ELOOP", 95: "EOPNOTSUPP", 98: "EADDRINUSE", 99: "EADDRNOTAVAIL",
    101: "ENETUNREACH", 104: "ECONNRESET", 110: "ETIMEDOUT", 111: "ECONNREFUSED", 113: "EHOSTUNREACH",
    116: "ESTALE", 122: "EDQUOT",
}
NAMES = frozenset(NUMBERS.values()) | {"EWOULDBLOCK", "EAI_AGAIN", "EAI_NONAME", "ENOTFOUND", "EAI_FAIL"}

# strerror text (lower case) -> name; the longest text that a line holds wins
TEXTS: dict[str, str] = {
    "operation not permitted": "EPERM",
    "no such file or directory": "ENOENT",
    "interrupted system call": "EINTR",
    "input/output error": "EIO",
    "argument list too long": "E2BIG",
    "exec format error": "ENOEXEC",
    "bad file descriptor": "EBADF",
    "resource temporarily unavailable": "EAGAIN",
    "cannot allocate memory": "ENOMEM",
    "permission denied": "EACCES",
    "access is denied": "EACCES",
    "device or resource busy": "EBUSY",
    "file exists": "EEXIST",
    "not a directory": "ENOTDIR",
    "is a directory": "EISDIR",
    "invalid argument": "EINVAL",
    "too many open files in system": "ENFILE",
    "too many open files": "EMFILE",
    "text file busy": "ETXTBSY",
    "no space left on device": "ENOSPC",
    "read-only file system": "EROFS",
    "broken pipe": "EPIPE",
    "file name too long": "ENAMETOOLONG",
    "function not implemented": "ENOSYS",
    "directory not empty": "ENOTEMPTY",
    "too many levels of symbolic links": "ELOOP",
    "operation not supported": "EOPNOTSUPP",
    "address already in use": "EADDRINUSE",
    "cannot assign requested address": "EADDRNOTAVAIL",
    "network is unreachable": "ENETUNREACH",
    "connection reset by peer": "ECONNRESET",
    "connection timed out": "ETIMEDOUT",
    "connection refused": "ECONNREFUSED",
    "no route to host": "EHOSTUNREACH",
    "stale file handle": "ESTALE",
    "stale nfs file handle": "ESTALE",
    "disk quota exceeded": "EDQUOT",
    "temporary failure in name resolution": "EAI_AGAIN",
    "name or service not known": "EAI_NONAME",
    "nodename nor servname provided, or not known": "EAI_NONAME",
    "no address associated with hostname": "EAI_NONAME",
    "system limit for number of file watchers reached": "ENOSPC",
}


def name_of(token: str) -> str | None:
    """An errno as a form captured it: a name (EACCES), a number (13) or a text."""
    token = token.strip().strip("'\"()[]:")
    if not token:
        return None
    if token.isdigit():
        return NUMBERS.get(int(token))
    upper = token.upper()
    if upper in NAMES:
        return "EAGAIN" if upper == "EWOULDBLOCK" else upper
    return text_errno(token)


def text_errno(text: str) -> str | None:
    """The errno whose strerror text the text holds (the longest one)."""
    low = text.lower()
    best = None
    for words, name in TEXTS.items():
        if words in low and (best is None or len(words) > len(best[0])):
            best = (words, name)
    return best[1] if best else None
