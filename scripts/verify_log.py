#!/usr/bin/env python3
"""Re-verifies a pkgtrail log, or an export of one, with nothing but Python's standard library.
hash(n) = SHA-256(0x00 || hash(n-1) || body(n)), hash(0) = 32 zero bytes.
Usage: verify_log.py TRAIL.db | EXPORT.ndjson | EXPORT.json | EXPORT.csv   (exit 0 intact, 1 broken)"""
import csv, hashlib, json, sqlite3, sys


def check(records, size=None, head=None):
    """records: (seq, prev_hash, hash, body bytes), oldest first. An export that starts after
    seq 1 (--since) is checked from its first record's prev_hash, to compare with a checkpoint."""
    prev = last = first = None
    for seq, prev_hex, hash_hex, body in records:
        event = json.loads(body)
        if prev is None:
            first, prev = seq, bytes.fromhex(prev_hex)
        if not (event["seq"] == seq and event["prev_hash"] == prev_hex == prev.hex()
                and (last is None or seq == last + 1) and (seq != 1 or prev == bytes(32))):
            sys.exit(f"broken chain at seq {seq}")
        prev = hashlib.sha256(b"\x00" + prev + body).digest()
        if prev.hex() != hash_hex:
            sys.exit(f"hash mismatch at seq {seq}")
        last = seq
    if size is not None and last == size and prev.hex() != head:
        sys.exit(f"seq {last} does not hash to the export's chain head")
    span = "no events" if last is None else f"seq {first}..{last}"
    tail = "" if size is None else (", ends at the log's head" if last == size else f" of {size} (log head {head})")
    print(f"ok: {span}{tail}, last hash {prev.hex() if prev else '-'}")


def sqlite_records(path):
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    rows = list(db.execute("SELECT seq, prev_hash, hash, body FROM event ORDER BY seq"))
    if rows and rows[0][0] != 1:
        sys.exit("broken chain at seq 1")
    return [(s, p.hex(), h.hex(), b) for s, p, h, b in rows]


def csv_records(path):
    """Each event's first row holds its body; every change row must agree with that body."""
    rows = list(csv.DictReader(open(path, newline="", encoding="utf-8")))
    head = rows.pop()
    records, event = [], None
    for r in rows:
        plain = {k: v[1:] if v[:1] == "'" and v[1:2] in ("=", "+", "-", "@", "\t", "\r") else v for k, v in r.items()}
        if plain["body"]:
            event, i = json.loads(plain["body"]), 0
            records.append((int(plain["seq"]), plain["prev_hash"], plain["hash"], plain["body"].encode()))
        if plain["name"]:
            c = event["changes"][i]
            if int(plain["seq"]) != event["seq"] or [plain[k] or None for k in ("name", "action", "from_version", "to_version", "sha256")] != \
                    [c["name"], c["action"], c["from_version"], c["to_version"], (c["artifact"] or {}).get("sha256")]:
                sys.exit(f"row for seq {plain['seq']} does not match its event body")
            i += 1
    if head["kind"] != "chain-head":
        sys.exit("the chain-head row is missing")
    return records, int(head["seq"]), head["hash"]


path = sys.argv[1]
start = open(path, "rb").read(16)
if start.startswith(b"SQLite format 3"):
    check(sqlite_records(path))
elif path.endswith(".csv") or start.startswith(b"seq,"):
    check(*csv_records(path))
else:
    text = open(path, encoding="utf-8").read()
    doc = json.loads(text) if text.startswith('{"export":') and "\n\"events\":" in text else None
    if doc is None:
        lines = [json.loads(line) for line in text.splitlines() if line]
        doc = {"export": lines[0]["export"], "events": lines[1:]}
    records = [(r["seq"], r["prev_hash"], r["hash"], r["body"].encode()) for r in doc["events"]]
    check(records, doc["export"]["log_size"], doc["export"]["log_head"])
