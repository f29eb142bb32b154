import PkgtrailCommandLine
import PkgtrailCore
import PkgtrailStore

/// One self-contained HTML file: a picture of who held what when
/// (`TimelineSVG`, versions matched by `--highlight`/`--osv` in a warning
/// colour), then the timeline table with startup-hook, failed and drift
/// markers. No script and no external resource; the content security policy
/// forbids both even if a value escaped its cell. Every value is made
/// visible (control characters shown as \xNN) and then HTML-escaped. The
/// picture needs every event before it, so the rows wait in memory (a
/// 10,000-event export's are a few MB).
struct HTMLExport: ExportWriter {
    var rows: [String] = []
    var timeline: Timeline

    init(flags: @escaping (_ name: String, _ version: String) -> Bool) {
        timeline = Timeline(flags: flags) { $0.executableImport && HookKnowledge.known($0) == nil }
    }

    func begin(_ h: ExportHeader, _ out: ExportSink) throws {
        out.write(
            """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8">
            <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
            <title>pkgtrail timeline</title>
            <style>
            body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#111}
            h1{font-size:1.3em}
            table{border-collapse:collapse;width:100%}
            th,td{border-bottom:1px solid #ddd;padding:4px 6px;text-align:left;vertical-align:top}
            th{background:#f3f3f3;position:sticky;top:0}
            code,.mono{font-family:ui-monospace,monospace;font-size:12px;word-break:break-all}
            .tag{display:inline-block;border-radius:3px;padding:0 \
            4px;font-size:11px;font-weight:bold;color:#fff;margin-right:4px}
            tr.hook{background:#fff0f0} .tag.hook{background:#c00}
            tr.failed{background:#fff8e0} .tag.failed{background:#b60}
            tr.drift{background:#eef4ff} .tag.drift{background:#36c}
            .tag.known{background:#777}
            dl{display:grid;grid-template-columns:max-content auto;gap:2px 12px} dt{font-weight:bold}
            \(TimelineSVG.style)
            </style></head><body>
            <h1>pkgtrail timeline</h1>
            <dl>
            <dt>log size</dt><dd id="log-size">\(h.size) events</dd>
            <dt>chain head</dt><dd class="mono" id="log-head">\(h.head)</dd>
            <dt>range</dt><dd>\(Self.escape(h.since ?? "beginning")) → \(Self.escape(h.until ?? "end"))</dd>
            <dt>exported</dt><dd>\(Self.escape(h.exportedAt))</dd>
            </dl>
            <p>Verify this file's records against the chain with <code>scripts/verify_log.py</code> on the NDJSON or \
            JSON export of the same range.</p>

            """)
    }

    mutating func event(_ r: StoredRecord, _ out: ExportSink) throws {
        let s = try r.decoded()
        let e = s.event
        timeline.add(e)
        let hook = HookKnowledge.unknownExecutable(e)
        let knownHook = !hook && HookKnowledge.anyExecutable(e)
        let failed = e.command.map { $0.outcome != .ok } ?? false
        var classes: [String] = []
        var tags = ""
        if hook {
            classes.append("hook")
            tags += "<span class=\"tag hook\">STARTUP HOOK</span>"
        }
        if knownHook { tags += "<span class=\"tag known\">known startup hook</span>" }
        if failed {
            classes.append("failed")
            tags += "<span class=\"tag failed\">\(e.command!.outcome.rawValue.uppercased())</span>"
        }
        if e.kind == .drift {
            classes.append("drift")
            tags += "<span class=\"tag drift\">DRIFT</span>"
        }
        let who = ActorText.user(e.actor) + "@" + e.actor.host
        let command =
            e.command.map { $0.argv.joined(separator: " ") }
            ?? (e.drift?.firstSeen == true ? "(first seen)" : "(changed outside pkgtrail)")
        let changes =
            e.changes.map { c in
                Self.escape(EventText.change(c))
                    + (c.artifact?.sha256.map { " <code>sha256 \(String($0.prefix(16)))…</code>" } ?? "")
                    + c.startupHooks.map { " " + Self.hook($0) }.joined()
            } + e.startupHooks.map(Self.hook)
        let hash = Hex.encode(s.hash)
        rows.append(
            "<tr id=\"seq-\(e.seq)\"" + (classes.isEmpty ? "" : " class=\"\(classes.joined(separator: " "))\"")
                + "><td>\(e.seq)</td><td>\(Self.escape(e.finished))</td>"
                + "<td>\(Self.escape(who))</td><td class=\"mono\">\(Self.escape(e.environment.prefix))</td>"
                + "<td>\(tags)<code>\(Self.escape(command))</code></td>"
                + "<td>\(changes.isEmpty ? "(none)" : changes.joined(separator: "<br>"))</td>"
                + "<td class=\"mono\" title=\"\(hash)\">\(hash.prefix(12))…</td></tr>\n")
    }

    func end(_ h: ExportHeader, _ out: ExportSink) throws {
        out.write(TimelineSVG(timeline).html)
        out.write(
            """
            <h2>Every event</h2>
            <table id="timeline"><thead><tr><th>seq</th><th>time \
            (UTC)</th><th>who</th><th>environment</th><th>command</th><th>changes</th><th>hash</th></tr></thead><tbody>

            """)
        for row in rows { out.write(row) }
        out.write(
            "</tbody></table>\n<p id=\"count\">\(rows.count) event\(rows.count == 1 ? "" : "s") in this "
                + "export.</p>\n</body></html>\n"
        )
    }

    static func hook(_ h: StartupHook) -> String {
        "<code>.pth \(Self.escape(h.status.description)) \(Self.escape(h.path))"
            + "\(h.executableImport ? " (import line)" : "")</code>"
    }

    static func escape(_ s: String) -> String {
        var out = ""
        for ch in Terminal.safe(s) {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(ch)
            }
        }
        return out
    }
}
