#if canImport(Glibc)
    import Glibc
#endif

/// Thin, allocation-light wrappers over the system calls the recorder uses
/// on its hot path (snapshots run on every recorded install).
private func systemStat(_ path: String, _ st: inout Glibc.stat) -> Int32 { stat(path, &st) }

public enum FileSystem {
    public struct Stat: Sendable {
        public var mode: UInt32
        public var inode: UInt64
        public var size: Int64
        public var mtimeNS: Int64
        public var ctimeNS: Int64
        public var isDirectory: Bool { mode & S_IFMT == S_IFDIR }
        public var isRegular: Bool { mode & S_IFMT == S_IFREG }
        public var isSymlink: Bool { mode & S_IFMT == S_IFLNK }
        /// Changes whenever the file is replaced or rewritten.
        public var identity: String { "\(inode):\(size):\(mtimeNS):\(ctimeNS)" }
    }

    public static func stat(_ path: String, followLinks: Bool = true) -> Stat? {
        var st = Glibc.stat()
        let rc = followLinks ? systemStat(path, &st) : lstat(path, &st)
        guard rc == 0 else { return nil }
        return Stat(
            mode: st.st_mode, inode: UInt64(st.st_ino), size: Int64(st.st_size),
            mtimeNS: Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec),
            ctimeNS: Int64(st.st_ctim.tv_sec) * 1_000_000_000 + Int64(st.st_ctim.tv_nsec))
    }

    public static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    public static func isSymlink(_ path: String) -> Bool { stat(path, followLinks: false)?.isSymlink == true }

    public static func isExecutableFile(_ path: String) -> Bool {
        guard let st = stat(path), st.isRegular else { return false }
        return access(path, X_OK) == 0
    }

    /// Reads at most `limit` bytes; nil when the file cannot be opened.
    ///
    /// Only regular files by default: a FIFO or device planted as METADATA,
    /// RECORD or pyvenv.cfg would block the recorder (and the user's pip)
    /// forever. `regularOnly: false` is for paths a user names on the
    /// command line, which may be a pipe (`--checkpoint <(curl …)`).
    public static func read(_ path: String, limit: Int = 64 << 20, regularOnly: Bool = true) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC | (regularOnly ? O_NONBLOCK : 0))
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        if regularOnly {
            var st = Glibc.stat()
            guard fstat(fd, &st) == 0, st.st_mode & S_IFMT == S_IFREG else { return nil }
        }
        var out: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 65536)
        while out.count < limit {
            let n = buf.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, min($0.count, limit - out.count)) }
            if n < 0 {
                if errno == EINTR { continue }
                return nil
            }
            if n == 0 { break }
            out.append(contentsOf: buf[0..<n])
        }
        return out
    }

    public static func readText(_ path: String, limit: Int = 1 << 20) -> String? {
        read(path, limit: limit).map { String(decoding: $0, as: UTF8.self) }
    }

    /// Directory entries, without `.` and `..`; empty when unreadable.
    public static func list(_ dir: String) -> [String] {
        guard let d = opendir(dir) else { return [] }
        defer { closedir(d) }
        var names: [String] = []
        while let entry = readdir(d) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// Writes every byte, retrying interrupted and short writes; the errno
    /// of a failure, or nil. The one write of pkgtrail's own files (spool,
    /// keys, caches): a bare write(2) can stop part-way and say so only in
    /// its return value.
    public static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Int32? {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 {
                if errno == EINTR { continue }
                return errno
            }
            offset += n
        }
        return nil
    }

    /// Reads to the end of a descriptor, retrying interrupted reads; the
    /// errno of a failure as the error.
    public static func readAll(_ fd: Int32) -> Result<[UInt8], SystemError> {
        var out: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buf.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                return .failure(SystemError(errno))
            }
            if n == 0 { return .success(out) }
            out.append(contentsOf: buf[0..<n])
        }
    }

    /// Best effort: a cache file written via a temporary name and rename.
    @discardableResult
    public static func writeAtomically(_ path: String, _ bytes: [UInt8]) -> Bool {
        makeDirectories(dirname(path))
        let tmp = "\(path).\(getpid()).tmp"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return false }
        let ok = writeAll(fd, bytes) == nil
        close(fd)
        if ok, rename(tmp, path) == 0 { return true }
        unlink(tmp)
        return false
    }

    public static func makeDirectories(_ dir: String) {
        if dir == "/" || dir.isEmpty || exists(dir) { return }
        makeDirectories(dirname(dir))
        mkdir(dir, 0o700)
    }

    public static func realpath(_ path: String) -> String? {
        guard let r = Glibc.realpath(path, nil) else { return nil }
        defer { free(r) }
        return String(cString: r)
    }

    public static func dirname(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        if slash == path.startIndex { return "/" }
        return String(path[..<slash])
    }

    public static func basename(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }

    public static func join(_ a: String, _ b: String) -> String { a.hasSuffix("/") ? a + b : a + "/" + b }

    /// This program's file (what `/proc/self/exe` names), else argv[0].
    public static func selfExecutable() -> String {
        var buf = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buf, buf.count - 1)
        return n > 0
            ? String(decoding: buf[..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self) : CommandLine.arguments[0]
    }

    public static func cwd() -> String {
        guard let p = getcwd(nil, 0) else { return "." }
        defer { free(p) }
        return String(cString: p)
    }

    /// An absolute path for `path` relative to `cwd`, with `.` and `..` folded (no symlink resolution).
    public static func absolute(_ path: String, cwd: String) -> String {
        let joined = path.hasPrefix("/") ? path : join(cwd, path)
        var parts: [Substring] = []
        for part in joined.split(separator: "/") {
            if part == "." { continue }
            if part == ".." {
                _ = parts.popLast()
                continue
            }
            parts.append(part)
        }
        // Appended, not `joined(separator:)`, whose generic path costs the
        // recorder's first call a runtime conformance lookup.
        var out = ""
        for part in parts {
            out += "/"
            out += part
        }
        return out.isEmpty ? "/" : out
    }
}
