/// Wheel tags, compressed sets (`py2.py3-none-any`) expanded: a `WHEEL`
/// file's `Tag:` lines (some builders, maturin among them, write a
/// compressed set on one line) and a wheel filename's.
public struct WheelTags: Equatable, Sendable {
    public let tags: Set<String>

    /// From the text of an installed `WHEEL` file.
    public init(wheelFile text: String) {
        var tags = Set<String>()
        for line in text.split(whereSeparator: \.isNewline) where line.hasPrefix("Tag:") {
            tags.formUnion(Self.expand(String(line.dropFirst(4).trimmingSpaces)))
        }
        self.tags = tags
    }

    /// The tags a wheel filename covers (`x-1.0-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl`).
    public static func of(wheel filename: String) -> Set<String> {
        guard filename.hasSuffix(".whl") else { return [] }
        let parts = filename.dropLast(4).split(separator: "-")
        guard parts.count >= 5 else { return [] }
        return expand(parts.suffix(3).joined(separator: "-"))
    }

    /// `py2.py3-none-any` → `py2-none-any`, `py3-none-any`.
    public static func expand(_ compressed: String) -> Set<String> {
        let parts = compressed.split(separator: "-")
        guard parts.count == 3 else { return [] }
        var out = Set<String>()
        for py in parts[0].split(separator: ".") {
            for abi in parts[1].split(separator: ".") {
                for plat in parts[2].split(separator: ".") { out.insert("\(py)-\(abi)-\(plat)") }
            }
        }
        return out
    }
}
