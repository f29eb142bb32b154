import ArgumentParser
import PkgtrailCapture
import PkgtrailCommandLine
import PkgtrailCore
import PkgtrailQueryCommands
import PkgtrailStore
import PkgtrailSystem

struct KeyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "key", abstract: "Manage the Ed25519 key that signs checkpoints.", subcommands: [Init.self])

    struct Init: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "init",
            abstract: "Create a signing key (private file 0600, never in the log) and print its public key.")

        @Option(help: "The key's name in signatures (no spaces, no '+'; default: pkgtrail-HOSTNAME).")
        var name: String?
        @Option(help: "Where to write the private key (default: $XDG_CONFIG_HOME/pkgtrail/checkpoint.key).")
        var keyFile: String?

        func run() throws {
            let files = KeyFiles(env: ProcessEnvironment.current(), privatePath: keyFile)
            do {
                let signer = try SignedNote.Signer.generate(name: name ?? "pkgtrail-" + ActorProbe.hostname())
                try files.create(signer)
                emit(
                    "private key: \(files.privatePath) (keep it off the machines whose logs it vouches for, if you can)"
                )
                emit("public key:  \(files.publicPath)")
                emit(signer.verifier.encoded)
            } catch { throw fail("\(error)") }
        }
    }
}

struct CheckpointCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "checkpoint",
        abstract: "Print the log's head (origin, size, hash) as a signed note to keep elsewhere.",
        discussion: """
            Ship checkpoints somewhere the log's writers cannot rewrite (a ticket, another host, git). \
            `pkgtrail verify --checkpoint FILE` later proves the log still extends them.
            """)

    @OptionGroup var location: LogLocation
    @Option(help: "The private key (default: $XDG_CONFIG_HOME/pkgtrail/checkpoint.key).")
    var key: String?
    @Option(help: "The log's name in the checkpoint (default: HOSTNAME/pkgtrail).")
    var origin: String?
    @Option(name: .shortAndLong, help: "Write to this file instead of standard output.")
    var output: String?

    func run() throws {
        let files = KeyFiles(env: ProcessEnvironment.current(), privatePath: key)
        let origin = origin ?? ActorProbe.hostname() + "/pkgtrail"
        guard !origin.isEmpty, !origin.contains("\n") else { throw ValidationError("--origin is one non-empty line") }
        let store = try LogAccess(location).openLog()
        do {
            let signer = try files.signer()
            let head = try store.head()
            let note = try signer.sign(Checkpoint(origin: origin, size: head.seq, head: head.hash).text)
            CheckpointMemory(stateDirectory: ProcessEnvironment.current().stateDirectory).remember(note: note)
            if let output {
                let sink = try ExportSink(path: output)
                sink.write(note)
                try sink.commit()
            } else {
                emit(note, terminator: "")
            }
        } catch { throw fail("\(error)") }
    }
}
