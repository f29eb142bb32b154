"""The core pip scenarios, with the pinned current pip and with the
machine's older pip 23.2.1 (python3 -m venv's bundled pip)."""
import os

import pytest
from conftest import Sandbox, assert_log_matches_disk, changes, served_sha256


@pytest.fixture(params=["current", "old"])
def box(request, tmp_path):
    return Sandbox(tmp_path, request.param)


def test_install_upgrade_downgrade_reinstall_uninstall(box, index):
    i = ["-i", index["simple"]]

    box.both("install", *i, "demo-app")
    e = box.last()
    assert changes(e) == [("demo-app", "install", None, "1.0"), ("demo-lib", "install", None, "1.1")]
    app, lib = e["changes"]
    assert app["requested"] is True and lib["requested"] is False
    assert lib["required_by"] == ["demo-app"]
    assert app["artifact"]["filename"] == "demo_app-1.0-py3-none-any.whl"
    assert app["artifact"]["sha256"] == served_sha256(index, "demo_app-1.0-py3-none-any.whl")
    assert app["artifact"]["url"].startswith(index["url"] + "/files/")
    assert app["installer"] == "pip" and len(app["record_sha256"]) == 64
    assert e["command"]["argv"] == ["pip", "install", "-i", index["simple"], "demo-app"]
    assert e["command"]["outcome"] == "ok" and e["command"]["exit_status"] == 0
    assert e["environment"]["prefix"] == box.venv and e["environment"]["is_venv"] is True
    assert e["environment"]["python_version"].startswith("3.11")
    assert {"kind": "index", "url": index["simple"], "origin": "argv"} in e["sources"]
    assert e["command"]["tool_version"] in ("26.3", "23.2.1")
    assert_log_matches_disk(box, index)

    box.both("install", *i, "demo-lib==1.0")
    assert changes(box.last()) == [("demo-lib", "downgrade", "1.1", "1.0")]
    assert_log_matches_disk(box, index)

    box.both("install", *i, "--upgrade", "demo-lib")
    assert changes(box.last()) == [("demo-lib", "upgrade", "1.0", "1.1")]

    box.both("install", *i, "--force-reinstall", "--no-deps", "demo-lib==1.1")
    e = box.last()
    assert changes(e) == [("demo-lib", "reinstall", "1.1", "1.1")]
    assert e["state_before"] == e["state_after"]
    assert_log_matches_disk(box, index)

    box.both("install", *i, "demo-lib")  # already satisfied: an event, no changes
    assert changes(box.last()) == []

    box.both("uninstall", "demo-app", input=b"n\n")  # the prompt works; "n" removes nothing
    assert changes(box.last()) == []
    box.both("uninstall", "demo-app", input=b"y\n")
    assert changes(box.last()) == [("demo-app", "remove", "1.0", None)]
    assert box.last()["changes"][0]["requested"] is True
    box.both("uninstall", "-y", "demo-lib")
    assert changes(box.last()) == [("demo-lib", "remove", "1.1", None)]
    assert_log_matches_disk(box, index)


def test_requirements_file_pulls_in_a_startup_hook(box, index):
    with open(box.root + "/requirements.txt", "w") as f:
        f.write("agentkit==1.0\n")
    with open(box.root + "/constraints.txt", "w") as f:
        f.write("llmlib==1.1\n")
    box.both("install", "-i", index["simple"], "-r", "requirements.txt", "-c", "constraints.txt")
    e = box.last()
    assert changes(e) == [("agentkit", "install", None, "1.0"), ("llmlib", "install", None, "1.1")]
    llm = e["changes"][1]
    [hook] = llm["startup_hooks"]
    assert hook["path"] == box.site + "/llmlib_init.pth"
    assert hook["executable_import"] is True and hook["status"] == "added"
    with open(hook["path"], "rb") as f:
        import hashlib
        assert hook["sha256"] == hashlib.sha256(f.read()).hexdigest()
    assert llm["required_by"] == ["agentkit"] and llm["requested"] is False
    assert b"STARTUP HOOK" in box.trail("log").stdout
    assert b"STARTUP HOOK" in box.trail("show", str(e["seq"])).stdout

    box.both("install", "-i", index["simple"], "llmlib==1.2")
    e = box.last()
    assert changes(e) == [("llmlib", "upgrade", "1.1", "1.2")]
    assert e["startup_hooks"] == [{"executable_import": False, "path": box.site + "/llmlib_init.pth",
                                   "sha256": None, "status": "removed"}]
    assert_log_matches_disk(box, index)


def test_failed_install_is_recorded(box, index):
    r = box.both("install", "-i", index["simple"], "does-not-exist")
    assert r.returncode == 1
    e = box.last()
    assert e["command"]["outcome"] == "failed" and e["command"]["exit_status"] == 1
    assert changes(e) == []
    assert_log_matches_disk(box, index)
