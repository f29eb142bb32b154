import Foundation
import PkgtrailAdvisories
import PkgtrailCore

/// An environment as the log replays it at a moment, as a CycloneDX 1.6 JSON
/// SBOM: each distribution a `library` component with its purl, the sha256
/// of the artifact that was installed (from the log, not from the files on
/// disk), and as properties when, by whom, with what command and from which
/// index it came, whether it was asked for or pulled in, and its startup
/// hooks. `metadata` names the log head the SBOM was computed from, so it can
/// be checked against a signed checkpoint. With an advisory store, the
/// advisories that name a component's version are its `vulnerabilities`.
enum CycloneDX {
    struct Subject {
        let environment: EnvironmentKey
        /// nil: now.
        let at: String?
        let logSize: Int64
        let logHead: [UInt8]
    }

    static func bom(
        _ subject: Subject, _ contents: [Presence],
        vulnerabilities: [(purl: String, incidents: [AdvisoryAudit.Incident])]? = nil,
        now: String, serial: UUID = UUID()
    ) -> JSONValue {
        var bom: JSONObject = [
            "bomFormat": .string("CycloneDX"), "specVersion": .string("1.6"),
            "serialNumber": .string("urn:uuid:\(serial.uuidString.lowercased())"), "version": .int(1),
            "metadata": .object([
                "timestamp": .string(now),
                "tools": .object([
                    "components": .array([
                        .object([
                            "type": .string("application"), "name": .string("pkgtrail"), "version": .string("0.1.0")
                        ])
                    ])
                ]),
                "component": .object([
                    "type": .string("application"), "bom-ref": .string("environment"),
                    "name": .string(subject.environment.prefix),
                    "description": .string(
                        "Python environment \(subject.environment.prefix) on \(subject.environment.host)")
                ]),
                "properties": properties([
                    ("pkgtrail:host", subject.environment.host), ("pkgtrail:environment", subject.environment.prefix),
                    ("pkgtrail:at", subject.at ?? now), ("pkgtrail:log:size", String(subject.logSize)),
                    ("pkgtrail:log:head", Hex.encode(subject.logHead))
                ])
            ]),
            "components": .array(contents.map(component)),
            "dependencies": .array([
                .object([
                    "ref": .string("environment"), "dependsOn": .strings(contents.map { purl($0.name, $0.version) })
                ])
            ])
        ]
        if let vulnerabilities { bom["vulnerabilities"] = .array(Self.vulnerabilities(vulnerabilities)) }
        return .object(bom)
    }

    /// One vulnerability per incident (ids that alias each other: the first
    /// is its id, the others references), affecting every component it names.
    static func vulnerabilities(_ found: [(purl: String, incidents: [AdvisoryAudit.Incident])]) -> [JSONValue] {
        var order: [String] = []
        var incidents: [String: AdvisoryAudit.Incident] = [:]
        var affects: [String: [String]] = [:]
        for (purl, list) in found {
            for i in list {
                let key = i.ids.joined(separator: " ")
                if incidents[key] == nil { order.append(key) }
                incidents[key] = i
                affects[key, default: []].append(purl)
            }
        }
        return order.map { key in
            let i = incidents[key]!
            var v: JSONObject = [
                "affects": .array(affects[key]!.map { .object(["ref": .string($0)]) }), "bom-ref": .string(i.ids[0]),
                "id": .string(i.ids[0]),
                "ratings": .array([
                    .object(["severity": .string(severity(i)), "source": source(i.ids[0])])
                ]),
                "source": source(i.ids[0])
            ]
            if i.ids.count > 1 {
                v["references"] = .array(i.ids.dropFirst().map { .object(["id": .string($0), "source": source($0)]) })
            }
            if let summary = i.summary { v["description"] = .string(summary) }
            // CWE-506, embedded malicious code: what a MAL- entry is.
            if i.malicious { v["cwes"] = .array([.int(506)]) }
            return .object(v)
        }
    }

    static func source(_ id: String) -> JSONValue {
        .object(["name": .string("OSV"), "url": .string("https://osv.dev/vulnerability/\(idEncoded(id))")])
    }

    /// CycloneDX's severity words; a malicious package is critical whatever else is said.
    static func severity(_ i: AdvisoryAudit.Incident) -> String {
        if i.malicious { return "critical" }
        switch i.severity?.uppercased() {
        case "CRITICAL": return "critical"
        case "HIGH": return "high"
        case "MODERATE", "MEDIUM": return "medium"
        case "LOW": return "low"
        default: return "unknown"
        }
    }

    /// PyPI's purl: the PEP 503 name, the version as written.
    static func purl(_ name: String, _ version: String) -> String {
        "pkg:pypi/\(percentEncoded(PackageName.normalize(name)))@\(percentEncoded(version))"
    }

    static func idEncoded(_ id: String) -> String {
        id.addingPercentEncoding(
            withAllowedCharacters: .init(
                charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")) ?? id
    }

    static func percentEncoded(_ s: String) -> String {
        s.addingPercentEncoding(
            withAllowedCharacters: .init(charactersIn: "abcdefghijklmnopqrstuvwxyz0123456789.-_~+!"))
            ?? s
    }

    static func component(_ p: Presence) -> JSONValue {
        let r = p.arrival
        let c = r.change
        let e = r.event
        var props: [(String, String)] = [
            ("pkgtrail:installed", e.finished), ("pkgtrail:action", c.action.rawValue),
            ("pkgtrail:installed_by", e.actor.sudoUser.map { "\($0) (sudo as \(e.actor.user))" } ?? e.actor.user),
            ("pkgtrail:event", "\(e.seq) \(Hex.encode(r.hash))")
        ]
        if let cmd = e.command { props.append(("pkgtrail:command", cmd.argv.joined(separator: " "))) }
        if e.drift != nil { props.append(("pkgtrail:seen_as", "drift: installed outside a recorded command")) }
        if let index = e.indexInForce { props.append(("pkgtrail:index", index)) }
        if let url = c.artifact?.url { props.append(("pkgtrail:artifact_url", url)) }
        if let requested = c.requested { props.append(("pkgtrail:requested", requested ? "true" : "false")) }
        for by in c.requiredBy { props.append(("pkgtrail:required_by", by)) }
        for h in c.startupHooks { props.append(("pkgtrail:startup_hook", h.path)) }
        if let installer = c.installer { props.append(("pkgtrail:installer", installer)) }
        var o: [String: JSONValue] = [
            "type": .string("library"), "bom-ref": .string(purl(p.name, p.version)), "name": .string(p.name),
            "version": .string(p.version), "purl": .string(purl(p.name, p.version)), "properties": properties(props)
        ]
        if let sha = c.artifact?.sha256 {
            o["hashes"] = .array([.object(["alg": .string("SHA-256"), "content": .string(sha)])])
        }
        return .object(JSONObject(o))
    }

    static func properties(_ pairs: [(String, String)]) -> JSONValue {
        .array(pairs.map { .object(["name": .string($0.0), "value": .string($0.1)]) })
    }
}
