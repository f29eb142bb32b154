import XCTest

@testable import PkgtrailCapture
@testable import PkgtrailCore

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
