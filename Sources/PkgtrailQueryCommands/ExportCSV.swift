import PkgtrailCore
import PkgtrailStore

/// One row per change (an event without changes gets one row), every event
/// column repeated so a spreadsheet filter works on any of them. The body
/// sits in the first row of its event only. A last row of kind `chain-head`
/// carries the log's size (in seq) and head hash.
struct CSVExport: ExportWriter {
    static let columns = [
        "seq", "finished", "started", "kind", "user", "sudo_user", "host", "ci", "environment", "tool",
        "command", "outcome", "exit_status", "name", "action", "from_version", "to_version", "sha256",
        "artifact_url", "index", "requested", "required_by", "startup_hook", "hash", "prev_hash", "body"
    ]

    func begin(_ h: ExportHeader, _ out: ExportSink) throws { out.write(Self.row(Self.columns)) }

    func event(_ r: StoredRecord, _ out: ExportSink) throws {
        let s = try r.decoded()
        let e = s.event
        let a = e.actor
        let ci = a.ci.map { [$0.provider, $0.repository, $0.runID, $0.job].compactMap { $0 }.joined(separator: " ") }
        let common: [String?] = [
            String(e.seq), e.finished, e.started, e.kind.rawValue, a.user, a.sudoUser, a.host, ci,
            e.environment.prefix, e.command?.tool, e.command?.argv.joined(separator: " "),
            e.command?.outcome.rawValue, e.command.map { String($0.exitStatus) }
        ]
        let tail: [String?] = [Hex.encode(s.hash), e.prevHash]
        let body = String(decoding: s.body, as: UTF8.self)
        if e.changes.isEmpty {
            let hooks = e.startupHooks.map(\.path).joined(separator: " ")
            out.write(
                Self.row(common + Array(repeating: nil, count: 9) + [hooks.isEmpty ? nil : hooks] + tail + [body]))
        }
        for (i, c) in e.changes.enumerated() {
            let hooks = (c.startupHooks + (i == 0 ? e.startupHooks : [])).map(\.path).joined(separator: " ")
            let change: [String?] = [
                c.name, c.action.rawValue, c.fromVersion, c.toVersion, c.artifact?.sha256, c.artifact?.url,
                e.indexInForce, c.requested.map { $0 ? "yes" : "no" },
                c.requiredBy.joined(separator: " "), hooks.isEmpty ? nil : hooks
            ]
            out.write(Self.row(common + change + tail + [i == 0 ? body : nil]))
        }
    }

    func end(_ h: ExportHeader, _ out: ExportSink) throws {
        var r = [String?](repeating: nil, count: Self.columns.count)
        r[0] = String(h.size)
        r[1] = h.exportedAt
        r[3] = "chain-head"
        r[23] = h.head
        out.write(Self.row(r))
    }

    /// RFC 4180 quoting, after neutralising formulas: a cell a spreadsheet
    /// would evaluate (leading = + - @, tab or CR) gets a leading '.
    static func row(_ cells: [String?]) -> String {
        cells.map { cell in
            guard var v = cell else { return "" }
            if let f = v.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(f) { v = "'" + v }
            if v.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) || v.hasPrefix("'") {
                return "\"" + v.replacingAll("\"", "\"\"") + "\""
            }
            return v
        }.joined(separator: ",") + "\r\n"
    }
}

extension String {
    func replacingAll(_ a: String, _ b: String) -> String {
        split(separator: a, omittingEmptySubsequences: false).joined(separator: b)
    }
}
