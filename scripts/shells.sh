#!/bin/sh
# The coverage tests drive real interactive zsh and fish (bash is there):
# installs Debian's packages when missing (as root, or with sudo).
set -e
missing=
for s in zsh fish; do command -v $s >/dev/null 2>&1 || missing="$missing $s"; done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ]; then as_root=""
elif sudo -n true 2>/dev/null; then as_root="sudo"
else
    echo "toolchain: the shell tests need$missing: run 'sudo apt-get install$missing', then make test again" >&2
    exit 1
fi
$as_root apt-get update -qq
DEBIAN_FRONTEND=noninteractive $as_root apt-get install -y -qq --no-install-recommends $missing >/dev/null
