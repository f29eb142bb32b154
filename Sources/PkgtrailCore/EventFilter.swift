/// Which events `log` and `export` want: all filters must hold.
public struct EventFilter: Sendable {
    public var since: String?
    public var until: String?
    public var package: String?
    public var user: String?
    public var host: String?
    /// Environment prefixes (a path as given and as resolved); any matches.
    public var prefixes: [String]?
    public var tool: String?
    public var kind: String?
    /// Events in this seq range only (an export's contiguous slice).
    public var minSeq: Int64?
    public var maxSeq: Int64?
    public init(
        since: String? = nil, until: String? = nil, package: String? = nil, user: String? = nil,
        host: String? = nil, prefixes: [String]? = nil, tool: String? = nil, kind: String? = nil
    ) {
        self.since = since
        self.until = until
        self.package = package
        self.user = user
        self.host = host
        self.prefixes = prefixes
        self.tool = tool
        self.kind = kind
    }
}
