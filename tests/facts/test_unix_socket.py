"""A unix socket's mode is the server's listen mode (PHP-FPM's listen.owner/group/mode), never a
release's umask: connecting needs write on it (lines quoted from the threads named)."""

from __future__ import annotations

from faultlens.ingest.sources import Blob
from faultlens.kb.loader import load_kb
from faultlens.pipeline import explain_blobs

NGINX = ('[crit] 26634#0: *1 connect() to unix:/var/run/php-fpm.sock failed (13: Permission denied) while connecting '
         'to upstream, client: 10.0.2.2, server: site.local, request: "GET / HTTP/1.1", '
         'upstream: "fastcgi://unix:/var/run/php-fpm.sock:", host: "127.0.0.1:9080"\n')


def _top(listing: str):
    result = explain_blobs([Blob("error.log", NGINX.encode()), Blob("ls-l.txt", listing.encode())], [], load_kb())
    return {f.id: f.confidence for f in result.findings}


def test_a_socket_only_root_may_write_is_the_owner_not_a_umask():
    # javer/hhvm-vagrant-vm#18
    found = _top("srw-rw---- 1 root       root          0 Jul  6 15:47 php-fpm.sock\n")
    assert found.get("wrong-owner", 0) >= 0.5
    assert found.get("umask-restrictive-package", 0) < 0.5


def test_a_socket_whose_group_may_write_it_is_decided_by_membership():
    # servisys/ispconfig_setup#86: web1:client0 0660, who runs nginx unknown: never settled
    found = _top("srw-rw----  1 web1      client0      0 Feb 14 21:16 php-fpm.sock\n")
    assert max(found.values(), default=0) < 0.5


def test_a_socket_connect_denied_alone_points_to_its_owner():
    # cachethq/cachet#3185, php79/stack#44: listen.owner/listen.group fixed it
    result = explain_blobs([Blob("error.log", NGINX.encode())], [], load_kb())
    assert result.findings and result.findings[0].id == "wrong-owner" and result.findings[0].confidence >= 0.5
