import PkgtrailSystem

/// Finds the real `pip`/`uv` behind the shims: the first executable of that
/// name on PATH that is not a pkgtrail shim (pyenv's pip-rehash hook learned
/// the hard way that a wrapper must skip itself, or it recurses forever).
public enum RealTool {
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

    /// A shim is a symbolic link that resolves to a binary named
    /// `pkgtrail` (`make install` links pip, pip3, uv and uvx to
    /// PREFIX/bin/pkgtrail), through any number of links: a copy of the
    /// shims directory or the same directory listed twice is skipped too.
    public static func isShim(_ path: String) -> Bool {
        guard FileSystem.isSymlink(path), let target = FileSystem.realpath(path) else { return false }
        return FileSystem.basename(target) == "pkgtrail"
    }

    /// Nested pkgtrail calls count their depth; a real tool that leads back
    /// into a shim (a wrapper script calling `pip` from PATH) would otherwise
    /// loop forever. No legitimate nesting comes close to this.
    public static let maxDepth = 8
}
