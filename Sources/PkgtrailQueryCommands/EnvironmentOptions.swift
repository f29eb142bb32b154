import ArgumentParser
import Foundation
import PkgtrailCapture
import PkgtrailCommandLine
import PkgtrailCore
import PkgtrailStore
import PkgtrailSystem

/// How commands that look at one environment name it: `--env PATH`
/// (default: the active virtualenv, else the only environment recorded)
/// and `--host` when the same path is recorded on several hosts.
struct EnvironmentOptions: ParsableArguments {
    @Option(
        help: "The environment's prefix (default: $VIRTUAL_ENV, else the only one recorded).",
        completion: LogCompletions.environments)
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

    func resolve(_ store: any TrailQueries, _ ctx: LogAccess) throws -> EnvironmentKey {
        guard let path = env ?? ctx.env.nonEmpty("VIRTUAL_ENV") else {
            let all = try store.someEnvironments(limit: 2)
            guard all.count == 1 else {
                throw fail(
                    all.isEmpty
                        ? "the log holds no environment yet"
                        : "the log holds several environments: name one with --env PATH (`pkgtrail log` shows them)")
            }
            return all[0]
        }
        let here = ActorProbe.hostname()
        for p in Self.spellings(path) {
            if let host {
                if try store.hasEnvironment(EnvironmentKey(host: host, prefix: p)) {
                    return EnvironmentKey(host: host, prefix: p)
                }
                continue
            }
            if try store.hasEnvironment(EnvironmentKey(host: here, prefix: p)) {
                return EnvironmentKey(host: here, prefix: p)
            }
            let hosts = try store.hosts(prefix: p, limit: 4)
            if hosts.count == 1 { return EnvironmentKey(host: hosts[0], prefix: p) }
            if hosts.count > 1 {
                let some = hosts.prefix(3).map(Terminal.safe).joined(separator: ", ") + (hosts.count > 3 ? ", …" : "")
                throw fail("\(Terminal.safe(p)) is recorded on several hosts (\(some)): add --host")
            }
        }
        throw fail(
            "nothing is recorded for \(Terminal.safe(path))\(host.map { " on \(Terminal.safe($0))" } ?? ""): "
                + "`pkgtrail log` lists the environments"
        )
    }
}
