/// Splits a pip or uv command line into options and positionals the way
/// both parsers (optparse, clap) read it: `--opt=value`, `--opt value` for
/// options known to take one, clustered short flags (`-qq`, `-Ur file`),
/// attached short values (`-rreqs.txt`), and everything after `--` positional.
struct ArgvTokens: Sendable {
    var options: [(name: String, value: String?)] = []
    var positionals: [String] = []

    /// `commandStarts`: given the positionals read so far, true once they
    /// name a command whose arguments follow (clap's trailing arguments:
    /// `uvx ruff --version` passes `--version` to ruff, not to uv); all that
    /// follows is then positional.
    init(_ arguments: [String], valued: Set<String>, commandStarts: ([String]) -> Bool = { _ in false }) {
        var i = 0
        var afterDoubleDash = false
        while i < arguments.count {
            let arg = arguments[i]
            i += 1
            if afterDoubleDash || arg == "-" || !arg.hasPrefix("-") {
                positionals.append(arg)
                if !afterDoubleDash, commandStarts(positionals) {
                    positionals += arguments[i...]
                    return
                }
                continue
            }
            if arg == "--" {
                afterDoubleDash = true
                continue
            }
            if arg.hasPrefix("--") {
                if let eq = arg.firstIndex(of: "=") {
                    options.append((String(arg[..<eq]), String(arg[arg.index(after: eq)...])))
                } else if valued.contains(arg) {
                    options.append((arg, i < arguments.count ? arguments[i] : nil))
                    i += 1
                } else {
                    options.append((arg, nil))
                }
                continue
            }
            var chars = Array(arg.dropFirst())
            while let c = chars.first {
                chars.removeFirst()
                guard valued.contains("-\(c)") else {
                    options.append(("-\(c)", nil))
                    continue
                }
                if chars.isEmpty {
                    options.append(("-\(c)", i < arguments.count ? arguments[i] : nil))
                    i += 1
                } else {
                    options.append(("-\(c)", String(chars).hasPrefix("=") ? String(chars.dropFirst()) : String(chars)))
                    chars = []
                }
            }
        }
    }
}
