"""Hostile input (docs/SPEC.md §1–2): a site-packages planted with what a malicious
package or a careless tool can leave there (enormous METADATA and RECORD,
non-UTF-8 and control characters in names, names built to break SQL, CSV,
HTML, JSON and terminals, symlink loops, a FIFO where METADATA should be,
two dist-infos that collide after normalization), and argv with terminal
escapes. The install behaves as bare pip, nothing hangs, the log verifies,
and no raw control character reaches a terminal."""
import csv
import io
import json
import os
import subprocess
import sys

from conftest import BIN, REPO, Sandbox

HOSTILE = "x\x1b[31mred\x07'; DROP TABLE event;--<script>alert(1)</script>=cmd|' /C calc'!A0"


def plant(site):
    def dist(dirname, metadata=None, record=b""):
        d = os.path.join(site.encode(), dirname if isinstance(dirname, bytes) else dirname.encode())
        os.makedirs(d)
        if metadata is not None:
            with open(os.path.join(d, b"METADATA"), "wb") as f:
                f.write(metadata)
        with open(os.path.join(d, b"RECORD"), "wb") as f:
            f.write(record)
    dist("enormous-1.0.dist-info", b"Name: enormous\nVersion: 1.0\n" + b"X-Junk: " + b"A" * (20 << 20) + b"\n",
         b"".join(b'"pkg/m%d.py",sha256=abc,1\n' % i for i in range(200_000)) + b"\xff\xfe,,\n")
    dist("nameless.dist-info", b"Name: " + HOSTILE.encode() + b"\nVersion: 6.6\n")
    dist(b"caf\xe9-1.0.dist-info")  # not UTF-8
    dist("Foo_Bar-1.0.dist-info")
    dist("foo.bar-2.0.dist-info")  # the same project after PEP 503 normalization
    os.makedirs(os.path.join(site, "hang.dist-info"))
    os.mkfifo(os.path.join(site, "hang.dist-info", "METADATA"))  # a read would block forever
    os.symlink("loop-1.0.dist-info", os.path.join(site, "loop-1.0.dist-info"))
    os.symlink("b.dist-info", os.path.join(site, "a.dist-info"))
    os.symlink("a.dist-info", os.path.join(site, "b.dist-info"))
    with open(os.path.join(site, "evil.pth"), "wb") as f:
        f.write(b"import os  # \x1b]0;title\x07 \xff\n")


def no_raw_controls(blob):
    return not any(b in blob for b in (b"\x1b", b"\x07", b"\x9b"))


def test_a_hostile_site_packages_is_recorded_without_hanging_or_breaking_output(tmp_path, index):
    box = Sandbox(tmp_path, "current")
    for site in (box.site, box.twin + "/lib/python3.11/site-packages"):
        plant(site)
    i = ["-i", index["simple"]]
    box.both("install", *i, "demo-lib==1.0")
    # A requirement pip rejects, carrying terminal escapes in argv, run from a directory whose
    # name carries them too: a failed install, recorded.
    hostile_cwd = os.path.join(box.root, "dir\x1b[31m\x9b2J")
    os.mkdir(hostile_cwd)
    bare = box.pip("install", *i, "demo\x1b[2J\x1b]0;pwned\x07lib", bare=True, cwd=hostile_cwd)
    rec = box.pip("install", *i, "demo\x1b[2J\x1b]0;pwned\x07lib", cwd=hostile_cwd)
    assert (rec.returncode, rec.stdout) == (bare.returncode, bare.stdout) and rec.returncode != 0
    r = box.trail("verify")
    assert r.stdout.startswith(b"ok: "), r.stdout
    events = box.events()
    assert events[-1]["command"]["outcome"] == "failed"
    assert "demo\x1b[2J\x1b]0;pwned\x07lib" in events[-1]["command"]["argv"]  # stored as it was, escaped on output
    assert events[-1]["command"]["cwd"] == hostile_cwd
    baseline = [c["name"] for c in events[0]["changes"]]
    assert "enormous" in baseline and "foo-bar" in baseline
    # Two dist-infos for one project: the greater path wins whatever the directory order, and a note says so.
    assert [c["to_version"] for c in events[0]["changes"] if c["name"] == "foo-bar"] == ["2.0"]
    assert any("foo-bar has more than one metadata directory" in n for n in events[1]["notes"]), events[1]["notes"]
    assert any("<script>" in n and "\x1b" in n for n in baseline), baseline
    texts = []
    for args in (["log"], ["log", "--local"], ["show", "1"], ["show", str(events[-1]["seq"])],
                 ["state", "--env", box.venv], ["who", "foo-bar"], ["diff", "--env", box.venv, "2000-01-01", "2100-01-01"]):
        r = box.trail(*args)
        texts.append(r.stdout + r.stderr)
    r = subprocess.run([BIN, "scan", box.venv, "--db", box.db], capture_output=True, env=box.env(), timeout=120)
    texts.append(r.stdout + r.stderr)
    assert len(box.events()) == len(events), "a hostile but unchanged environment must not look like drift"
    for blob in texts:
        assert no_raw_controls(blob), blob[:400]
    assert b"\\x1b" in texts[0] or b"\\x1b" in texts[3]  # shown escaped, not dropped
    for fmt in ("json", "ndjson"):
        out = box.trail("export", "--format", fmt).stdout
        assert no_raw_controls(out)
        json.loads(out) if fmt == "json" else [json.loads(l) for l in out.splitlines()]
        # C1 controls are escaped inside the body strings, so the bodies still hash to the chain.
        path = os.path.join(box.root, "export." + fmt)
        open(path, "wb").write(out)
        assert subprocess.run([sys.executable, REPO + "/scripts/verify_log.py", path], capture_output=True).returncode == 0
    html = box.trail("export", "--format", "html").stdout
    assert b"<script>" not in html and no_raw_controls(html)
    rows = list(csv.reader(io.StringIO(box.trail("export", "--format", "csv").stdout.decode())))
    assert all(not cell.startswith(("=", "+", "-", "@", "\t", "\r")) for row in rows for cell in row)
