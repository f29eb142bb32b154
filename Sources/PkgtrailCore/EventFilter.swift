/// Which events `log` and `export` want, and how `who`, `exposure` and
/// `audit` narrow a large answer: all filters must hold.
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
    /// The newest this many only (still listed oldest first): the engines
    /// read them from the newest end of their indexes, so a popular name's
    /// last page costs what a rare name's whole history does.
    public var limit: Int?

    public init(
        since: String? = nil, until: String? = nil, package: String? = nil, user: String? = nil,
        host: String? = nil, prefixes: [String]? = nil, tool: String? = nil, kind: String? = nil,
        limit: Int? = nil
    ) {
        self.since = since
        self.until = until
        self.package = package
        self.user = user
        self.host = host
        self.prefixes = prefixes
        self.tool = tool
        self.kind = kind
        self.limit = limit
    }

    /// Whether a presence window falls in the filter: held in a matching
    /// environment at some moment between `since` and `until` (a window
    /// that ended before `since`, or began at or after `until`, does not).
    public func admits(_ w: Window) -> Bool {
        if let since, let end = w.ended, end < since { return false }
        if let until, w.started >= until { return false }
        if let host, w.host != host { return false }
        if let prefixes, !prefixes.contains(w.prefix) { return false }
        return true
    }

    /// The windows the filter admits; with a limit, the newest: windows
    /// come in the engine's time order (the local log's order, the fleet's
    /// by start), and the last `limit` are kept.
    public func select(_ windows: [Window]) -> [Window] {
        let admitted = windows.filter(admits)
        return limit.map { Array(admitted.suffix($0)) } ?? admitted
    }

    /// The `limit` items that started last, in the order given (ties: the later one).
    public static func newest<T>(_ items: [T], _ limit: Int, started: (T) -> String) -> [T] {
        guard items.count > limit else { return items }
        let keys = items.map(started)
        let kept = Set(items.indices.sorted { (keys[$0], $0) > (keys[$1], $1) }.prefix(limit))
        return items.indices.filter(kept.contains).map { items[$0] }
    }
}
