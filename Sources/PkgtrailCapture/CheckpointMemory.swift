import PkgtrailCore

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

    /// The checkpoint (its signature is not checked here) and when it was made (UTC).
    public func newest() -> (checkpoint: Checkpoint, made: String)? {
        guard let bytes = FileSystem.read(path, limit: 1 << 16), let st = FileSystem.stat(path) else { return nil }
        // A signed note: the checkpoint text, a blank line, the signatures.
        guard let end = bytes.indices.dropLast().first(where: { bytes[$0] == 0x0A && bytes[$0 + 1] == 0x0A }),
              let cp = try? Checkpoint(text: String(decoding: bytes[...end], as: UTF8.self)) else { return nil }
        return (cp, Timestamp.format(millisecondsSinceEpoch: st.mtimeNS / 1_000_000))
    }
}
