import PkgtrailCentral
import PkgtrailCommandLine
import PkgtrailQueryCommands

// `pkgtrail central …`, `push` and the query commands with `--central`/
// `--fleet`: the main binary hands these command lines here unchanged, so
// the recorder the shims run never links SwiftNIO or PostgreSQL's client.
FleetConnector.open = { url in CentralQueries(try CentralLocation.connect(to: url)) }
ExitStatus.run(Fleet.self, Array(CommandLine.arguments.dropFirst()))
