import XCTest

@testable import PkgtrailCore

final class PolicyTests: XCTestCase {
    func testTheTOMLSubsetReadsWhatAPolicyIsWrittenIn() throws {
        let text = """
            # a comment
            min_release_age = "48h"   # trailing comment
            'literal key' = 'C:\\path'
            count = 1_000
            negative = -7
            flag = true

            [table]
            list = [
              "a",  # one
              'b',
            ]
            "quoted" = "tab\\tand \\u00e9"
            """
        let entries = try TOMLSubset.parse(text)
        XCTAssertEqual(
            entries.map(\.key),
            ["min_release_age", "literal key", "count", "negative", "flag", "table.list", "table.quoted"])
        XCTAssertEqual(entries[0].value, .string("48h"))
        XCTAssertEqual(entries[0].line, 2)
        XCTAssertEqual(entries[1].value, .string("C:\\path"))
        XCTAssertEqual(entries[2].value, .integer(1000))
        XCTAssertEqual(entries[3].value, .integer(-7))
        XCTAssertEqual(entries[4].value, .bool(true))
        XCTAssertEqual(entries[5].value, .array([.string("a"), .string("b")]))
        XCTAssertEqual(entries[6].value, .string("tab\tand é"))
        XCTAssertEqual(entries[6].line, 13)
    }

    /// What TOML has and this reader does not is refused with its line, never guessed at.
    func testWhatIsNotInTheSubsetIsRefusedWithItsLine() {
        let cases: [(String, String)] = [
            ("a = 1\na = 2", "line 2: a is set twice"),
            ("[t]\n[t]", "line 2: table [t] appears twice"),
            ("a.b = 1", "dotted keys"), ("a = {b = 1}", "inline tables"), ("a = 1.5", "only decimal integers"),
            ("a = 1979-05-27", "only decimal integers"), ("a = \"\"\"x\"\"\"", "multi-line strings"),
            ("a = \"open", "unterminated string"), ("a = [1, 2", "unterminated array"), ("a = 1 b", "after the value"),
            ("a = \"\\q\"", "invalid escape"), ("a = 012", "leading zeros"), ("= 1", "expected a key"),
            ("a = yes", "expected"), ("a = \"x\u{1}\"", "control character")
        ]
        for (text, expected) in cases {
            XCTAssertThrowsError(try TOMLSubset.parse(text), text) { e in
                XCTAssertTrue("\(e)".contains(expected), "\(text): \(e)")
            }
        }
    }

    func file(_ path: String, _ text: String) throws -> Policy.File {
        try Policy.File(path: path, bytes: Array(text.utf8))
    }

    func testAgesAndSettings() throws {
        XCTAssertEqual(Policy.Age("48h")?.milliseconds, 48 * 3_600_000)
        XCTAssertEqual(Policy.Age("2w")?.milliseconds, 14 * 86_400_000)
        for bad in ["", "h", "0h", "-1h", "1.5h", "2 days", "3y", "99999999999999999w"] {
            XCTAssertNil(Policy.Age(bad), bad)
        }
        let f = try file("/p", "min_release_age = \"90m\"\non_unsupported = \"block\"\n")
        XCTAssertEqual(f.minReleaseAge?.text, "90m")
        XCTAssertEqual(f.onUnsupported, .block)
        XCTAssertEqual(
            f.sha256, Digest.sha256Hex(Array("min_release_age = \"90m\"\non_unsupported = \"block\"\n".utf8)))
        for (text, why) in [
            ("allow = []", "unknown setting"), ("min_release_age = 48", "give a span"),
            ("on_unsupported = \"no\"", "warn")
        ] {
            XCTAssertThrowsError(try file("/p", text)) { e in
                XCTAssertTrue("\(e)".hasPrefix("/p: line 1: "), "\(e)")
                XCTAssertTrue("\(e)".contains(why), "\(e)")
            }
        }
        XCTAssertThrowsError(try Policy.File(path: "/p", bytes: [0xFF]))
    }

    /// The user's file can only tighten the administrator's.
    func testTheUserCanOnlyTighten() throws {
        let admin = try file("/etc/pkgtrail/policy.toml", "min_release_age = \"72h\"\non_unsupported = \"block\"\n")
        let looser = try file("/home/u/policy.toml", "min_release_age = \"1h\"\non_unsupported = \"warn\"\n")
        var p = Policy(admin: admin, user: looser)
        XCTAssertEqual(p.minReleaseAge, Policy.Sourced(value: Policy.Age("72h")!, path: admin.path))
        XCTAssertEqual(p.unsupported, .block)
        XCTAssertEqual(p.onUnsupported?.path, admin.path)
        let stricter = try file("/home/u/policy.toml", "min_release_age = \"1w\"\n")
        p = Policy(admin: admin, user: stricter)
        XCTAssertEqual(p.minReleaseAge?.path, stricter.path)
        XCTAssertEqual(p.files.map(\.path), [admin.path, stricter.path])
        p = Policy(admin: nil, user: nil)
        XCTAssertTrue(p.isEmpty)
        XCTAssertEqual(p.unsupported, .warn)
        XCTAssertNil(p.cutoff(nowMilliseconds: 0))
        XCTAssertEqual(
            Policy(admin: admin, user: nil).cutoff(nowMilliseconds: Timestamp.parse("2026-03-27T10:00:00.000Z")!),
            "2026-03-24T10:00:00.000Z")
    }

    /// The event's record of the policy: written only when one was in force,
    /// read back equal, its `in_force` agreeing with the cut-off.
    func testThePolicyRecordRoundTrips() throws {
        let record = PolicyInForce(
            files: [.init(path: "/etc/pkgtrail/policy.toml", sha256: String(repeating: "a", count: 64))],
            cooldown: .init(
                minReleaseAge: "48h", cutoff: "2026-03-22T10:00:00.000Z", enforcedBy: "UV_EXCLUDE_NEWER", note: nil))
        XCTAssertEqual(try PolicyInForce(json: record.json), record)
        var bad = record.json
        if case .object(var o) = bad, case .object(var c)? = o["cooldown"] {
            c["in_force"] = .bool(false)
            o["cooldown"] = .object(c)
            bad = .object(o)
        }
        XCTAssertThrowsError(try PolicyInForce(json: bad))
    }

    func testDenyEntries() throws {
        XCTAssertEqual(Policy.Denied("LiteLLM==1.82.8"), Policy.Denied(name: "litellm", version: "1.82.8"))
        XCTAssertEqual(Policy.Denied("Evil_Pkg")?.name, "evil-pkg")
        XCTAssertNil(Policy.Denied("Evil_Pkg")?.version)
        for bad in ["", "x>=1", "x==", "x===1", "x==1.*", "a b", "x=1"] { XCTAssertNil(Policy.Denied(bad), bad) }
        let d = Policy.Denied("litellm==1.82.8")!
        XCTAssertTrue(d.matches(name: "LiteLLM", version: "1.82.8"))
        XCTAssertTrue(d.matches(name: "litellm", version: "1.82.8.0"))  // PEP 440 equal
        XCTAssertFalse(d.matches(name: "litellm", version: "1.82.9"))
        XCTAssertFalse(d.matches(name: "litellm", version: nil))
        XCTAssertEqual(d.constraint, "litellm!=1.82.8")
        XCTAssertNil(Policy.Denied("evil")!.constraint)
        // Files' lists are joined: a deny-list only grows.
        let admin = try file("/etc/p", "deny = [\"litellm==1.82.7\", \"evil\"]\n")
        let user = try file("/home/p", "deny = [\"litellm==1.82.8\", \"evil\"]\n")
        let p = Policy(admin: admin, user: user)
        XCTAssertEqual(p.deny.map(\.description), ["evil", "litellm==1.82.7", "litellm==1.82.8"])
        XCTAssertEqual(p.constraints, ["litellm!=1.82.7", "litellm!=1.82.8"])
        XCTAssertFalse(p.isEmpty)
        XCTAssertEqual(p.denied(name: "Evil", version: "0.1")?.description, "evil")
        XCTAssertThrowsError(try file("/p", "deny = \"evil\"\n"))
        XCTAssertThrowsError(try file("/p", "deny = [\"evil>=1\"]\n"))
    }

    /// deny_advisories: id prefixes, each file's with its own store; a
    /// user's file adds a selection beside the administrator's.
    func testAdvisorySelections() throws {
        let admin = try file("/etc/p", "deny_advisories = [\"MAL\"]\nadvisories = \"/var/lib/pkgtrail/a.db\"\n")
        let user = try file("/home/p", "deny_advisories = [\"PYSEC\", \"MAL\", \"PYSEC\"]\n")
        let p = Policy(admin: admin, user: user)
        XCTAssertTrue(p.hasDenyList)
        XCTAssertFalse(p.isEmpty)
        XCTAssertEqual(p.denyCount, 0)
        XCTAssertEqual(
            p.advisorySelections,
            [
                .init(prefixes: ["MAL"], store: "/var/lib/pkgtrail/a.db", file: "/etc/p"),
                .init(prefixes: ["MAL", "PYSEC"], store: nil, file: "/home/p")
            ])
        let mal = p.advisorySelections[0]
        XCTAssertTrue(mal.selects(["PYSEC-2026-2", "MAL-2026-2144"]))
        XCTAssertFalse(mal.selects(["MALWARE-1", "GHSA-mal-x"]))
        XCTAssertTrue(Policy(admin: nil, user: try file("/p", "deny_advisories = []\n")).isEmpty)
        for bad in [
            "deny_advisories = [\"mal\"]", "deny_advisories = [\"MAL-\"]", "deny_advisories = \"MAL\"",
            "deny_advisories = [\"M\"]", "advisories = \"relative.db\""
        ] {
            XCTAssertThrowsError(try file("/p", bad + "\n"), bad)
        }
    }

    /// What the event records of the advisories: present only with them, so
    /// that a hand-written deny-list's record reads as it always did.
    func testTheDenyRecordWithAdvisoriesRoundTrips() throws {
        var record = PolicyInForce(
            files: [.init(path: "/p", sha256: String(repeating: "b", count: 64))], cooldown: nil,
            deny: .init(entries: 1, constraintsSHA256: nil, enforcedBy: nil, found: ["evil==1"], note: nil))
        XCTAssertEqual(try PolicyInForce(json: record.json), record)
        XCTAssertNil(record.json["deny"]?["advisories"])
        XCTAssertNil(record.json["deny"]?["constraints"])
        record.deny?.constraints = 51
        record.deny?.advisories = [
            .init(
                store: "/a.db", prefixes: ["MAL"], imported: "2026-05-01T00:00:00.000Z",
                newestModified: "2026-05-01T00:00:00Z", selected: 10_052)
        ]
        XCTAssertEqual(try PolicyInForce(json: record.json), record)
        XCTAssertEqual(record.json["deny"]?["constraints"], .int(51))
        guard case .object(var o) = record.json, case .object(var d)? = o["deny"] else { return XCTFail() }
        d["advisories"] = nil
        o["deny"] = .object(d)
        XCTAssertThrowsError(try PolicyInForce(json: .object(o)))
    }

    /// block_new_startup_hooks: true in either file wins (a user's false
    /// cannot lift the administrator's true); recorded only when on.
    func testBlockingNewStartupHooks() throws {
        let on = try file("/etc/p", "block_new_startup_hooks = true\n")
        let off = try file("/home/p", "block_new_startup_hooks = false\n")
        XCTAssertTrue(Policy(admin: on, user: off).blocksNewStartupHooks)
        XCTAssertEqual(Policy(admin: on, user: off).blockNewStartupHooks?.path, "/etc/p")
        XCTAssertFalse(Policy(admin: off, user: nil).blocksNewStartupHooks)
        XCTAssertTrue(Policy(admin: off, user: nil).isEmpty)
        XCTAssertFalse(Policy(admin: nil, user: on).isEmpty)
        XCTAssertThrowsError(try file("/p", "block_new_startup_hooks = \"block\"\n"))
        let record = PolicyInForce(files: [], cooldown: nil, unknownStartupHooks: ["/v/site-packages/x.pth"])
        XCTAssertEqual(try PolicyInForce(json: record.json), record)
        XCTAssertNil(PolicyInForce(files: [], cooldown: nil).json["unknown_startup_hooks"])
    }

    /// One rule for protection a command cannot have: the file that set `block` is named.
    func testWhatOnUnsupportedMakesOfAReason() throws {
        XCTAssertEqual(
            Policy(admin: nil, user: try file("/p", "deny = [\"x\"]\n")).whenUnsupported("why"), .warn("why"))
        let block = Policy(admin: try file("/etc/p", "on_unsupported = \"block\"\n"), user: nil)
        XCTAssertEqual(block.whenUnsupported("why"), .refuse("why (on_unsupported = \"block\", /etc/p)"))
    }

    func testSpokenSpans() {
        XCTAssertEqual(Policy.Age.spoken(milliseconds: 35 * 60_000 + 59_000), "35 minutes")
        XCTAssertEqual(Policy.Age.spoken(milliseconds: 86_400_000), "1 day")
        XCTAssertEqual(Policy.Age.spoken(milliseconds: 3 * 86_400_000 + 5), "3 days")
        XCTAssertEqual(Policy.Age.spoken(milliseconds: 999), "less than a second")
    }

    func testKnownStartupHooks() throws {
        let sha = String(repeating: "ab", count: 32)
        let f = try file("/p", "known_startup_hooks = [\"\(sha)\"]\n")
        let p = Policy(admin: nil, user: f)
        XCTAssertEqual(p.knownStartupHooks, [sha])
        let hook = StartupHook(path: "/x.pth", sha256: sha, executableImport: true, status: .added)
        XCTAssertEqual(KnownStartupHooks.known(hook, also: p.knownStartupHooks), "listed in the policy")
        XCTAssertNil(KnownStartupHooks.known(hook, also: []))
        let setuptools = StartupHook(
            path: "/d.pth", sha256: "2638ce9e2500e572a5e0de7faed6661eb569d1b696fcba07b0dd223da5f5d224",
            executableImport: true, status: .added)
        XCTAssertEqual(KnownStartupHooks.known(setuptools, also: []), "setuptools 60–80 distutils-precedence.pth")
        for bad in ["[\"ABCD\"]", "[\"\(sha.uppercased())\"]", "\"\(sha)\""] {
            XCTAssertThrowsError(try file("/p", "known_startup_hooks = \(bad)\n"), bad)
        }
    }

    /// An exemption lifts only the cooldown of the file that grants it.
    func testExemptions() throws {
        let admin = try file("/etc/p", "min_release_age = \"72h\"\ncooldown_exempt = [\"Corp_Lib\"]\n")
        let user = try file("/home/p", "min_release_age = \"1w\"\ncooldown_exempt = [\"corp-lib\", \"fresh\"]\n")
        let both = Policy(admin: admin, user: user)
        XCTAssertEqual(both.exemptions.map(\.name), ["corp-lib", "fresh"])
        XCTAssertNil(both.exemptions[0].age)  // both files exempt it
        XCTAssertEqual(both.exemptions[1].age?.text, "72h")  // the administrator's still applies
        XCTAssertEqual(Policy(admin: nil, user: user).exemptions.map { $0.age == nil }, [true, true])
        XCTAssertThrowsError(try file("/p", "cooldown_exempt = [\"x==1\"]\n"))
    }
}
