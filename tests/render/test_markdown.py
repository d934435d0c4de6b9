from __future__ import annotations

from faultlens.render.markdown import code_block, escape


def test_escape_makes_links_html_and_blocks_inert():
    assert escape("see [x](javascript:alert(1)) <script>") == "see \\[x\\](javascript:alert(1)) \\<script\\>"
    assert escape("# not a heading") == "\\# not a heading"
    assert escape("1. not a list") == "1\\. not a list"
    assert escape("read-only file system") == "read-only file system"


def test_code_block_fence_outgrows_the_content_and_drops_control_characters():
    block = code_block(["a ``` b", "c\x1b[2Jd"])
    assert block == "````text\na ``` b\nc?[2Jd\n````"
