"""One exit-code map for every subcommand (issue 12): 0 done, 1 only a
negative verdict, 2 could not do the job (a failed write of the output
included), 64 a wrong command line; every message one line starting
`pkgtrail:`. Bad input of every kind, output onto a full device, `-o` onto a
device, a FIFO and /dev/stdout: the device stays a device."""
import os
import stat
import subprocess
import threading

import pytest
from conftest import BIN, Sandbox


@pytest.fixture(scope="module")
def logged(tmp_path_factory, index):
    box = Sandbox(tmp_path_factory.mktemp("codes"), "current", twin=False)
    assert box.pip("install", "-i", index["simple"], "demo-lib==1.0").returncode == 0
    with open(box.root + "/garbage.json", "w") as f:
        f.write("{not json")
    with open(box.root + "/garbage.pub", "w") as f:
        f.write("not a key\n")
    with open(box.root + "/garbage.note", "w") as f:
        f.write("not a note\n")
    # A real checkpoint key, so `push` gets as far as the (unreachable) central store.
    assert subprocess.run([BIN, "key", "init", "--key-file", box.root + "/push.key"], capture_output=True,
                          env=box.env()).returncode == 0
    return box


def pkgtrail(box, *args, stdout=subprocess.PIPE):
    r = subprocess.run([BIN, *args], env=box.env(), stdout=stdout, stderr=subprocess.PIPE, timeout=120, cwd=box.root)
    return r.returncode, r.stderr.decode()


BAD_INPUT = [
    (2, ["log", "--db", "/nonexistent/dir/trail.db"]),
    (2, ["who", "demo-lib", "--db", "/nonexistent/trail.db"]),
    (2, ["state", "--env", "/no/such/env"]),
    (2, ["diff", "--env", "/no/such/env", "2026-01-01"]),
    (64, ["log", "--since", "last tuesday-ish"]),
    (64, ["state", "--at", "not-a-time"]),
    (64, ["exposure", "demo-lib=>1"]),
    (64, ["who", "demo-lib<<2"]),
    (64, ["who"]),
    (2, ["exposure", "--osv", "garbage.json"]),
    (2, ["exposure", "--osv", "/no/such/advisory.json"]),
    (2, ["verify", "--checkpoint", "garbage.note"]),
    (2, ["verify", "--checkpoint", "garbage.note", "--key", "garbage.pub"]),
    (2, ["checkpoint", "--key", "garbage.pub"]),
    (2, ["show", "999999"]),
    (64, ["log", "--bogus-flag"]),
    (64, ["no-such-command"]),
    (64, ["export", "--format", "pdf"]),
    (64, ["init", "--ci", "jenkins"]),
    (64, ["watch", "--depth", "99"]),
    (2, ["watch", "--discover", "/no/such/root"]),
    (64, ["central", "init"]),
    (64, ["central", "status", "--central", "postgresql://u:pw@127.0.0.1/d"]),
    (2, ["central", "verify", "--central", "postgresql://u@127.0.0.1:1/d?sslmode=disable"]),
    (2, ["push", "--key", "push.key", "--central", "postgresql://u@127.0.0.1:1/d?sslmode=disable"]),
    (64, ["push", "--batch", "0"]),
]


@pytest.mark.parametrize("status,args", BAD_INPUT, ids=[" ".join(a) for _, a in BAD_INPUT])
def test_bad_input_exits_2_or_64_with_one_pkgtrail_line(logged, status, args):
    code, err = pkgtrail(logged, *args)
    assert code == status, (code, err)
    assert err.startswith("pkgtrail: ") and "Error:" not in err, err
    assert len(err.strip().splitlines()) == 1, err


@pytest.mark.parametrize("args", [["log", "--json"], ["who", "demo-lib", "--json"], ["verify", "--json"], ["log"],
                                  ["state", "--json"], ["exposure", "demo-lib", "--json"], ["export", "--format", "ndjson"]])
def test_a_failed_write_of_the_output_exits_2(logged, args):
    """`> /dev/full`: a script must not get truncated output and a success status."""
    if args[0] == "state":
        args = args + ["--env", logged.venv]
    with open("/dev/full", "wb") as full:
        code, err = pkgtrail(logged, *args, stdout=full)
    assert code == 2, (code, err)
    assert err.startswith("pkgtrail: ") and "No space left on device" in err, err


def test_export_onto_a_device_writes_through_and_leaves_the_device(logged):
    before = os.stat("/dev/full")
    code, err = pkgtrail(logged, "export", "--format", "ndjson", "-o", "/dev/full")
    assert code == 2 and err.startswith("pkgtrail: export failed") and "nothing written" not in err, err
    after = os.stat("/dev/full")
    assert stat.S_ISCHR(after.st_mode) and after.st_rdev == before.st_rdev and after.st_ino == before.st_ino
    assert not [n for n in os.listdir("/dev") if n.startswith("full.tmp-")]


def test_export_onto_a_fifo_and_dev_stdout(logged, tmp_path):
    fifo = str(tmp_path / "timeline.fifo")
    os.mkfifo(fifo)
    got = []
    reader = threading.Thread(target=lambda: got.append(open(fifo, "rb").read()))
    reader.start()
    code, err = pkgtrail(logged, "export", "--format", "ndjson", "-o", fifo)
    reader.join(timeout=60)
    assert code == 0, err
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert got and got[0].startswith(b'{"export":{'), got
    assert os.listdir(tmp_path) == ["timeline.fifo"]

    out = tmp_path / "through-stdout.ndjson"
    link = os.readlink("/dev/stdout")
    with open(out, "wb") as f:
        code, err = pkgtrail(logged, "export", "--format", "ndjson", "-o", "/dev/stdout", stdout=f)
    assert code == 0, err
    assert os.readlink("/dev/stdout") == link and os.path.islink("/dev/stdout")
    text = out.read_bytes()
    assert text.startswith(b'{"export":{') and text.count(b"\n") == got[0].count(b"\n"), text


def test_export_to_a_link_replaces_the_file_it_points_to(logged, tmp_path):
    real = tmp_path / "real.ndjson"
    real.write_text("old\n")
    os.symlink(real, tmp_path / "link.ndjson")
    code, err = pkgtrail(logged, "export", "--format", "ndjson", "-o", str(tmp_path / "link.ndjson"))
    assert code == 0, err
    assert os.path.islink(tmp_path / "link.ndjson")
    assert real.read_text().startswith('{"export":{')


def test_usage_and_help(logged):
    r = subprocess.run([BIN, "log", "--help"], env=logged.env(), capture_output=True)
    assert r.returncode == 0 and b"USAGE" in r.stdout.upper() and r.stderr == b""
    r = subprocess.run([BIN, "--version"], env=logged.env(), capture_output=True)
    assert r.returncode == 0 and r.stdout.strip() and r.stderr == b""
