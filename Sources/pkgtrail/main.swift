import PkgtrailCapture
import PkgtrailCommandLine
import PkgtrailQueryCommands

// The shims are links to this binary named pip, pip3, uv and uvx: called by
// one of those names it is the shim, with no shell in between. That hot
// path, like `pkgtrail exec TOOL -- ARGS…` (what the shell functions call),
// skips argument parsing entirely and decides and execs (or records)
// before anything else is set up.
let arguments = Array(CommandLine.arguments.dropFirst())
let invokedAs = String(CommandLine.arguments[0].split(separator: "/").last ?? "")
if ShimExec.isShimName(invokedAs) {
    ShimExec.main(tool: invokedAs, arguments: arguments)
}
if arguments.first == "exec", arguments.count >= 2, !arguments[1].hasPrefix("-") {
    var rest = Array(arguments.dropFirst(2))
    if rest.first == "--" { rest.removeFirst() }
    ShimExec.main(tool: arguments[1], arguments: rest)
}
if let first = arguments.first, CentralHandoff.handsOver(first, arguments) {
    CentralHandoff.exec(arguments)
}
ExitStatus.run(Pkgtrail.self, arguments)
