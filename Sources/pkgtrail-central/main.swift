import PkgtrailCommandLine

// `pkgtrail central …` (and, as they land, `push` and `--central` queries):
// the main binary hands these command lines here unchanged, so the recorder
// the shims run never links SwiftNIO or PostgreSQL's client.
ExitStatus.run(Fleet.self, Array(CommandLine.arguments.dropFirst()))
