import XCTest

@testable import PkgtrailCore

final class ReplayAndDriftTests: XCTestCase {
    func change(_ n: String, _ a: Change.Action, _ from: String?, _ to: String?, hooks: [StartupHook] = []) -> Change {
        Change(
            name: n, action: a, fromVersion: from, toVersion: to, artifact: nil, recordSHA256: nil, installer: nil,
            requested: nil, requiredBy: [], startupHooks: hooks)
    }

    func event(_ seq: Int64, _ changes: [Change], hooks: [StartupHook] = []) -> Event {
        Event(
            seq: seq, id: "e\(seq)", kind: .install, started: "t\(seq)", finished: "f\(seq)",
            actor: EventActor(user: "u", uid: 0, sudoUser: nil, host: "h", ci: nil), command: nil,
            environment: Environment(
                prefix: "/v", python: nil, pythonVersion: nil, platform: nil, isVenv: true, siteDirs: []),
            sources: [], changes: changes, startupHooks: hooks, stateBefore: "", stateAfter: "", startupBefore: "",
            startupAfter: "", notes: [])
    }

    func testReplayFoldsChangesAndHooks() {
        var s = RecordedState()
        s.apply(
            event(
                1,
                [
                    change(
                        "a", .install, nil, "1.0",
                        hooks: [
                            StartupHook(
                                path: "/v/a.pth", sha256: "x",
                                executableImport: true, status: .added)
                        ]),
                    change("b", .install, nil, "2.0")
                ]))
        s.apply(
            event(
                2, [change("a", .upgrade, "1.0", "1.1"), change("b", .remove, "2.0", nil)],
                hooks: [StartupHook(path: "/v/a.pth", sha256: nil, executableImport: false, status: .removed)]))
        XCTAssertEqual(s.versions, ["a": "1.1"])
        XCTAssertEqual(s.startupFiles.count, 0)
        XCTAssertEqual(s.lastSeenSeq, 2)
        XCTAssertEqual(s.stateDigest, Snapshot.stateDigest(["a": "1.1"]))
    }

    func testDriftAgainstASnapshot() {
        var s = RecordedState()
        s.apply(
            event(
                1,
                [
                    change("a", .install, nil, "1.0"), change("b", .install, nil, "2.0"),
                    change("c", .install, nil, "3.0")
                ]))
        s.startupFiles["/v/keep.pth"] = .some("k")
        s.startupFiles["/v/gone.pth"] = .some("g")
        func d(_ n: String, _ v: String) -> InstalledDistribution {
            InstalledDistribution(name: n, version: v, metadataPath: "/v/\(n)", identity: "i")
        }
        let snap = Snapshot(
            distributions: ["a": d("a", "1.0"), "b": d("b", "1.5"), "x": d("x", "0.1")],
            startupFiles: [
                "/v/keep.pth": StartupFile(path: "/v/keep.pth", identity: "1", sha256: "k2", executableImport: true),
                "/v/new.pth": StartupFile(path: "/v/new.pth", identity: "2", sha256: "n", executableImport: false)
            ])
        XCTAssertEqual(
            Drift.packageDeltas(recorded: s, observed: snap).map { "\($0.name) \($0.action.rawValue)" },
            ["b downgrade", "c remove", "x install"])
        XCTAssertEqual(
            Drift.startupHooks(recorded: s, observed: snap).map { "\($0.path) \($0.status)" },
            ["/v/gone.pth removed", "/v/keep.pth modified", "/v/new.pth added"])
        var same = RecordedState()
        same.apply(event(1, [change("a", .install, nil, "1.0")]))
        let matching = Snapshot(distributions: ["a": d("a", "1.0")])
        XCTAssertTrue(Drift.packageDeltas(recorded: same, observed: matching).isEmpty)
        XCTAssertEqual(same.stateDigest, matching.stateDigest)
        XCTAssertEqual(same.startupDigest, matching.startupDigest)
    }
}
