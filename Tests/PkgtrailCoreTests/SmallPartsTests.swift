import XCTest

@testable import PkgtrailCore

final class SmallPartsTests: XCTestCase {
    func testPackageNameNormalization() {
        XCTAssertEqual(PackageName.normalize("Foo.Bar__baz--Qux"), "foo-bar-baz-qux")
        XCTAssertEqual(PackageName.normalize("LiteLLM"), "litellm")
        XCTAssertEqual(PackageName.normalize("typing_extensions"), "typing-extensions")
    }

    func testTimestamps() {
        XCTAssertEqual(Timestamp.format(millisecondsSinceEpoch: 0), "1970-01-01T00:00:00.000Z")
        let t = Timestamp.parse("2026-03-24T10:45:00.123Z")!
        XCTAssertEqual(Timestamp.format(millisecondsSinceEpoch: t), "2026-03-24T10:45:00.123Z")
        XCTAssertEqual(Timestamp.parse("2026-03-24T12:45:00+02:00"), Timestamp.parse("2026-03-24T10:45:00Z"))
        XCTAssertEqual(Timestamp.parse("2024-02-29"), Timestamp.parse("2024-02-29T00:00:00Z"))
        XCTAssertNil(Timestamp.parse("2025-02-29"))
        XCTAssertNil(Timestamp.parse("2026-03-24T10:45Z"))
        XCTAssertEqual(Timestamp.parseArgument("2h", nowMilliseconds: 10_000_000), 10_000_000 - 7_200_000)
        XCTAssertEqual(Timestamp.parseArgument("7d", nowMilliseconds: 1_000_000_000), 1_000_000_000 - 604_800_000)
        XCTAssertNil(Timestamp.parseArgument("7y", nowMilliseconds: 0))
    }

    func testRedactsURLCredentialsButKeepsTheHost() {
        XCTAssertEqual(
            Redaction.redactURLs("https://user:s3cret@pypi.example.com/simple/"), "https://***@pypi.example.com/simple/"
        )
        XCTAssertEqual(
            Redaction.redactURLs("https://tok@h/x?token=abc&a=1#sha256=ff"), "https://***@h/x?token=***&a=***#sha256=ff"
        )
        XCTAssertEqual(
            Redaction.redactURLs("pkg @ git+https://u:p@github.com/o/r.git@v1"),
            "pkg @ git+https://***@github.com/o/r.git@v1")
        XCTAssertEqual(Redaction.redactURLs("http://127.0.0.1:8080/simple/"), "http://127.0.0.1:8080/simple/")
    }

    func testRedactsSecretOptionsAndTokens() {
        let argv = [
            "pip", "install", "--password", "hunter2", "--api-token=abc", "-i", "https://a:b@h/s", "--author", "x",
            "ghp_0123456789abcdefghijABCDEFGHIJ", "task-runner-plugin-for-everyone"
        ]
        XCTAssertEqual(
            Redaction.redactArgv(argv),
            [
                "pip", "install", "--password", "***", "--api-token=***", "-i", "https://***@h/s", "--author", "x",
                "***", "task-runner-plugin-for-everyone"
            ])
        XCTAssertEqual(
            Redaction.redactArgv([
                "pip", "install", "-C", "token=abc", "--config-settings=auth_key=x,y=1",
                "OPENAI_API_KEY=sk", "pkg==1.0", "--author=me", "a=b;PASSWORD=p q"
            ]),
            [
                "pip", "install", "-C", "token=***", "--config-settings=auth_key=***,y=1",
                "OPENAI_API_KEY=***", "pkg==1.0", "--author=me", "a=b;PASSWORD=*** q"
            ])
    }

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

    func testStartupHookImportLines() {
        XCTAssertTrue(StartupHookScanner.hasExecutableImport(Array("/some/path\nimport os; os.system('x')\n".utf8)))
        XCTAssertTrue(StartupHookScanner.hasExecutableImport(Array("import\tsys\r\n".utf8)))
        XCTAssertFalse(StartupHookScanner.hasExecutableImport(Array("/opt/lib\n# import os\nimportant/path\n".utf8)))
    }

    func testEventRoundTripsThroughItsBody() throws {
        let e = Event(
            seq: 3, prevHash: String(repeating: "a", count: 64), id: "id-1", kind: .install,
            started: "2026-03-24T10:45:00.000Z", finished: "2026-03-24T10:45:01.000Z",
            actor: EventActor(
                user: "alice", uid: 1000, sudoUser: "bob", host: "h",
                ci: CIIdentity(provider: "github-actions", repository: "o/r", runID: "7", job: nil)),
            command: Command(
                tool: "pip", toolVersion: "26.3", argv: ["pip", "install", "x"], cwd: "/",
                exitStatus: 0, outcome: .ok),
            environment: Environment(
                prefix: "/v", python: "/v/bin/python", pythonVersion: "3.11.7",
                platform: "linux-x86_64", isVenv: true, siteDirs: ["/v/lib"]),
            sources: [Source(kind: .index, url: "https://***@h/simple", origin: "argv")],
            changes: [
                Change(
                    name: "x", action: .install, fromVersion: nil, toVersion: "1.0",
                    artifact: Artifact(
                        url: "u", sha256: String(repeating: "b", count: 64),
                        filename: "x.whl", hashSource: "pip-report"),
                    recordSHA256: "c", installer: "pip", requested: true, requiredBy: [],
                    startupHooks: [
                        StartupHook(
                            path: "/v/x.pth", sha256: "d", executableImport: true,
                            status: .added)
                    ])
            ],
            startupHooks: [], stateBefore: "s1", stateAfter: "s2", startupBefore: "p1", startupAfter: "p2",
            drift: DriftWindow(lastSeen: "2026-03-24T10:00:00.000Z", lastSeenSeq: 2), notes: ["n"])
        let bytes = try CanonicalJSON.encode(e.json)
        XCTAssertEqual(try Event(json: JSONParser.parse(bytes)), e)
        // Absent facts are explicit nulls, never omitted keys.
        XCTAssertTrue(String(decoding: bytes, as: UTF8.self).contains("\"from_version\":null"))
    }
}

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

final class UvLockTests: XCTestCase {
    let text = """
        version = 1
        revision = 5
        requires-python = ">=3.11"

        [[package]]
        name = "app"
        version = "0.1.0"
        source = { virtual = "." }
        dependencies = [
            { name = "Demo_App" },
        ]

        [package.metadata]
        requires-dist = [{ name = "demo-app", specifier = ">=1.0" }]

        [[package]]
        name = "demo-app"
        version = "1.0"
        source = { registry = "https://user:tok@idx/simple/" }
        dependencies = [{ name = "demo-lib" }]
        sdist = { url = "https://idx/files/demo_app-1.0.tar.gz", hash = "sha256:\(String(repeating: "c", count: 64))", size = 9 }
        wheels = [
            { url = "https://idx/files/demo_app-1.0-py3-none-any.whl", hash = "sha256:\(String(repeating: "a", count: 64))", size = 1 },
        ]

        [[package]]
        name = "demo-lib"
        version = "1.1"
        source = { registry = "https://idx/simple/" }
        wheels = [{ url = "https://idx/files/demo_lib-1.1-cp311-cp311-manylinux_2_17_x86_64.whl", hash = "sha256:bad" }]
        """

    func testReadsPackagesArtifactsAndDependencies() throws {
        let lock = UvLock(text: text)
        XCTAssertEqual(lock.packages.map(\.name), ["app", "demo-app", "demo-lib"])
        XCTAssertEqual(lock.package(named: "app")?.dependencies, ["demo-app"])
        XCTAssertEqual(lock.package(named: "app")?.sourceKind, "virtual")
        let app = try XCTUnwrap(lock.package(named: "demo-app"))
        XCTAssertEqual(app.version, "1.0")
        XCTAssertEqual(app.sourceValue, "https://user:tok@idx/simple/")
        XCTAssertEqual(app.wheels.first?.sha256, String(repeating: "a", count: 64))
        XCTAssertEqual(app.wheels.first?.filename, "demo_app-1.0-py3-none-any.whl")
        XCTAssertEqual(app.sdist?.sha256, String(repeating: "c", count: 64))
        XCTAssertEqual(app.dependencies, ["demo-lib"])
        XCTAssertEqual(lock.requirers(of: "demo-lib"), ["demo-app"])
        // A malformed hash is dropped, not kept.
        XCTAssertNil(lock.package(named: "demo-lib")?.wheels.first?.sha256)
        XCTAssertEqual(lock.package(named: "demo-lib")?.wheels.count, 1)
    }

    func testGarbageYieldsNothing() {
        XCTAssertTrue(UvLock(text: "").packages.isEmpty)
        // A header that does not close, a name that is not a string: no package.
        XCTAssertTrue(UvLock(text: "[[package]\nname = 5\n{{{{").packages.isEmpty)
        // A bare value is kept as written; nothing else comes with it.
        let bare = UvLock(text: "[[package]]\nname = 5\n{{{{").packages
        XCTAssertEqual(bare.map(\.name), ["5"])
        XCTAssertEqual(bare.map(\.version), [nil])
        XCTAssertEqual(bare.map(\.wheels.count), [0])
    }
}

final class UvToolReceiptTests: XCTestCase {
    func testEntrypointsAndIndex() {
        let r = UvToolReceipt(
            text: """
                [tool]
                requirements = [{ name = "demo-app" }]
                python = "3"
                entrypoints = [
                    { name = "demo-app", install-path = "/home/u/.local/bin/demo-app", from = "demo-app" },
                ]

                [tool.options]
                index-url = "https://u:t@idx/simple/"
                """)
        XCTAssertEqual(r.executables, ["/home/u/.local/bin/demo-app"])
        XCTAssertEqual(r.indexURLs, ["https://u:t@idx/simple/"])
    }
}

extension SmallPartsTests {
    /// Source kinds and hook statuses are enums, stored as the words they
    /// always were; a word a later pkgtrail writes is kept, never refused.
    func testSourceKindAndHookStatusKeepTheirWords() throws {
        for word in ["index", "extra-index", "find-links", "no-index", "a-later-kind"] {
            XCTAssertEqual(Source.Kind(word).description, word)
        }
        XCTAssertEqual(Source.Kind("extra-index"), .extraIndex)
        XCTAssertEqual(Source.Kind("mirror"), .other("mirror"))
        for word in ["added", "modified", "removed", "renamed"] {
            XCTAssertEqual(StartupHook.Status(word).description, word)
        }
        let source = Source(kind: .findLinks, url: "/w", origin: "argv")
        XCTAssertEqual(
            try CanonicalJSON.encode(source.json), Array(#"{"kind":"find-links","origin":"argv","url":"/w"}"#.utf8))
        XCTAssertEqual(
            try Source(json: JSONParser.parse(Array(#"{"kind":"mirror","origin":"argv","url":null}"#.utf8))).kind,
            .other("mirror"))
    }
}
