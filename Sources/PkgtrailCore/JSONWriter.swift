/// Canonical JSON written piece by piece: members in the order the caller
/// gives them (which must be canonical: byte order of the keys), values
/// encoded or copied from a stored body. What `--json` answers of a
/// hundred thousand records are written with; a `JSONValue` tree of each
/// would cost more than the rest of the answer.
public struct JSONWriter {
    public var bytes: [UInt8] = []

    public init(capacity: Int = 4096) { bytes.reserveCapacity(capacity) }

    public mutating func openObject() { bytes.append(UInt8(ascii: "{")) }
    public mutating func closeObject() { bytes.append(UInt8(ascii: "}")) }
    public mutating func openArray() { bytes.append(UInt8(ascii: "[")) }
    public mutating func closeArray() { bytes.append(UInt8(ascii: "]")) }

    /// A member's key; the comma before it when it is not the first.
    public mutating func key(_ k: StaticString) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        k.withUTF8Buffer { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: [UInt8(ascii: "\""), UInt8(ascii: ":")])
    }

    public mutating func key(_ k: String) {
        separate()
        CanonicalJSON.writeString(k, into: &bytes)
        bytes.append(UInt8(ascii: ":"))
    }

    /// Before an array's element: the comma when it is not the first.
    public mutating func element() { separate() }

    public mutating func value(_ v: JSONValue) throws { try CanonicalJSON.write(v, into: &bytes) }
    public mutating func string(_ s: String) { CanonicalJSON.writeString(s, into: &bytes) }
    public mutating func null() { bytes.append(contentsOf: "null".utf8) }
    public mutating func bool(_ b: Bool) { bytes.append(contentsOf: (b ? "true" : "false").utf8) }

    /// A stored value, copied as it is (`CanonicalBody` has checked it).
    public mutating func raw(_ body: CanonicalBody, _ v: CanonicalBody.Value) {
        bytes.append(contentsOf: UnsafeBufferPointer(rebasing: body.slice(v)))
    }

    /// A stored value, or null when there is none.
    public mutating func raw(_ body: CanonicalBody, _ v: CanonicalBody.Value?) {
        if let v { raw(body, v) } else { null() }
    }

    /// Bytes as a string of lowercase hex (a hash).
    public mutating func hex(_ value: UnsafeBufferPointer<UInt8>) {
        bytes.append(UInt8(ascii: "\""))
        for b in value {
            bytes.append(Hex.digits[Int(b >> 4)])
            bytes.append(Hex.digits[Int(b & 0xF)])
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// JSON text written elsewhere, as it is.
    public mutating func raw(_ json: some Collection<UInt8>) { bytes.append(contentsOf: json) }

    private mutating func separate() {
        if let last = bytes.last, last != UInt8(ascii: "{"), last != UInt8(ascii: "[") {
            bytes.append(UInt8(ascii: ","))
        }
    }
}
