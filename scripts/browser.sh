#!/bin/sh
# The HTML export test renders the timeline in a real headless browser:
# installs Debian's chromium when it is missing (as root, or with sudo).
set -e
if ! command -v chromium >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ]; then as_root=""
    elif sudo -n true 2>/dev/null; then as_root="sudo"
    else
        echo "toolchain: the HTML export test needs chromium: run 'sudo apt-get install chromium', then make test again" >&2
        exit 1
    fi
    $as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $as_root apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi
