import PkgtrailCapture
import PkgtrailCore
import PkgtrailSystem

/// Which startup hooks are known: `KnownStartupHooks`, and the digests the
/// policy in force lists (read once; a policy that cannot be read adds none).
enum HookKnowledge {
    static let policyList: Set<String> = (try? PolicyFiles.load(env: .current()))?.knownStartupHooks ?? []

    static func known(_ h: StartupHook) -> String? { KnownStartupHooks.known(h, also: policyList) }

    /// Hooks that run code at every Python start and are not known: what the loud marks are for.
    static func unknownExecutable(_ e: Event) -> Bool {
        (e.startupHooks + e.changes.flatMap(\.startupHooks)).contains { $0.executableImport && known($0) == nil }
    }

    static func anyExecutable(_ e: Event) -> Bool {
        (e.startupHooks + e.changes.flatMap(\.startupHooks)).contains { $0.executableImport }
    }
}
