import ArgumentParser
import Foundation
import PkgtrailAdvisories
import PkgtrailCapture
import PkgtrailCommandLine
import PkgtrailCore
import PkgtrailStore
import PkgtrailSystem

public struct ExportCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write the timeline for auditors, verifiable without pkgtrail (scripts/verify_log.py).",
        discussion: """
            Every record carries its seq, hash and prev_hash and the exact event body; the export \
            carries the log's size and head hash. CSV cells that a spreadsheet would run as a formula \
            are prefixed with '. HTML is one self-contained file: no script, no network. From the \
            central store (--central/--fleet) an export is one host's log, exactly as that host would \
            export it: name the host with --host when the store holds several.
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable { case ndjson, json, csv, html, cyclonedx }

    @OptionGroup var source: QuerySource
    @Option(help: "ndjson, json, csv or html (the timeline); cyclonedx (an SBOM of one environment, --env).")
    var format: Format
    @Option(help: "Only events that finished at or after this time (RFC 3339, date, or span such as 7d).")
    var since: String?
    @Option(help: "Only events that started before this time.")
    var until: String?
    @Option(name: .shortAndLong, help: "Write to this file (atomically) instead of standard output.")
    var output: String?
    @Option(
        help: "With --central/--fleet: the host whose log to export; with cyclonedx: the environment's host.")
    var host: String?
    @Option(help: "cyclonedx: the environment (default: $VIRTUAL_ENV, else the only one recorded).")
    var env: String?
    @Option(help: "cyclonedx: the moment (RFC 3339, date, or span such as 7d; default: now).")
    var at: String?
    @Flag(help: "cyclonedx: list the stored advisories that name a component's version as its vulnerabilities.")
    var vulnerabilities = false
    @OptionGroup var advisoryStore: AdvisoryLocation
    @Option(
        help: ArgumentHelp(
            "html: draw the versions NAME[SPEC] matches in the warning colour (repeatable).", valueName: "spec"),
        completion: LogCompletions.packageNames)
    var highlight: [String] = []
    @Option(
        name: .customLong("osv"),
        help: "html: draw the versions these OSV advisories name in the warning colour (as exposure --osv; repeatable)."
    )
    var osv: [String] = []

    public func validate() throws {
        if format != .cyclonedx, env != nil || at != nil {
            throw ValidationError("--env and --at belong to --format cyclonedx (the timeline takes --since/--until)")
        }
        if format != .cyclonedx, vulnerabilities || advisoryStore.advisories != nil {
            throw ValidationError("--vulnerabilities and --advisories belong to --format cyclonedx")
        }
        if format != .html, !highlight.isEmpty || !osv.isEmpty {
            throw ValidationError("--highlight and --osv belong to --format html (the picture's warning colour)")
        }
        if format == .cyclonedx, since != nil || until != nil {
            throw ValidationError("an SBOM is one moment: give --at, not --since/--until")
        }
    }

    public init() {}

    public func run() throws {
        var writer: any ExportWriter
        switch format {
        case .cyclonedx: return try sbom()
        case .ndjson: writer = NDJSONExport()
        case .json: writer = JSONExport()
        case .csv: writer = CSVExport()
        case .html: writer = HTMLExport(flags: try flagged())
        }
        let sinceTime = try since.map { try timeArgument($0, "--since") }
        let untilTime = try until.map { try timeArgument($0, "--until") }
        let store = try LogAccess(source).openChain(host: host)
        let out: ExportSink
        do { out = try ExportSink(path: output) } catch { throw fail("\(error)") }
        do {
            let head = try store.head()
            let header = ExportHeader(
                size: head.seq, head: Hex.encode(head.hash), since: sinceTime, until: untilTime,
                exportedAt: Clock.now())
            try writer.begin(header, out)
            // A contiguous slice up to the head read above (later appends wait for the next export).
            if let range = try store.seqRange(since: sinceTime, until: untilTime) {
                var slice = EventFilter()
                slice.minSeq = range.lowerBound
                slice.maxSeq = min(range.upperBound, head.seq)
                try store.eachStored(slice) { try writer.event($0, out) }
            }
            try writer.end(header, out)
            try out.commit()
        } catch let e as ExitCode {
            out.abandon()
            throw e
        } catch {
            out.abandon()
            throw fail(out.atomic ? "export failed, nothing written: \(error)" : "export failed: \(error)")
        }
    }
}

extension ExportCommand {
    /// Which versions the picture draws in the warning colour: those a
    /// `--highlight` query or an `--osv` advisory names, each tested once.
    func flagged() throws -> (String, String) -> Bool {
        var tests: [String: [(String) -> Bool]] = [:]
        for h in highlight {
            do {
                let q = try PackageQuery(h)
                tests[q.name, default: []].append(q.matches)
            } catch { throw ValidationError("--highlight \(h): \(error)") }
        }
        for file in osv {
            do {
                for a in try ExposureCommand.advisories(in: file) {
                    for affected in a.affected { tests[affected.name, default: []].append(affected.contains) }
                }
            } catch { throw fail("\(Terminal.safe(file)): \(error)") }
        }
        var verdicts: [String: Bool] = [:]
        return { name, version in
            guard let named = tests[name] else { return false }
            let key = name + "\u{0}" + version
            if let known = verdicts[key] { return known }
            let verdict = named.contains { $0(version) }
            verdicts[key] = verdict
            return verdict
        }
    }

    /// `--format cyclonedx`: the environment at `--at`, as the log replays it.
    func sbom() throws {
        let moment = try at.map { try timeArgument($0, "--at") }
        let ctx = LogAccess(source)
        let queries = try ctx.openQueries()
        var words: [String] = []
        if let env { words += ["--env", env] }
        if let host { words += ["--host", host] }
        let target = try EnvironmentOptions.parse(words).resolve(queries, ctx)
        // The head the SBOM names: the local log's, or that host's log in the store.
        let chain = try ctx.openChain(host: ctx.readsCentral ? target.host : nil)
        var audit: AdvisoryAudit?
        if vulnerabilities {
            do {
                audit = AdvisoryAudit(
                    queries: queries,
                    store: try AdvisoryStore.openForReading(path: advisoryStore.path(log: source.location.db)))
            } catch { throw fail("\(error)") }
        }
        let out: ExportSink
        do { out = try ExportSink(path: output) } catch { throw fail("\(error)") }
        do {
            let head = try chain.head()
            let contents = try queries.state(of: target, at: moment)
            let found = try audit.map { a in
                try contents.map { p in
                    (
                        purl: CycloneDX.purl(p.name, p.version),
                        incidents: try a.incidents(name: p.name, version: p.version)
                    )
                }
            }
            let bom = CycloneDX.bom(
                CycloneDX.Subject(environment: target, at: moment, logSize: head.seq, logHead: head.hash), contents,
                vulnerabilities: found, now: Clock.now())
            out.write(ControlCharacters.escapedInJSON(try CanonicalJSON.encode(bom)) + [0x0A])
            try out.commit()
        } catch {
            out.abandon()
            throw fail(out.atomic ? "export failed, nothing written: \(error)" : "export failed: \(error)")
        }
    }
}

/// What every export states about the log it came from.
struct ExportHeader {
    static let format = "pkgtrail.export/1"
    let size: Int64
    let head: String
    let since: String?
    let until: String?
    let exportedAt: String

    var json: JSONValue {
        .object([
            "format": .string(Self.format), "log_size": .int(size), "log_head": .string(head),
            "since": .optional(since), "until": .optional(until), "exported_at": .string(exportedAt)
        ])
    }
}

protocol ExportWriter {
    mutating func begin(_ header: ExportHeader, _ out: ExportSink) throws
    mutating func event(_ r: StoredRecord, _ out: ExportSink) throws
    mutating func end(_ header: ExportHeader, _ out: ExportSink) throws
}

extension StoredRecord {
    /// The verifiable record: chain fields and the body bytes as a string.
    var exportRecord: [UInt8] {
        var out: [UInt8] = Array("{\"body\":".utf8)
        out += (try? CanonicalJSON.encode(.string(String(decoding: body, as: UTF8.self)))) ?? []
        out += Array(",\"hash\":\"\(Hex.encode(hash))\",\"prev_hash\":\"\(Hex.encode(prevHash))\",\"seq\":\(seq)}".utf8)
        // The body is a JSON string here, so escaping its C1 controls keeps it byte-exact once parsed.
        return ControlCharacters.escapedInJSON(out)
    }
}

struct NDJSONExport: ExportWriter {
    func begin(_ h: ExportHeader, _ out: ExportSink) throws {
        out.write(ControlCharacters.escapedInJSON(try CanonicalJSON.encode(.object(["export": h.json]))) + [0x0A])
    }
    func event(_ r: StoredRecord, _ out: ExportSink) throws { out.write(r.exportRecord + [0x0A]) }
    func end(_ h: ExportHeader, _ out: ExportSink) throws {}
}

struct JSONExport: ExportWriter {
    var first = true
    func begin(_ h: ExportHeader, _ out: ExportSink) throws {
        out.write(
            Array("{\"export\":".utf8) + ControlCharacters.escapedInJSON(try CanonicalJSON.encode(h.json))
                + Array(",\n\"events\":[".utf8))
    }
    mutating func event(_ r: StoredRecord, _ out: ExportSink) throws {
        out.write((first ? [0x0A] : Array(",\n".utf8)) + r.exportRecord)
        first = false
    }
    func end(_ h: ExportHeader, _ out: ExportSink) throws { out.write(Array("\n]}\n".utf8)) }
}

/// Where an export goes: standard output, or a temporary file renamed into
/// place on success so a failed export never leaves half a file.
public final class ExportSink {
    private let path: String?
    /// The temporary file renamed over `path` at commit; nil when writing
    /// straight through (stdout, a device, a FIFO, a terminal).
    private let temp: String?
    private let file: UnsafeMutablePointer<FILE>
    /// Opened by us (`-o` onto a device or FIFO): closed at commit, so that
    /// a late write error is seen.
    private let owned: Bool

    /// True when a failed export leaves nothing behind (a temporary file).
    public var atomic: Bool { temp != nil }

    /// `-o PATH` that is a regular file, a link to one, or nothing yet is
    /// written to a temporary file beside it and renamed over it at commit,
    /// so readers never see half an export. Anything else (`/dev/stdout`,
    /// a device, a FIFO) is written straight through: a rename would
    /// replace the device node or the link itself.
    public init(path: String?) throws {
        self.path = path.flatMap(Self.renameTarget)
        temp = self.path.map { $0 + ".tmp-\(getpid())" }
        owned = path != nil
        let opened: UnsafeMutablePointer<FILE>?
        switch (path, temp) {
        case (nil, _): opened = fdopen(STDOUT_FILENO, "w")
        case (let path?, nil): opened = fopen(path, "w")
        case (_, let temp?): opened = fopen(temp, "wx")
        }
        guard let opened else {
            throw PkgtrailError(
                .unwritable,
                path.map { "cannot write \($0): \(String(cString: strerror(errno)))" }
                    ?? "cannot write to standard output")
        }
        file = opened
    }

    /// The file to rename over: `path` itself when absent or a regular
    /// file, the regular file a link resolves to; nil for anything else.
    static func renameTarget(_ path: String) -> String? {
        var st = stat()
        guard stat(path, &st) == 0 else { return path }  // nothing there yet (or a dangling link: created)
        guard st.st_mode & S_IFMT == S_IFREG else { return nil }
        return FileSystem.realpath(path) ?? path
    }

    public func write(_ bytes: [UInt8]) {
        _ = bytes.withUnsafeBufferPointer { fwrite($0.baseAddress, 1, $0.count, file) }
    }

    public func write(_ s: String) { write(Array(s.utf8)) }

    public func commit() throws {
        if fflush(file) != 0 || ferror(file) != 0 {
            throw PkgtrailError(.unwritable, "write error: \(String(cString: strerror(errno)))")
        }
        guard let temp, let path else {
            if owned, fclose(file) != 0 {
                throw PkgtrailError(.unwritable, "write error: \(String(cString: strerror(errno)))")
            }
            return
        }
        if fsync(fileno(file)) != 0 || fclose(file) != 0 || rename(temp, path) != 0 {
            throw PkgtrailError(.unwritable, "cannot write \(path): \(String(cString: strerror(errno)))")
        }
    }

    public func abandon() {
        guard let temp else { return }
        fclose(file)
        unlink(temp)
    }
}
