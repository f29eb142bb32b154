/// RFC 3339 UTC timestamps with milliseconds (`2026-03-24T10:45:00.123Z`),
/// computed from milliseconds since the Unix epoch with integer arithmetic
/// only (Howard Hinnant's civil-date algorithms): no locale, no calendar, no
/// floating point can change how a time is written into a body.
public enum Timestamp {
    public static func format(millisecondsSinceEpoch ms: Int64) -> String {
        let days = floorDiv(ms, 86_400_000)
        let msOfDay = ms - days * 86_400_000
        let (y, m, d) = civil(fromDays: days)
        let h = msOfDay / 3_600_000
        let mi = msOfDay / 60_000 % 60
        let s = msOfDay / 1000 % 60
        let milli = msOfDay % 1000
        return "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))T\(pad(h, 2)):\(pad(mi, 2)):\(pad(s, 2)).\(pad(milli, 3))Z"
    }

    /// Parses RFC 3339 (`Z` or `±hh:mm` offset, optional fraction) or a bare
    /// date (`2026-03-24`, midnight UTC). Returns milliseconds since the epoch.
    public static func parse(_ text: String) -> Int64? {
        let u = Array(text.utf8)
        func num(_ from: Int, _ len: Int) -> Int64? {
            guard from + len <= u.count else { return nil }
            var n: Int64 = 0
            for b in u[from..<from + len] {
                guard (0x30...0x39).contains(b) else { return nil }
                n = n * 10 + Int64(b - 0x30)
            }
            return n
        }
        guard u.count >= 10, u[4] == 0x2D, u[7] == 0x2D, let y = num(0, 4), let mo = num(5, 2), let d = num(8, 2),
            (1...12).contains(mo), (1...daysIn(month: mo, year: y)).contains(d)
        else { return nil }
        let dayMs = days(fromCivil: y, mo, d) * 86_400_000
        if u.count == 10 { return dayMs }
        guard u.count >= 20, u[10] == 0x54 || u[10] == 0x74 || u[10] == 0x20, u[13] == 0x3A, u[16] == 0x3A,
            let h = num(11, 2), let mi = num(14, 2), let s = num(17, 2), h < 24, mi < 60, s < 61
        else { return nil }
        var i = 19
        var milli: Int64 = 0
        if u[i] == 0x2E {
            i += 1
            let start = i
            while i < u.count, (0x30...0x39).contains(u[i]) { i += 1 }
            guard i > start else { return nil }
            let digits = Array(u[start..<min(i, start + 3)]) + Array(repeating: 0x30, count: max(0, 3 - (i - start)))
            milli = digits.reduce(0) { $0 * 10 + Int64($1 - 0x30) }
        }
        guard i < u.count else { return nil }
        var offset: Int64 = 0
        if u[i] == 0x5A || u[i] == 0x7A {
            i += 1
        } else if u[i] == 0x2B || u[i] == 0x2D {
            guard i + 6 == u.count, u[i + 3] == 0x3A, let oh = num(i + 1, 2), let om = num(i + 4, 2) else { return nil }
            offset = (oh * 60 + om) * 60_000 * (u[i] == 0x2B ? 1 : -1)
            i += 6
        } else {
            return nil
        }
        guard i == u.count else { return nil }
        return dayMs + ((h * 60 + mi) * 60 + s) * 1000 + milli - offset
    }

    private static func pad(_ n: Int64, _ width: Int) -> String {
        let s = String(n)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }

    private static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 { a >= 0 ? a / b : (a - b + 1) / b }

    private static func civil(fromDays z0: Int64) -> (Int64, Int64, Int64) {
        let z = z0 + 719_468
        let era = floorDiv(z, 146_097)
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    private static func days(fromCivil y0: Int64, _ m: Int64, _ d: Int64) -> Int64 {
        let y = m <= 2 ? y0 - 1 : y0
        let era = floorDiv(y, 400)
        let yoe = y - era * 400
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    private static func daysIn(month m: Int64, year y: Int64) -> Int64 {
        switch m {
        case 2: return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}

extension Timestamp {
    /// A time argument as users type it: RFC 3339, a date, or a span back
    /// from `now` (`90s`, `30m`, `2h`, `7d`, `2w`).
    public static func parseArgument(_ text: String, nowMilliseconds now: Int64) -> Int64? {
        if let t = parse(text) { return t }
        guard let unit = text.last, let n = Int64(text.dropLast()), n >= 0 else { return nil }
        let ms: Int64
        switch unit {
        case "s": ms = 1000
        case "m": ms = 60_000
        case "h": ms = 3_600_000
        case "d": ms = 86_400_000
        case "w": ms = 604_800_000
        default: return nil
        }
        return now - n * ms
    }
}
