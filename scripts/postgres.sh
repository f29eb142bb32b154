#!/bin/sh
# Installs Debian's PostgreSQL server for the fleet tests when the machine
# has none, through debian.sh (as it does chromium, zsh and fish). The tests
# start their own cluster (initdb, pg_ctl) as an unprivileged user on
# 127.0.0.1 in a temporary directory and stop it afterwards.
set -e
for dir in /usr/lib/postgresql/*/bin; do
    [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ] && exit 0
done
command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1 && exit 0
# No command is named postgresql, so debian.sh installs the package of that name.
exec sh "$(dirname "$0")/debian.sh" "the fleet tests" postgresql
