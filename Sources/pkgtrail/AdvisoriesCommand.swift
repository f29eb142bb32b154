import ArgumentParser
import PkgtrailAdvisories
import PkgtrailCommandLine
import PkgtrailCore
import PkgtrailQueryCommands
import PkgtrailSystem

struct AdvisoriesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "advisories",
        abstract: "Known advisories (OSV) kept beside the log, for `audit` and `exposure --osv`.",
        subcommands: [AdvisoriesImportCommand.self, AdvisoriesStatusCommand.self])
}

/// The store's place, and the log it sits beside by default.
struct AdvisoryStoreOptions: ParsableArguments {
    @OptionGroup var location: LogLocation
    @OptionGroup var store: AdvisoryLocation

    var path: String { store.path(log: location.db) }
}

struct AdvisoriesImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Store OSV advisories for PyPI: OSV's all.zip, a directory of JSON files, or single files.",
        discussion: """
            Fetching is yours: `curl -fsSLO https://osv-vulnerabilities.storage.googleapis.com/PyPI/all.zip` \\
            (every PyPI advisory, MAL- entries included), e.g. daily from cron. An advisory already \\
            stored is replaced only by a newer `modified`; a withdrawn one stops matching; entries for \\
            other ecosystems are counted and skipped.
            """)

    @OptionGroup var store: AdvisoryStoreOptions
    @Argument(help: "all.zip, directories of JSON files, or JSON files (one advisory or an array).")
    var files: [String]
    @Flag(help: "Print the result as JSON.")
    var json = false

    func run() throws {
        let documents: [AdvisorySources.Document]
        do { documents = try AdvisorySources.read(files) } catch { throw fail("\(error)") }
        let path = store.path
        let report: AdvisoryStore.ImportReport
        let progress = Progress("importing", unit: "files", total: Int64(documents.count), silent: json)
        do {
            defer { progress.finish() }
            report = try AdvisoryStore.openForWriting(path: path).add(
                documents.map { ($0.source, $0.bytes) }, label: files.joined(separator: " "), at: Clock.now()
            ) { progress.update(Int64($0)) }
        } catch { throw fail("\(error)") }
        for (source, reason) in report.rejected.prefix(5) {
            Console.warning(Terminal.safe("\(source) skipped: \(reason)"))
        }
        if report.rejected.count > 5 { Console.warning("… and \(report.rejected.count - 5) more files skipped") }
        if json {
            return emitJSON(
                try CanonicalJSON.encode(
                    .object([
                        "store": .string(path), "read": .int(Int64(report.read)), "added": .int(Int64(report.added)),
                        "updated": .int(Int64(report.updated)), "unchanged": .int(Int64(report.unchanged)),
                        "withdrawn": .int(Int64(report.withdrawn)),
                        "other_ecosystems": .int(Int64(report.otherEcosystems)),
                        "skipped_files": .int(Int64(report.rejected.count))
                    ])))
        }
        emit(
            Terminal.safe(
                "\(path): \(report.read) advisories read: \(report.added) new, \(report.updated) updated, "
                    + "\(report.unchanged) unchanged; \(report.withdrawn) withdrawn; "
                    + "\(report.otherEcosystems) entries for other ecosystems skipped"))
    }
}

struct AdvisoriesStatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "How many advisories are stored, how recent, from which import.")

    @OptionGroup var store: AdvisoryStoreOptions
    @Flag(help: "Print the result as JSON.")
    var json = false

    func run() throws {
        let s: AdvisoryStore.Status
        do { s = try AdvisoryStore.openForReading(path: store.path).status() } catch { throw fail("\(error)") }
        if json {
            return emitJSON(
                try CanonicalJSON.encode(
                    .object([
                        "store": .string(store.path), "advisories": .int(Int64(s.advisories)),
                        "withdrawn": .int(Int64(s.withdrawn)), "malicious": .int(Int64(s.malicious)),
                        "packages": .int(Int64(s.names)), "newest_modified": .optional(s.newestModified),
                        "last_import": s.lastImport.map {
                            .object(["at": .string($0.at), "source": .string($0.source), "read": .int(Int64($0.read))])
                        } ?? .null
                    ])))
        }
        emit(
            Terminal.safe(
                "\(store.path): \(s.advisories) advisories (\(s.malicious) malicious, \(s.withdrawn) withdrawn) for "
                    + "\(s.names) packages; newest modified \(s.newestModified ?? "none")"))
        if let last = s.lastImport {
            emit(Terminal.safe("last import \(last.at): \(last.read) read from \(last.source)"))
        }
    }
}
