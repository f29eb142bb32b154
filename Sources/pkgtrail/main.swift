import PkgtrailCapture

// The shims' hot path skips argument parsing entirely: `pkgtrail exec TOOL -- ARGS…`
// decides and execs (or records) before anything else is set up.
let arguments = Array(CommandLine.arguments.dropFirst())
if arguments.first == "exec", arguments.count >= 2, !arguments[1].hasPrefix("-") {
    var rest = Array(arguments.dropFirst(2))
    if rest.first == "--" { rest.removeFirst() }
    ShimExec.main(tool: arguments[1], arguments: rest)
}
Pkgtrail.main()
