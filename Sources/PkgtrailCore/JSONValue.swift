/// The value model of every event body. Deliberately without floating point:
/// a body holds only strings, integers, booleans, explicit nulls, arrays and
/// objects, so that one canonical byte sequence exists for every value.
public enum JSONValue: Equatable, Sendable {
    case null
    case bool(Bool)
    case int(Int64)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)
    /// A non-integer number read from external input (a pip report, an advisory).
    /// Kept as its source text; the canonical encoder refuses it.
    case number(String)

    public subscript(key: String) -> JSONValue? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    public var intValue: Int64? {
        if case .int(let i) = self { return i }
        return nil
    }

    public var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    public var arrayValue: [JSONValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    public var objectValue: JSONObject? {
        if case .object(let o) = self { return o }
        return nil
    }

    public var isNull: Bool { self == .null }
}

extension JSONValue {
    /// `nil` becomes an explicit null: absent facts are stated, never omitted.
    public static func optional(_ s: String?) -> JSONValue { s.map(JSONValue.string) ?? .null }
    public static func optional(_ i: Int64?) -> JSONValue { i.map(JSONValue.int) ?? .null }
    public static func optional(_ b: Bool?) -> JSONValue { b.map(JSONValue.bool) ?? .null }
    public static func strings(_ list: [String]) -> JSONValue { .array(list.map(JSONValue.string)) }
}
