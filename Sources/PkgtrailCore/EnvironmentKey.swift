/// An environment as the log knows it: a prefix on a host.
public struct EnvironmentKey: Hashable, Sendable, Comparable {
    public let host: String
    public let prefix: String
    public init(host: String, prefix: String) {
        self.host = host
        self.prefix = prefix
    }
    public static func < (a: Self, b: Self) -> Bool { (a.host, a.prefix) < (b.host, b.prefix) }
}
