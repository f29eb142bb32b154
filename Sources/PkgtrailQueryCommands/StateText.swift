import ArgumentParser
import PkgtrailCommandLine
import PkgtrailCore
import PkgtrailStore

enum StateText {
    /// `seq 14 alice: pip install crewai` or `seq 20 drift`: what brought a change.
    static func cause(_ r: ChangeRecord) -> String { cause(RecordFacts(r)) }

    static func cause(_ f: RecordFacts) -> String {
        let how =
            f.command.map { $0.argv.joined(separator: " ") }
            ?? (f.drift?.firstSeen == true ? "first seen" : "drift (unrecorded)")
        return "seq \(f.seq) \(f.user): \(how)"
    }

    static func table(_ entries: [Presence], clock: TimeText) {
        let width = min(28, max(4, entries.map(\.name.count).max() ?? 4))
        let vwidth = min(16, max(7, entries.map(\.version.count).max() ?? 7))
        emit("NAME".rightPad(width) + "  " + "VERSION".rightPad(vwidth) + "  SINCE                 BY")
        for p in entries {
            emit(
                Terminal.safe(
                    p.name.rightPad(width) + "  " + p.version.rightPad(vwidth) + "  "
                        + clock.show(p.arrival.event.finished).rightPad(20) + "  " + cause(p.arrival)))
        }
    }

    static func json(_ p: Presence) -> JSONValue {
        let e = p.arrival.event
        return .object([
            "name": .string(p.name), "version": .string(p.version), "since": .string(e.finished),
            "seq": .int(e.seq), "user": .string(e.actor.user), "host": .string(p.host),
            "environment": .string(p.prefix), "kind": .string(e.kind.rawValue), "tool": .optional(e.command?.tool),
            "command": e.command.map { .strings($0.argv) } ?? .null,
            "sha256": .optional(p.arrival.change.artifact?.sha256),
            "requested": .optional(p.arrival.change.requested)
        ])
    }
}
