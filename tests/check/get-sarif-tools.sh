#!/bin/sh
# Fetch a SARIF consumer for tests/check/test_ci_formats.py (best effort; the tests skip without it):
# Microsoft's SARIF Multitool for Linux and the SARIF 2.1.0 schema it ships, from the npm registry.
#   sh tests/check/get-sarif-tools.sh      -> ~/.cache/faultlens-test/sarif-multitool/, sarif-2.1.0.json
set -eu
dest="${HOME}/.cache/faultlens-test"
[ -x "$dest/sarif-multitool/Sarif.Multitool" ] && [ -f "$dest/sarif-2.1.0.json" ] && exit 0
command -v npm >/dev/null 2>&1 || { echo "npm not found: the SARIF consumer tests will be skipped"; exit 0; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && timeout 180 npm pack --silent @microsoft/sarif-multitool-linux@5.7.0 >/dev/null && tar xzf microsoft-sarif-multitool-linux-5.7.0.tgz)
mkdir -p "$dest"
rm -rf "$dest/sarif-multitool"
mv "$work/package" "$dest/sarif-multitool"
chmod +x "$dest/sarif-multitool/Sarif.Multitool"
cp "$dest/sarif-multitool/sarif-2.1.0.json" "$dest/sarif-2.1.0.json"
