import ArgumentParser
import PkgtrailCore
import PkgtrailStore
import PkgtrailSystem

/// Values a shell completes from the local log when TAB is pressed: package
/// names for `who`/`exposure`, environment prefixes for `--env`. Read-only,
/// from the projections (no body decoded); the log named by `--db` on the
/// line, else the default one. Any problem completes nothing: a TAB never
/// prints an error into the line being typed.
enum LogCompletions {
    static let packageNames = CompletionKind.custom { words, _, prefix in
        names(words) { try $0.packageNames().sorted() }.filter { $0.hasPrefix(prefix.lowercased()) }
    }

    static let environments = CompletionKind.custom { words, _, prefix in
        names(words) { store in
            Array(Set(try store.someEnvironments(limit: 1_000).map(\.prefix))).sorted()
        }.filter { $0.hasPrefix(prefix) }
    }

    static func names(_ words: [String], _ read: (TrailStore) throws -> [String]) -> [String] {
        let env = ProcessEnvironment.current()
        let db = words.firstIndex(of: "--db").flatMap { i in i + 1 < words.count ? words[i + 1] : nil }
        let path = db ?? env.databasePath
        guard FileSystem.exists(path), let store = try? TrailStore.openForReading(path: path) else { return [] }
        return (try? read(store)) ?? []
    }
}
