#if canImport(Glibc)
    import Glibc
#endif

/// What posix_spawn and execve take, built once for every place pkgtrail
/// starts a process (the real tool, helpers, a background push, a pager).
public enum SpawnArguments {
    /// The current environment as `NAME=value` strings with some names
    /// replaced: the child sees everything the user set, untouched.
    public static func environment(setting overrides: [String: String], removing: Set<String> = []) -> [String] {
        var out: [String] = []
        var ep = environ
        while let p = ep.pointee {
            let entry = String(cString: p)
            let name = entry.split(separator: "=", maxSplits: 1).first.map(String.init) ?? entry
            if overrides[name] == nil && !removing.contains(name) { out.append(entry) }
            ep += 1
        }
        for (k, v) in overrides.sorted(by: { $0.key < $1.key }) { out.append("\(k)=\(v)") }
        return out
    }

    /// argv and envp as the NULL-terminated C arrays posix_spawn and execve take.
    public static func withCStringArrays<R>(
        _ a: [String], _ b: [String],
        _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>, UnsafePointer<UnsafeMutablePointer<CChar>?>) -> R
    ) -> R {
        let ca: [UnsafeMutablePointer<CChar>?] = a.map { strdup($0) } + [nil]
        let cb: [UnsafeMutablePointer<CChar>?] = b.map { strdup($0) } + [nil]
        defer { for p in ca + cb { free(p) } }
        return ca.withUnsafeBufferPointer { pa in
            cb.withUnsafeBufferPointer { pb in body(pa.baseAddress!, pb.baseAddress!) }
        }
    }
}
