import Foundation
import PkgtrailCore
import XCTest

@testable import PkgtrailCapture

final class EnvironmentReadingTests: DirectoryTestCase {
    override func setUpWithError() throws {
        try super.setUpWithError()
        try FileManager.default.createDirectory(atPath: dir + "/v/bin", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(
            atPath: dir + "/v/lib/python3.11/site-packages", withIntermediateDirectories: true)
    }

    func write(_ path: String, _ text: String, mode: Int = 0o644) throws {
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: path, atomically: false, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
    }

    func testShebangs() throws {
        try write(dir + "/pip1", "#!\(dir!)/v/bin/python3\nimport pip\n", mode: 0o755)
        try write(dir + "/pip2", "#!/bin/sh\n'''exec' \"/very long/bin/python3\" \"$0\" \"$@\"\n' '''\n", mode: 0o755)
        try write(dir + "/pip3", "#!/usr/bin/env bash\nexec pyenv exec pip\n", mode: 0o755)
        XCTAssertEqual(
            PythonLocator.interpreter(ofScript: dir + "/pip1", searchPath: "", cwd: "/"), dir + "/v/bin/python3")
        XCTAssertEqual(
            PythonLocator.interpreter(ofScript: dir + "/pip2", searchPath: "", cwd: "/"), "/very long/bin/python3")
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
        // What pip moved aside while uninstalling (or left after a failed uninstall).
        try write(site + "/~oo_Bar-1.1.dist-info/RECORD", "")
        let r = SiteScanner.scan([site, dir + "/missing"])
        XCTAssertEqual(
            r.snapshot.distributions.mapValues(\.version), ["foo-bar": "1.2", "old-thing": "0.9", "noversion": "3.0"])
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
