import ArgumentParser
import Foundation
import PkgtrailCommandLine
import PkgtrailCore
import PkgtrailStore

/// Forensic answers as text for people: short aligned blocks that fit an
/// 80-column terminal, every recorded value passed through `Terminal.safe`.
enum RecordText {
    static func block(_ r: ChangeRecord, clock: TimeText, indent: String = "  ") -> [String] {
        let e = r.event
        let c = r.change
        var out: [String] = []
        func row(_ k: String, _ v: String) { out.append(indent + k.rightPad(7) + v) }
        var who = ActorText.user(e.actor) + " on " + e.actor.host
        if let ci = e.actor.ci { who += ", CI " + ActorText.ci(ci) }
        row("who", who)
        row("env", e.environment.prefix)
        if let cmd = e.command {
            row(
                "cmd",
                cmd.argv.joined(separator: " ") + "  [\(cmd.tool) \(cmd.toolVersion ?? "?"), \(cmd.outcome.rawValue)]")
        } else if let d = e.drift {
            row(
                "how",
                d.firstSeen
                    ? "already there when pkgtrail first saw the environment"
                    : ActorText.changedOutside(between: clock.show(d.lastSeen), and: clock.show(e.started)))
        }
        if let requested = c.requested {
            row(
                "why",
                requested
                    ? "requested"
                    : "pulled in" + (c.requiredBy.isEmpty ? "" : " by " + c.requiredBy.joined(separator: ", ")))
        }
        if let i = e.indexInForce { row("index", i) }
        if let url = c.artifact?.url { row("file", url) }
        if c.toVersion != nil {
            row("sha256", c.artifact?.sha256 ?? "unknown" + (c.artifact?.hashSource.map { " (\($0))" } ?? ""))
        }
        for h in c.startupHooks { out.append(indent + EventText.hookLine(h).trimmingCharacters(in: .whitespaces)) }
        return out.map(Terminal.safe).map(EventText.paintHook)
    }

    static func headline(_ r: ChangeRecord, clock: TimeText) -> String {
        Terminal.safe(
            "seq \(r.event.seq)  \(clock.show(r.event.finished))  \(r.change.action.rawValue) \(r.change.name) "
                + [r.change.fromVersion, r.change.toVersion].compactMap { $0 }.joined(separator: " → "))
    }
}
