#!/bin/sh
# Installs Debian's packages for commands the tests drive for real and the
# machine lacks (as root, or with sudo): `debian.sh WHY COMMAND...`, where
# each command's package has its name (chromium, zsh, fish).
set -e
why=$1
shift
missing=
for cmd in "$@"; do command -v "$cmd" >/dev/null 2>&1 || missing="$missing $cmd"; done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ]; then as_root=""
elif sudo -n true 2>/dev/null; then as_root="sudo"
else
    echo "toolchain: $why needs$missing: run 'sudo apt-get install$missing', then make test again" >&2
    exit 1
fi
$as_root apt-get update -qq
DEBIAN_FRONTEND=noninteractive $as_root apt-get install -y -qq --no-install-recommends $missing >/dev/null
