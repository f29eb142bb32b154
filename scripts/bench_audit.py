#!/usr/bin/env python3
"""make bench, the retroactive audit (issue 15's budgets):

- import: a zip of 20,000 synthetic advisories, schema-valid OSV for PyPI
  (a third MAL- entries with `versions` lists, the rest ECOSYSTEM ranges,
  some aliased pairs; one in twenty names a package the log holds, popular
  ones more often), as `pkgtrail advisories import` reads OSV's all.zip;
- audit: the 1,000,000-event benchmark log (pkgtrail-synth) against them,
  as JSON and as text; then 50 new advisories imported and `audit --new-since`;
- SBOM: `export --format cyclonedx` of the log's largest environment.

Each timed as the user runs it (process start included), medians.
Usage: bench_audit.py PKGTRAIL_BINARY SYNTH_BINARY [EVENTS]"""
import json
import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile

BIN, SYNTH = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
EVENTS = int(sys.argv[3]) if len(sys.argv) > 3 else 1_000_000
ADVISORIES = 20_000


def advisory(rng, i, modified):
    """One synthetic advisory. pkg-N names are those pkgtrail-synth installs
    (versions `N%7+1 . minor/10 . minor%10`); others are names the log never saw."""
    # One advisory in twenty names a package this log ever held: OSV's PyPI data
    # covers some 8,000 packages, a fleet's history a few thousand of PyPI's 600,000.
    popular = rng.random() < 0.05
    n = int(20_000 * rng.random() ** 3) if popular else 0
    name = f"pkg-{n}" if popular else f"other-{rng.randrange(200_000)}"
    major = (n % 7 + 1) if popular else 1
    minor = rng.randrange(30)
    version = lambda m: f"{major}.{m // 10}.{m % 10}"
    if i % 3 == 0:
        ident = f"MAL-2026-{i:05d}"
        affected = {"package": {"ecosystem": "PyPI", "name": name}, "versions": [version(minor), version(minor + 1)]}
    else:
        ident = f"PYSEC-2026-{i:05d}"
        events = [{"introduced": version(minor)}, {"fixed": version(minor + 2)}]
        affected = {"package": {"ecosystem": "PyPI", "name": name}, "ranges": [{"type": "ECOSYSTEM", "events": events}]}
    doc = {"schema_version": "1.6.0", "id": ident, "modified": modified, "published": modified,
           "summary": f"synthetic advisory {i} for {name}", "affected": [affected]}
    if i % 10 == 1:
        doc["aliases"] = [f"GHSA-{i:04d}-bnch-mark"]
    if i % 3 != 0:
        doc["database_specific"] = {"severity": rng.choice(["LOW", "MODERATE", "HIGH", "CRITICAL"])}
    return doc


def write_zip(path, docs):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for d in docs:
            z.writestr(f"{d['id']}.json", json.dumps(d))


def timed(cmd, ok=(0,), runs=1):
    """Median wall time of `cmd` with its answer going to a file, as a user
    keeps one (`> findings.json`): read into this process through a pipe,
    200 MB cost Python a second of the two cores' time."""
    samples = []
    with tempfile.TemporaryFile() as answer:
        for _ in range(runs):
            answer.seek(0)
            answer.truncate()
            t = time.perf_counter()
            r = subprocess.run(cmd, stdout=answer, stderr=subprocess.PIPE)
            samples.append((time.perf_counter() - t) * 1000)
            if r.returncode not in ok:
                sys.exit(f"bench_audit: {' '.join(cmd)} exited {r.returncode}: {r.stderr.decode()[-400:]}")
        answer.seek(0)
        out = answer.read()
    return statistics.median(samples), out


def verdict(ms, budget):
    return f"(budget {budget:,} ms) {'ok' if ms <= budget else 'OVER BUDGET'}"


def main():
    root = tempfile.mkdtemp(prefix="pkgtrail-bench-audit-")
    try:
        db, store = os.path.join(root, "trail.db"), os.path.join(root, "advisories.db")
        subprocess.run([SYNTH, db, str(EVENTS), "10000"], check=True, capture_output=True)
        rng = random.Random(15)
        zip_path = os.path.join(root, "all.zip")
        write_zip(zip_path, [advisory(rng, i, "2026-06-01T00:00:00Z") for i in range(ADVISORIES)])
        ms, _ = timed([BIN, "advisories", "import", "--advisories", store, zip_path])
        print(f"audit: import of {ADVISORIES:,} advisories from a zip: {ms:,.0f} ms {verdict(ms, 15_000)}")
        ms, out = timed([BIN, "audit", "--db", db, "--advisories", store, "--json"], ok=(0, 1), runs=5)
        found = json.loads(out)
        print(f"  audit --json of {EVENTS:,} events against them: median {ms:,.0f} ms {verdict(ms, 2_000)} "
              f"[{len(found):,} findings, {sum(f['malicious'] for f in found):,} malicious, {len(out) >> 20} MiB]")
        ms, out = timed([BIN, "audit", "--db", db, "--advisories", store], ok=(0, 1), runs=5)
        print(f"  audit (text) of the same: median {ms:,.0f} ms {verdict(ms, 2_000)} "
              f"[{out.decode().splitlines()[-1]}, {len(out) >> 20} MiB]")
        time.sleep(0.01)
        mark = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime()) + ".000Z"
        time.sleep(1.0)
        write_zip(os.path.join(root, "new.zip"),
                  [advisory(rng, ADVISORIES + i, "2026-07-01T00:00:00Z") for i in range(50)])
        timed([BIN, "advisories", "import", "--advisories", store, os.path.join(root, "new.zip")])
        ms, out = timed([BIN, "audit", "--db", db, "--advisories", store, "--json", "--new-since", mark],
                        ok=(0, 1), runs=11)
        print(f"  audit --new-since, 50 new advisories: median {ms:,.0f} ms {verdict(ms, 200)} "
              f"[{len(json.loads(out)):,} findings]")
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        host, prefix = con.execute(
            "SELECT v.host, v.prefix FROM environment v JOIN change c ON c.env = v.id GROUP BY v.id "
            "ORDER BY count(DISTINCT c.name) DESC LIMIT 1").fetchone()
        con.close()
        ms, out = timed([BIN, "export", "--db", db, "--format", "cyclonedx", "--env", prefix, "--host", host], runs=11)
        n = len(json.loads(out)["components"])
        print(f"  SBOM of the largest environment ({n} packages): median {ms:,.0f} ms {verdict(ms, 100)}")
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
