import ArgumentParser
import PkgtrailCore

/// How `log`, `who` and `exposure` narrow a large answer, as `git log`
/// does: a time range, a host, an environment, the newest N. The engines
/// answer from their indexes, so narrowing a popular name's history costs
/// what a rare name's does.
struct NarrowingOptions: ParsableArguments {
    @Option(help: "Only from this time on (RFC 3339, a date, or a span back from now such as 2h, 7d).")
    var since: String?
    @Option(help: "Only before this time.")
    var until: String?
    @Option(help: "Only on this host.")
    var host: String?
    @Option(help: "Only in the environment with this prefix.", completion: LogCompletions.environments)
    var env: String?
    @Option(name: [.customShort("n"), .long], help: "Only the newest N (still listed oldest first).")
    var limit: Int?

    func validate() throws {
        if let limit, limit < 1 { throw ValidationError("--limit \(limit): give a count of 1 or more") }
    }

    /// The filter these options make; `extra` more than the limit asks for,
    /// so a command can tell that more were left out.
    func filter(extra: Int = 0) throws -> EventFilter {
        EventFilter(
            since: try since.map { try timeArgument($0, "--since") },
            until: try until.map { try timeArgument($0, "--until") }, host: host,
            prefixes: env.map(EnvironmentOptions.spellings), limit: limit.map { $0 + extra })
    }

    /// The summary line's note on an empty answer that was narrowed.
    var within: String {
        let given = [("--since", since), ("--until", until), ("--host", host), ("--env", env)].filter { $0.1 != nil }
        return given.isEmpty ? "" : " within the " + given.map(\.0).joined(separator: ", ") + " given"
    }

    /// The summary line's note on a limited answer.
    func note(shown: Int, more: Bool) -> String {
        guard let limit, more else { return "" }
        return " (the newest \(min(shown, limit)): more are recorded; --limit \(limit) left them out)"
    }
}
