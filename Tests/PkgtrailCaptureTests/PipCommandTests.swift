import Foundation
import XCTest
@testable import PkgtrailCapture
import PkgtrailCore

final class PipCommandTests: XCTestCase {
    let env = ProcessEnvironment(values: [:])

    func testSubcommandAfterGlobalOptions() {
        let c = PipCommand(arguments: ["-q", "--python", "/v/bin/python", "--cache-dir=/c", "install", "-Ur", "req.txt",
                                       "-ihttps://h/simple", "--target", "t", "six==1.0", "--", "-weird"])
        XCTAssertEqual(c.subcommand, "install")
        XCTAssertEqual(c.last("--python"), "/v/bin/python")
        XCTAssertEqual(c.last("-r", "--requirement"), "req.txt")
        XCTAssertEqual(c.last("-i", "--index-url"), "https://h/simple")
        XCTAssertEqual(c.last("-t", "--target"), "t")
        XCTAssertTrue(c.has("-U"))
        XCTAssertEqual(c.positionals, ["six==1.0", "-weird"])
    }

    func testWhatChangesAnEnvironment() {
        let mutating = [["install", "x"], ["uninstall", "-y", "x"], ["-v", "install", "-e", "."], ["uninstall", "x"]]
        let passing = [["list"], ["show", "x"], ["--version"], ["install", "--help"], ["install", "--dry-run", "x"],
                       ["download", "x"], ["freeze"], [], ["-V"], ["config", "list"]]
        for a in mutating { XCTAssertTrue(PipCommand(arguments: a).changesEnvironment(env: env), "\(a)") }
        for a in passing { XCTAssertFalse(PipCommand(arguments: a).changesEnvironment(env: env), "\(a)") }
        XCTAssertFalse(PipCommand(arguments: ["install", "x"]).changesEnvironment(env: ProcessEnvironment(values: ["PIP_DRY_RUN": "1"])))
    }
}

final class PipSourcesTests: XCTestCase {
    func testINI() {
        let ini = PipSources.parseINI("""
            [global]
            index_url = https://a/simple
            extra-index-url =
                https://b/simple
                https://c/simple
            # comment
            [install]
            find-links = /wheels
            """)
        XCTAssertEqual(ini["global"]?["index-url"], ["https://a/simple"])
        XCTAssertEqual(ini["global"]?["extra-index-url"], ["https://b/simple", "https://c/simple"])
        XCTAssertEqual(ini["install"]?["find-links"], ["/wheels"])
    }

    func testLayeringArgvOverEnvOverConfigAndRedaction() throws {
        let dir = NSTemporaryDirectory() + "pkgtrail-src-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let conf = dir + "/pip.conf"
        try "[global]\nindex-url = https://cfg:tok@config/simple\nextra-index-url = https://cfg-extra/simple\n"
            .write(toFile: conf, atomically: true, encoding: .utf8)
        let env = ProcessEnvironment(values: ["PIP_CONFIG_FILE": conf, "HOME": dir, "XDG_CONFIG_DIRS": dir + "/none",
                                              "PIP_INDEX_URL": "https://u:envtoken@env/simple"])
        var sources = PipSources.resolve(PipCommand(arguments: ["install", "x"]), env: env, prefix: nil)
        XCTAssertEqual(sources.map { "\($0.kind) \($0.url ?? "") \($0.origin)" },
                       ["index https://***@env/simple env:PIP_INDEX_URL", "extra-index https://cfg-extra/simple config:\(conf)"])
        sources = PipSources.resolve(PipCommand(arguments: ["install", "-i", "https://argv/simple", "--extra-index-url",
                                                            "https://more/simple", "--no-index", "x"]), env: env, prefix: nil)
        XCTAssertEqual(sources.map { "\($0.kind) \($0.url ?? "-") \($0.origin)" },
                       ["index https://argv/simple argv", "extra-index https://cfg-extra/simple config:\(conf)",
                        "extra-index https://more/simple argv", "no-index - argv"])
        let devnull = ProcessEnvironment(values: ["PIP_CONFIG_FILE": "/dev/null", "HOME": dir])
        XCTAssertEqual(PipSources.resolve(PipCommand(arguments: ["install", "x"]), env: devnull, prefix: nil), [])
    }
}

final class PipReportTests: XCTestCase {
    func testReadsArtifactsAndRequirers() throws {
        let json = """
            {"version": "1", "pip_version": "26.3", "install": [
              {"metadata": {"name": "Demo_App", "version": "1.0", "requires_dist": ["demo-lib>=1.0", "extra-thing; extra == 'x'"]},
               "requested": true, "is_direct": false,
               "download_info": {"url": "https://user:pw@idx/files/demo_app-1.0-py3-none-any.whl?sig=abc",
                                 "archive_info": {"hashes": {"sha256": "\(String(repeating: "ab", count: 32))"}}}},
              {"metadata": {"name": "demo.lib", "version": "1.1"}, "requested": false,
               "download_info": {"url": "file:///src", "dir_info": {"editable": true}}}
            ], "environment": {"python_full_version": "3.11.7"}}
            """
        let r = try PipReport(bytes: Array(json.utf8))
        XCTAssertEqual(r.pipVersion, "26.3")
        let app = try XCTUnwrap(r.items["demo-app"])
        XCTAssertEqual(app.sha256, String(repeating: "ab", count: 32))
        XCTAssertEqual(app.url, "https://***@idx/files/demo_app-1.0-py3-none-any.whl?sig=***")
        XCTAssertEqual(app.url?.urlFilename, "demo_app-1.0-py3-none-any.whl")
        XCTAssertEqual(r.items["demo-lib"]?.editable, true)
        XCTAssertNil(r.items["demo-lib"]?.sha256)
        XCTAssertEqual(r.requirers(of: "demo-lib"), ["demo-app"])
    }

    func testMalformedReportsAreErrorsNotCrashes() {
        for bad in ["", "[]", "{\"version\": \"2\"}", "{", "{\"install\": []}"] {
            XCTAssertThrowsError(try PipReport(bytes: Array(bad.utf8)), bad)
        }
        // Well-formed but with unusable entries: read, and the entries skipped.
        let odd = try? PipReport(bytes: Array("{\"version\": \"1\", \"install\": [{\"metadata\": 5}, 7]}".utf8))
        XCTAssertEqual(odd?.items.count, 0)
    }
}

final class EnvironmentReadingTests: XCTestCase {
    var dir: String!

    override func setUpWithError() throws {
        dir = NSTemporaryDirectory() + "pkgtrail-env-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir + "/v/bin", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: dir + "/v/lib/python3.11/site-packages", withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: dir) }

    func write(_ path: String, _ text: String, mode: Int = 0o644) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: path, atomically: false, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
    }

    func testShebangs() throws {
        try write(dir + "/pip1", "#!\(dir!)/v/bin/python3\nimport pip\n", mode: 0o755)
        try write(dir + "/pip2", "#!/bin/sh\n'''exec' \"/very long/bin/python3\" \"$0\" \"$@\"\n' '''\n", mode: 0o755)
        try write(dir + "/pip3", "#!/usr/bin/env bash\nexec pyenv exec pip\n", mode: 0o755)
        XCTAssertEqual(PythonLocator.interpreter(ofScript: dir + "/pip1", searchPath: "", cwd: "/"), dir + "/v/bin/python3")
        XCTAssertEqual(PythonLocator.interpreter(ofScript: dir + "/pip2", searchPath: "", cwd: "/"), "/very long/bin/python3")
        XCTAssertNil(PythonLocator.interpreter(ofScript: dir + "/pip3", searchPath: "", cwd: "/"))
    }

    func testVenvIsReadFromPyvenvCfgWithoutRunningPython() throws {
        try write(dir + "/v/pyvenv.cfg", "home = /usr/bin\nversion_info = 3.11.7\n")
        let info = try XCTUnwrap(PythonLocator.venv(python: dir + "/v/bin/python"))
        XCTAssertEqual(info.prefix, dir + "/v")
        XCTAssertEqual(info.version, "3.11.7")
        XCTAssertEqual(info.purelib, dir + "/v/lib/python3.11/site-packages")
        XCTAssertTrue(info.isVenv)
    }

    func testSiteScanReadsNamesVersionsAndStartupFiles() throws {
        let site = dir + "/v/lib/python3.11/site-packages"
        // pip 26 writes RECORD with CRLF line ends (Python csv).
        try write(site + "/Foo_Bar-1.2.dist-info/RECORD", "foo_bar/__init__.py,,\r\nfoo.pth,sha256=x,3\r\n")
        try write(site + "/old_thing-0.9-py3.11.egg-info/PKG-INFO", "Name: old-thing\nVersion: 0.9\n")
        try write(site + "/noversion.dist-info/METADATA", "Name: NoVersion\nVersion: 3.0\n\nbody")
        try write(site + "/foo.pth", "import os\n")
        try write(site + "/not-a-pth.txt", "x")
        let r = SiteScanner.scan([site, dir + "/missing"])
        XCTAssertEqual(r.snapshot.distributions.mapValues(\.version), ["foo-bar": "1.2", "old-thing": "0.9", "noversion": "3.0"])
        XCTAssertEqual(Array(r.snapshot.startupFiles.keys), [site + "/foo.pth"])
        let details = DistInfoDetails(metadataPath: site + "/Foo_Bar-1.2.dist-info")
        XCTAssertEqual(details.startupFiles, ["foo.pth"])
        XCTAssertNotNil(details.recordSHA256)
    }

    /// Shims are links that resolve to a binary named pkgtrail, directly or
    /// through another link; a link to anything else, or a real tool that
    /// is itself a link (a venv's python), is a real tool.
    func testRealToolSkipsShimsAndFindsNothingWhenOnlyShimsExist() throws {
        try write(dir + "/bin/pkgtrail", "ELF", mode: 0o755)
        try write(dir + "/real/pip-26", "#!/bin/sh\necho real\n", mode: 0o755)
        try FileManager.default.createDirectory(atPath: dir + "/shims", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: dir + "/more", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: dir + "/shims/pip", withDestinationPath: "../bin/pkgtrail")
        try FileManager.default.createSymbolicLink(atPath: dir + "/more/pip", withDestinationPath: dir + "/shims/pip")
        try FileManager.default.createSymbolicLink(atPath: dir + "/real/pip", withDestinationPath: "pip-26")
        let path = "\(dir!)/shims:\(dir!)/more:\(dir!)/shims:\(dir!)/real"
        XCTAssertEqual(RealTool.locate("pip", path: path, cwd: "/"), dir + "/real/pip")
        XCTAssertNil(RealTool.locate("pip", path: "\(dir!)/shims:\(dir!)/more", cwd: "/"))
        XCTAssertEqual(RealTool.first("pip", path: path, cwd: "/", skippingShims: false), dir + "/shims/pip")
    }
}

final class RecordCSVTests: XCTestCase {
    func testQuotedPathsWithCommas() {
        XCTAssertEqual(DistInfoFiles.recordFields("\"a,b/c.py\",sha256=x,12"), ["a,b/c.py", "sha256=x", "12"])
        XCTAssertEqual(DistInfoFiles.recordFields("plain.py,,"), ["plain.py", "", ""])
        XCTAssertEqual(DistInfoFiles.recordFields("\"say \"\"hi\"\".py\",,"), ["say \"hi\".py", "", ""])
        XCTAssertEqual(DistInfoFiles.startupFiles(record: Array("\"x,y.pth\",,\na/b.pth,,\nhook.pth,sha256=1,2\n".utf8)),
                       ["x,y.pth", "hook.pth"])
    }
}

final class UvCommandTests: XCTestCase {
    func testUvPipCommandsAndOptions() {
        let c = UvCommand(arguments: ["--cache-dir", "/c", "pip", "install", "-qq", "--python=/v/bin/python", "-rreq.txt",
                                      "--index-url", "https://h/simple", "six", "--", "-odd"])
        XCTAssertEqual(c.subcommands, ["pip", "install"])
        XCTAssertEqual(c.positionals, ["six", "-odd"])
        XCTAssertEqual(c.last("--python", "-p"), "/v/bin/python")
        XCTAssertEqual(c.last("-r", "--requirement"), "req.txt")
        XCTAssertEqual(c.last("--cache-dir"), "/c")
        XCTAssertTrue(c.changesEnvironment)
    }

    func testWhatUvRecords() {
        for a in [["pip", "install", "x"], ["pip", "uninstall", "x"], ["pip", "sync", "r.txt"], ["-v", "pip", "install", "x"]] {
            XCTAssertTrue(UvCommand(arguments: a).changesEnvironment, "\(a)")
        }
        for a in [["--version"], ["pip", "list"], ["pip", "install", "--dry-run", "x"], ["pip", "install", "-h"],
                  ["venv"], ["tool", "list"], ["pip", "compile", "r.in"], ["lock"], []] {
            XCTAssertFalse(UvCommand(arguments: a).changesEnvironment, "\(a)")
        }
        XCTAssertTrue(UvCommand(arguments: ["venv", "x"]).createsEnvironment)
        XCTAssertTrue(UvCommand(arguments: ["tool", "install", "--from", "pkg", "cmd"]).changesTool)
        XCTAssertEqual(UvCommand(arguments: ["tool", "install", "--from", "pkg", "cmd"]).last("--from"), "pkg")
        XCTAssertFalse(UvCommand(arguments: ["tool", "upgrade", "--all"]).changesTool)
        XCTAssertFalse(UvCommand(arguments: ["tool", "run", "x"]).changesTool)
        for a in [["add", "x"], ["remove", "x"], ["sync"], ["run", "python"], ["--directory", "d", "sync"]] {
            XCTAssertTrue(UvCommand(arguments: a).syncsProject, "\(a)")
        }
        for a in [["add", "--frozen", "x"], ["add", "--no-sync", "x"], ["run", "--no-sync", "python"], ["sync", "--dry-run"],
                  ["lock"], ["tree"]] {
            XCTAssertFalse(UvCommand(arguments: a).syncsProject, "\(a)")
        }
    }

    func testUvCacheEntryHeader() {
        // [archive id, [{"Sha256": hex}], filename] then uv's binary data with the URL.
        let sha = String(repeating: "ab", count: 32)
        var b: [UInt8] = [0x95, 0xa3] + Array("abc".utf8) + [0x91, 0x81, 0xa6] + Array("Sha256".utf8) + [0xd9, 64]
            + Array(sha.utf8)
        let name = "demo-1.0-py3-none-any.whl"
        b += [0xa0 | UInt8(name.count)] + Array(name.utf8) + [0, 0, 4] + Array("http://127.0.0.1:9/files/\(name)".utf8) + [0]
        let e = UvCacheEntry(bytes: b)
        XCTAssertEqual(e?.sha256, sha)
        XCTAssertEqual(e?.filename, name)
        XCTAssertEqual(e?.url, "http://127.0.0.1:9/files/\(name)")
        XCTAssertNil(UvCacheEntry(bytes: Array(b.prefix(20))))
        XCTAssertNil(UvCacheEntry(bytes: []))
    }
}

final class UvLockArtifactTests: XCTestCase {
    func testWheelTagsExpandCompressedSets() {
        XCTAssertEqual(WheelTags.of(wheel: "x-1.0-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"),
                       ["cp311-cp311-manylinux_2_17_x86_64", "cp311-cp311-manylinux2014_x86_64"])
        XCTAssertEqual(WheelTags.of(wheel: "x-1.0-py2.py3-none-any.whl"), ["py2-none-any", "py3-none-any"])
        XCTAssertEqual(WheelTags.of(wheel: "x-1.0.tar.gz"), [])
    }
}

final class UvxCommandTests: XCTestCase {
    func testPackageThatRuns() {
        XCTAssertEqual(UvCommand(uvxArguments: UvCommand(arguments: ["ruff@0.1.0", "check"]))?.runPackage, "ruff")
        XCTAssertEqual(UvCommand(uvxArguments: UvCommand(arguments: ["--from", "Demo_App==1.0", "demo-app"]))?.runPackage,
                       "demo-app")
        XCTAssertEqual(UvCommand(uvxArguments: UvCommand(arguments: ["tool", "run", "black"]))?.runPackage, "black")
        XCTAssertNil(UvCommand(uvxArguments: UvCommand(arguments: ["--version"])))
        XCTAssertNil(UvCommand(uvxArguments: UvCommand(arguments: [])))
    }

    /// What follows the command is the command's: `uvx ruff --version` runs
    /// ruff (code from the ephemeral environment runs), it is not uvx's own --version.
    func testArgumentsAfterTheCommandBelongToIt() {
        let uvx = { (a: [String]) in UvCommand(uvxArguments: UvCommand(arguments: a, uvx: true)) }
        for a in [["ruff", "--version"], ["ruff", "check", "--help"], ["--with", "x", "ruff", "--", "--version"],
                  ["--from", "ruff==0.6.9", "ruff", "-V"], ["ruff", "--from", "other"]] {
            XCTAssertEqual(uvx(a)?.runPackage, "ruff", "\(a)")
        }
        XCTAssertEqual(uvx(["--with", "x", "ruff", "--", "--version"])?.positionals, ["ruff", "--", "--version"])
        XCTAssertEqual(uvx(["ruff", "--from", "other"])?.last("--from"), nil)
        XCTAssertEqual(uvx(["pip", "install", "x"])?.positionals, ["pip", "install", "x"])
        XCTAssertNil(uvx(["--help", "ruff"]))
        XCTAssertNil(uvx(["-V"]))
        // `uv tool run CMD …` and `uv run CMD …` alike.
        let run = UvCommand(arguments: ["tool", "run", "ruff", "--help"])
        XCTAssertEqual(UvCommand(uvxArguments: run)?.runPackage, "ruff")
        for a in [["run", "pytest", "--help"], ["run", "python", "-V"], ["run", "--with", "x", "script.py", "--dry-run"],
                  ["run", "tool", "--no-sync"]] {
            XCTAssertTrue(UvCommand(arguments: a).syncsProject, "\(a)")
        }
        XCTAssertFalse(UvCommand(arguments: ["run", "--help"]).syncsProject)
        // uv pip reads options anywhere: `--help` after the package is uv's.
        XCTAssertFalse(UvCommand(arguments: ["pip", "install", "x", "--help"]).changesEnvironment)
        // pip reads options anywhere too, except after `--`.
        XCTAssertTrue(PipCommand(arguments: ["install", "-r", "req.txt", "--", "--help"]).changesEnvironment(env: ProcessEnvironment(values: [:])))
        XCTAssertFalse(PipCommand(arguments: ["install", "x", "--help"]).changesEnvironment(env: ProcessEnvironment(values: [:])))
    }
}
