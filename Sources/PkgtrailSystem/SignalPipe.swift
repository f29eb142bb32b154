import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Signals as bytes on a pipe (the self-pipe trick), so a process that
/// sleeps in `poll` wakes for SIGTERM or SIGHUP exactly as it does for file
/// events, and handles them in its loop rather than inside a handler.
public enum SignalPipe {
    private static let writeEnd = Atomic<Int32>(-1)
    nonisolated(unsafe) private static var readEnd: Int32 = -1

    private static let handler: @convention(c) (Int32) -> Void = { sig in
        var byte = UInt8(truncatingIfNeeded: sig)
        let saved = errno
        _ = write(SignalPipe.writeEnd.load(ordering: .relaxed), &byte, 1)
        errno = saved
    }

    /// Routes `signals` to the pipe; its read end, for `poll`.
    public static func install(_ signals: [Int32]) throws -> Int32 {
        if readEnd < 0 {
            var fds: [Int32] = [-1, -1]
            guard pipe(&fds) == 0 else { throw SystemError(errno) }
            for fd in fds {
                _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
                _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            }
            readEnd = fds[0]
            writeEnd.store(fds[1], ordering: .relaxed)
        }
        for sig in signals {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = handler
            sigemptyset(&action.sa_mask)
            action.sa_flags = SA_RESTART
            guard sigaction(sig, &action, nil) == 0 else { throw SystemError(errno) }
        }
        return readEnd
    }

    /// The signals that arrived since the last call, in order.
    public static func received() -> [Int32] {
        var out: [Int32] = []
        var byte: UInt8 = 0
        while read(readEnd, &byte, 1) == 1 { out.append(Int32(byte)) }
        return out
    }
}
