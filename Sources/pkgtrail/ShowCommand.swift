import ArgumentParser
import PkgtrailCommandLine
import PkgtrailCore
import PkgtrailQueryCommands
import PkgtrailStore

struct ShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show one event in full.")

    @OptionGroup var location: LogLocation
    @Argument(help: "The event's seq number or id (UUID).")
    var event: String
    @OptionGroup var time: TimeOption
    @OptionGroup var pager: PagerOptions
    @OptionGroup var colour: ColourOptions
    @Flag(help: "Print the event body as stored, with its hash.")
    var json = false

    func run() throws {
        colour.resolve()
        pager.start()
        let store = try LogAccess(location).openLog(quiet: json)
        let found: StoredEvent?
        do {
            if let seq = Int64(event) { found = try store.event(seq: seq) } else { found = try store.event(id: event) }
        } catch { throw fail("\(error)") }
        guard let found else { throw fail("no event \(Terminal.safe(event)) in the log: `pkgtrail log` lists them") }
        if json {
            emitJSON(Array(jsonWithHash(body: found.body, hash: found.hash).utf8))
        } else {
            emit(EventText.full(found.event, hash: found.hash, local: time.localClock))
        }
    }
}
