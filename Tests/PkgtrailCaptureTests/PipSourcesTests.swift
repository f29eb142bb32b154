import Foundation
import PkgtrailCore
import PkgtrailSystem
import XCTest

@testable import PkgtrailCapture

final class PipSourcesTests: XCTestCase {
    func testINI() {
        let ini = PipSources.parseINI(
            """
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
        let env = ProcessEnvironment(values: [
            "PIP_CONFIG_FILE": conf, "HOME": dir, "XDG_CONFIG_DIRS": dir + "/none",
            "PIP_INDEX_URL": "https://u:envtoken@env/simple"
        ])
        var sources = PipSources.resolve(PipCommand(arguments: ["install", "x"]), env: env, prefix: nil)
        XCTAssertEqual(
            sources.map { "\($0.kind) \($0.url ?? "") \($0.origin)" },
            ["index https://***@env/simple env:PIP_INDEX_URL", "extra-index https://cfg-extra/simple config:\(conf)"])
        sources = PipSources.resolve(
            PipCommand(arguments: [
                "install", "-i", "https://argv/simple", "--extra-index-url",
                "https://more/simple", "--no-index", "x"
            ]), env: env, prefix: nil)
        XCTAssertEqual(
            sources.map { "\($0.kind) \($0.url ?? "-") \($0.origin)" },
            [
                "index https://argv/simple argv", "extra-index https://cfg-extra/simple config:\(conf)",
                "extra-index https://more/simple argv", "no-index - argv"
            ])
        let devnull = ProcessEnvironment(values: ["PIP_CONFIG_FILE": "/dev/null", "HOME": dir])
        XCTAssertEqual(PipSources.resolve(PipCommand(arguments: ["install", "x"]), env: devnull, prefix: nil), [])
    }
}
