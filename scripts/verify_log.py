#!/usr/bin/env python3
"""Re-verifies a pkgtrail log with nothing but Python's standard library.
hash(n) = SHA-256(0x00 || hash(n-1) || body(n)), hash(0) = 32 zero bytes.
Usage: verify_log.py TRAIL.db   (exit 0 intact, 1 broken)"""
import hashlib, json, sqlite3, sys
db = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
prev, n = bytes(32), 0
for n, (seq, body, stored) in enumerate(db.execute("SELECT seq, body, hash FROM event ORDER BY seq"), 1):
    event = json.loads(body)
    if not (seq == n == event["seq"] and event["prev_hash"] == prev.hex()):
        sys.exit(f"broken chain at seq {n}")
    prev = hashlib.sha256(b"\x00" + prev + body).digest()
    if prev != stored:
        sys.exit(f"hash mismatch at seq {seq}")
print(f"ok: {n} events, head {prev.hex()}")
