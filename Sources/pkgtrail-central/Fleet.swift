import ArgumentParser
import PkgtrailQueryCommands

/// The commands that talk to the central store; `pkgtrail` is the name
/// users type (the main binary hands these command lines over).
struct Fleet: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pkgtrail",
        abstract: "The fleet's side of pkgtrail: the central store on PostgreSQL.",
        subcommands: [
            CentralCommand.self, PushCommand.self, WhoCommand.self, ExposureCommand.self, StateCommand.self,
            DiffCommand.self, LogCommand.self, ExportCommand.self, AuditCommand.self
        ])
}
