import ArgumentParser
import Foundation
import PkgtrailCapture
import PkgtrailCore
import PkgtrailStore

/// What a command needs from the outside world, resolved once.
struct Context {
    let env: ProcessEnvironment
    let databasePath: String

    init(_ location: LogLocation) {
        env = ProcessEnvironment.current()
        databasePath = location.db ?? env.databasePath
    }

    var sink: EventSink { EventSink(databasePath: databasePath, stateDirectory: env.stateDirectory) }

    /// Opens the log for reading after appending anything waiting in the spool.
    func openLog() throws -> TrailStore {
        sink.flushSpool()
        do {
            return try TrailStore.openForReading(path: databasePath)
        } catch {
            throw fail("\(error)")
        }
    }
}

/// How commands that look at one environment name it: `--env PATH`
/// (default: the active virtualenv, else the only environment recorded)
/// and `--host` when the same path is recorded on several hosts.
struct EnvironmentOptions: ParsableArguments {
    @Option(help: "The environment's prefix (default: $VIRTUAL_ENV, else the only one recorded).")
    var env: String?
    @Option(help: "The host that holds it, when the log has the same path on several hosts (default: this host).")
    var host: String?

    /// A path as given (without trailing slashes) and with symlinks resolved:
    /// the log holds the prefix the recorder saw.
    static func spellings(_ path: String) -> [String] {
        var trimmed = path
        while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed.removeLast() }
        var out = [trimmed]
        if let real = realpath(trimmed, nil) {
            out.append(String(cString: real))
            free(real)
        }
        return out
    }

    func resolve(_ store: TrailStore, _ ctx: Context) throws -> EnvironmentKey {
        let path = env ?? ctx.env.nonEmpty("VIRTUAL_ENV")
        var prefixes: [String] = []
        if let path {
            prefixes = Self.spellings(path)
        } else {
            let all = try store.knownEnvironments().map(\.prefix)
            guard Set(all).count == 1 else {
                throw fail(all.isEmpty ? "the log holds no environment yet"
                           : "the log holds \(Set(all).count) environments: name one with --env PATH (`pkgtrail log` shows them)")
            }
            prefixes = [all[0]]
        }
        var keys: [EnvironmentKey] = []
        for p in prefixes where keys.isEmpty { keys = try store.environments(prefix: p) }
        if let host { keys = keys.filter { $0.host == host } }
        guard !keys.isEmpty else {
            throw fail("nothing is recorded for \(Terminal.safe(path ?? "?"))\(host.map { " on \(Terminal.safe($0))" } ?? ""): `pkgtrail log` lists the environments")
        }
        if keys.count == 1 { return keys[0] }
        let here = ActorProbe.hostname()
        if let mine = keys.first(where: { $0.host == here }) { return mine }
        throw fail("\(Terminal.safe(keys[0].prefix)) is recorded on several hosts (\(keys.map(\.host).map(Terminal.safe).joined(separator: ", "))): add --host")
    }
}

/// Prints the one-line error and exits with 2 ("could not do its job").
func fail(_ message: String) -> ExitCode {
    Console.error(message)
    return ExitCode(2)
}

func emit(_ line: String) {
    print(line)
}

extension StoredEvent {
    /// The body with its hash added: what `--json` prints for an event.
    var jsonWithHash: String {
        var body = String(decoding: self.body, as: UTF8.self)
        body.removeLast()
        return body + ",\"hash\":\"\(Hex.encode(hash))\"}"
    }
}
