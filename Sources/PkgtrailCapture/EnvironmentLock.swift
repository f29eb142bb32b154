import PkgtrailCore
import PkgtrailSystem

#if canImport(Glibc)
    import Glibc
#endif

/// One recorded command per environment at a time.
///
/// An event's changes are the difference between the snapshots taken before
/// and after its tool ran. Two recorded installs into the same environment at
/// once would each see the other's packages appear and claim them, and the
/// second's drift check would find the first's changes before its event was
/// logged: the same change recorded twice. So the recorder holds an advisory
/// `flock` on the environment's directory itself from the before-snapshot
/// until its event is persisted. Locking the directory creates no file in
/// the environment, is shared by every user who can open it, and is released
/// by the kernel if the recorder dies. pip itself does not lock an
/// environment (uv does), so concurrent pip installs into one environment
/// were racing each other anyway.
public final class EnvironmentLock {
    private var fd: Int32

    private init(fd: Int32) { self.fd = fd }

    /// Blocks until `prefix` is free; nil when there is no such directory yet
    /// (the command creates it) or it cannot be opened. Says once on stderr
    /// when it has waited `noticeAfter` seconds, so a wait behind an
    /// unanswered prompt is never a silent hang.
    public static func acquire(prefix: String, noticeAfter: Double = 5) -> EnvironmentLock? {
        var waited = 0.0
        var delay = 0.005
        var noticed = false
        while true {
            switch attempt(prefix: prefix) {
            case .acquired(let lock): return lock
            case .unavailable: return nil
            case .busy:
                if !noticed, waited >= noticeAfter {
                    Console.note("waiting for another recorded command in \(prefix) to finish")
                    noticed = true
                }
                usleep(useconds_t(delay * 1_000_000))
                waited += delay
                delay = min(delay * 2, 0.1)
            }
        }
    }

    public enum Attempt {
        case acquired(EnvironmentLock)
        /// A recorded command holds it: try again later.
        case busy
        /// No such directory, or it cannot be opened: nothing to lock.
        case unavailable
    }

    /// Takes the lock only if it is free now (the watcher must not stall
    /// every other environment behind one long install).
    public static func attempt(prefix: String) -> Attempt {
        guard prefix.hasPrefix("/") else { return .unavailable }
        let fd = open(prefix, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return .unavailable }
        if flock(fd, LOCK_EX | LOCK_NB) == 0 { return .acquired(EnvironmentLock(fd: fd)) }
        let busy = errno == EWOULDBLOCK || errno == EINTR
        close(fd)
        return busy ? .busy : .unavailable
    }

    public func release() {
        guard fd >= 0 else { return }
        close(fd)
        fd = -1
    }

    deinit { release() }
}
