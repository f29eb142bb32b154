import PkgtrailCore
import XCTest

@testable import PkgtrailQueryCommands

/// The records are written from stored bodies; each is checked against the
/// same record built from the decoded event, field by field (`decodedRecord`,
/// the shape as the README documents it), over events that exercise every
/// optional part.
final class RecordJSONTests: XCTestCase {
    static let hook = StartupHook(
        path: "/p/lib/site-packages/evil.pth", sha256: String(repeating: "ab", count: 32), executableImport: true,
        status: .init("added"))

    func event(
        command: Bool = true, drift: DriftWindow? = nil, ci: Bool = false, artifact: Bool = true,
        sources: [Source] = [Source(kind: .index, url: "https://pypi.example/simple", origin: "argv")]
    ) -> Event {
        let change = { (name: String, hooks: [StartupHook]) in
            Change(
                name: name, action: .upgrade, fromVersion: "1.0", toVersion: "2.0 \"quoted\"",
                artifact: artifact
                    ? Artifact(
                        url: "https://files.example/\(name)-2.0.whl", sha256: String(repeating: "0f", count: 32),
                        filename: "\(name)-2.0.whl", hashSource: "pip-report")
                    : nil,
                recordSHA256: nil, installer: "pip", requested: name == "pkg" ? true : nil,
                requiredBy: name == "pkg" ? [] : ["pkg", "ünïcode\tpkg"], startupHooks: hooks)
        }
        return Event(
            seq: 7, prevHash: String(repeating: "0", count: 64), id: "0193-e\\vent",
            kind: drift == nil ? .install : .drift,
            started: "2026-03-24T10:00:00.000Z", finished: "2026-03-24T10:00:05.000Z",
            actor: EventActor(
                user: "alice", uid: 1000, sudoUser: ci ? nil : "root", host: "build-01",
                ci: ci ? CIIdentity(provider: "github", repository: "org/repo", runID: nil, job: "test") : nil),
            command: command
                ? Command(
                    tool: "pip", toolVersion: nil,
                    argv: ["pip", "install", "--index-url", "https://u:***@x/simple", "\u{1b}[31m"],
                    cwd: "/home/alice/proj", exitStatus: 0, outcome: .ok)
                : nil,
            environment: Environment(
                prefix: "/home/alice/.venv", python: "/usr/bin/python3", pythonVersion: "3.11.7", platform: nil,
                isVenv: true, siteDirs: ["/x"]),
            sources: sources,
            changes: [change("pkg-a", []), change("pkg", [Self.hook]), change("pkg-b", [])],
            startupHooks: [], stateBefore: "a", stateAfter: "b", startupBefore: "c", startupAfter: "d", drift: drift,
            notes: ["n"])
    }

    /// The record as the decoded event gives it: the oracle.
    func decodedRecord(_ e: Event, hash: [UInt8], index: Int) -> JSONValue {
        let c = e.changes[index]
        let a = e.actor
        return .object([
            "action": .string(c.action.rawValue), "artifact_filename": .optional(c.artifact?.filename),
            "artifact_url": .optional(c.artifact?.url),
            "ci": a.ci.map { ci in
                .object([
                    "job": .optional(ci.job), "provider": .string(ci.provider), "repository": .optional(ci.repository),
                    "run_id": .optional(ci.runID)
                ])
            } ?? .null,
            "command": e.command.map { .strings($0.argv) } ?? .null, "cwd": .optional(e.command?.cwd),
            "drift_window": e.drift.map {
                .object([
                    "last_seen": .optional($0.lastSeen), "last_seen_seq": .optional($0.lastSeenSeq),
                    "observer": .optional($0.observer?.description)
                ])
            } ?? .null,
            "environment": .string(e.environment.prefix), "event_id": .string(e.id),
            "exit_status": .optional(e.command?.exitStatus), "finished": .string(e.finished),
            "from_version": .optional(c.fromVersion), "hash": .string(Hex.encode(hash)),
            "hash_source": .optional(c.artifact?.hashSource), "host": .string(a.host),
            "index": .optional(e.indexInForce),
            "kind": .string(e.kind.rawValue), "name": .string(c.name),
            "outcome": .optional(e.command?.outcome.rawValue),
            "requested": .optional(c.requested), "required_by": .strings(c.requiredBy), "seq": .int(e.seq),
            "sha256": .optional(c.artifact?.sha256),
            "sources": .array(
                e.sources.map {
                    .object([
                        "kind": .string($0.kind.description), "origin": .string($0.origin), "url": .optional($0.url)
                    ])
                }),
            "started": .string(e.started),
            "startup_hooks": .array(
                c.startupHooks.map { h in
                    .object([
                        "executable_import": .bool(h.executableImport), "known": .optional(HookKnowledge.known(h)),
                        "path": .string(h.path), "sha256": .optional(h.sha256), "status": .string(h.status.description)
                    ])
                }),
            "sudo_user": .optional(a.sudoUser), "to_version": .optional(c.toVersion),
            "tool": .optional(e.command?.tool),
            "tool_version": .optional(e.command?.toolVersion), "uid": .int(a.uid), "user": .string(a.user)
        ])
    }

    var variants: [Event] {
        [
            event(), event(command: false), event(ci: true), event(artifact: false),
            event(drift: DriftWindow(lastSeen: "2026-03-24T09:00:00.000Z", lastSeenSeq: 3, observer: .watch)),
            event(drift: DriftWindow(lastSeen: nil, lastSeenSeq: nil)),
            event(sources: []),
            event(sources: [
                Source(kind: .findLinks, url: "/wheels", origin: "argv"),
                Source(kind: .index, url: nil, origin: "config:/etc/pip.conf"),
                Source(kind: .index, url: "https://second/simple", origin: "env:PIP_INDEX_URL")
            ])
        ]
    }

    func testEveryRecordEqualsTheOneTheDecodedEventGives() throws {
        let hash = Array(0..<32).map(UInt8.init)
        for e in variants {
            for index in e.changes.indices {
                let record = try ChangeRecord(event: e, hash: hash, index: index)
                let written = try RecordJSON.change(record)
                XCTAssertEqual(
                    String(decoding: written, as: UTF8.self),
                    String(
                        decoding: try CanonicalJSON.encode(decodedRecord(e, hash: hash, index: index)), as: UTF8.self))
                // Canonical as written: parsing and encoding again changes nothing.
                XCTAssertEqual(try CanonicalJSON.encode(JSONParser.parse(written)), written)
            }
        }
    }

    /// A window names its change by package name: `pkg`, not `pkg-a` before it.
    func testAChangeFoundByNameIsThatPackages() throws {
        let e = event()
        let body = try CanonicalJSON.encode(e.json)
        for (index, name) in ["pkg-a", "pkg", "pkg-b"].enumerated() {
            var w = JSONWriter()
            try RecordJSON.change(body: body, hash: [], .name(name), into: &w)
            XCTAssertEqual(w.bytes, try CanonicalJSON.encode(decodedRecord(e, hash: [], index: index)))
        }
        var w = JSONWriter()
        XCTAssertThrowsError(try RecordJSON.change(body: body, hash: [], .name("pk"), into: &w))
    }

    /// A text record read from the body shows what the decoded event shows.
    func testTextFactsFromTheBodyEqualThoseOfTheDecodedEvent() throws {
        // Escapes, a hook, CI, drift either way, no command, no artifact, odd sources.
        for e in variants {
            let body = try CanonicalJSON.encode(e.json)
            for (index, change) in e.changes.enumerated() {
                let record = try ChangeRecord(event: e, hash: [], index: index)
                let facts = try body.withUnsafeBufferPointer { try RecordFacts(body: $0, name: change.name) }
                XCTAssertEqual(facts, RecordFacts(record))
                XCTAssertEqual(facts.windowStart, record.windowStart)
            }
            XCTAssertThrowsError(try body.withUnsafeBufferPointer { try RecordFacts(body: $0, name: "pk") })
        }
    }

    func testAPresenceHasItsWindowAndBothRecordsAndTheExtrasInKeyOrder() throws {
        let drifted = event(drift: DriftWindow(lastSeen: "2026-03-24T09:00:00.000Z", lastSeenSeq: 3))
        let arrival = try ChangeRecord(event: drifted, hash: [1], index: 1)
        let departure = try ChangeRecord(event: event(), hash: [2], index: 1)
        for (p, from, until) in [
            (
                Presence(name: "pkg", version: "2.0", host: "h", prefix: "/p", arrival: arrival, departure: departure),
                JSONValue.string("2026-03-24T09:00:00.000Z"), JSONValue.string("2026-03-24T10:00:05.000Z")
            ),
            (
                Presence(name: "pkg", version: "2.0", host: "h", prefix: "/p", arrival: departure, departure: nil),
                .string("2026-03-24T10:00:00.000Z"), .null
            )
        ] {
            let written = try RecordJSON.presence(
                // Given in any order, merged in key order.
                p, extra: [("zz", [0x30]), ("advisories", Array("[1]".utf8)), ("matched_by", Array("[\"x\"]".utf8))])
            let expected = JSONValue.object([
                "advisories": .array([.int(1)]), "environment": .string("/p"), "from": from, "host": .string("h"),
                "installed": decodedRecord(p.arrival.event, hash: p.arrival.hash, index: 1),
                "matched_by": .strings(["x"]), "name": .string("pkg"),
                "removed": p.departure.map { decodedRecord($0.event, hash: $0.hash, index: 1) } ?? .null,
                "still_present": .bool(p.departure == nil), "until": until, "version": .string("2.0"), "zz": .int(0)
            ])
            XCTAssertEqual(
                String(decoding: written, as: UTF8.self),
                String(decoding: try CanonicalJSON.encode(expected), as: UTF8.self))
        }
    }

    /// A body that is not an event is refused with the field it lacks, never written half.
    func testABodyMissingAFieldOrWithAWrongTypeIsRefused() throws {
        let e = event()
        guard case .object(let members) = e.json else { return XCTFail() }
        for key in [
            "actor", "changes", "command", "drift", "environment", "finished", "format", "id", "kind", "seq",
            "sources", "started"
        ] {
            var broken = members
            broken[key] = nil
            var w = JSONWriter()
            let body = try CanonicalJSON.encode(.object(broken))
            XCTAssertThrowsError(try RecordJSON.change(body: body, hash: [], .index(1), into: &w), key)
            broken[key] = .bool(true)
            XCTAssertThrowsError(
                try RecordJSON.change(body: try CanonicalJSON.encode(.object(broken)), hash: [], .index(1), into: &w),
                key)
        }
        var unknown = members
        unknown["kind"] = .string("teleport")
        var w = JSONWriter()
        XCTAssertThrowsError(
            try RecordJSON.change(body: try CanonicalJSON.encode(.object(unknown)), hash: [], .index(1), into: &w))
    }
}
