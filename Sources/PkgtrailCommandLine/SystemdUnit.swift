import Foundation

/// What the `--print-systemd-unit` options print their units with.
public enum SystemdUnit {
    /// An `ExecStart=` command line, each word quoted as systemd reads it.
    public static func commandLine(_ words: [String]) -> String { words.map(quoted).joined(separator: " ") }

    /// systemd's quoting: a word with spaces, quotes, backslashes or `$`/`%` in double quotes.
    public static func quoted(_ word: String) -> String {
        guard word.contains(where: { " \t\"'\\$%;".contains($0) }) || word.isEmpty else { return word }
        let escaped = word.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "$", with: "$$").replacingOccurrences(of: "%", with: "%%")
        return "\"\(escaped)\""
    }
}
