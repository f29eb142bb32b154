#!/bin/sh
# Installs what the tests need into DIR (default .tools): a venv with pytest and uv,
# and the pinned pip wheel the end-to-end tests put into their venvs, so the
# tests themselves talk only to 127.0.0.1.
set -e
[ -n "${PKGTRAIL_DEBUG:-}" ] && set -x
dir=${1:-.tools}
PIP_PINNED=26.3
SETUPTOOLS_PINNED=80.9.0
UV_PINNED=0.13.9
# Ignore this machine's pip configuration (find-links to a local folder).
export PIP_CONFIG_FILE=/dev/null
unset PIP_FIND_LINKS
mkdir -p "$dir/wheels"
python3 -m venv "$dir/venv"
"$dir/venv/bin/python" -m pip install -q --disable-pip-version-check -r tests/requirements-tools.txt "uv==$UV_PINNED"
# uv's wheel too: a test installs it into a venv to run `python -m uv`.
"$dir/venv/bin/python" -m pip download -q --disable-pip-version-check --no-deps -d "$dir/wheels" \
    "pip==$PIP_PINNED" "setuptools==$SETUPTOOLS_PINNED" "uv==$UV_PINNED"
echo "toolchain ready in $dir (pytest, uv $UV_PINNED; pip $PIP_PINNED and setuptools $SETUPTOOLS_PINNED wheels)"
