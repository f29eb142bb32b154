#if canImport(Glibc)
    import Glibc
#endif

public enum Poll {
    /// Sleeps until one of `fds` is readable or `timeout` seconds pass (nil:
    /// no timeout); the readable ones.
    public static func readable(_ fds: [Int32], timeout: Double?) -> Set<Int32> {
        var set = fds.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
        let ms = timeout.map { Int32(min(max($0 * 1000, 0).rounded(.up), Double(Int32.max))) } ?? -1
        let n = poll(&set, nfds_t(set.count), ms)
        guard n > 0 else { return [] }
        return Set(set.filter { $0.revents != 0 }.map(\.fd))
    }
}
