import Foundation
import PkgtrailCore
import XCTest

@testable import PkgtrailAdvisories

final class AdvisoryAuditTests: XCTestCase {
    func advisory(_ id: String, aliases: [String] = [], severity: String? = nil) throws -> OSVAdvisory {
        var doc: [String: JSONValue] = [
            "id": .string(id), "modified": .string("2026-01-01T00:00:00Z"), "aliases": .strings(aliases),
            "summary": .string("\(id) says"), "affected": .array([])
        ]
        if let severity { doc["database_specific"] = .object(["severity": .string(severity)]) }
        return try OSVAdvisory.parse(CanonicalJSON.encode(.object(JSONObject(doc))))[0]
    }

    func testAliasesEitherWayAndThroughAThirdMakeOneIncident() throws {
        let incidents = AdvisoryAudit.incidents([
            try advisory("PYSEC-2026-2", aliases: ["GHSA-x"], severity: "MODERATE"),
            try advisory("GHSA-y", severity: "LOW"),
            try advisory("MAL-2026-2144", aliases: ["PYSEC-2026-2"]),
            try advisory("GHSA-x", severity: "CRITICAL")
        ])
        XCTAssertEqual(incidents.map(\.ids), [["GHSA-y"], ["MAL-2026-2144", "GHSA-x", "PYSEC-2026-2"]])
        XCTAssertEqual(incidents[1].severity, "CRITICAL")
        XCTAssertTrue(incidents[1].malicious)
        XCTAssertFalse(incidents[0].malicious)
        XCTAssertEqual(incidents[1].summary, "MAL-2026-2144 says")
    }

    func testSeverityWordsRank() {
        XCTAssertEqual(["low", "CRITICAL", "Moderate", "HIGH", "unknown"].map(AdvisoryAudit.rank), [1, 4, 2, 3, nil])
    }

    /// The windows are ordered by the numbers made of their times' first 24
    /// bytes: those must order as the bytes do, and tie only where they are equal.
    func testTimesCompareAsNumbersInTheirBytesOrder() {
        let times = [
            "2026-03-24T10:00:00.000Z", "2026-03-24T10:00:00.001Z", "2026-03-24T09:59:59.999Z",
            "2026-03-24T10:00:00.000Z", "2026-03-24T10:00:00Z", "2026-03-24", "", "2027-01-01T00:00:00.000Z",
            "2026-03-24T10:00:00.000+00:00", "2026-03-24T10:00:00.0000Z", "1999-12-31T23:59:59.999Z", "é"
        ]
        for a in times {
            for b in times {
                let (x, y) = (AdvisoryAudit.sortable(a), AdvisoryAudit.sortable(b))
                let prefixes = (Array(a.utf8.prefix(24)), Array(b.utf8.prefix(24)))
                XCTAssertEqual(x < y, prefixes.0.lexicographicallyPrecedes(prefixes.1), "\(a) < \(b)")
                XCTAssertEqual(x == y, prefixes.0 == prefixes.1, "\(a) == \(b)")
            }
        }
    }
}
