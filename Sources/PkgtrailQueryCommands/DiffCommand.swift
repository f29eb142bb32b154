import ArgumentParser
import PkgtrailCommandLine
import PkgtrailCore
import PkgtrailStore

public struct DiffCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "diff", abstract: "What changed in an environment between two moments.")

    @OptionGroup var source: QuerySource
    @OptionGroup var environment: EnvironmentOptions
    @Argument(help: "The earlier moment (RFC 3339, date, or span such as 7d).")
    var from: String
    @Argument(help: "The later moment (default: now).")
    var to: String?
    @OptionGroup var time: TimeOption
    @OptionGroup var pager: PagerOptions
    @OptionGroup var colour: ColourOptions
    @Flag(help: "Print a JSON array of differences.")
    var json = false

    public init() {}

    public func run() throws {
        colour.resolve()
        pager.start()
        let t1 = try timeArgument(from, "TIME1")
        let t2 = try to.map { try timeArgument($0, "TIME2") }
        let ctx = LogAccess(source)
        let store = try ctx.openQueries(quiet: json)
        let target = try environment.resolve(store, ctx)
        let before: [Presence]
        let after: [Presence]
        do {
            before = try store.state(of: target, at: t1)
            after = try store.state(of: target, at: t2)
        } catch { throw fail("\(error)") }
        let was = Dictionary(before.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let now = Dictionary(after.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        var rows: [(sign: String, name: String, old: Presence?, new: Presence?)] = []
        for (name, old, new) in keyedPairs(was, now) {
            switch (old, new) {
            case (nil, let n?): rows.append(("+", name, nil, n))
            case (let o?, nil): rows.append(("-", name, o, nil))
            case (let o?, let n?) where o.arrival.event.seq != n.arrival.event.seq || o.version != n.version:
                rows.append((o.version == n.version ? "=" : "~", name, o, n))
            default: continue
            }
        }
        if json {
            return RecordJSON.emitArray(
                try rows.map { r in
                    var w = JSONWriter()
                    w.openObject()
                    w.key("by")
                    if let by = r.new?.arrival ?? r.old?.departure {
                        try RecordJSON.change(body: by.body, hash: by.hash, .index(by.index), into: &w)
                    } else {
                        w.null()
                    }
                    w.key("change")
                    w.string(["+": "added", "-": "removed", "~": "changed", "=": "reinstalled"][r.sign]!)
                    w.key("from_version")
                    try w.value(.optional(r.old?.version))
                    w.key("name")
                    w.string(r.name)
                    w.key("to_version")
                    try w.value(.optional(r.new?.version))
                    w.closeObject()
                    return w.bytes
                })
        }
        let clock = time.clock
        emit(
            Terminal.safe(
                "\(target.prefix) on \(target.host): \(clock.show(t1)) → \(t2.map(clock.show) ?? "now"), "
                    + "\(rows.count) difference\(rows.count == 1 ? "" : "s")"
            ))
        for r in rows {
            let versions = [r.old?.version, r.new?.version].compactMap { $0 }.joined(separator: " → ")
            let by = r.new?.arrival ?? r.old?.departure
            emit(
                Terminal.safe(
                    "\(r.sign) \(r.name.rightPad(24)) \(versions.rightPad(20)) \(by.map { StateText.cause($0) } ?? "")")
            )
        }
    }
}
