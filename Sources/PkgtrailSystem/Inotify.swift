#if canImport(Glibc)
    import Glibc
#endif

/// Linux inotify(7): the kernel queues an event when a watched directory's
/// entries change, so a watcher sleeps in `poll` until something happens
/// (no polling loop, no wakeups while idle). What it does not say is which
/// process made the change; fanotify can, but needs CAP_SYS_ADMIN.
public final class Inotify {
    public struct Event: Sendable, Equatable {
        /// The watch the event came from; -1 for a queue overflow.
        public let watch: Int32
        public let mask: UInt32
        /// The entry's name inside the watched directory ("" for the directory itself).
        public let name: String

        public var isDirectory: Bool { mask & UInt32(IN_ISDIR) != 0 }
        /// The kernel dropped events: every watched place must be looked at again.
        public var overflowed: Bool { mask & UInt32(IN_Q_OVERFLOW) != 0 }
        /// The watch is gone (its directory was deleted or unmounted).
        public var watchRemoved: Bool { mask & UInt32(IN_IGNORED) != 0 }
        public func has(_ bits: UInt32) -> Bool { mask & bits != 0 }
    }

    /// Entries created, deleted, renamed in or out, or written and closed;
    /// the directory itself deleted or moved.
    public static let entryChanges =
        UInt32(IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_CLOSE_WRITE | IN_DELETE_SELF | IN_MOVE_SELF)
    /// Entries written to (a database file and its write-ahead log).
    public static let writes = UInt32(IN_MODIFY | IN_CREATE | IN_MOVED_TO)

    public let fd: Int32

    public init() throws {
        fd = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard fd >= 0 else { throw SystemError(errno) }
    }

    deinit { close(fd) }

    /// Watches a directory; the watch descriptor, or the errno (ENOENT,
    /// ENOSPC when `fs.inotify.max_user_watches` is reached). A directory
    /// has one watch: a second call adds to its mask (never replaces it).
    public func watch(_ path: String, mask: UInt32) -> Result<Int32, SystemError> {
        let wd = inotify_add_watch(fd, path, mask | UInt32(IN_ONLYDIR) | UInt32(IN_MASK_ADD))
        return wd >= 0 ? .success(wd) : .failure(SystemError(errno))
    }

    public func unwatch(_ wd: Int32) { inotify_rm_watch(fd, wd) }

    /// Every event queued now (none when the queue is empty).
    public func drain() -> [Event] {
        var out: [Event] = []
        let size = 64 * 1024
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 8)
        defer { buffer.deallocate() }
        while true {
            let n = read(fd, buffer, size)
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return out }
            var offset = 0
            let header = MemoryLayout<inotify_event>.size
            while offset + header <= n {
                let e = buffer.load(fromByteOffset: offset, as: inotify_event.self)
                let nameStart = buffer.advanced(by: offset + header).assumingMemoryBound(to: UInt8.self)
                let length = Int(e.len)
                var end = 0
                while end < length && nameStart[end] != 0 { end += 1 }
                let name = String(decoding: UnsafeBufferPointer(start: nameStart, count: end), as: UTF8.self)
                out.append(Event(watch: e.wd, mask: e.mask, name: name))
                offset += header + length
            }
        }
    }
}
