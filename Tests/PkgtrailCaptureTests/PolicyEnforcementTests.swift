import Foundation
import PkgtrailCore
import PkgtrailSystem
import XCTest

@testable import PkgtrailAdvisories
@testable import PkgtrailCapture

final class CooldownTests: XCTestCase {
    let now = Timestamp.parse("2026-03-24T12:00:00.000Z")!

    func rule(_ text: String) throws -> CooldownRule {
        let file = try Policy.File(path: "/etc/pkgtrail/policy.toml", bytes: Array(text.utf8))
        return try XCTUnwrap(CooldownRule(Policy(admin: file, user: nil), nowMilliseconds: now))
    }

    func plan(_ r: CooldownRule, argv: String? = nil, env: String? = nil, config: (String, String)? = nil)
        -> CooldownPlan
    {
        r.plan(
            variable: "PIP_UPLOADED_PRIOR_TO", option: "--uploaded-prior-to", argv: argv, environment: env,
            config: config.map { (value: $0.0, file: $0.1) })
    }

    func testTheCutoffGoesToTheTool() throws {
        let r = try rule("min_release_age = \"48h\"\n")
        XCTAssertEqual(r.cutoff, "2026-03-22T12:00:00.000Z")
        let p = plan(r)
        XCTAssertEqual(p.environment, ["PIP_UPLOADED_PRIOR_TO": "2026-03-22T12:00:00.000Z"])
        XCTAssertEqual(p.record.enforcedBy, "PIP_UPLOADED_PRIOR_TO")
        XCTAssertTrue(p.record.inForce)
        XCTAssertNil(p.refusal)
    }

    /// The user's stricter cut-off stays; a looser variable is replaced; a
    /// looser option on the command line (which pip ranks above the
    /// variable) is refused; a stricter config value is handed over as the
    /// variable, which outranks config files.
    func testTheStricterWins() throws {
        let r = try rule("min_release_age = \"48h\"\n")
        var p = plan(r, env: "2026-03-01T00:00:00Z")
        XCTAssertEqual(p.environment, [:])
        XCTAssertEqual(p.record.cutoff, "2026-03-01T00:00:00Z")
        p = plan(r, env: "2026-03-24T00:00:00Z")
        XCTAssertEqual(p.environment["PIP_UPLOADED_PRIOR_TO"], r.cutoff)
        p = plan(r, argv: "P7D")
        XCTAssertNil(p.refusal)
        XCTAssertEqual(p.record.enforcedBy, "--uploaded-prior-to (the command's own, stricter)")
        for looser in ["P1D", "2026-03-24T00:00:00Z", "yesterday"] {
            p = plan(r, argv: looser)
            XCTAssertEqual(
                p.refusal?.hasPrefix("blocked by policy: --uploaded-prior-to \(looser) is later"), true, looser)
            XCTAssertFalse(p.record.inForce)
        }
        // What was typed there is said and recorded as argv is: redacted.
        p = plan(r, argv: "https://user:s3cret@mirror.example/")
        XCTAssertFalse((p.refusal ?? "").contains("s3cret") || (p.record.note ?? "").contains("s3cret"), "\(p)")
        XCTAssertNotNil(p.refusal)
        p = plan(r, config: ("2026-01-01T00:00:00Z", "/etc/pip.conf"))
        XCTAssertEqual(p.environment, ["PIP_UPLOADED_PRIOR_TO": "2026-01-01T00:00:00Z"])
        XCTAssertEqual(p.record.enforcedBy, "PIP_UPLOADED_PRIOR_TO (from /etc/pip.conf, stricter)")
    }

    func testUnsupportedWarnsOrBlocks() throws {
        var p = try rule("min_release_age = \"1h\"\n").unsupported("pip 23.2.1 predates it")
        XCTAssertNil(p.refusal)
        XCTAssertEqual(p.warning, "cooldown not in force: pip 23.2.1 predates it")
        XCTAssertEqual(p.record.note, "pip 23.2.1 predates it")
        p = try rule("min_release_age = \"1h\"\non_unsupported = \"block\"\n").unsupported("pip 23.2.1 predates it")
        XCTAssertEqual(
            p.refusal,
            "blocked by policy: pip 23.2.1 predates it (on_unsupported = \"block\", /etc/pkgtrail/policy.toml)")
        XCTAssertNil(p.warning)
    }
}

final class DenyRuleTests: XCTestCase {
    func testRequirementNames() {
        let cases: [(String, String?, String?)] = [
            ("litellm==1.82.8", "litellm", "1.82.8"),
            ("LiteLLM[proxy] == 1.82.8 ; python_version>'3'", "litellm", "1.82.8"),
            ("litellm>=1.0", "litellm", nil), ("litellm==1.*", "litellm", nil), ("litellm===1.0", "litellm", nil),
            ("/w/llmlib-1.2-py3-none-any.whl", "llmlib", "1.2"), ("https://x/y.tar.gz", nil, nil), ("./dir", nil, nil),
            ("Demo_App", "demo-app", nil)
        ]
        for (spec, name, version) in cases {
            let parsed = RequirementName.parse(spec)
            XCTAssertEqual(parsed?.name, name, spec)
            XCTAssertEqual(parsed?.version, version, spec)
        }
    }

    func testRefusalsAndConstraints() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("deny-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = try Policy.File(path: "/etc/p", bytes: Array("deny = [\"llmlib==1.2\", \"evil\"]\n".utf8))
        let rule = DenyRule(Policy(admin: file, user: nil), advisories: .none, stateDirectory: dir)
        let constraints = try XCTUnwrap(rule.file)
        XCTAssertEqual(FileSystem.readText(constraints), "llmlib!=1.2\n")
        XCTAssertTrue(constraints.hasSuffix("constraints-\(rule.sha256!).txt"))
        XCTAssertNil(rule.refusal([("llmlib", nil), ("llmlib", "1.1"), ("agentkit", nil)]))
        XCTAssertEqual(
            rule.refusal([("llmlib", "1.2")]), "blocked by policy: llmlib 1.2 is on the deny-list (llmlib==1.2, /etc/p)"
        )
        XCTAssertEqual(rule.refusal([("evil", nil)]), "blocked by policy: evil is on the deny-list (evil, /etc/p)")
        let v = rule.plan(.variable("PIP_CONSTRAINT", existing: "/mine.txt"))
        XCTAssertEqual(v.env, ["PIP_CONSTRAINT": "/mine.txt \(constraints)"])
        XCTAssertEqual(v.record.enforcedBy, "PIP_CONSTRAINT")
        let a = rule.plan(.argument)
        XCTAssertEqual(a.argv, ["--constraint", constraints])
        XCTAssertEqual(rule.plan(.none("why")).record.note, "why")
    }
}

final class AdvisoryDenialTests: XCTestCase {
    /// The store is queried once per import: later commands read the cached
    /// lines (here doctored, to prove it), and a new import is queried anew.
    func testConstraintsAreCachedPerImport() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("denial-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = try AdvisoryStore.openForWriting(path: dir + "/a.db")
        func mal(_ version: String) -> [(source: String, bytes: [UInt8])] {
            let json = """
                {"id":"MAL-2026-1","modified":"2026-05-0\(version)T00:00:00Z","affected":[
                 {"package":{"ecosystem":"PyPI","name":"llmlib"},"versions":["1.\(version)"]}]}
                """
            return [("x.json", Array(json.utf8))]
        }
        _ = try store.add(mal("2"), label: "t", at: "2026-05-03T00:00:00.000Z")
        let policy = Policy(
            admin: nil, user: try Policy.File(path: "/p", bytes: Array("deny_advisories = [\"MAL\"]\n".utf8)))
        let env = ProcessEnvironment(values: ["PKGTRAIL_ADVISORIES": dir + "/a.db", "XDG_STATE_HOME": dir + "/state"])
        XCTAssertEqual(AdvisoryDenial(policy, env: env).constraints, ["llmlib!=1.2"])
        let cached = try XCTUnwrap(
            try FileManager.default.contentsOfDirectory(atPath: dir + "/state/pkgtrail/policy").first)
        XCTAssertEqual(FileSystem.readText(dir + "/state/pkgtrail/policy/" + cached), "# advisories 1\nllmlib!=1.2\n")
        _ = FileSystem.writeAtomically(
            dir + "/state/pkgtrail/policy/" + cached, Array("# advisories 1\nllmlib!=9\n".utf8))
        let denial = AdvisoryDenial(policy, env: env)
        XCTAssertEqual(denial.constraints, ["llmlib!=9"])
        XCTAssertEqual(denial.records.map(\.selected), [1])
        _ = try store.add(mal("3"), label: "t", at: "2026-05-04T00:00:00.000Z")
        XCTAssertEqual(AdvisoryDenial(policy, env: env).constraints, ["llmlib!=1.3"])
        XCTAssertTrue(AdvisoryDenial(policy, env: env).problems.isEmpty)
        let missing = ProcessEnvironment(values: ["PKGTRAIL_ADVISORIES": dir + "/none.db"])
        XCTAssertTrue(AdvisoryDenial(policy, env: missing).problems[0].contains("no advisories at \(dir)/none.db"))
    }

    func testAPylockNamesItsPackagesNotTheirWheels() {
        let text = """
            lock-version = "1.0"
            [[packages]]
            name = "Demo_Lib"
            version = "1.0"
            [[packages.wheels]]
            name = "evil_pkg-0.1-py3-none-any.whl"
            [[packages]]
            name = 'evil-pkg'
            [tool.x]
            name = "not-a-package"
            """
        let found = RequirementName.fromPylock(text)
        XCTAssertEqual(found.map(\.name), ["demo-lib", "evil-pkg"])
        XCTAssertEqual(found.map(\.version), ["1.0", nil])
    }
}

final class ChildArgumentsTests: XCTestCase {
    /// Added options go before a `--` (what follows it is the user's, as typed), else at the end.
    func testAddedOptionsGoBeforeTheEndOfOptions() {
        let extra = ["--constraint", "/c.txt"]
        XCTAssertEqual(
            ChildArguments.adding(extra, to: ["uv", "pip", "install", "x"]),
            ["uv", "pip", "install", "x", "--constraint", "/c.txt"])
        XCTAssertEqual(
            ChildArguments.adding(extra, to: ["pip", "install", "x", "--", "-odd-name"]),
            ["pip", "install", "x", "--constraint", "/c.txt", "--", "-odd-name"])
        XCTAssertEqual(ChildArguments.adding([], to: ["pip", "--"]), ["pip", "--"])
    }
}

final class IndexUploadTimesTests: XCTestCase {
    /// An answer is kept a day by the URL's sha256; an older one, or none, is asked again
    /// (here of a Python that does not exist: unknown, and not kept).
    func testAnswersAreKeptADay() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("index-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let url = "https://user:secret@mirror.example/simple/"
        let now: Int64 = 1_800_000_000_000
        func ask(_ at: Int64) -> IndexUploadTimes.Answer {
            IndexUploadTimes.answer(
                index: url, project: "x", python: dir + "/no-python", stateDirectory: dir, nowMilliseconds: at)
        }
        XCTAssertEqual(ask(now), .unknown)
        let kept = dir + "/policy/index-\(Digest.sha256Hex(Array(url.utf8))).txt"
        XCTAssertFalse(FileSystem.exists(kept))
        FileSystem.makeDirectories(dir + "/policy")
        _ = FileSystem.writeAtomically(kept, Array("no \(now)\n".utf8))
        XCTAssertEqual(ask(now + 3_600_000), .no)
        XCTAssertEqual(ask(now + IndexUploadTimes.maxAgeMilliseconds), .unknown)
        XCTAssertEqual(ask(now - 1), .unknown)  // a clock set back does not make an answer last
    }

    /// The page's URL, password and all, reaches the probe in its environment,
    /// never on its command line (which every user's `ps` shows).
    func testTheIndexURLIsNeverOnTheProbesCommandLine() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("probe-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        FileSystem.makeDirectories(dir)
        let python = dir + "/python"
        let script =
            "#!/bin/sh\nprintf '%s\\n' \"$@\" > \(dir)/argv\nprintf '%s' \"$PKGTRAIL_INDEX_PAGE\" > \(dir)/page\n"
            + "echo no\n"
        _ = FileSystem.writeAtomically(python, Array(script.utf8))
        chmod(python, 0o755)
        let url = "https://user:s3cret@mirror.example/simple"
        let answer = IndexUploadTimes.answer(
            index: url, project: "Demo_Lib", python: python, stateDirectory: dir, nowMilliseconds: 1)
        XCTAssertEqual(answer, .no)
        XCTAssertEqual(FileSystem.readText(dir + "/page"), "https://user:s3cret@mirror.example/simple/demo-lib/")
        let argv = try XCTUnwrap(FileSystem.readText(dir + "/argv"))
        XCTAssertTrue(argv.hasPrefix("-I\n-S\n-c\n"), argv)
        XCTAssertFalse(argv.contains("s3cret") || argv.contains("mirror.example"), argv)
    }
}
