import PkgtrailCore
import PkgtrailSystem

/// `block_new_startup_hooks`: an install that adds or changes an executable
/// `.pth` file nobody vouches for (not in `KnownStartupHooks`, not in the
/// policy's `known_startup_hooks`) is recorded as it happened, each such
/// file is named on stderr, and the command exits 1 instead of 0.
///
/// The file is left in place, on purpose: it already runs at every Python
/// start, and taking it out would need Python (`pip uninstall` starts the
/// interpreter that runs it) or would leave a package whose files no longer
/// match its RECORD, which the log would then report as drift. What pkgtrail
/// can do honestly is stop the pipeline (CI, a provisioning script) and
/// say exactly what to review.
enum UnknownStartupHooks {
    static func check(_ found: ToolFindings, policy: Policy) -> [StartupHook] {
        // The event's own hooks are those no change owns: both lists together.
        let all = found.hooks + found.changes.flatMap(\.startupHooks)
        var seen: Set<String> = []
        let unknown = all.filter { h in
            seen.insert(h.path).inserted && h.status != .removed && h.executableImport
                && KnownStartupHooks.known(h, also: policy.knownStartupHooks) == nil
        }
        for hook in unknown {
            let owner = found.changes.first { c in c.startupHooks.contains { $0.path == hook.path } }
            let from = owner.map { c in " from \(c.name) \(c.toVersion ?? "")" } ?? ""
            Console.error(
                "UNKNOWN STARTUP HOOK\(from): \(hook.path) (sha256 \(hook.sha256 ?? "unreadable")) runs at every "
                    + "Python start; left in place, exit status 1 (block_new_startup_hooks): review it, then "
                    + "uninstall\(owner.map { " " + $0.name } ?? " its package") or vouch for it in known_startup_hooks"
            )
        }
        return unknown
    }
}
