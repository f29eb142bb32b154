/// The text formats inside `*.dist-info` (and `*.egg-info`), parsed without
/// touching the disk so hostile bytes can be fuzzed here (`make fuzz`).
public enum DistInfoFiles {
    /// `Name:` and `Version:` from a METADATA / PKG-INFO header block (RFC 822
    /// style; the headers end at the first empty line).
    public static func nameAndVersion(metadata text: String) -> (name: String, version: String)? {
        var name: String?
        var version: String?
        for line in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            if line.isEmpty { break }
            if line.hasPrefix("Name:") { name = String(line.dropFirst(5).trimmingSpaces) }
            if line.hasPrefix("Version:") { version = String(line.dropFirst(8).trimmingSpaces) }
        }
        guard let n = name, let v = version, !n.isEmpty, !v.isEmpty else { return nil }
        return (n, v)
    }

    /// One RECORD row: `path,hash,size` as CSV (a path may be quoted and
    /// hold commas; `""` inside quotes is a quote).
    public static func recordFields(_ line: Substring) -> [String] {
        var fields: [String] = []
        var field = ""
        var quoted = false
        var chars = line.makeIterator()
        var pending: Character? = nil
        while let c = pending ?? chars.next() {
            pending = nil
            if quoted {
                if c == "\"" {
                    let next = chars.next()
                    if next == "\"" {
                        field.append("\"")
                    } else {
                        quoted = false
                        pending = next
                    }
                } else {
                    field.append(c)
                }
            } else if c == "\"" {
                quoted = true
            } else if c == "," {
                fields.append(field)
                field = ""
            } else {
                field.append(c)
            }
        }
        fields.append(field)
        return fields
    }

    /// RECORD's rows, split into fields; empty lines skipped.
    public static func recordRows(_ bytes: [UInt8]) -> [[String]] {
        String(decoding: bytes, as: UTF8.self).split(whereSeparator: \.isNewline).map(recordFields)
    }

    /// The top-level `.pth` files a RECORD lists: what runs at every
    /// interpreter start.
    public static func startupFiles(record bytes: [UInt8]) -> Set<String> {
        Set(
            recordRows(bytes).compactMap { row in
                guard let path = row.first, path.hasSuffix(".pth"), !path.contains("/") else { return nil }
                return path
            })
    }
}
