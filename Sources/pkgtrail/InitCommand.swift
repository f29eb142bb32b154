import ArgumentParser
import Foundation

struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Print the shell lines that put the pkgtrail shims first on PATH.",
        discussion: "Add `eval \"$(pkgtrail init bash)\"` to ~/.bashrc (zsh likewise; fish: `pkgtrail init fish | source`).")

    @Argument(help: "bash, zsh or fish.")
    var shell: String = "bash"

    func run() throws {
        guard ["bash", "zsh", "sh", "fish"].contains(shell) else {
            throw ValidationError("unknown shell \(shell): use bash, zsh or fish")
        }
        let shims = Self.shimsDirectory()
        if shell == "fish" {
            emit("fish_add_path --prepend --move \(Self.quote(shims))")
        } else {
            emit("export PATH=\(Self.quote(shims)):\"$PATH\"")
        }
    }

    /// Installed layout: PREFIX/bin/pkgtrail and PREFIX/share/pkgtrail/shims.
    static func shimsDirectory() -> String {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        let prefix = ((exe as NSString).deletingLastPathComponent as NSString).deletingLastPathComponent
        return prefix + "/share/pkgtrail/shims"
    }

    static func quote(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }
}
