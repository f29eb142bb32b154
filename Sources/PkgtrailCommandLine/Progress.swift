import PkgtrailCore
import PkgtrailSystem

#if canImport(Glibc)
    import Glibc
#endif

/// A count and a rate on stderr, redrawn in place, for work that can take
/// more than a second (`verify`, `audit`, `advisories import`): shown only
/// when stderr is a terminal and the command is not printing `--json`,
/// never in pipes or CI logs. `PKGTRAIL_PROGRESS=always|never` overrides
/// (as git's `--progress`), and `PKGTRAIL_PROGRESS_INTERVAL_MS` sets how
/// often it redraws (default 100 ms; the first draw waits as long, so quick
/// work shows nothing). Updating costs a counter and, every 100 ms, one line.
public final class Progress {
    let label: String
    let unit: String
    /// nil: counted without a known end; can be learnt on the way.
    public var total: Int64?
    let enabled: Bool
    let interval: Int64
    let started = Clock.monotonicNanoseconds()
    var lastDraw: Int64
    var drawn = false

    /// `silent`: the command prints `--json` (or nothing at all). `streamsOutput`:
    /// it prints its answer as it goes, which on a terminal is progress
    /// enough (the line would only get in its way).
    public init(_ label: String, unit: String, total: Int64?, silent: Bool = false, streamsOutput: Bool = false) {
        self.label = label
        self.unit = unit
        self.total = total
        let choice = Terminal.variable("PKGTRAIL_PROGRESS")
        enabled =
            choice == "always"
            || (choice != "never" && !silent && isatty(STDERR_FILENO) == 1
                && !(streamsOutput && isatty(STDOUT_FILENO) == 1))
        let ms = Terminal.variable("PKGTRAIL_PROGRESS_INTERVAL_MS").flatMap { Int64($0) } ?? 100
        interval = max(0, ms) * 1_000_000
        lastDraw = started
    }

    /// `done` so far; redraws when the interval has passed.
    public func update(_ done: Int64) {
        guard enabled else { return }
        let now = Clock.monotonicNanoseconds()
        guard now - lastDraw >= interval else { return }
        lastDraw = now
        draw(done, now: now)
    }

    /// For work with nothing to count (a one-time upgrade's SQL): that it is
    /// still working, and for how long; redraws when the interval has passed.
    public func working() {
        guard enabled else { return }
        let now = Clock.monotonicNanoseconds()
        guard now - lastDraw >= interval else { return }
        lastDraw = now
        write("\r\(label): \(Int((now - started) / 1_000_000_000)) s\u{1B}[K")
        drawn = true
    }

    /// Erases the line, so that what follows starts on a clean one.
    public func finish() {
        guard enabled, drawn else { return }
        write("\r\u{1B}[K")
    }

    func draw(_ done: Int64, now: Int64) {
        let seconds = Double(now - started) / 1e9
        let rate = seconds > 0 ? Int64(Double(done) / seconds) : 0
        var text = "\(label): \(Self.grouped(done))"
        if let total, total > 0 {
            text += " / \(Self.grouped(total)) \(unit) (\(min(100, done * 100 / total))%)"
        } else {
            text += " \(unit)"
        }
        text += ", \(Self.grouped(rate)) \(unit)/s"
        write("\r" + text + "\u{1B}[K")
        drawn = true
    }

    func write(_ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { Glibc.write(STDERR_FILENO, $0.baseAddress, $0.count) }
    }

    /// 1234567 → "1,234,567".
    static func grouped(_ n: Int64) -> String {
        let digits = String(n.magnitude)
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return (n < 0 ? "-" : "") + out
    }
}
