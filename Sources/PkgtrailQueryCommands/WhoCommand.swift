import ArgumentParser
import PkgtrailCommandLine
import PkgtrailCore
import PkgtrailStore

public struct WhoCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "who",
        abstract: "Every change that touched matching versions: when, who, where, how, which artifact.",
        discussion: """
            NAME[SPEC] takes PEP 440 specifiers: litellm, litellm==1.82.8, 'litellm>=1.82.7,<1.82.9'. \
            --since keeps changes by commands that finished at or after the time; --until, those that started \
            before it; --limit N the newest N.
            """)

    @OptionGroup var source: QuerySource
    @Argument(help: "A package name with optional PEP 440 specifiers.", completion: LogCompletions.packageNames)
    var package: String
    @OptionGroup var narrowing: NarrowingOptions
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
        let store = try LogAccess(source).openQueries(quiet: json)
        let filter = try narrowing.filter(extra: 1)
        var records: [ChangeRecord]
        do { records = try store.who(query, filter) } catch { throw fail("\(error)") }
        let more = narrowing.limit.map { records.count > $0 } ?? false
        if more { records.removeFirst() }
        if json { return RecordJSON.emitArray(try records.map(RecordJSON.change)) }
        let clock = time.clock
        for r in records {
            emit(RecordText.headline(r, clock: clock))
            for line in RecordText.block(r, clock: clock) { emit(line) }
        }
        emit(
            records.isEmpty
                ? "no recorded change touched \(Terminal.safe(query.description))\(narrowing.within)"
                : "\(records.count) change\(records.count == 1 ? "" : "s") touched \(Terminal.safe(query.description))"
                    + narrowing.note(shown: records.count, more: more))
    }
}
