import PkgtrailCommandLine
import PkgtrailCore

/// A version's window as `exposure` and `audit` print it: from when to when
/// (and how long), what matched, how it came and how it went.
enum PresenceText {
    static func window(_ p: Presence, clock: TimeText, match: [String]? = nil) {
        let start = p.windowStart.map(clock.show) ?? "before pkgtrail first saw it"
        let end = p.departure.map { clock.show($0.event.finished) } ?? "still present"
        var length = ""
        if let a = p.windowStart.flatMap(Timestamp.parse),
            let b = p.departure.flatMap({ Timestamp.parse($0.event.finished) })
        {
            length = " (" + TimeText.duration(milliseconds: b - a) + ")"
        }
        emit(Terminal.safe("  window \(start) → \(end)\(length)"))
        if let match { emit(Terminal.safe("  match  \(match.joined(separator: ", "))")) }
        emit(Terminal.safe("  came   " + RecordText.headline(p.arrival, clock: clock)))
        for line in RecordText.block(p.arrival, clock: clock, indent: "    ") { emit(line) }
        if let d = p.departure {
            emit(Terminal.safe("  went   " + RecordText.headline(d, clock: clock) + "  (" + StateText.cause(d) + ")"))
        }
    }
}
