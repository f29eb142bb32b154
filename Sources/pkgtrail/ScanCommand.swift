import ArgumentParser
import PkgtrailCapture
import PkgtrailCommandLine
import PkgtrailCore
import PkgtrailQueryCommands

struct ScanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scan",
        abstract: "Compare environments with the log; record what changed outside the shims as drift.",
        discussion: """
            PATH is a venv, an interpreter, or a site-packages directory; without PATH every \
            environment the log knows is scanned. --files also re-hashes every installed file \
            against its RECORD (reported, not recorded). Exit 0 nothing found, 1 drift or file \
            findings, 2 could not scan.
            """)

    @OptionGroup var location: LogLocation
    @Argument(help: "Environments to scan (default: every environment in the log).")
    var paths: [String] = []
    @Flag(
        help:
            "Also re-hash installed files against each RECORD: modified, missing, unlisted files, unlisted .pth files.")
    var files = false
    @Flag(help: "Print the result as JSON.")
    var json = false

    func run() throws {
        let ctx = LogAccess(location)
        let findings: [EnvironmentScan.Finding]
        do {
            let progress = Progress("re-hashing", unit: "files", total: nil, silent: json || !files)
            defer { progress.finish() }
            findings = try EnvironmentScan.run(paths: paths, files: files, sink: ctx.sink, env: ctx.env) {
                progress.update(Int64($0))
            }
        } catch {
            throw fail("\(error)")
        }
        if json {
            let items = findings.map { f -> JSONValue in
                .object([
                    "prefix": .string(f.environment.prefix), "drift": .bool(f.drift != nil),
                    "seq": .optional(f.drift?.seq),
                    "files": f.files.map { r in
                        .array(
                            r.findings.map {
                                .object([
                                    "path": .string($0.path), "status": .string($0.status.rawValue),
                                    "distribution": .optional($0.distribution)
                                ])
                            })
                    } ?? .null
                ])
            }
            emitJSON(try CanonicalJSON.encode(.array(items)))
        } else {
            for f in findings {
                if let d = f.drift {
                    let what = (d.changes.map(EventText.change) + d.startupHooks.map { "\($0.status) \($0.path)" })
                        .joined(separator: ", ")
                    emit(Terminal.safe("\(f.environment.prefix): DRIFT recorded as seq \(d.seq): \(what)"))
                } else {
                    emit(Terminal.safe("\(f.environment.prefix): matches the log"))
                }
                if let r = f.files {
                    for x in r.findings {
                        emit(
                            Terminal.safe(
                                "  \(x.status.rawValue.rightPad(9)) \(x.path)"
                                    + (x.distribution.map { "  (\($0))" } ?? "")))
                    }
                    emit("  \(r.filesHashed) files re-hashed (\(r.bytesHashed) bytes), \(r.findings.count) finding(s)")
                }
            }
        }
        if findings.contains(where: { $0.drift != nil || $0.files?.findings.isEmpty == false }) {
            throw ExitCode(ExitStatus.verdict)
        }
    }
}
