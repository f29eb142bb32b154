"""export --format cyclonedx: an environment at a moment, as the log replays
it, as a CycloneDX 1.6 SBOM that the official JSON schema accepts, with the
sha256 of what was installed and how it came."""
import json
import os
import subprocess
import time

import pytest

from conftest import BIN, Sandbox, served_sha256


def cyclonedx_validator():
    """The official CycloneDX 1.6 JSON schema (and the SPDX and JSF schemas it
    refers to), as cyclonedx-python-lib ships them, checked by jsonschema."""
    import cyclonedx
    import jsonschema
    from referencing import Registry, Resource
    res = os.path.join(os.path.dirname(cyclonedx.__file__), "schema", "_res")

    def load(name):
        with open(os.path.join(res, name)) as f:
            return json.load(f)
    bom = load("bom-1.6.SNAPSHOT.schema.json")
    registry = Registry().with_resources(
        (f"http://cyclonedx.org/schema/{uri}", Resource.from_contents(load(name)))
        for uri, name in (("spdx.SNAPSHOT.schema.json", "spdx.SNAPSHOT.schema.json"),
                          ("jsf-0.82.SNAPSHOT.schema.json", "jsf-0.82.SNAPSHOT.schema.json")))
    return jsonschema.Draft7Validator(bom, registry=registry, format_checker=jsonschema.FormatChecker())


@pytest.fixture(scope="module")
def box(tmp_path_factory, index):
    box = Sandbox(tmp_path_factory.mktemp("sbom"), "current", twin=False)
    assert box.pip("install", "-q", "-i", index["simple"], "demo-app").returncode == 0
    assert box.pip("install", "-q", "-i", index["simple"], "agentkit").returncode == 0  # pulls in llmlib (1.2)
    assert box.pip("install", "-q", "-i", index["simple"], "llmlib==1.1").returncode == 0  # the one with a .pth
    time.sleep(0.01)
    box.moment = json.loads(box.trail("log", "--json").stdout)[-1]["finished"]
    assert box.pip("uninstall", "-y", "-q", "demo-app").returncode == 0
    return box


def sbom(box, *args):
    r = subprocess.run([BIN, "export", "--format", "cyclonedx", "--db", box.db, *args], capture_output=True,
                       text=True, env=box.env(), timeout=120)
    assert r.returncode == 0, r
    return json.loads(r.stdout)


def test_the_sbom_is_valid_cyclonedx_and_lists_what_state_lists(box, index):
    doc = sbom(box, "--env", box.venv, "--at", box.moment)
    errors = sorted(cyclonedx_validator().iter_errors(doc), key=str)
    assert not errors, [e.message for e in errors[:5]]
    assert doc["bomFormat"] == "CycloneDX" and doc["specVersion"] == "1.6"
    freeze = subprocess.run([BIN, "state", "--freeze", "--env", box.venv, "--at", box.moment, "--db", box.db],
                            capture_output=True, text=True, env=box.env()).stdout.split()
    components = doc["components"]
    assert sorted(f"{c['name']}=={c['version']}" for c in components) == sorted(freeze)
    assert "demo-app==1.0" in freeze and "llmlib==1.1" in freeze
    props = {c["name"]: {(p["name"], p["value"]) for p in c["properties"]} for c in components}
    for c in components:
        assert c["purl"] == f"pkg:pypi/{c['name']}@{c['version']}"
        if c["name"] in ("pip", "setuptools"):  # there before pkgtrail first looked: no artifact to vouch for
            assert "hashes" not in c and any(k == "pkgtrail:seen_as" for k, _ in props[c["name"]]), c
            continue
        (h,) = c["hashes"]
        wheel = f"{c['name'].replace('-', '_')}-{c['version']}-py3-none-any.whl"
        assert h == {"alg": "SHA-256", "content": served_sha256(index, wheel)}, c
    assert ("pkgtrail:startup_hook", box.site + "/llmlib_init.pth") in props["llmlib"]
    assert ("pkgtrail:requested", "true") in props["llmlib"] and ("pkgtrail:required_by", "demo-app") in props["demo-lib"]
    assert any(k == "pkgtrail:command" and v.startswith("pip install") for k, v in props["agentkit"])
    # The log head it was computed from: checkable against a checkpoint.
    meta = {p["name"]: p["value"] for p in doc["metadata"]["properties"]}
    head = json.loads(box.trail("log", "--json").stdout)[-1]
    assert meta["pkgtrail:log:size"] == str(head["seq"]) and meta["pkgtrail:at"] == box.moment
    assert meta["pkgtrail:environment"] == box.venv


def test_now_and_bad_options(box, tmp_path):
    now = sbom(box, "--env", box.venv)
    assert "demo-app" not in [c["name"] for c in now["components"]]
    assert not list(cyclonedx_validator().iter_errors(now))
    out = tmp_path / "bom.json"
    r = subprocess.run([BIN, "export", "--format", "cyclonedx", "--env", box.venv, "-o", str(out), "--db", box.db],
                       capture_output=True, env=box.env())
    assert r.returncode == 0 and json.loads(out.read_text())["components"], r
    for args in (["--format", "cyclonedx", "--since", "1d"], ["--format", "json", "--at", "1d"]):
        r = subprocess.run([BIN, "export", *args, "--db", box.db], capture_output=True, text=True, env=box.env())
        assert r.returncode == 64 and r.stderr.count("\n") == 1, r
    r = subprocess.run([BIN, "export", "--format", "cyclonedx", "--env", "/nowhere", "--db", box.db],
                       capture_output=True, text=True, env=box.env())
    assert r.returncode == 2 and "nothing is recorded for /nowhere" in r.stderr, r


def test_vulnerabilities_are_the_stored_advisories_that_name_a_component(box, tmp_path):
    """--vulnerabilities: each incident once (aliases as references), affecting
    the components whose versions it names; malicious is critical, CWE-506."""
    from test_advisories import advisory, pypi
    docs = [
        advisory("MAL-2026-0007", "2026-03-24T11:15:00Z", [pypi("LLMLib", versions=["1.1"])], aliases=["PYSEC-2026-7"]),
        advisory("PYSEC-2026-7", "2026-03-25T00:00:00Z",
                 [pypi("llmlib", ranges=[[{"introduced": "1.1"}, {"fixed": "1.2"}]])],
                 aliases=["MAL-2026-0007"], severity="HIGH"),
        advisory("PYSEC-2026-8", "2026-03-25T00:00:00Z",
                 [pypi("agentkit", ranges=[[{"introduced": "0"}, {"fixed": "0.1"}]])],
                 severity="LOW"),  # an older agentkit only
    ]
    for d in docs:
        (tmp_path / f"{d['id']}.json").write_text(json.dumps(d))
    store = str(tmp_path / "advisories.db")
    r = subprocess.run([BIN, "advisories", "import", "--advisories", store, str(tmp_path)], capture_output=True,
                       text=True)
    assert r.returncode == 0, r
    doc = sbom(box, "--env", box.venv, "--at", box.moment, "--vulnerabilities", "--advisories", store)
    errors = sorted(cyclonedx_validator().iter_errors(doc), key=str)
    assert not errors, [e.message for e in errors[:5]]
    (v,) = doc["vulnerabilities"]
    assert v["id"] == "MAL-2026-0007" and [x["id"] for x in v["references"]] == ["PYSEC-2026-7"], v
    assert v["affects"] == [{"ref": "pkg:pypi/llmlib@1.1"}] and v["cwes"] == [506], v
    assert v["ratings"][0]["severity"] == "critical" and v["source"]["url"].endswith("/MAL-2026-0007"), v
    assert "llmlib@1.1" in [c["bom-ref"].split("/")[-1] for c in doc["components"]]
    # A store that names no installed version: an empty list; without the flag, none at all.
    other = str(tmp_path / "other.db")
    assert subprocess.run([BIN, "advisories", "import", "--advisories", other, str(tmp_path / "PYSEC-2026-8.json")],
                          capture_output=True).returncode == 0
    assert sbom(box, "--env", box.venv, "--vulnerabilities", "--advisories", other)["vulnerabilities"] == []
    assert "vulnerabilities" not in sbom(box, "--env", box.venv)
    r = subprocess.run([BIN, "export", "--format", "json", "--vulnerabilities", "--db", box.db], capture_output=True,
                       text=True, env=box.env())
    assert r.returncode == 64 and r.stderr.count("\n") == 1, r
    r = subprocess.run([BIN, "export", "--format", "cyclonedx", "--env", box.venv, "--vulnerabilities", "--advisories",
                        str(tmp_path / "none.db"), "--db", box.db], capture_output=True, text=True, env=box.env())
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and "advisories import" in r.stderr, r
