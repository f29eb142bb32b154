/// The one error type of pkgtrail's own failures: a kind and one sentence
/// that says what happened and what to do next. The kind decides nothing
/// but the exit status, in one place (the CLI's `ExitStatus`): `usage` is
/// 64, every other kind 2; 1 is never an error, only a negative verdict.
/// Messages never quote statement arguments or key text: they may hold
/// user data or secrets.
public struct PkgtrailError: Error, CustomStringConvertible, Sendable {
    public enum Kind: Sendable, Equatable {
        /// The command line is wrong.
        case usage
        /// What the command needs is not there (a log, a key, an environment).
        case missing
        case unreadable
        case unwritable
        /// The log (or a file pkgtrail wrote) is damaged.
        case corrupt
        /// Another writer holds the log past the busy timeout.
        case locked
        /// An event that does not follow the schema.
        case invalidEvent
        /// A file or text handed in (a key, a checkpoint, an advisory) is not what it should be.
        case invalidInput
    }

    public let kind: Kind
    public let description: String

    public init(_ kind: Kind, _ description: String) {
        self.kind = kind
        self.description = description
    }
}
