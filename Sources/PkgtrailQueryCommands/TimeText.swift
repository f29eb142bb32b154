import ArgumentParser
import Foundation
import PkgtrailCore
import PkgtrailStore

/// Times for people: UTC by default (`2026-03-24 10:45:03Z`), the local
/// zone with its offset under `--local`.
public struct TimeText {
    let local: Bool
    /// Built once: a listing shows hundreds of times.
    private let formatter: DateFormatter?

    init(local: Bool) {
        self.local = local
        guard local else {
            formatter = nil
            return
        }
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
