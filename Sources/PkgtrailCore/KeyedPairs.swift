/// Two keyed collections side by side, in key order: for every key either
/// holds, the value each holds under it (nil where it holds none). The one
/// set-difference walk behind every comparison pkgtrail makes: snapshot to
/// snapshot, record to disk (drift), and `pkgtrail diff`'s two moments.
@inlinable
public func keyedPairs<Key: Hashable & Comparable, A, B>(
    _ before: [Key: A], _ after: [Key: B]
) -> [(key: Key, before: A?, after: B?)] {
    Set(before.keys).union(after.keys).sorted().map { ($0, before[$0], after[$0]) }
}
