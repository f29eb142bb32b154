import ArgumentParser
import PkgtrailCapture
import PkgtrailCore
import PkgtrailStore

/// What a command needs from the outside world, resolved once.
struct Context {
    let env: ProcessEnvironment
    let databasePath: String

    init(_ location: LogLocation) {
        env = ProcessEnvironment.current()
        databasePath = location.db ?? env.databasePath
    }

    var sink: EventSink { EventSink(databasePath: databasePath, stateDirectory: env.stateDirectory) }

    /// Opens the log for reading after appending anything waiting in the spool.
    func openLog() throws -> TrailStore {
        sink.flushSpool()
        do {
            return try TrailStore.openForReading(path: databasePath)
        } catch {
            throw fail("\(error)")
        }
    }
}

/// Prints the one-line error and exits with 2 ("could not do its job").
func fail(_ message: String) -> ExitCode {
    Console.error(message)
    return ExitCode(2)
}

func emit(_ line: String) {
    print(line)
}

extension StoredEvent {
    /// The body with its hash added: what `--json` prints for an event.
    var jsonWithHash: String {
        var body = String(decoding: self.body, as: UTF8.self)
        body.removeLast()
        return body + ",\"hash\":\"\(Hex.encode(hash))\"}"
    }
}
