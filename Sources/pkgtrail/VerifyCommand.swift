import ArgumentParser
import PkgtrailCore
import PkgtrailStore

struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Recompute the hash chain and check the append-only triggers and projections.",
        discussion: "Exit 0 intact, 1 tampered (the first bad seq is named), 2 could not check.")

    @OptionGroup var location: LogLocation
    @Flag(help: "Print the result as JSON.")
    var json = false

    func run() throws {
        let store = try Context(location).openLog()
        let report: VerifyReport
        do { report = try store.verify() } catch { throw fail("could not check: \(error)") }
        let head = Hex.encode(report.head)
        if json {
            let problems = report.problems.map { p -> JSONValue in
                .object(["seq": .optional(p.seq), "reason": .string(p.description)])
            }
            let out = JSONValue.object(["intact": .bool(report.intact), "events": .int(report.count),
                                        "head": .string(head), "problems": .array(problems)])
            emit(String(decoding: try CanonicalJSON.encode(out), as: UTF8.self))
        } else if report.intact {
            emit("ok: \(report.count) events, chain intact, head \(head)")
        } else {
            for p in report.problems { emit("TAMPERED: \(Terminal.safe(p.description))") }
            emit("verified \(report.count) events before the first problem")
        }
        if !report.intact { throw ExitCode(1) }
    }
}
