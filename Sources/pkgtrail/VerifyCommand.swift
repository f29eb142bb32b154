import ArgumentParser
import PkgtrailCapture
import PkgtrailCommandLine
import PkgtrailCore
import PkgtrailQueryCommands
import PkgtrailStore
import PkgtrailSystem

struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Recompute the hash chain, check the triggers and projections, and any signed checkpoints.",
        discussion: "Exit 0 intact, 1 tampered (the first bad seq is named), 2 could not check.")

    @OptionGroup var location: LogLocation
    @Option(help: "A signed checkpoint (from `pkgtrail checkpoint`) the log must still extend (repeatable).")
    var checkpoint: [String] = []
    @Option(
        help: ArgumentHelp(
            "The public key that signed the checkpoints, as a file or the key text (default: "
                + "$XDG_CONFIG_HOME/pkgtrail/checkpoint.pub).")
    )
    var key: String?
    @OptionGroup var colour: ColourOptions
    @Flag(help: "Print the result as JSON.")
    var json = false

    func run() throws {
        colour.resolve()
        // Checkpoints and key are read first: a bad one is a usage problem, found before the long part.
        let checkpoints: [Checkpoint]
        do {
            let verifier = checkpoint.isEmpty ? nil : try KeyFiles(env: ProcessEnvironment.current()).verifier(key)
            checkpoints = try checkpoint.map { file in
                guard let bytes = FileSystem.read(file, limit: 1 << 16, regularOnly: false) else {
                    throw PkgtrailError(.unreadable, "cannot read the checkpoint \(file)")
                }
                do { return try Checkpoint(text: try verifier!.open(String(decoding: bytes, as: UTF8.self))) } catch {
                    throw PkgtrailError(.invalidInput, "\(file): \(error); cannot check the log against it")
                }
            }
        } catch { throw fail(Terminal.safe("\(error)")) }
        let store = try LogAccess(location).openLog(olderSchemaAllowed: true, quiet: json)
        let report: VerifyReport
        let verdicts: [CheckpointVerdict]
        do {
            let progress = Progress("verifying", unit: "events", total: nil, silent: json)
            defer { progress.finish() }
            report = try store.verify { done, total in
                progress.total = total
                progress.update(done)
            }
            verdicts = try checkpoints.map { try CheckpointVerdict.judge($0, report: report, store: store) }
        } catch { throw fail("could not check: \(error)") }
        let head = Hex.encode(report.head)
        let sound = report.intact && verdicts.allSatisfy(\.ok)
        if json {
            let problems = report.problems.map { p -> JSONValue in
                .object(["seq": .optional(p.seq), "reason": .string(p.description)])
            }
            let cps = zip(checkpoints, verdicts).map { cp, v -> JSONValue in
                .object([
                    "origin": .string(cp.origin), "size": .int(cp.size), "head": .string(Hex.encode(cp.head)),
                    "extends": .bool(v.ok), "reason": .string(v.describe(cp))
                ])
            }
            var out: [String: JSONValue] = [
                "intact": .bool(report.intact), "events": .int(report.count),
                "head": .string(head), "problems": .array(problems),
                "projections_checked": .bool(report.projectionsChecked)
            ]
            if !checkpoints.isEmpty { out["checkpoints"] = .array(cps) }
            emitJSON(try CanonicalJSON.encode(.object(JSONObject(out))))
        } else {
            if report.intact {
                emit(Colour.paint("ok", .good) + ": \(report.count) events, chain intact, head \(head)")
            } else {
                for p in report.problems {
                    emit(Colour.paint("TAMPERED", .alarm) + ": \(Terminal.safe(p.description))")
                }
                emit("verified \(report.count) events before the first problem")
            }
            if !report.projectionsChecked {
                emit(
                    "query tables not checked: they predate this pkgtrail and could not be upgraded here (read-only, "
                        + "or locked by a writer); run verify again with write access"
                )
            }
            for (cp, v) in zip(checkpoints, verdicts) { emit(Terminal.safe(v.describe(cp))) }
            if checkpoints.isEmpty && report.intact {
                // The chain proves the log is self-consistent, not that it is the original.
                emit(
                    "no checkpoint given: a rewrite that recomputed every later hash is caught only by `verify "
                        + "--checkpoint`"
                )
            }
        }
        if !sound { throw ExitCode(ExitStatus.verdict) }
    }
}
