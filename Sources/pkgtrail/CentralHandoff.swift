import PkgtrailCapture
import PkgtrailCommandLine
import PkgtrailQueryCommands
import PkgtrailSystem

#if canImport(Glibc)
    import Glibc
#endif

/// `pkgtrail central …`, `pkgtrail push …` and the query commands asked of
/// the central store (`--central URL`, `--fleet`) run `pkgtrail-central`,
/// installed beside this binary (the same directory as the file
/// `/proc/self/exe` names), with the same arguments: SwiftNIO and the
/// PostgreSQL client live only there, so the recorder the shims run never
/// loads them.
enum CentralHandoff {
    static let commands: Set<String> = ["central", "push"]
    static let queries: Set<String> = ["who", "exposure", "state", "diff", "log", "export", "audit"]

    static func handsOver(_ command: String, _ arguments: [String]) -> Bool {
        commands.contains(command) || (queries.contains(command) && QuerySource.asksCentral(arguments))
    }

    static func exec(_ arguments: [String]) -> Never {
        let program = BackgroundPush.centralProgram
        var argv: [UnsafeMutablePointer<CChar>?] = ([program] + arguments).map { strdup($0) } + [nil]
        execv(program, &argv)
        let reason = String(cString: strerror(errno))
        Console.error(
            "cannot run \(program) (\(reason)): it is installed beside pkgtrail by `make install`; reinstall to get it")
        exit(ExitStatus.failed)
    }
}
