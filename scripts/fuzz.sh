#!/bin/sh
# Coverage-guided fuzzing of every parser of hostile bytes (libFuzzer through
# Swift's -sanitize=fuzzer). Usage: fuzz.sh SECONDS_PER_TARGET [keep]
#   make fuzz:  long runs; with `keep`, new inputs are merged into
#               fuzz/corpus/TARGET (commit them); crashes land in fuzz/crashes/TARGET.
#   make test:  a bounded run per target; the kept corpus is only read.
# A crash input stays in fuzz/crashes/TARGET: `make test` replays that
# directory with the plain build, so every crash becomes a regression test.
set -eu
secs=$1
keep=${2:-}
bin=.build-fuzz/release/pkgtrail-fuzz
targets="json event metadata record pip-report uv-lock uv-receipt osv spool specifier uv-cache direct-url wheel-tags policy"
for t in $targets; do
    mkdir -p fuzz/corpus/$t fuzz/crashes/$t
    work=$(mktemp -d)
    # Swift's own crash handler would take the signal before libFuzzer saves the input.
    if ! SWIFT_BACKTRACE=enable=no PKGTRAIL_FUZZ_TARGET=$t $bin -max_total_time="$secs" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
            -artifact_prefix=fuzz/crashes/$t/ "$work" fuzz/corpus/$t >"$work.log" 2>&1; then
        tail -40 "$work.log"
        echo "fuzz: $t found a crash; the input is in fuzz/crashes/$t/ (replay: .build/debug/pkgtrail-fuzz $t FILE)" >&2
        exit 1
    fi
    stats=$(grep -E '^#[0-9]+.*DONE' "$work.log" | tail -1 | sed 's/^#\([0-9]*\).*cov: \([0-9]*\).*corp: \([0-9]*\).*/\1 runs, coverage \2, corpus \3/')
    echo "fuzz: $t: ${stats:-done} in ${secs}s, no crash"
    if [ "$keep" = keep ]; then
        PKGTRAIL_FUZZ_TARGET=$t $bin -merge=1 fuzz/corpus/$t "$work" >/dev/null 2>&1
    fi
    rm -rf "$work" "$work.log"
done
