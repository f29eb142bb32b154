import PkgtrailCore
import PkgtrailSystem

/// The newest checkpoint made on this machine, kept (unsigned text and all)
/// in the state directory so `doctor` can say how old it is. The copy that
/// counts is the one shipped elsewhere; this one only reminds.
public struct CheckpointMemory: Sendable {
    public let path: String

    public init(stateDirectory: String) { path = stateDirectory + "/newest-checkpoint.note" }

    public func remember(note: String) {
        FileSystem.makeDirectories(FileSystem.dirname(path))
        FileSystem.writeAtomically(path, Array(note.utf8))
    }

    /// The checkpoint (its signature is not checked here), when it was made
    /// (UTC), and how long ago in words (`3 h`).
    public func newest(now: Int64 = Clock.nowMilliseconds()) -> (checkpoint: Checkpoint, made: String, age: String)? {
        guard let bytes = FileSystem.read(path, limit: 1 << 16), let st = FileSystem.stat(path) else { return nil }
        // A signed note: the checkpoint text, a blank line, the signatures.
        guard let end = bytes.indices.dropLast().first(where: { bytes[$0] == 0x0A && bytes[$0 + 1] == 0x0A }),
            let cp = try? Checkpoint(text: String(decoding: bytes[...end], as: UTF8.self))
        else { return nil }
        let made = st.mtimeNS / 1_000_000
        return (cp, Timestamp.format(millisecondsSinceEpoch: made), Self.age(milliseconds: max(0, now - made)))
    }

    /// The largest whole unit: `45 s`, `12 min`, `3 h`, `9 days`.
    static func age(milliseconds ms: Int64) -> String {
        let s = ms / 1000
        if s < 60 { return "\(s) s" }
        if s < 3600 { return "\(s / 60) min" }
        if s < 86400 { return "\(s / 3600) h" }
        return "\(s / 86400) days"
    }
}
