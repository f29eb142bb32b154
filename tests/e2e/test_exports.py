"""docs/SPEC.md §3 and §5: exports an auditor verifies without pkgtrail, CSV safe
for spreadsheets, a self-contained HTML timeline checked in a real headless
browser, and signed checkpoints that catch truncation, rewrites and forks."""
import csv
import datetime
import hashlib
import html.parser
import json
import os
import shutil
import sqlite3
import struct
import subprocess
import sys
import zlib

import pytest
from conftest import BIN, REPO, Sandbox

HOSTILE = "q\"'<b>&amp;<script>alert(1)<"  # with the next path part: <script>alert(1)</script>


@pytest.fixture(scope="module")
def trail(tmp_path_factory, index):
    """Real installs into a venv whose path is an HTML injection, under
    actors whose names are spreadsheet formulas, plus a failed install with
    control characters and markup in its argv."""
    root = tmp_path_factory.mktemp("exports") / HOSTILE / "script>x"
    box = Sandbox(root, "current", twin=False)
    i = ["-i", index["simple"]]
    for sudo, args in ((None, ["install", *i, "demo-app"]), ("=HYPERLINK(\"http://evil\")", ["install", *i, "agentkit", "llmlib==1.1"]),
                       ("@SUM(A1)", ["install", *i, "-U", "llmlib"]), ("-2+3", ["uninstall", "-y", "demo-app"]),
                       ("\t=1", ["install", *i, "no-such-pkg-\x1b[31m<i>\x07"])):
        box.pip(*args, extra={"SUDO_USER": sudo} if sudo else None)
    assert len(box.events()) == 6
    return box


def run(box, *args, env=None):
    r = subprocess.run([BIN, *args, "--db", box.db], capture_output=True, env=env or box.env(), timeout=120)
    return r.returncode, r.stdout.decode(), r.stderr.decode()


def export(box, tmp_path, fmt, *args):
    out = str(tmp_path / f"timeline.{fmt}")
    rc, _, err = run(box, "export", "--format", fmt, "-o", out, *args)
    assert rc == 0, err
    return out


def pyverify(path):
    r = subprocess.run([sys.executable, REPO + "/scripts/verify_log.py", path], capture_output=True, text=True)
    return r.returncode, (r.stdout + r.stderr).strip()


@pytest.mark.parametrize("fmt", ["ndjson", "json", "csv"])
def test_exports_verify_without_pkgtrail(trail, tmp_path, fmt):
    head = json.loads(run(trail, "verify", "--json")[1])["head"]
    rc, out = pyverify(export(trail, tmp_path, fmt))
    assert rc == 0 and out == f"ok: seq 1..6, ends at the log's head, last hash {head}", out


def test_a_partial_export_verifies_from_its_first_record(trail, tmp_path):
    events = json.loads(run(trail, "log", "--json")[1])
    path = export(trail, tmp_path, "ndjson", "--since", events[2]["finished"])
    lines = open(path).read().splitlines()
    assert json.loads(lines[0])["export"]["log_size"] == 6 and json.loads(lines[1])["seq"] == 3
    assert pyverify(path)[0] == 0
    path = export(trail, tmp_path, "json", "--until", events[2]["started"])
    rc, out = pyverify(path)
    assert rc == 0 and out.startswith("ok: seq 1..2 of 6"), out


def edit_line(path, n, fn):
    lines = open(path, encoding="utf-8").read().splitlines(True)
    lines[n] = fn(lines[n])
    open(path, "w", encoding="utf-8").writelines(lines)


def test_edited_exports_fail(trail, tmp_path):
    path = export(trail, tmp_path, "ndjson")
    pristine = open(path).read()
    cases = {
        "body": (3, lambda l: l.replace("llmlib", "llmlob", 1), "hash mismatch at seq 3"),
        "hash": (2, lambda l: l.replace('"hash":"', '"hash":"0', 1).replace('0","prev_hash"', '","prev_hash"', 1), "hash mismatch at seq 2"),
        "deleted record": (4, lambda l: "", "broken chain at seq 5"),
        "head": (0, lambda l: json.dumps({"export": dict(json.loads(l)["export"], log_head="00" * 32)}) + "\n",
                 "does not hash to the export's chain head"),
    }
    for name, (n, fn, why) in cases.items():
        open(path, "w").write(pristine)
        edit_line(path, n, fn)
        rc, out = pyverify(path)
        assert rc == 1 and why in out, (name, out)
    csv_path = export(trail, tmp_path, "csv")
    text = open(csv_path, encoding="utf-8").read()
    open(csv_path, "w", encoding="utf-8").write(text.replace(",upgrade,1.1,1.2,", ",upgrade,1.1,1.3,", 1))
    rc, out = pyverify(csv_path)
    assert rc == 1 and "does not match its event body" in out


def test_csv_cells_never_start_a_formula(trail, tmp_path):
    rows = list(csv.reader(open(export(trail, tmp_path, "csv"), newline="", encoding="utf-8")))
    cells = [c for r in rows for c in r]
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    for neutralised in ("'=HYPERLINK(\"http://evil\")", "'@SUM(A1)", "'-2+3", "'\t=1"):
        assert neutralised in cells
    assert rows[-1][3] == "chain-head" and rows[-1][0] == "6"


class DOM(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.text, self.rows = [], [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag == "tr" and dict(attrs).get("id", "").startswith("seq-"):
            self.rows.append(dict(attrs))

    def handle_data(self, data):
        self.text.append(data)


def png_pixels(path):
    """RGB(A) pixels of a non-interlaced 8-bit PNG, with the standard library."""
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, w = 8, b"", 0
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h, depth, color = struct.unpack(">IIBB", chunk[:10])
            assert depth == 8 and color in (2, 6)
            bpp = 3 if color == 2 else 4
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + n
    raw, stride, prev, out = zlib.decompress(idat), w * bpp, bytearray(w * bpp), []
    for y in range(h):
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b, c = prev[x], prev[x - bpp] if x >= bpp else 0
            p = a + b - c
            pred = a if abs(p - a) <= abs(p - b) and abs(p - a) <= abs(p - c) else b if abs(p - b) <= abs(p - c) else c
            line[x] = (line[x] + (0, a, b, (a + b) // 2, pred)[f]) & 0xFF
        out.extend(tuple(line[x:x + 3]) for x in range(0, stride, bpp))
        prev = line
    return out


def test_html_is_self_contained_escaped_and_renders_in_a_real_browser(trail, tmp_path):
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if not browser:
        pytest.fail("the HTML test needs Debian's chromium: apt-get install chromium (.ci/run installs it)")
    path = export(trail, tmp_path, "html")
    source = open(path, encoding="utf-8").read()
    assert "<script" not in source.lower() and "http://" not in source.replace(trail.venv, "").split("<table")[0]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in source and "\\x1b[31m" in source and "\x1b" not in source
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-dev-shm-usage",
             f"--user-data-dir={tmp_path}/profile"]
    env = dict(os.environ, HOME=str(tmp_path))
    dom = subprocess.run([browser, *flags, "--dump-dom", "file://" + path], capture_output=True, text=True, env=env,
                         timeout=120)
    assert dom.returncode == 0, dom.stderr
    parsed = DOM()
    parsed.feed(dom.stdout)
    assert "script" not in parsed.tags and "i" not in parsed.tags and "b" not in parsed.tags
    text = "".join(parsed.text)
    assert "<script>alert(1)</script>" in text and "no-such-pkg-\\x1b[31m<i>\\x07" in text
    assert [r["id"] for r in parsed.rows] == [f"seq-{n}" for n in range(1, 7)]
    assert "hook" in parsed.rows[2]["class"] and "failed" in parsed.rows[5]["class"] and "drift" in parsed.rows[0]["class"]
    shot = str(tmp_path / "shot.png")
    subprocess.run([browser, *flags, "--window-size=1400,900", "--hide-scrollbars", f"--screenshot={shot}",
                    "file://" + path], capture_output=True, env=env, timeout=120, check=True)
    pixels = png_pixels(shot)
    assert len(set(pixels)) > 50, "the page rendered blank"
    assert any(r > 180 and g < 40 and b < 40 for r, g, b in pixels), "no red STARTUP HOOK marker rendered"
    assert any(r > 150 and 80 < g < 120 and b < 30 for r, g, b in pixels), "no orange FAILED marker rendered"


def test_key_files_and_the_log_keep_the_private_key_apart(trail, tmp_path):
    env = trail.env(extra={"XDG_CONFIG_HOME": str(tmp_path / "cfg")})
    r = subprocess.run([BIN, "key", "init", "--name", "audit-key"], capture_output=True, text=True, env=env)
    assert r.returncode == 0, r.stderr
    key = tmp_path / "cfg/pkgtrail/checkpoint.key"
    assert oct(key.stat().st_mode & 0o777) == "0o600"
    secret = key.read_text().split("+", 4)[4].strip()  # the base64 seed may itself hold a "+"
    assert secret not in r.stdout and r.stdout.strip().splitlines()[-1].startswith("audit-key+")
    again = subprocess.run([BIN, "key", "init"], capture_output=True, text=True, env=env)
    assert again.returncode == 2 and "already exists" in again.stderr and key.read_text().endswith(secret + "\n")
    rc, note, _ = run(trail, "checkpoint", env=env)
    assert rc == 0 and note.count("\n") == 5 and "\n\n\u2014 audit-key " in note
    # The private key pasted where the public one belongs is refused without being echoed.
    cp = tmp_path / "cp.note"
    cp.write_text(note)
    r = subprocess.run([BIN, "verify", "--db", trail.db, "--checkpoint", str(cp), "--key", key.read_text().strip()],
                       capture_output=True, text=True, env=env)
    assert r.returncode == 2 and "--key text" in r.stderr and secret not in r.stderr + r.stdout
    for f in (trail.db, trail.db + "-wal"):
        if os.path.exists(f):
            assert secret.encode() not in open(f, "rb").read()
    os.chmod(key, 0o644)
    rc, _, err = run(trail, "checkpoint", env=env)
    assert rc == 2 and "chmod 600" in err


def rechain(db, start, edit):
    """What an attacker with write access does: edit an event, then recompute
    every later prev_hash and hash so the chain is intact again."""
    con = sqlite3.connect(db)
    triggers = [sql for (sql,) in con.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger'"
                                              " AND name IN ('event_no_update', 'event_no_delete')")]
    con.executescript("DROP TRIGGER event_no_update; DROP TRIGGER event_no_delete;")
    prev = con.execute("SELECT hash FROM event WHERE seq = ?", (start - 1,)).fetchone()[0]
    for seq, body in con.execute("SELECT seq, body FROM event WHERE seq >= ? ORDER BY seq", (start,)).fetchall():
        event = json.loads(body)
        if seq == start:
            edit(event)
        event["prev_hash"] = prev.hex()
        body = json.dumps(event, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
        new = hashlib.sha256(b"\x00" + prev + body).digest()
        con.execute("UPDATE event SET body = ?, prev_hash = ?, hash = ? WHERE seq = ?", (body, prev, new, seq))
        prev = new
    for sql in triggers:
        con.execute(sql)
    con.commit()
    return con


def test_checkpoints_catch_truncation_rewrite_and_fork(trail, tmp_path):
    env = trail.env(extra={"XDG_CONFIG_HOME": str(tmp_path / "cfg")})
    assert subprocess.run([BIN, "key", "init"], env=env, capture_output=True).returncode == 0
    cp = str(tmp_path / "cp.note")
    assert run(trail, "checkpoint", "-o", cp, env=env)[0] == 0

    def verify(db, *extra):
        r = subprocess.run([BIN, "verify", "--db", db, "--checkpoint", cp, *extra], capture_output=True, text=True, env=env)
        return r.returncode, r.stdout + r.stderr

    def copy():
        dst = str(tmp_path / f"copy{len(os.listdir(tmp_path))}.db")
        src = sqlite3.connect(trail.db)
        src.backup(sqlite3.connect(dst))
        return dst

    rc, out = verify(trail.db)
    assert rc == 0 and "the log extends it" in out, out
    # Truncation by someone who also resets sqlite_sequence: verify alone is satisfied, the checkpoint is not.
    db = copy()
    con = sqlite3.connect(db)
    con.executescript("DROP TRIGGER event_no_delete; PRAGMA foreign_keys = OFF;"
                      "DELETE FROM change WHERE seq = 6; DELETE FROM event_summary WHERE seq = 6; DELETE FROM event WHERE seq = 6;"
                      "DELETE FROM environment WHERE id NOT IN (SELECT env FROM event_summary);"
                      "UPDATE sqlite_sequence SET seq = 5 WHERE name = 'event';")
    con.executescript([s for n, s in sqlite3.connect(trail.db).execute(
        "SELECT name, sql FROM sqlite_master WHERE name = 'event_no_delete'")][0])
    con.close()
    assert subprocess.run([BIN, "verify", "--db", db], capture_output=True).returncode == 0
    rc, out = verify(db)
    assert rc == 1 and "TRUNCATED" in out and "vouches for 6 events; the log now holds 5" in out, out
    # A rewrite that leaves the chain broken.
    db = copy()
    con = sqlite3.connect(db)
    con.executescript("DROP TRIGGER event_no_update; UPDATE event SET body = CAST(replace(CAST(body AS TEXT), '\"cwd\":\"', '\"cwd\":\"/x') AS BLOB) WHERE seq = 4")
    con.close()
    rc, out = verify(db)
    assert rc == 1 and "REWRITTEN" in out and "seq 4" in out, out
    # A fork: seq 3 rewritten and everything re-chained, so the chain alone looks intact.
    db = copy()
    rechain(db, 3, lambda e: e["command"].update(cwd="/somewhere/else")).close()
    r = subprocess.run([BIN, "verify", "--db", db], capture_output=True, text=True)
    assert r.returncode == 0 and "caught only by `verify --checkpoint`" in r.stdout, r.stdout
    rc, out = verify(db)
    assert rc == 1 and "FORKED" in out, out
    # The checkpoint itself: altered, or checked with another key, is not evidence either way.
    forged = str(tmp_path / "forged.note")
    open(forged, "w").write(open(cp).read().replace("\n6\n", "\n5\n", 1))
    r = subprocess.run([BIN, "verify", "--db", trail.db, "--checkpoint", forged], capture_output=True, text=True, env=env)
    assert r.returncode == 2 and "does not verify" in r.stderr
    other = trail.env(extra={"XDG_CONFIG_HOME": str(tmp_path / "other")})
    subprocess.run([BIN, "key", "init"], env=other, capture_output=True, check=True)
    r = subprocess.run([BIN, "verify", "--db", trail.db, "--checkpoint", cp], capture_output=True, text=True, env=other)
    assert r.returncode == 2 and "no signature by" in r.stderr
    j = json.loads(subprocess.run([BIN, "verify", "--json", "--db", trail.db, "--checkpoint", cp], capture_output=True,
                                  env=env).stdout)
    assert j["checkpoints"][0]["extends"] is True and j["checkpoints"][0]["size"] == 6


def test_an_export_that_cannot_be_written_leaves_nothing(trail, tmp_path):
    rc, _, err = run(trail, "export", "--format", "csv", "-o", str(tmp_path / "no/such/dir/out.csv"))
    assert rc == 2 and err.count("\n") == 1 and "cannot write" in err
    assert not os.path.exists(tmp_path / "no")


class Picture(html.parser.HTMLParser):
    """The HTML export's timeline picture, as the browser built it: each
    environment's summary, and each lane's bars with their place and title."""
    def __init__(self):
        super().__init__()
        self.lanes, self.marks, self.summaries, self.lane, self.into = {}, [], [], None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "g" and "data-name" in a:
            self.lane = self.lanes.setdefault(a["data-name"], [])
        elif tag == "rect" and self.lane is not None:
            self.lane.append(dict(a, title=""))
            self.into = self.lane[-1]
        elif tag == "path" and "mark" in a.get("class", ""):
            self.marks.append(a["class"])
        elif tag == "summary":
            self.summaries.append("")
            self.into = "summary"

    def handle_endtag(self, tag):
        if tag == "g":
            self.lane = None
        if tag in ("rect", "summary"):
            self.into = None

    def handle_data(self, data):
        if isinstance(self.into, dict):
            self.into["title"] += data
        elif self.into == "summary":
            self.summaries[-1] += data


def ms(t):
    return datetime.datetime.fromisoformat(t.replace("Z", "+00:00")).timestamp() * 1000


def chromium(tmp_path):
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if not browser:
        pytest.fail("the HTML test needs Debian's chromium: make browser (.ci/run runs it)")
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-dev-shm-usage",
             f"--user-data-dir={tmp_path}/profile"]
    env = dict(os.environ, HOME=str(tmp_path))

    def dom(path):
        r = subprocess.run([browser, *flags, "--dump-dom", "file://" + path], capture_output=True, text=True, env=env,
                           timeout=120)
        assert r.returncode == 0, r.stderr
        return r.stdout

    def shot(path, png):
        subprocess.run([browser, *flags, "--window-size=1400,1400", "--hide-scrollbars", f"--screenshot={png}",
                        "file://" + path], capture_output=True, env=env, timeout=120, check=True)
        return png_pixels(png)
    return dom, shot


def test_the_html_picture_shows_each_versions_window_in_a_real_browser(trail, tmp_path):
    """Issue 17: above the table, a lane per package and a bar per version
    from the command that brought it to the one that ended it, placed on one
    time axis; versions --highlight matches in the warning colour; hooks and
    failed commands marked; the hostile environment path escaped."""
    dom, shot = chromium(tmp_path)
    path = export(trail, tmp_path, "html", "--highlight", "llmlib==1.1")
    source = open(path, encoding="utf-8").read()
    assert "<script" not in source.lower() and source.index('id="picture"') < source.index('id="timeline"')
    picture = Picture()
    picture.feed(dom(path))
    events = json.loads(run(trail, "log", "--json")[1])
    t0 = min(ms((e["drift"] or {}).get("last_seen") or e["started"]) for e in events)
    t1 = max(ms(e["finished"]) for e in events)

    def x(t):
        return 230 + (ms(t) - t0) * 930 / (t1 - t0)

    def changed(name):
        return [(e, c) for e in events for c in e["changes"] if c["name"] == name]

    llmlib = picture.lanes["llmlib"]
    assert [b["title"].split(":")[0] for b in llmlib] == ["1.1", "1.2"], llmlib
    installed, upgraded = changed("llmlib")
    # Each bar runs from its installing command's start to the replacing one's finish (or the end).
    assert abs(float(llmlib[0]["x"]) - x(installed[0]["started"])) <= 1, (llmlib, installed[0]["started"])
    end = float(llmlib[0]["x"]) + float(llmlib[0]["width"])
    assert abs(end - x(upgraded[0]["finished"])) <= 1.5 or float(llmlib[0]["width"]) == 2
    assert "flagged" in llmlib[0]["class"] and "(flagged)" in llmlib[0]["title"]
    assert "flagged" not in llmlib[1].get("class", "") and "open" in llmlib[1]["class"] and "now" in llmlib[1]["title"]
    assert abs(float(llmlib[1]["x"]) + float(llmlib[1]["width"]) - 1160) <= 1
    demo = picture.lanes["demo-app"]
    removed = changed("demo-app")[-1][0]
    assert len(demo) == 1 and "open" not in demo[0].get("class", "")
    assert abs(float(demo[0]["x"]) + float(demo[0]["width"]) - x(removed["finished"])) <= 1.5
    # Bars' order on the axis follows the times.
    starts = sorted((ms(e["started"]), float(b["x"])) for name in picture.lanes for b in picture.lanes[name]
                    for e, c in changed(name)[:1] if b is picture.lanes[name][0])
    assert [b for _, b in starts] == sorted(b for _, b in starts)
    assert "mark mark-hook" in picture.marks and "mark mark-failed" in picture.marks
    # The hostile path is text in the summary, never markup.
    assert any(trail.venv in s and "FLAGGED" in s for s in picture.summaries), picture.summaries

    # The warning colour (#d40000) is drawn only where a version is flagged.
    # (Apart from the legend's swatch, in both.)
    flagged = sum(1 for p in shot(path, str(tmp_path / "flagged.png")) if p == (212, 0, 0))
    plain = export(trail, tmp_path, "html")
    assert flagged - sum(1 for p in shot(plain, str(tmp_path / "plain.png")) if p == (212, 0, 0)) > 500, flagged
