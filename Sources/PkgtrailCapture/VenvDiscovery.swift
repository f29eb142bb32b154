import PkgtrailCore
import PkgtrailSystem

/// Finds environments below a root (`watch --discover`): a directory
/// holding `pyvenv.cfg` (PEP 405) is a venv; one holding
/// `lib/pythonX.Y/site-packages` without it is a plain prefix (a conda
/// environment, a Python built into a directory). Either is not descended
/// into. Nothing is run: what is known is read from names and `pyvenv.cfg`.
/// The walk stops at `depth` levels and skips symlinks and the big trees
/// that never hold an environment of their own.
public enum VenvDiscovery {
    public static let skipped: Set<String> = ["node_modules", ".git", ".hg", ".svn", "__pycache__", "site-packages"]

    public struct Found: Sendable {
        /// Directories walked (the watcher watches them for new venvs), with their depth below the root.
        public var directories: [(path: String, depth: Int)] = []
        public var environments: [Environment] = []
    }

    /// `depth`: how many levels below `root` may still be looked at.
    public static func walk(_ root: String, depth: Int, startDepth: Int = 0) -> Found {
        var found = Found()
        visit(root, level: startDepth, depth: depth, into: &found)
        return found
    }

    /// The environment that `dir` lies in, at most `levels` above it: what
    /// appeared may be the `lib/python3.12/site-packages` of a prefix that
    /// was an ordinary directory a moment ago.
    public static func enclosing(_ dir: String, levels: Int) -> Environment? {
        var up = dir
        for _ in 0..<max(0, levels) {
            up = FileSystem.dirname(up)
            if let found = environment(at: up) { return found }
        }
        return nil
    }

    /// The environment at `dir`, if it is one.
    public static func environment(at dir: String) -> Environment? {
        if FileSystem.stat(FileSystem.join(dir, "pyvenv.cfg"))?.isRegular == true {
            return PythonLocator.venv(python: FileSystem.join(dir, "bin/python"))?.environment
        }
        let lib = FileSystem.join(dir, "lib")
        let sites = FileSystem.list(lib).filter { $0.hasPrefix("python3.") }.sorted().map {
            FileSystem.join(lib, $0 + "/site-packages")
        }.filter { FileSystem.stat($0)?.isDirectory == true }
        guard !sites.isEmpty else { return nil }
        let python = FileSystem.join(dir, "bin/python3")
        return Environment(
            prefix: dir, python: FileSystem.isExecutableFile(python) ? python : nil, pythonVersion: nil,
            platform: PythonLocator.platform, isVenv: false, siteDirs: sites)
    }

    private static func visit(_ dir: String, level: Int, depth: Int, into found: inout Found) {
        if let venv = environment(at: dir) {
            found.environments.append(venv)
            return
        }
        found.directories.append((dir, level))
        guard level < depth else { return }
        for name in FileSystem.list(dir).sorted() where !skipped.contains(name) {
            let path = FileSystem.join(dir, name)
            guard let st = FileSystem.stat(path, followLinks: false), st.isDirectory else { continue }
            visit(path, level: level + 1, depth: depth, into: &found)
        }
    }
}
