import XCTest

@testable import PkgtrailCore

final class EventJSONTests: XCTestCase {
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

extension EventJSONTests {
    static let driftBody =
        #"{"last_seen":"2026-03-24T10:00:00.000Z","last_seen_seq":2}"#

    /// `drift.observer` came after the first events: a body without it
    /// reads as unknown and encodes back to the very same bytes (the chain
    /// hashes bytes), while a new body carries the word.
    func testDriftObserverIsWrittenWhenKnownAndAbsentInOlderBodies() throws {
        let old = try DriftWindow(json: JSONParser.parse(Self.driftBody))
        XCTAssertNil(old.observer)
        XCTAssertEqual(String(decoding: try CanonicalJSON.encode(old.json), as: UTF8.self), Self.driftBody)
        for (word, observer) in [
            ("watch", DriftWindow.Observer.watch), ("recorder", .recorder), ("scan", .scan),
            ("fanotify", .other("fanotify"))
        ] {
            let w = DriftWindow(lastSeen: nil, lastSeenSeq: nil, observer: observer)
            let bytes = try CanonicalJSON.encode(w.json)
            XCTAssertEqual(
                String(decoding: bytes, as: UTF8.self),
                #"{"last_seen":null,"last_seen_seq":null,"observer":"\#(word)"}"#)
            XCTAssertEqual(try DriftWindow(json: JSONParser.parse(bytes)), w)
        }
        XCTAssertThrowsError(
            try DriftWindow(json: JSONParser.parse(#"{"last_seen":null,"last_seen_seq":null,"observer":7}"#))
        ) {
            XCTAssertEqual(($0 as? PkgtrailError)?.kind, .invalidEvent)
        }
    }
}
