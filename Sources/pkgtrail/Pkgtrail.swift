import ArgumentParser
import PkgtrailQueryCommands

struct Pkgtrail: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pkgtrail",
        abstract: "A tamper-evident flight recorder for pip and uv installs.",
        discussion: """
            Exit statuses: 0 success, 1 a negative finding (tampered, exposed), 2 the command could not \
            do its job, 64 usage error; `exec` returns the real tool's status. The fleet's central store \
            on PostgreSQL: `pkgtrail central --help` (run by pkgtrail-central, installed beside pkgtrail).
            """,
        version: "0.1.0",
        subcommands: [
            LogCommand.self, ShowCommand.self, WhoCommand.self, StateCommand.self, DiffCommand.self, ExportCommand.self,
            ExposureCommand.self, VerifyCommand.self, CheckpointCommand.self, KeyCommand.self, ScanCommand.self,
            ExecCommand.self, InitCommand.self, DoctorCommand.self, WatchCommand.self,
            AdvisoriesCommand.self, AuditCommand.self, PolicyCommand.self
        ])
}
