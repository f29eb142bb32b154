/// A JSON object's members, kept sorted by the UTF-8 bytes of their keys:
/// the canonical order, so encoding needs no sort, a canonical body parses
/// with no reordering, and a lookup is a binary search over short keys
/// instead of hashing every key of every body (verify reads millions).
public struct JSONObject: Equatable, Sendable, ExpressibleByDictionaryLiteral, Sequence {
    public struct Member: Equatable, Sendable {
        public let key: String
        public var value: JSONValue
    }

    public private(set) var members: [Member]

    public init() { members = [] }

    public init(_ dictionary: [String: JSONValue]) {
        members = dictionary.map { Member(key: $0.key, value: $0.value) }.sorted { Self.less($0.key, $1.key) }
    }

    /// A literal written in canonical key order is taken as it is (answers
    /// build hundreds of thousands of records); any other is sorted, and a
    /// repeated key keeps its last value.
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        let members = elements.map { Member(key: $0.0, value: $0.1) }
        if JSONObject.strictlyAscending(members) {
            self.init(ordered: members)
        } else {
            self.init(Dictionary(elements, uniquingKeysWith: { _, last in last }))
        }
    }

    private init(ordered: [Member]) {
        members = ordered
    }

    /// Members in the order they were read; nil when a key repeats.
    init?(unsorted: [Member]) {
        var m = unsorted
        if !Self.strictlyAscending(m) {
            m.sort { Self.less($0.key, $1.key) }
            // Sorted, only a repeated key can still break strict order.
            if !Self.strictlyAscending(m) { return nil }
        }
        members = m
    }

    /// An index loop: zip over the members retained every element (verify
    /// checks the order of every object of every body).
    private static func strictlyAscending(_ m: [Member]) -> Bool {
        var i = 1
        while i < m.count {
            if !less(m[i - 1].key, m[i].key) { return false }
            i += 1
        }
        return true
    }

    public var count: Int { members.count }
    public var isEmpty: Bool { members.isEmpty }
    public var keys: [String] { members.map(\.key) }

    public subscript(key: String) -> JSONValue? {
        get {
            // Schema objects are small and their keys short (inline strings,
            // compared in a word or two): a scan beats a binary search.
            if members.count <= 16 {
                for m in members where m.key == key { return m.value }
                return nil
            }
            let i = position(of: key)
            return i < members.count && members[i].key == key ? members[i].value : nil
        }
        set {
            let i = position(of: key)
            let present = i < members.count && members[i].key == key
            switch (newValue, present) {
            case (let v?, true): members[i].value = v
            case (let v?, false): members.insert(Member(key: key, value: v), at: i)
            case (nil, true): members.remove(at: i)
            case (nil, false): break
            }
        }
    }

    public func makeIterator() -> IndexingIterator<[Member]> { members.makeIterator() }

    /// The first member whose key is not below `key`.
    private func position(of key: String) -> Int {
        var lo = 0
        var hi = members.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if Self.less(members[mid].key, key) { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    static func less(_ a: String, _ b: String) -> Bool { CanonicalJSON.utf8Less(a, b) }
}
