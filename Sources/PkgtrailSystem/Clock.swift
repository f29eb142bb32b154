import PkgtrailCore

#if canImport(Glibc)
    import Glibc
#endif

public enum Clock {
    public static func nowMilliseconds() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }

    /// Nanoseconds on a clock that never jumps (phase traces).
    public static func monotonicNanoseconds() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }

    /// Seconds on the same clock (timeouts, debouncing).
    public static func monotonic() -> Double { Double(monotonicNanoseconds()) / 1e9 }

    public static func now() -> String { Timestamp.format(millisecondsSinceEpoch: nowMilliseconds()) }

    /// A time-ordered (version 7, RFC 9562) UUID, lowercase: 48 bits of
    /// Unix milliseconds, then 74 random bits. Ids in time order keep the
    /// log's unique id index appending at its end instead of at random pages.
    public static func uuid() -> String {
        // Two 8-byte draws: a draw per byte cost 16 getrandom(2) calls.
        var g = SystemRandomNumberGenerator()
        let (hi, lo) = (g.next() as UInt64, g.next() as UInt64)
        var b = (0..<16).map { i in UInt8(truncatingIfNeeded: (i < 8 ? hi : lo) >> (8 * UInt64(i % 8))) }
        let ms = UInt64(max(0, nowMilliseconds()))
        for i in 0..<6 { b[i] = UInt8(truncatingIfNeeded: ms >> (40 - 8 * UInt64(i))) }
        b[6] = b[6] & 0x0F | 0x70
        b[8] = b[8] & 0x3F | 0x80
        let hex = Array(Hex.encode(b).utf8)
        var text: [UInt8] = []
        for (i, c) in hex.enumerated() {
            if i == 8 || i == 12 || i == 16 || i == 20 { text.append(UInt8(ascii: "-")) }
            text.append(c)
        }
        return String(decoding: text, as: UTF8.self)
    }
}
