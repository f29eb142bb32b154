/// Every storage failure, in sentences that say what to do next.
/// Statement arguments are never included: they may hold user data.
public struct StoreError: Error, CustomStringConvertible {
    public enum Kind: Sendable { case missing, unreadable, unwritable, corrupt, locked, invalidEvent }
    public let kind: Kind
    public let description: String

    public init(_ kind: Kind, _ description: String) {
        self.kind = kind
        self.description = description
    }
}
