import ArgumentParser
import PkgtrailAdvisories
import PkgtrailCommandLine
import PkgtrailCore
import PkgtrailSystem

/// Where the advisory store is: `--advisories`, else `PKGTRAIL_ADVISORIES`,
/// else `advisories.db` beside the (local) log.
public struct AdvisoryLocation: ParsableArguments {
    @Option(help: "The advisory store (default: $PKGTRAIL_ADVISORIES, else advisories.db beside the log).")
    public var advisories: String?

    public init() {}

    public func path(log: String?) -> String {
        advisories ?? AdvisoryDenyIndex.defaultPath(env: ProcessEnvironment.current(), log: log)
    }
}

public struct AuditCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Every window, in the whole history, in which an environment held a version a known advisory names.",
        discussion: """
            Advisories come from `pkgtrail advisories import` (OSV's PyPI data, MAL- entries included). \\
            Malicious-package findings come first, then by severity, then the newest arrival. A version removed \\
            long ago is still found: what it could read then may be stolen now. Exit 1 when anything \\
            was found (present or not), 0 when nothing, 2 when the check could not be made.
            """)

    @OptionGroup var source: QuerySource
    @OptionGroup var store: AdvisoryLocation
    @Option(help: "Only windows that reached this time (RFC 3339, date, or span such as 30d).")
    var since: String?
    @Option(help: "Only advisories imported or changed since this time: a daily job's news.")
    var newSince: String?
    @Flag(help: "Only malicious-package advisories (MAL-).")
    var maliciousOnly = false
    @Option(help: "Only this host's environments.")
    var host: String?
    @Option(help: "Only the environment with this prefix.", completion: LogCompletions.environments)
    var env: String?
    @OptionGroup var time: TimeOption
    @OptionGroup var colour: ColourOptions
    @Flag(help: "Print a JSON array of findings.")
    var json = false

    public init() {}

    public func run() throws {
        colour.resolve()
        var options = AdvisoryAudit.Options()
        options.scope.since = try since.map { try timeArgument($0, "--since") }
        options.newSince = try newSince.map { try timeArgument($0, "--new-since") }
        options.maliciousOnly = maliciousOnly
        options.scope.host = host
        options.scope.prefixes = env.map(EnvironmentOptions.spellings)
        let advisories: AdvisoryStore
        do { advisories = try AdvisoryStore.openForReading(path: store.path(log: source.location.db)) } catch {
            throw fail("\(error)")
        }
        let audit = AdvisoryAudit(queries: try LogAccess(source).openQueries(quiet: json), store: advisories)
        do {
            let hits = try audit.hits(options)
            // The process exits once they are printed: a hundred thousand
            // windows are left for the exit to free at once, not one by one.
            Memory.keepUntilExit(hits)
            let progress = Progress(
                "auditing", unit: "findings", total: Int64(hits.count), silent: json, streamsOutput: true)
            var done: Int64 = 0
            Memory.keepFreedBuffers()
            if json {
                try AuditJSON.print(hits, audit)
            } else {
                try AuditAnswer.write(hits, audit, as: AuditText(local: time.local)) { text, findings in
                    StandardOutput.write(bytes: text)
                    done += Int64(findings)
                    progress.update(done)
                }
                progress.finish()
                summary(hits)
            }
            if !hits.isEmpty { throw ExitCode(ExitStatus.verdict) }
        } catch let e as ExitCode {
            throw e
        } catch {
            throw fail("\(error)")
        }
    }

    func summary(_ hits: [AdvisoryAudit.Hit]) {
        let malicious = hits.filter(\.malicious).count
        emit(
            hits.isEmpty
                ? "nothing found: no recorded environment ever held a version a stored advisory names"
                : "\(hits.count) finding\(hits.count == 1 ? "" : "s") (\(malicious) malicious) in "
                    + "\(Set(hits.map { "\($0.window.host)\u{0}\($0.window.prefix)" }).count) environment(s)")
    }
}
