import ArgumentParser
import PkgtrailCommandLine
import PkgtrailCore
import PkgtrailStore

public struct StateCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "state",
        abstract: "What an environment held at a moment, replayed from the log (drift included).")

    @OptionGroup var source: QuerySource
    @OptionGroup var environment: EnvironmentOptions
    @Option(help: "The moment (RFC 3339, date, or span such as 2h, 7d; default: now).")
    var at: String?
    @Flag(help: "Print name==version lines, like pip freeze.")
    var freeze = false
    @OptionGroup var time: TimeOption
    @OptionGroup var pager: PagerOptions
    @OptionGroup var colour: ColourOptions
    @Flag(help: "Print a JSON array of entries.")
    var json = false

    public init() {}

    public func run() throws {
        colour.resolve()
        pager.start()
        let moment = try at.map { try timeArgument($0, "--at") }
        let ctx = LogAccess(source)
        let store = try ctx.openQueries(quiet: json)
        let target = try environment.resolve(store, ctx)
        let entries: [Presence]
        do { entries = try store.state(of: target, at: moment) } catch { throw fail("\(error)") }
        if freeze {
            for p in entries { emit(Terminal.safe("\(p.name)==\(p.version)")) }
        } else if json {
            try RecordJSON.emitArray(entries.map(StateText.json))
        } else {
            let clock = time.clock
            emit(
                Terminal.safe(
                    "\(target.prefix) on \(target.host) at \(moment.map(clock.show) ?? "now"): \(entries.count) "
                        + "package\(entries.count == 1 ? "" : "s")"
                ))
            StateText.table(entries, clock: clock)
        }
    }
}
