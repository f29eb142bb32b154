import ArgumentParser
import Foundation
import PkgtrailCommandLine
import PkgtrailCore
import PkgtrailStore

/// Forensic answers as text for people: short aligned blocks that fit an
/// 80-column terminal, every recorded value passed through `Terminal.safe`.
enum RecordText {
    static func block(_ r: ChangeRecord, clock: TimeText, indent: String = "  ") -> [String] {
        block(RecordFacts(r), clock: clock, indent: indent)
    }

    static func block(_ f: RecordFacts, clock: TimeText, indent: String = "  ") -> [String] {
        var out: [String] = []
        func row(_ k: String, _ v: String) { out.append(indent + k.rightPad(7) + v) }
        var who = ActorText.user(f.user, sudoUser: f.sudoUser) + " on " + f.host
        if let ci = f.ci { who += ", CI " + ActorText.ci(ci) }
        row("who", who)
        row("env", f.prefix)
        if let cmd = f.command {
            row("cmd", cmd.argv.joined(separator: " ") + "  [\(cmd.tool) \(cmd.toolVersion ?? "?"), \(cmd.outcome)]")
        } else if let d = f.drift {
            row(
                "how",
                d.firstSeen
                    ? "already there when pkgtrail first saw the environment"
                    : ActorText.changedOutside(between: clock.show(d.lastSeen), and: clock.show(f.started)))
        }
        if let requested = f.requested {
            row(
                "why",
                requested
                    ? "requested"
                    : "pulled in" + (f.requiredBy.isEmpty ? "" : " by " + f.requiredBy.joined(separator: ", ")))
        }
        if let i = f.index { row("index", i) }
        if let url = f.artifact?.url { row("file", url) }
        if f.toVersion != nil {
            row("sha256", f.artifact?.sha256 ?? "unknown" + (f.artifact?.hashSource.map { " (\($0))" } ?? ""))
        }
        for h in f.hooks { out.append(indent + EventText.hookLine(h).trimmingCharacters(in: .whitespaces)) }
        return out.map(Terminal.safe).map(EventText.paintHook)
    }

    static func headline(_ r: ChangeRecord, clock: TimeText) -> String { headline(RecordFacts(r), clock: clock) }

    static func headline(_ f: RecordFacts, clock: TimeText) -> String {
        Terminal.safe(
            "seq \(f.seq)  \(clock.show(f.finished))  \(f.action) \(f.name) "
                + [f.fromVersion, f.toVersion].compactMap { $0 }.joined(separator: " → "))
    }
}
