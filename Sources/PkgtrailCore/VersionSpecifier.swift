/// PEP 440 version specifiers (`~=`, `==`, `!=`, `<=`, `>=`, `<`, `>`,
/// `===`, `.*` wildcards), matched as `packaging.specifiers` (26.x, the
/// reference implementation) matches them with `prereleases=True`: a forensic query asks which recorded versions
/// satisfy the comparison, so pre-releases are never skipped the way an
/// installer skips them when choosing what to install.
public struct VersionSpecifier: Sendable, Hashable, CustomStringConvertible {
    public enum Operator: String, Sendable, CaseIterable {
        // Longest first, so parsing takes `===` before `==` and `<=` before `<`.
        case arbitrary = "==="
        case compatible = "~="
        case equal = "=="
        case notEqual = "!="
        case lessEqual = "<="
        case greaterEqual = ">="
        case less = "<"
        case greater = ">"
    }

    public let op: Operator
    /// The version text as written (what `===` compares).
    public let text: String
    let version: Version?
    let wildcard: Bool

    public init(_ raw: String) throws {
        let s = String(raw.trimmingSpaces)
        guard let op = Operator.allCases.first(where: { s.hasPrefix($0.rawValue) }) else {
            throw PkgtrailError(
                .invalidInput, "`\(raw)` is not a version specifier (expected an operator such as == >= ~=)")
        }
        self.op = op
        text = String(s.dropFirst(op.rawValue.count).trimmingSpaces)
        guard !text.isEmpty, !text.contains(where: { $0 == " " || $0 == "\t" || $0 == "," }) else {
            throw PkgtrailError(.invalidInput, "`\(raw)`: a version is missing after \(op.rawValue)")
        }
        if op == .arbitrary {
            version = nil
            wildcard = false
            return
        }
        wildcard = text.hasSuffix(".*")
        guard let v = Version(wildcard ? String(text.dropLast(2)) : text) else {
            throw PkgtrailError(.invalidInput, "`\(raw)`: `\(text)` is not a PEP 440 version")
        }
        version = v
        let releaseOnly = v.pre == nil && v.post == nil && v.dev == nil && v.local.isEmpty
        if wildcard && (!(op == .equal || op == .notEqual) || !releaseOnly) {
            throw PkgtrailError(.invalidInput, "`\(raw)`: `.*` only follows a release number, after == or !=")
        }
        if !v.local.isEmpty && !(op == .equal || op == .notEqual) {
            throw PkgtrailError(.invalidInput, "`\(raw)`: a local version (+…) is only allowed with == and !=")
        }
        if op == .compatible && v.release.count < 2 {
            throw PkgtrailError(.invalidInput, "`\(raw)`: ~= needs at least two release numbers (e.g. ~=1.4)")
        }
    }

    public var description: String { op.rawValue + text }

    /// Whether a recorded version string satisfies this specifier. A string
    /// that is not a PEP 440 version can only match `===`.
    public func contains(_ candidate: String) -> Bool {
        if op == .arbitrary { return candidate.trimmingSpaces.lowercased() == text.lowercased() }
        guard let c = Version(candidate) else { return false }
        return contains(c)
    }

    public func contains(_ c: Version) -> Bool {
        guard let spec = version else { return false }
        switch op {
        case .arbitrary: return c.description.lowercased() == text.lowercased()
        case .equal: return Self.equal(c, spec, wildcard: wildcard)
        case .notEqual: return !Self.equal(c, spec, wildcard: wildcard)
        case .lessEqual: return c.publicVersion <= spec
        case .greaterEqual: return c.publicVersion >= spec
        case .less:
            // `<V` excludes V's own pre-releases (V.dev0 and up) unless V is one.
            let bound =
                spec.isPrerelease
                ? spec
                : Version(
                    epoch: spec.epoch, release: spec.release, pre: spec.pre,
                    post: spec.post, dev: 0, local: [])
            return c < bound
        case .greater:
            // `>V` excludes V's local and post-release family, unless V names a post or dev release.
            if let dev = spec.dev {
                return c.publicVersion
                    >= Version(
                        epoch: spec.epoch, release: spec.release, pre: spec.pre, post: spec.post,
                        dev: dev + 1, local: [])
            }
            if let post = spec.post {
                return c.publicVersion
                    >= Version(
                        epoch: spec.epoch, release: spec.release, pre: spec.pre, post: post + 1,
                        dev: 0, local: [])
            }
            let sameFamily = c.baseVersion == spec.baseVersion && c.pre?.0 == spec.pre?.0 && c.pre?.1 == spec.pre?.1
            return c > spec && !sameFamily
        case .compatible:
            // ~=X.Y.Z means >=X.Y.Z and ==X.Y.*
            let prefix = Version(
                epoch: spec.epoch, release: Array(spec.release.dropLast()), pre: nil, post: nil, dev: nil,
                local: [])
            return c.publicVersion >= spec && Self.equal(c, prefix, wildcard: true)
        }
    }

    private static func equal(_ c: Version, _ spec: Version, wildcard: Bool) -> Bool {
        if wildcard {
            // Prefix match on the zero-padded release; the local label is ignored.
            guard c.epoch == spec.epoch else { return false }
            let n = spec.release.count
            let padded = c.release + Array(repeating: 0, count: max(0, n - c.release.count))
            return Array(padded.prefix(n)) == spec.release
        }
        return spec.local.isEmpty ? c.publicVersion == spec : c == spec
    }
}

/// A comma-separated set of specifiers, all of which must hold (an empty
/// set matches every version).
public struct SpecifierSet: Sendable, Hashable, CustomStringConvertible {
    public let specifiers: [VersionSpecifier]

    public init(_ text: String) throws {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { String($0.trimmingSpaces) }
        if parts == [""] {
            specifiers = []
            return
        }
        specifiers = try parts.map { part in
            guard !part.isEmpty else {
                throw PkgtrailError(.invalidInput, "`\(text)`: an empty specifier between commas")
            }
            return try VersionSpecifier(part)
        }
    }

    public func contains(_ version: String) -> Bool { specifiers.allSatisfy { $0.contains(version) } }
    public var description: String { specifiers.map(\.description).joined(separator: ",") }
}

/// `NAME[SPEC]` as a query names a package: `litellm`, `litellm==1.82.7`,
/// `LiteLLM >=1.82.7, <1.82.9`. The name is normalized like the log's.
public struct PackageQuery: Sendable, Hashable, CustomStringConvertible {
    public let name: String
    public let versions: SpecifierSet

    public init(_ text: String) throws {
        let s = String(text.trimmingSpaces)
        let end =
            s.firstIndex(where: { !($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == ".") }) ?? s.endIndex
        let name = String(s[..<end])
        guard !name.isEmpty, name.allSatisfy({ $0.isASCII }), name.first!.isLetter || name.first!.isNumber else {
            throw PkgtrailError(.invalidInput, "`\(text)` does not start with a package name")
        }
        self.name = PackageName.normalize(name)
        versions = try SpecifierSet(String(s[end...]))
    }

    public func matches(_ version: String?) -> Bool { version.map(versions.contains) ?? false }
    public var description: String { name + versions.description }
}
