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

    /// Opens the log for reading after appending anything waiting in the
    /// spool. A log written by an older pkgtrail has its query tables
    /// upgraded first (once), as the next recorded install would; where that
    /// cannot be done (a read-only copy, a writer holding the lock past the
    /// busy timeout), only `verify` (`olderSchemaAllowed`)
    /// reads it as it is: its chain and triggers need no upgrade.
    func openLog(olderSchemaAllowed: Bool = false) throws -> TrailStore {
        sink.flushSpool()
        do {
            var reader: TrailStore? = try TrailStore.openForReading(path: databasePath)
            if let current = reader, try current.hasCurrentSchema() { return current }
            // Closed before the upgrade: the writer's close then checkpoints
            // and removes the WAL, which a reader left open would keep.
            reader = nil
            Console.note("upgrading the query tables of \(databasePath) for this pkgtrail (once; up to half a minute per million events)")
            do {
                _ = try TrailStore.openForWriting(path: databasePath)
            } catch where olderSchemaAllowed {
                return try TrailStore.openForReading(path: databasePath)
            } catch {
                throw Failure("\(databasePath) was written by an older pkgtrail and cannot be upgraded here (\(error)): "
                              + "open it once with write access (`pkgtrail verify --db \(databasePath)`)")
            }
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
        return [trimmed] + (FileSystem.realpath(trimmed).map { [$0] } ?? [])
    }

    func resolve(_ store: TrailStore, _ ctx: Context) throws -> EnvironmentKey {
        guard let path = env ?? ctx.env.nonEmpty("VIRTUAL_ENV") else {
            let all = try store.someEnvironments(limit: 2)
            guard all.count == 1 else {
                throw fail(all.isEmpty ? "the log holds no environment yet"
                           : "the log holds several environments: name one with --env PATH (`pkgtrail log` shows them)")
            }
            return all[0]
        }
        let here = ActorProbe.hostname()
        for p in Self.spellings(path) {
            if let host {
                if try store.hasEnvironment(EnvironmentKey(host: host, prefix: p)) { return EnvironmentKey(host: host, prefix: p) }
                continue
            }
            if try store.hasEnvironment(EnvironmentKey(host: here, prefix: p)) { return EnvironmentKey(host: here, prefix: p) }
            let hosts = try store.hosts(prefix: p, limit: 4)
            if hosts.count == 1 { return EnvironmentKey(host: hosts[0], prefix: p) }
            if hosts.count > 1 {
                throw fail("\(Terminal.safe(p)) is recorded on several hosts (\(hosts.prefix(3).map(Terminal.safe).joined(separator: ", "))\(hosts.count > 3 ? ", …" : "")): add --host")
            }
        }
        throw fail("nothing is recorded for \(Terminal.safe(path))\(host.map { " on \(Terminal.safe($0))" } ?? ""): `pkgtrail log` lists the environments")
    }
}

/// Prints the one-line error and exits with 2 ("could not do its job").
func fail(_ message: String) -> ExitCode {
    Console.error(message)
    return ExitCode(ExitStatus.failed)
}

func emit(_ line: String, terminator: String = "\n") {
    StandardOutput.write(line + terminator)
}

/// Prints JSON text for a terminal or a pipe: C1 controls and DEL escaped
/// (ControlCharacters.escapedInJSON), the same value either way.
func emitJSON(_ json: [UInt8], terminator: String = "\n") {
    emit(String(decoding: ControlCharacters.escapedInJSON(json), as: UTF8.self), terminator: terminator)
}

/// The body with its hash added: what `--json` prints for an event.
func jsonWithHash(body: [UInt8], hash: [UInt8]) -> String {
    var text = String(decoding: body, as: UTF8.self)
    text.removeLast()
    return text + ",\"hash\":\"\(Hex.encode(hash))\"}"
}
