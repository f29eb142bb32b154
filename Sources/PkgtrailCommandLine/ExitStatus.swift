import ArgumentParser
import PkgtrailCore
import PkgtrailSystem

#if canImport(Glibc)
    import Glibc
#endif

/// The one place where what a command did becomes an exit status, for every
/// subcommand but `exec` (which returns the real tool's own):
///
/// - 0 done; 1 the command's verdict is negative (exposed, tampered, drift
///   found, a coverage gap), and nothing else ever exits 1;
/// - 2 the command could not do its job, which includes not being able to
///   write its output (a full disk, a closed pipe's error, `/dev/full`);
/// - 64 the command line is wrong.
///
/// Every message is one line on stderr that starts `pkgtrail:`.
public enum ExitStatus {
    public static let verdict: Int32 = 1
    public static let failed: Int32 = 2
    public static let usage: Int32 = 64

    /// Parses `arguments` as `root`'s command line, runs the command, exits.
    public static func run<Root: ParsableCommand>(_ root: Root.Type, _ arguments: [String]) -> Never {
        let status: Int32
        do {
            var command = try root.parseAsRoot(arguments)
            try command.run()
            status = 0
        } catch {
            status = report(error, root: root, arguments: arguments)
        }
        let written = outputWritten()
        Pager.finish()
        exit(written ? status : failed)
    }

    /// Prints what `error` means and returns its status.
    static func report<Root: ParsableCommand>(_ error: Error, root: Root.Type, arguments: [String]) -> Int32 {
        if let e = error as? PkgtrailError {
            Console.error(e.description)
            return e.kind == .usage ? usage : failed
        }
        if let code = error as? ExitCode {
            // Thrown by a command with its verdict, or by `fail` after its line.
            return code.rawValue
        }
        let code = root.exitCode(for: error)
        if code == .success {
            // --help, --version: the parser's text, on stdout.
            StandardOutput.write(root.fullMessage(for: error) + "\n")
            return 0
        }
        if code == .validationFailure {
            let message =
                root.message(for: error).split(separator: "\n").first.map(String.init) ?? "invalid arguments"
            Console.error(
                "\(message.hasPrefix("Error: ") ? String(message.dropFirst(7)) : message) (see "
                    + "`\(helpCommand(root, arguments))`)"
            )
            return usage
        }
        Console.error("\(error)")
        return failed
    }

    /// `pkgtrail SUBCOMMAND --help` for the subcommand the line names, if any.
    static func helpCommand<Root: ParsableCommand>(_ root: Root.Type, _ arguments: [String]) -> String {
        let names = Set(root.configuration.subcommands.map { $0._commandName })
        if let sub = arguments.first(where: { !$0.hasPrefix("-") }), names.contains(sub) {
            return "pkgtrail \(sub) --help"
        }
        return "pkgtrail --help"
    }

    /// Flushes stdout; false (after saying so) when any of it could not be written.
    static func outputWritten() -> Bool {
        if StandardOutput.flush() { return true }
        Console.error("could not write the output: \(StandardOutput.failureReason)")
        return false
    }
}

/// Prints the one-line error and exits with 2 ("could not do its job").
public func fail(_ message: String) -> ExitCode {
    Console.error(message)
    return ExitCode(ExitStatus.failed)
}
