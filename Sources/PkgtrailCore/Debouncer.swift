/// When to look at something that is still being written: `settle` seconds
/// after its last change, but never later than `patience` seconds after the
/// first one, so a writer that never pauses (a long install, a loop) is still
/// observed every few seconds. Pure: times are passed in.
public struct Debouncer<Key: Hashable & Sendable>: Sendable {
    public let settle: Double
    public let patience: Double
    private var first: [Key: Double] = [:]
    private var last: [Key: Double] = [:]

    public init(settle: Double, patience: Double) {
        self.settle = settle
        self.patience = max(patience, settle)
    }

    /// `key` changed at `time`.
    public mutating func touch(_ key: Key, at time: Double) {
        if first[key] == nil { first[key] = time }
        last[key] = time
    }

    /// Puts `key` back to be looked at no sooner than `time` (when it could not be looked at yet).
    public mutating func retry(_ key: Key, at time: Double) {
        // As if it had changed once, `settle` before `time`.
        first[key] = time - settle
        last[key] = time - settle
    }

    public func deadline(of key: Key) -> Double? {
        guard let f = first[key], let l = last[key] else { return nil }
        return min(l + settle, f + patience)
    }

    /// The earliest moment anything is due; nil when nothing waits (sleep until the next change).
    public var nextDeadline: Double? {
        first.keys.compactMap(deadline(of:)).min()
    }

    /// The keys due at `now`, removed from the waiting set.
    public mutating func takeDue(at now: Double) -> [Key] {
        let due = first.keys.filter { (deadline(of: $0) ?? .infinity) <= now }
        for k in due {
            first[k] = nil
            last[k] = nil
        }
        return due
    }
}
