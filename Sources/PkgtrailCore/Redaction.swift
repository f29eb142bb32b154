/// Keeps secrets out of the log. Everything the recorder stores that came
/// from a user (argv, URLs, config values) passes through here first.
///
/// What is removed: the userinfo of every URL (`https://user:token@host` →
/// `https://***@host`, so the index stays identifiable), query values of
/// URLs (signed URLs carry credentials there), the values of options whose
/// names say they hold a secret, `NAME=value` assignments whose names do
/// (`-C token=…`, `OPENAI_API_KEY=…` in argv), and strings shaped like
/// well-known tokens.
public enum Redaction {
    public static let mask = "***"

    /// Redacts every URL inside `text` and every token-shaped word.
    public static func redactText(_ text: String) -> String {
        redactTokens(redactAssignments(redactURLs(text)))
    }

    /// Redacts argv: option values for secret-named options, and URLs and tokens anywhere.
    public static func redactArgv(_ argv: [String]) -> [String] {
        var out: [String] = []
        var maskNext = false
        for arg in argv {
            if maskNext {
                out.append(mask)
                maskNext = false
                continue
            }
            if arg.hasPrefix("-"), !arg.hasPrefix("---") {
                let parts = arg.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                if isSecretOption(String(parts[0])) {
                    if parts.count == 2 {
                        out.append("\(parts[0])=\(mask)")
                    } else {
                        out.append(arg)
                        maskNext = true
                    }
                    continue
                }
            }
            out.append(redactText(arg))
        }
        return out
    }

    static func isSecretOption(_ option: String) -> Bool {
        option.hasPrefix("-") && isSecretName(option)
    }

    static func isSecretName<S: StringProtocol>(_ name: S) -> Bool {
        let name = Array(name.drop { $0 == "-" }.lowercased().utf8)
        guard !name.isEmpty, !name.starts(with: "author".utf8) else { return false }
        // Bytes, not `String.contains`: the same answer for these ASCII
        // words, without _StringProcessing's searcher, whose first use costs
        // a recorded command ~0.15 ms of runtime type lookups.
        return secretWords.contains { word in
            name.count >= word.count
                && (0...(name.count - word.count)).contains { name[$0..<$0 + word.count].elementsEqual(word) }
        }
    }

    private static let secretWords = [
        "password", "passwd", "token", "secret", "apikey", "api-key", "api_key", "auth",
        "credential", "private_key", "private-key", "access_key", "access-key"
    ].map { Array($0.utf8) }

    /// `token=abc` → `token=***` wherever a secret-named word is assigned:
    /// at the start, or after a space, `=`, `,`, `;` or `&`. The value runs
    /// to the next space, `,`, `;` or `&`.
    public static func redactAssignments(_ text: String) -> String {
        guard text.contains("=") else { return text }
        let separators: Set<Unicode.Scalar> = [" ", "\t", ",", ";", "&"]
        let isBoundary = { (c: Unicode.Scalar) in separators.contains(c) || c == "=" }
        return rewritingWords(text, isWordChar: isNameChar, isBoundary: isBoundary) { u, i, j, out in
            out.append(contentsOf: u[i..<j])
            guard j < u.count, u[j] == "=", isSecretName(String(String.UnicodeScalarView(u[i..<j]))) else { return j }
            out.append("=")
            out.append(contentsOf: mask.unicodeScalars)
            var end = j + 1
            while end < u.count, !separators.contains(u[end]) { end += 1 }
            return end
        }
    }

    /// Copies `text`, handing each word (a run of `isWordChar` that starts
    /// the text or follows an `isBoundary` character) to `rewrite`, which
    /// appends what stands for it and returns where to go on from.
    private static func rewritingWords(
        _ text: String, isWordChar: (Unicode.Scalar) -> Bool, isBoundary: (Unicode.Scalar) -> Bool,
        rewrite: (_ u: [Unicode.Scalar], _ start: Int, _ end: Int, _ out: inout [Unicode.Scalar]) -> Int
    ) -> String {
        let u = Array(text.unicodeScalars)
        var out: [Unicode.Scalar] = []
        out.reserveCapacity(u.count)
        var i = 0
        while i < u.count {
            if i == 0 || isBoundary(u[i - 1]), isWordChar(u[i]) {
                var j = i
                while j < u.count, isWordChar(u[j]) { j += 1 }
                i = rewrite(u, i, j, &out)
                continue
            }
            out.append(u[i])
            i += 1
        }
        return String(String.UnicodeScalarView(out))
    }

    private static func isNameChar(_ c: Unicode.Scalar) -> Bool {
        c.isASCII && (c.properties.isAlphabetic || ("0"..."9").contains(c) || c == "_" || c == "-" || c == ".")
    }

    /// Replaces the userinfo and query values of every `scheme://` URL in `text`.
    public static func redactURLs(_ text: String) -> String {
        guard text.contains("://") || text.contains("@") else { return text }
        var scalars = Array(text.unicodeScalars)
        var searchFrom = 0
        while let sep = find("://", in: scalars, from: searchFrom) {
            let authorityStart = sep + 3
            var end = authorityStart
            while end < scalars.count, !isURLTerminator(scalars[end]) { end += 1 }
            var authorityEnd = authorityStart
            while authorityEnd < end, !["/", "?", "#"].contains(scalars[authorityEnd]) { authorityEnd += 1 }
            var url = Array(scalars[authorityStart..<end])
            var authorityLength = authorityEnd - authorityStart
            if let at = url[0..<authorityLength].lastIndex(of: "@") {
                url.replaceSubrange(0..<at, with: mask.unicodeScalars)
                authorityLength -= at - mask.unicodeScalars.count
            }
            url = redactQuery(url, from: authorityLength)
            scalars.replaceSubrange(authorityStart..<end, with: url)
            searchFrom = authorityStart + url.count
        }
        var s = String()
        s.unicodeScalars.append(contentsOf: scalars)
        return s
    }

    /// `?a=1&b=2#frag` → `?a=***&b=***#frag`; the path and fragment stay.
    private static func redactQuery(_ url: [Unicode.Scalar], from start: Int) -> [Unicode.Scalar] {
        guard let q = url[start...].firstIndex(of: "?") else { return url }
        let fragment = url[q...].firstIndex(of: "#") ?? url.count
        let query = String(String.UnicodeScalarView(url[(q + 1)..<fragment]))
        let redacted = query.split(separator: "&", omittingEmptySubsequences: false).map { pair -> String in
            guard let eq = pair.firstIndex(of: "=") else { return String(pair) }
            return "\(pair[..<eq])=\(mask)"
        }.joined(separator: "&")
        return Array(url[...q]) + Array(redacted.unicodeScalars) + Array(url[fragment...])
    }

    private static func isURLTerminator(_ c: Unicode.Scalar) -> Bool {
        c == " " || c == "\t" || c == "\n" || c == "\r" || c == "\"" || c == "'" || c == "<" || c == ">" || c == ","
            || c == ";"
    }

    private static func find(_ needle: String, in hay: [Unicode.Scalar], from: Int) -> Int? {
        let n = Array(needle.unicodeScalars)
        guard hay.count >= n.count, from <= hay.count - n.count else { return nil }
        for i in from...(hay.count - n.count) where Array(hay[i..<i + n.count]) == n { return i }
        return nil
    }

    /// Prefixes of credentials that are unambiguous where they start a word.
    static let tokenPrefixes = [
        "ghp_", "gho_", "ghs_", "ghu_", "ghr_", "github_pat_", "glpat-", "pypi-", "sk-",
        "xoxb-", "xoxp-", "xoxa-", "npm_", "AKIA", "ASIA", "hf_"
    ]

    /// Masks word-like runs of 20+ characters that begin with a known token prefix.
    public static func redactTokens(_ text: String) -> String {
        let isBoundary = { (c: Unicode.Scalar) in !isTokenChar(c) }
        return rewritingWords(text, isWordChar: isTokenChar, isBoundary: isBoundary) { u, i, j, out in
            let word = String(String.UnicodeScalarView(u[i..<j]))
            if j - i >= 20, tokenPrefixes.contains(where: { word.hasPrefix($0) }) {
                out.append(contentsOf: mask.unicodeScalars)
            } else {
                out.append(contentsOf: u[i..<j])
            }
            return j
        }
    }

    private static func isTokenChar(_ c: Unicode.Scalar) -> Bool {
        c.properties.isAlphabetic && c.isASCII || ("0"..."9").contains(c) || c == "_" || c == "-"
    }
}
