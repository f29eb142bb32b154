import XCTest

@testable import PkgtrailCore

final class SnapshotTests: XCTestCase {
    func testSnapshotDeltas() {
        func d(_ n: String, _ v: String, _ id: String) -> InstalledDistribution {
            InstalledDistribution(name: n, version: v, metadataPath: "/s/\(n)-\(v).dist-info", identity: id)
        }
        let before = Snapshot(distributions: [
            "a": d("a", "1.0", "1"), "b": d("b", "2.0", "2"), "c": d("c", "1.0", "3"),
            "e": d("e", "1.0", "5")
        ])
        let after = Snapshot(distributions: [
            "a": d("a", "1.1", "9"), "b": d("b", "1.9", "8"), "c": d("c", "1.0", "7"),
            "d": d("d", "0.1", "6")
        ])
        XCTAssertEqual(
            before.deltas(to: after).map { "\($0.name):\($0.action.rawValue)" },
            ["a:upgrade", "b:downgrade", "c:reinstall", "d:install", "e:remove"])
        XCTAssertEqual(before.deltas(to: before), [])
        XCTAssertNotEqual(before.stateDigest, after.stateDigest)
        // The digest is over name==version only: a reinstall does not change it.
        var same = before
        same.distributions["c"]?.identity = "other"
        XCTAssertEqual(before.stateDigest, same.stateDigest)
        XCTAssertEqual(Snapshot().stateDigest, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }
}
