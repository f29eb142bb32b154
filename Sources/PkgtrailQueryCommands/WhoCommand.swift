import ArgumentParser
import PkgtrailCommandLine
import PkgtrailCore
import PkgtrailStore

public struct WhoCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "who",
        abstract: "Every change that touched matching versions: when, who, where, how, which artifact.",
        discussion: "NAME[SPEC] takes PEP 440 specifiers: litellm, litellm==1.82.8, 'litellm>=1.82.7,<1.82.9'.")

    @OptionGroup var source: QuerySource
    @Argument(help: "A package name with optional PEP 440 specifiers.", completion: LogCompletions.packageNames)
    var package: String
    @OptionGroup var time: TimeOption
    @OptionGroup var pager: PagerOptions
    @OptionGroup var colour: ColourOptions
    @Flag(help: "Print a JSON array of change records.")
    var json = false

    public init() {}

    public func run() throws {
        colour.resolve()
        pager.start()
        let query: PackageQuery
        do { query = try PackageQuery(package) } catch { throw ValidationError("\(error)") }
        let store = try LogAccess(source).openQueries()
        let records: [ChangeRecord]
        do { records = try store.who(query) } catch { throw fail("\(error)") }
        if json { return try RecordJSON.emitArray(records.map(RecordJSON.change)) }
        let clock = time.clock
        for r in records {
            emit(RecordText.headline(r, clock: clock))
            for line in RecordText.block(r, clock: clock) { emit(line) }
        }
        emit(
            records.isEmpty
                ? "no recorded change touched \(Terminal.safe(query.description))"
                : "\(records.count) change\(records.count == 1 ? "" : "s") touched \(Terminal.safe(query.description))")
    }
}
