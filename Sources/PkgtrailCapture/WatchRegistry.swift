import PkgtrailCore
import PkgtrailSystem

#if canImport(Glibc)
    import Glibc
#endif

/// Which inotify watch stands for what. One directory can play several
/// parts (a discovery directory that is also the parent a missing site
/// directory waits in), and the kernel gives a directory one watch however
/// often it is added, so a watch is dropped only when its last part goes.
final class WatchRegistry {
    enum Role: Hashable {
        /// A site directory of the environment at this prefix.
        case site(prefix: String)
        /// The nearest existing ancestor of a site directory that does not
        /// exist (yet, or any more): anything created here may bring it back.
        case awaiting(prefix: String)
        /// A directory below a `--discover` root, this many levels down.
        case discovery(depth: Int)
        /// The directory that holds the log (new environments appear in it).
        case log
    }

    let inotify: Inotify
    private(set) var roles: [Int32: Set<Role>] = [:]
    private var paths: [Int32: String] = [:]
    /// Why the last watch could not be added (ENOSPC: raise fs.inotify.max_user_watches).
    private(set) var lastFailure: SystemError?

    init() throws { inotify = try Inotify() }

    func path(of wd: Int32) -> String? { paths[wd] }

    @discardableResult
    func add(_ path: String, _ role: Role) -> Bool {
        switch inotify.watch(path, mask: role == .log ? Inotify.writes : Inotify.entryChanges) {
        case .success(let wd):
            roles[wd, default: []].insert(role)
            paths[wd] = path
            return true
        case .failure(let e):
            if e.code != ENOENT && e.code != ENOTDIR { lastFailure = e }
            return false
        }
    }

    /// Drops every part a role plays (an environment's site and awaiting watches).
    func removeEverywhere(_ role: Role) {
        for (wd, set) in roles where set.contains(role) {
            roles[wd]?.remove(role)
            if roles[wd]?.isEmpty == true { forget(wd, unwatch: true) }
        }
    }

    /// The kernel removed this watch (IN_IGNORED): its directory is gone.
    func lost(_ wd: Int32) -> Set<Role> {
        let had = roles[wd] ?? []
        forget(wd, unwatch: false)
        return had
    }

    private func forget(_ wd: Int32, unwatch: Bool) {
        if unwatch { inotify.unwatch(wd) }
        roles[wd] = nil
        paths[wd] = nil
    }
}
