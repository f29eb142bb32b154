/// One `key = value` line of a settings file, with the `[section]` it sits in.
public struct SettingLine: Sendable, Equatable {
    public let number: Int
    public let section: String?
    public let key: String
    public let value: String

    /// An error naming the file and this line.
    public func error(_ why: String, in path: String) -> PkgtrailError {
        PkgtrailError(.invalidInput, "\(path), line \(number): \(why)")
    }
}

/// The reader of pkgtrail's `central.conf` and libpq's service file: `key =
/// value` lines (spaces around `=` ignored), blank lines and lines starting
/// with `#` skipped, and, where the format has them, `[section]` headers. A
/// line that is none of these is an error naming the file and line, in the
/// words `expecting` gives. The section names come back too (a section may be empty).
public enum SettingLines {
    public static func parse(
        _ text: String, path: String, sections: Bool, expecting: String
    ) throws -> (lines: [SettingLine], sections: [String]) {
        var out: [SettingLine] = []
        var names: [String] = []
        var section: String?
        for (i, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingSpaces
            guard !line.isEmpty, !line.hasPrefix("#") else { continue }
            if sections, line.hasPrefix("["), line.hasSuffix("]") {
                section = String(line.dropFirst().dropLast())
                names.append(section!)
                continue
            }
            let parts = line.split(separator: "=", maxSplits: 1).map { String($0.trimmingSpaces) }
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty, !sections || section != nil else {
                throw PkgtrailError(.invalidInput, "\(path), line \(i + 1): \(expecting)")
            }
            out.append(SettingLine(number: i + 1, section: section, key: parts[0], value: parts[1]))
        }
        return (out, names)
    }
}
