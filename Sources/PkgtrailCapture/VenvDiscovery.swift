import PkgtrailCore
import PkgtrailSystem

/// Finds virtual environments below a root (`watch --discover`): a
/// directory holding `pyvenv.cfg` (PEP 405) is one and is not descended
/// into; the walk stops at `depth` levels and skips symlinks and the big
/// trees that never hold a venv of their own.
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

    /// The environment at `dir` when it is a venv.
    public static func environment(at dir: String) -> Environment? {
        guard FileSystem.stat(FileSystem.join(dir, "pyvenv.cfg"))?.isRegular == true else { return nil }
        return PythonLocator.venv(python: FileSystem.join(dir, "bin/python"))?.environment
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
