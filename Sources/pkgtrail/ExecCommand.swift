import ArgumentParser
import PkgtrailCapture
import PkgtrailQueryCommands

/// Documents `exec` in --help; the call itself is handled in main.swift
/// before argument parsing, so this only runs for odd spellings.
struct ExecCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exec",
        abstract: "Run TOOL (pip, pip3, uv, uvx) as the shims do, recording what it changes.",
        discussion: "Exits with the tool's own status; PKGTRAIL_STRICT=1 makes a recording failure exit 70.")

    @Argument(help: "The tool to run.")
    var tool: String
    @Argument(parsing: .captureForPassthrough, help: "Arguments for the tool (after --).")
    var arguments: [String] = []

    func run() throws {
        var rest = arguments
        if rest.first == "--" { rest.removeFirst() }
        ShimExec.main(tool: tool, arguments: rest)
    }
}
