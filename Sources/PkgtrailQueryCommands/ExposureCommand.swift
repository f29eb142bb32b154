import ArgumentParser
import Foundation
import PkgtrailAdvisories
import PkgtrailCapture
import PkgtrailCommandLine
import PkgtrailCore
import PkgtrailStore
import PkgtrailSystem

public struct ExposureCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "exposure",
        abstract: "Every environment that held a matching version, with its window and how it got there.",
        discussion: """
            Give NAME[SPEC] arguments, OSV advisory files (--osv, one advisory or an array), or both. \
            Exit 1 when anything was exposed, 0 when nothing was, 2 when the check could not be made. \
            --since and --until keep the windows open at some moment between them; --limit N the N that opened last.
            """)

    @OptionGroup var source: QuerySource
    @Argument(
        help: "Compromised versions as NAME[SPEC], e.g. litellm==1.82.7 'litellm>=1.82.7,<1.82.9'.",
        completion: LogCompletions.packageNames)
    var specs: [String] = []
    @Option(
        name: .customLong("osv"),
        help: "OSV advisories: a JSON file, OSV's all.zip, a directory, or an advisory store (repeatable).")
    var osv: [String] = []
    @OptionGroup var narrowing: NarrowingOptions
    @OptionGroup var time: TimeOption
    @OptionGroup var pager: PagerOptions
    @OptionGroup var colour: ColourOptions
    @Flag(help: "Print a JSON array of exposure windows.")
    var json = false

    /// What to look for: one package name, and the labels of every query or
    /// advisory that flags a version of it.
    struct Target {
        let name: String
        var tests: [(label: String, matches: @Sendable (String) -> Bool)]
    }

    public func validate() throws {
        if specs.isEmpty && osv.isEmpty {
            throw ValidationError("name what to look for: NAME[SPEC] arguments and/or --osv FILE")
        }
    }

    func targets() throws -> [Target] {
        var byName: [String: Target] = [:]
        func add(_ name: String, _ label: String, _ test: @escaping @Sendable (String) -> Bool) {
            byName[name, default: Target(name: name, tests: [])].tests.append((label, test))
        }
        for s in specs {
            let q: PackageQuery
            do { q = try PackageQuery(s) } catch { throw ValidationError("\(error)") }
            add(q.name, q.description, q.matches)
        }
        for file in osv {
            let advisories: [OSVAdvisory]
            do { advisories = try Self.advisories(in: file) } catch {
                throw fail("\(Terminal.safe(file)): \(error)")
            }
            for a in advisories {
                for affected in a.affected {
                    let test = affected.versionTest
                    add(affected.name, a.id, test.contains)
                }
            }
            if advisories.allSatisfy({ $0.affected.isEmpty }) {
                Console.error(
                    Terminal.safe(
                        "\(file): no PyPI package in \(advisories.map(\.id).joined(separator: ", ")); nothing to "
                            + "look for there"
                    ))
            }
        }
        return byName.values.sorted { $0.name < $1.name }
    }

    public init() {}

    /// An advisory file, OSV's all.zip, a directory of them, or an advisory
    /// store (`advisories import`): every advisory in it still in force.
    static func advisories(in path: String) throws -> [OSVAdvisory] {
        if AdvisoryStore.isStore(path) { return try AdvisoryStore.openForReading(path: path).inForce() }
        guard FileSystem.exists(path) else { throw PkgtrailError(.invalidInput, "cannot read it: check the path") }
        return try AdvisorySources.read([path]).flatMap { try OSVAdvisory.parse($0.bytes) }
            .filter { $0.meta.withdrawn == nil }
    }

    public func run() throws {
        colour.resolve()
        pager.start()
        let wanted = try targets()
        let filter = try narrowing.filter(extra: 1)
        let store = try LogAccess(source).openQueries(quiet: json)
        var found: [(Presence, [String])] = []
        do {
            for t in wanted {
                let tests = t.tests
                let windows = try store.exposure(name: t.name, within: filter) { version in
                    tests.contains { $0.matches(version) }
                }
                var labels: [String: [String]] = [:]
                for w in windows where labels[w.version] == nil {
                    labels[w.version] = tests.filter { $0.matches(w.version) }.map(\.label)
                }
                found += windows.map { ($0, labels[$0.version] ?? []) }
            }
        } catch { throw fail("\(error)") }
        var more = false
        if let limit = narrowing.limit, found.count > limit {
            // Each name gave its newest; of them all, the newest `limit` by when they arrived.
            found = EventFilter.newest(found, limit) { $0.0.arrival.event.started }
            more = true
        }
        if json {
            RecordJSON.emitArray(
                try found.map {
                    try RecordJSON.presence($0.0, extra: [("matched_by", CanonicalJSON.encode(.strings($0.1)))])
                })
        } else {
            report(found, more: more)
        }
        if !found.isEmpty { throw ExitCode(ExitStatus.verdict) }
    }

    func report(_ found: [(Presence, [String])], more: Bool) {
        let clock = time.clock
        for (p, labels) in found {
            emit(
                Colour.paint("EXPOSED", .alarm)
                    + Terminal.safe("  \(p.name) \(p.version)  on \(p.host)  in \(p.prefix)"))
            PresenceText.window(p, clock: clock, match: labels)
        }
        let envs = Set(found.map { "\($0.0.host)\u{0}\($0.0.prefix)" }).count
        let hosts = Set(found.map(\.0.host)).count
        emit(
            found.isEmpty
                ? "no exposure: no recorded environment ever held a matching version\(narrowing.within)"
                : "\(found.count) exposure window\(found.count == 1 ? "" : "s") in \(envs) "
                    + "environment\(envs == 1 ? "" : "s") on \(hosts) host\(hosts == 1 ? "" : "s")"
                    + narrowing.note(shown: found.count, more: more)
        )
    }
}
