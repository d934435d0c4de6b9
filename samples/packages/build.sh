#!/bin/sh
# Builds the sample package pair: the same release packed under umask 077 by a person (as on the
# PC in the incident) and under umask 022 by the build account. Deterministic: fixed times, order
# and owners. Usage: sh samples/packages/build.sh [OUTDIR]   (needs GNU tar)
set -eu
out=$(cd "${1:-$(dirname "$0")}" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

make_tree() {
    mkdir -p base-4.2.0/bin base-4.2.0/etc base-4.2.0/lib
    printf '#!/bin/sh\nexec "$(dirname "$0")/executive" --profile "${1:-floor}"\n' > base-4.2.0/bin/start-station.sh
    printf '\177ELF (stand-in for the station executive)\n' > base-4.2.0/bin/executive
    chmod +x base-4.2.0/bin/start-station.sh base-4.2.0/bin/executive
    printf '[station]\nfixture = FX-07\n' > base-4.2.0/etc/station.cfg
    printf 'step,limit\npower_on,5.0\n' > base-4.2.0/etc/limits.csv
    printf 'stand-in for libtsio\n' > base-4.2.0/lib/libtsio.so.4
}

pack() {  # $1 umask, $2 owner, $3 archive name
    dir="$work/$1"
    mkdir -p "$dir"
    (cd "$dir" && umask "$1" && make_tree &&
     tar --sort=name --mtime='2026-11-25 02:58:00' --owner="$2" --group="$2" -czf "$out/$3" base-4.2.0)
}

pack 077 jdoe base-4.2.0-umask077.tar.gz
pack 022 tester base-4.2.0-umask022.tar.gz
echo "wrote $out/base-4.2.0-umask077.tar.gz $out/base-4.2.0-umask022.tar.gz"
