import ArgumentParser
import Foundation
import PkgtrailCore
import PkgtrailStore

/// Forensic answers as text for people: short aligned blocks that fit an
/// 80-column terminal, every recorded value passed through `Terminal.safe`.
enum RecordText {
    /// The index a change came from: the first index source in force (pip's
    /// `--index-url`, uv's default index); the artifact URL is shown beside it.
    static func index(_ e: Event) -> String? {
        e.sources.first(where: { $0.kind == "index" })?.url
    }

    /// Where a window begins, conservatively: when the installing command
    /// started; for a drift arrival, when the environment was last seen
    /// without it (nil: it was already there when pkgtrail first saw it).
    static func windowStart(_ p: Presence) -> String? {
        let e = p.arrival.event
        if let d = e.drift { return d.lastSeen }
        return e.started
    }

    static func block(_ r: ChangeRecord, clock: TimeText, indent: String = "  ") -> [String] {
        let e = r.event, c = r.change
        var out: [String] = []
        func row(_ k: String, _ v: String) { out.append(indent + k.rightPad(7) + v) }
        var who = e.actor.user + (e.actor.sudoUser.map { " (sudo by \($0))" } ?? "") + " on " + e.actor.host
        if let ci = e.actor.ci {
            who += ", CI " + [ci.provider, ci.repository, ci.runID.map { "run \($0)" }, ci.job.map { "job \($0)" }]
                .compactMap { $0 }.joined(separator: " ")
        }
        row("who", who)
        row("env", e.environment.prefix)
        if let cmd = e.command {
            row("cmd", cmd.argv.joined(separator: " ") + "  [\(cmd.tool) \(cmd.toolVersion ?? "?"), \(cmd.outcome.rawValue)]")
        } else if let d = e.drift {
            row("how", d.firstSeen ? "already there when pkgtrail first saw the environment"
                : "changed outside pkgtrail between \(clock.show(d.lastSeen)) and \(clock.show(e.started))")
        }
        if let requested = c.requested {
            row("why", requested ? "requested" : "pulled in" + (c.requiredBy.isEmpty ? "" : " by " + c.requiredBy.joined(separator: ", ")))
        }
        if let i = index(e) { row("index", i) }
        if let url = c.artifact?.url { row("file", url) }
        if c.toVersion != nil { row("sha256", c.artifact?.sha256 ?? "unknown" + (c.artifact?.hashSource.map { " (\($0))" } ?? "")) }
        for h in c.startupHooks { out.append(indent + EventText.hookLine(h).trimmingCharacters(in: .whitespaces)) }
        return out.map(Terminal.safe)
    }

    static func headline(_ r: ChangeRecord, clock: TimeText) -> String {
        Terminal.safe("seq \(r.event.seq)  \(clock.show(r.event.finished))  \(r.change.action.rawValue) \(r.change.name) "
                      + [r.change.fromVersion, r.change.toVersion].compactMap { $0 }.joined(separator: " → "))
    }
}

/// `--local`, shared by every command that shows times.
struct TimeOption: ParsableArguments {
    @Flag(help: "Show times in the local time zone instead of UTC.")
    var local = false
    var clock: TimeText { TimeText(local: local) }
    /// The clock only when `--local` was given (views that keep full RFC 3339 otherwise).
    var localClock: TimeText? { local ? clock : nil }
}

/// Times for people: UTC by default (`2026-03-24 10:45:03Z`), the local
/// zone with its offset under `--local`.
struct TimeText {
    let local: Bool
    /// Built once: a listing shows hundreds of times.
    private let formatter: DateFormatter?

    init(local: Bool) {
        self.local = local
        guard local else { formatter = nil; return }
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone.current
        f.dateFormat = "yyyy-MM-dd HH:mm:ssxxx"
        formatter = f
    }

    /// `0.4 s`, `35 min`, `3 h 5 min`, `2 d 4 h`: how long a window lasted.
    static func duration(milliseconds ms: Int64) -> String {
        if ms < 60_000 { return String(format: "%.1f s", Double(max(0, ms)) / 1000) }
        let m = ms / 60_000
        if m < 60 { return "\(m) min" }
        if m < 48 * 60 { return "\(m / 60) h \(m % 60) min" }
        return "\(m / 1440) d \(m % 1440 / 60) h"
    }

    func show(_ rfc3339: String?) -> String {
        guard let t = rfc3339 else { return "?" }
        guard let formatter, let ms = Timestamp.parse(t) else {
            return t.count >= 19 ? String(t.prefix(10)) + " " + String(t.dropFirst(11).prefix(8)) + "Z" : t
        }
        return formatter.string(from: Date(timeIntervalSince1970: Double(ms) / 1000))
    }
}
