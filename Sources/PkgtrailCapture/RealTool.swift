/// Finds the real `pip`/`uv` behind the shims: the first executable of that
/// name on PATH that is not a pkgtrail shim (pyenv's pip-rehash hook learned
/// the hard way that a wrapper must skip itself, or it recurses forever).
public enum RealTool {
    /// Every shim carries this marker in its first bytes; copies and links of
    /// the prototype are recognised wherever they sit on PATH.
    public static let shimMarker = "pkgtrail-shim"

    public static func locate(_ tool: String, path: String, cwd: String) -> String? {
        first(tool, path: path, cwd: cwd, skippingShims: true)
    }

    /// The first executable `tool` on PATH, as `command -v` finds it; shims
    /// skipped or not.
    public static func first(_ tool: String, path: String, cwd: String, skippingShims: Bool) -> String? {
        guard !tool.contains("/") else { return FileSystem.isExecutableFile(tool) ? tool : nil }
        for dir in path.split(separator: ":", omittingEmptySubsequences: false) {
            let base = dir.isEmpty ? cwd : String(dir)
            let candidate = FileSystem.join(base, tool)
            guard FileSystem.isExecutableFile(candidate) else { continue }
            if skippingShims && isShim(candidate) { continue }
            return candidate
        }
        return nil
    }

    public static func isShim(_ path: String) -> Bool {
        guard let head = FileSystem.read(path, limit: 512) else { return false }
        return head.starts(with: Array("#!".utf8))
            && String(decoding: head, as: UTF8.self).contains(shimMarker)
    }

    /// Nested pkgtrail calls count their depth; a real tool that leads back
    /// into a shim (a wrapper script calling `pip` from PATH) would otherwise
    /// loop forever. No legitimate nesting comes close to this.
    public static let maxDepth = 8
}
