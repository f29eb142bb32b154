import ArgumentParser
import PkgtrailCapture
import PkgtrailCommandLine
import PkgtrailCore
import PkgtrailStore
import PkgtrailSystem

public struct LogCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "log", abstract: "List recorded events, one line each, newest last.",
        discussion: "--since keeps events that finished at or after the time; --until, those that started before it.")

    @OptionGroup var source: QuerySource
    @OptionGroup var narrowing: NarrowingOptions
    @Option(help: "Only events that changed this package (name normalized as in PEP 503).")
    var package: String?
    @Option(help: "Only events run by this user.")
    var user: String?
    @Option(help: "Only events recorded from this tool (pip, uv, uvx).")
    var tool: String?
    @Option(help: "Only events of this kind: install (a recorded command) or drift (found by a snapshot).")
    var kind: String?
    @OptionGroup var time: TimeOption
    @OptionGroup var pager: PagerOptions
    @OptionGroup var colour: ColourOptions
    @Flag(help: "Print a JSON array of event bodies, each with its hash.")
    var json = false

    public func validate() throws {
        if let kind, Event.Kind(rawValue: kind) == nil { throw ValidationError("--kind \(kind): use install or drift") }
    }

    public init() {}

    public func run() throws {
        colour.resolve()
        pager.start()
        let ctx = LogAccess(source)
        var filter = try narrowing.filter()
        filter.package = package
        filter.user = user
        filter.tool = tool
        filter.kind = kind
        let store = try ctx.openQueries(quiet: json)
        do {
            if json {
                // Bodies as stored: nothing to decode.
                var printer = JSONArrayPrinter()
                try store.eachStored(filter) { r in
                    printer.add(json: Array(jsonWithHash(body: r.body, hash: r.hash).utf8))
                }
                printer.finish()
            } else {
                let clock = time.localClock
                try store.eachEvent(filter) { emit(EventText.line($0.event, local: clock)) }
            }
        } catch { throw fail("\(error)") }
    }
}

func timeArgument(_ text: String, _ option: String) throws -> String {
    guard let ms = Timestamp.parseArgument(text, nowMilliseconds: Clock.nowMilliseconds()) else {
        throw ValidationError(
            "\(option) \(text): use an RFC 3339 time (2026-03-24T10:45:00Z), a date (2026-03-24) or a span (2h, 7d)")
    }
    return Timestamp.format(millisecondsSinceEpoch: ms)
}
