import PkgtrailCommandLine
import PkgtrailCore

/// A change record's text as a window shows it, made once however many
/// windows name it (an audit's departures are often other windows' arrivals).
/// A class: a finding takes it by one reference, not five.
final class RecordLines: Sendable {
    /// `seq …  time  action name from → to`, escaped.
    let headline: String
    /// Who, where, with what command, from which file: escaped and painted
    /// (empty for a record that opens no window: only its headline is shown).
    let block: [String]
    /// How it came about (`StateText.cause`), escaped.
    let cause: String
    let windowStart: String?
    let finished: String

    convenience init(_ r: ChangeRecord, clock: TimeText, opens: Bool = true) {
        self.init(RecordFacts(r), clock: clock, opens: opens)
    }

    init(_ f: RecordFacts, clock: TimeText, opens: Bool = true) {
        headline = RecordText.headline(f, clock: clock)
        block = opens ? RecordText.block(f, clock: clock, indent: "    ") : []
        cause = Terminal.safe(StateText.cause(f))
        windowStart = f.windowStart
        finished = f.finished
    }
}

/// A version's window as `exposure` and `audit` print it: from when to when
/// (and how long), what matched, how it came and how it went.
enum PresenceText {
    static func window(_ p: Presence, clock: TimeText, match: [String]? = nil) {
        let lines = lines(
            arrival: RecordLines(p.arrival, clock: clock),
            departure: p.departure.map { RecordLines($0, clock: clock, opens: false) },
            clock: clock, match: match)
        for line in lines { emit(line) }
    }

    /// The window's lines, escaped.
    static func lines(arrival: RecordLines, departure: RecordLines?, clock: TimeText, match: [String]? = nil)
        -> [String]
    {
        let start = arrival.windowStart.map(clock.show) ?? "before pkgtrail first saw it"
        let end = departure.map { clock.show($0.finished) } ?? "still present"
        var length = ""
        if let a = arrival.windowStart.flatMap(Timestamp.parse),
            let b = departure.flatMap({ Timestamp.parse($0.finished) })
        {
            length = " (" + TimeText.duration(milliseconds: b - a) + ")"
        }
        var out = [Terminal.safe("  window \(start) → \(end)\(length)")]
        if let match { out.append(Terminal.safe("  match  \(match.joined(separator: ", "))")) }
        // Headline, block and cause are escaped already (escaping goes character by character).
        out.append("  came   " + arrival.headline)
        out += arrival.block
        if let d = departure { out.append("  went   " + d.headline + "  (" + d.cause + ")") }
        return out
    }
}
