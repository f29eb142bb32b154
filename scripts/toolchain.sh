#!/bin/sh
# Installs what the tests need into DIR (default .tools): a venv with pytest,
# and the pinned pip wheel the end-to-end tests put into their venvs, so the
# tests themselves talk only to 127.0.0.1.
set -e
[ -n "${PKGTRAIL_DEBUG:-}" ] && set -x
dir=${1:-.tools}
PIP_PINNED=26.3
SETUPTOOLS_PINNED=80.9.0
# Ignore this machine's pip configuration (find-links to a local folder).
export PIP_CONFIG_FILE=/dev/null
unset PIP_FIND_LINKS
mkdir -p "$dir/wheels"
python3 -m venv "$dir/venv"
"$dir/venv/bin/python" -m pip install -q --disable-pip-version-check -r tests/requirements-tools.txt
"$dir/venv/bin/python" -m pip download -q --disable-pip-version-check --no-deps -d "$dir/wheels" \
    "pip==$PIP_PINNED" "setuptools==$SETUPTOOLS_PINNED"
echo "toolchain ready in $dir (pytest; pip $PIP_PINNED and setuptools $SETUPTOOLS_PINNED wheels)"
