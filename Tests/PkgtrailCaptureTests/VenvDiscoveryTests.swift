import Foundation
import PkgtrailCore
import XCTest

@testable import PkgtrailCapture

final class VenvDiscoveryTests: DirectoryTestCase {
    var root: String { dir }

    override func setUpWithError() throws {
        try super.setUpWithError()
        for venv in ["a/.venv", "b/c/env", "node_modules/x/venv", "d/e/f/g/deep"] {
            try FileManager.default.createDirectory(
                atPath: "\(root)/\(venv)/lib/python3.11/site-packages", withIntermediateDirectories: true)
            try "home = /usr/bin\nversion = 3.11.7\n".write(
                toFile: "\(root)/\(venv)/pyvenv.cfg", atomically: false, encoding: .utf8)
        }
        try FileManager.default.createDirectory(atPath: root + "/plain/dir", withIntermediateDirectories: true)
        // A conda environment: a prefix with site-packages and no pyvenv.cfg.
        try FileManager.default.createDirectory(
            atPath: root + "/conda/envs/ml/lib/python3.12/site-packages", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: root + "/link", withDestinationPath: root + "/a")
    }

    func testFindsVenvsToItsDepthSkippingLinksAndBigTrees() {
        let found = VenvDiscovery.walk(root, depth: 3)
        XCTAssertEqual(
            found.environments.map(\.prefix), [root + "/a/.venv", root + "/b/c/env", root + "/conda/envs/ml"])
        let conda = found.environments[2]
        XCTAssertEqual(conda.siteDirs, [root + "/conda/envs/ml/lib/python3.12/site-packages"])
        XCTAssertFalse(conda.isVenv)
        XCTAssertTrue(found.environments[0].isVenv)
        XCTAssertEqual(found.environments.first?.siteDirs, [root + "/a/.venv/lib/python3.11/site-packages"])
        let dirs = Dictionary(uniqueKeysWithValues: found.directories.map { ($0.path, $0.depth) })
        XCTAssertEqual(dirs[root], 0)
        XCTAssertEqual(dirs[root + "/b/c"], 2)
        XCTAssertEqual(dirs[root + "/d/e/f"], 3)
        XCTAssertNil(dirs[root + "/d/e/f/g"])  // below the depth: neither walked nor watched
        XCTAssertNil(dirs[root + "/node_modules"])
        XCTAssertNil(dirs[root + "/link"])
        XCTAssertNil(dirs[root + "/a/.venv"])  // a venv is watched as an environment, not walked
        // A venv is found at its own depth (deep is five levels down).
        XCTAssertEqual(VenvDiscovery.walk(root, depth: 4).environments.count, 3)
        XCTAssertEqual(VenvDiscovery.walk(root, depth: 5).environments.count, 4)
    }

    func testAnEnvironmentIsFoundFromWhatAppearedInsideIt() {
        let site = root + "/conda/envs/ml/lib/python3.12/site-packages"
        XCTAssertEqual(VenvDiscovery.enclosing(site, levels: 3)?.prefix, root + "/conda/envs/ml")
        XCTAssertNil(VenvDiscovery.enclosing(site, levels: 2))
        XCTAssertEqual(VenvDiscovery.enclosing(root + "/a/.venv/lib", levels: 1)?.prefix, root + "/a/.venv")
        XCTAssertNil(VenvDiscovery.enclosing(root + "/plain/dir", levels: 2))
    }

    func testStartingBelowTheRootCountsFromThere() {
        let found = VenvDiscovery.walk(root + "/d/e", depth: 5, startDepth: 2)
        XCTAssertEqual(found.environments.map(\.prefix), [root + "/d/e/f/g/deep"])
        XCTAssertEqual(VenvDiscovery.walk(root + "/d/e", depth: 4, startDepth: 2).environments.count, 0)
    }
}
