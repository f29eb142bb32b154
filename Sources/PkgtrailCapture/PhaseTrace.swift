import PkgtrailSystem

#if canImport(Glibc)
    import Glibc
#endif

/// `PKGTRAIL_TRACE_PHASES=FILE`: the recorder appends one line per phase of
/// a recorded command (`phase<TAB>CLOCK_MONOTONIC ns`) to FILE, so that a
/// benchmark can say where each millisecond of the overhead goes (issue 11:
/// process start, snapshots, log open, append, fsync, close). Python's
/// `time.monotonic_ns()` reads the same clock, so the caller can place the
/// process start and its own view of the exit on the same line.
///
/// Read with `getenv` before anything else: the path is never stored or
/// logged, and unset costs one lookup.
enum PhaseTrace {
    nonisolated(unsafe) private static var fd: Int32 = {
        guard let path = getenv("PKGTRAIL_TRACE_PHASES"), path.pointee != 0 else { return -1 }
        return open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
    }()

    static func mark(_ phase: StaticString) {
        guard fd >= 0 else { return }
        var line = Array("\(phase)\t\(Clock.monotonicNanoseconds())\n".utf8)
        _ = line.withUnsafeMutableBytes { write(fd, $0.baseAddress, $0.count) }
    }
}
