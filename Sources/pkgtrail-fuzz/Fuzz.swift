import PkgtrailCapture
import PkgtrailCore
import PkgtrailStore
import PkgtrailSystem

// pkgtrail-fuzz: every parser that reads bytes an attacker can write (a
// package's METADATA and RECORD, pip's report, uv.lock and uv's receipts,
// OSV files, the spool, event bodies, specifiers), behind one entry point.
//
// Built with -sanitize=fuzzer -DFUZZING (`make fuzz`), it is a libFuzzer
// binary; the target comes from PKGTRAIL_FUZZ_TARGET. Built plainly, it
// replays files: `pkgtrail-fuzz TARGET FILE|DIR…`, which is how `make test`
// runs the kept corpus and every input that once crashed (fuzz/).
#if canImport(Glibc)
    import Glibc
#endif

enum Target: String, CaseIterable {
    case json, event, metadata, record
    case pipReport = "pip-report"
    case uvLock = "uv-lock"
    case uvReceipt = "uv-receipt"
    case osv, spool, specifier
    case uvCache = "uv-cache"
    case directURL = "direct-url"
    case wheelTags = "wheel-tags"
    case policy

    /// Parses `bytes`; traps when an invariant breaks (that is a finding).
    func exercise(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        switch self {
        case .json:
            // Canonical encoding is a fixed point: parse(encode(x)) encodes to the same bytes.
            guard let value = try? JSONParser.parse(bytes), let once = try? CanonicalJSON.encode(value) else { return }
            guard let again = try? JSONParser.parse(once), let twice = try? CanonicalJSON.encode(again), once == twice
            else {
                fatalError("canonical JSON is not a fixed point")
            }
        case .event:
            guard let value = try? JSONParser.parse(bytes), let event = try? Event(json: value) else { return }
            guard let body = try? CanonicalJSON.encode(event.json), let back = try? Event(json: JSONParser.parse(body)),
                (try? CanonicalJSON.encode(back.json)) == body
            else {
                fatalError("an event does not survive its own body")
            }
        case .metadata: _ = DistInfoFiles.nameAndVersion(metadata: text)
        case .record: _ = DistInfoFiles.startupFiles(record: bytes)
        case .pipReport: _ = try? PipReport(bytes: bytes)
        case .uvLock: _ = UvLock(text: text)
        case .uvReceipt: _ = UvToolReceipt(text: text)
        case .osv: _ = try? OSVAdvisory.parse(bytes)
        case .policy: _ = try? Policy.File(path: "policy.toml", bytes: bytes)
        case .spool:
            for line in bytes.split(separator: 0x0A) { _ = Spool.intactEvent(line) }
        case .specifier:
            if let query = try? PackageQuery(text) {
                _ = query.matches("1.0") && query.matches("2!3.0rc1.post2.dev3+local.7")
            }
        case .uvCache:
            // What reaches an event must look like what uv writes: a hex sha256, a wheel's name.
            guard let entry = UvCacheEntry(bytes: bytes) else { return }
            guard entry.sha256.count == 64, Hex.decode(entry.sha256) != nil, entry.filename?.hasSuffix(".whl") ?? true
            else {
                fatalError("a uv cache entry yielded an implausible sha256 or filename")
            }
        case .directURL:
            if case .archive(let sha)? = DirectURL(bytes: bytes)?.kind, let sha,
                sha.count != 64 || Hex.decode(sha) == nil
            {
                fatalError("direct_url.json yielded an implausible sha256")
            }
        case .wheelTags:
            for tag in WheelTags(wheelFile: text).tags.union(WheelTags.of(wheel: text))
            where tag.split(separator: "-", omittingEmptySubsequences: false).count != 3 {
                fatalError("a wheel tag that is not python-abi-platform: \(tag)")
            }
        }
    }
}

func complain(_ message: String) {
    var bytes = Array((message + "\n").utf8)
    _ = bytes.withUnsafeMutableBytes { write(2, $0.baseAddress, $0.count) }
}

#if FUZZING
    nonisolated(unsafe) let target: Target = {
        let name = getenv("PKGTRAIL_FUZZ_TARGET").map { String(cString: $0) } ?? ""
        guard let t = Target(rawValue: name) else {
            complain("set PKGTRAIL_FUZZ_TARGET to one of: \(Target.allCases.map(\.rawValue).joined(separator: " "))")
            exit(64)
        }
        return t
    }()

    @_cdecl("LLVMFuzzerTestOneInput")
    public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
        target.exercise(data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? [])
        return 0
    }

    @_silgen_name("LLVMFuzzerRunDriver")
    func runDriver(
        _ argc: UnsafeMutablePointer<CInt>,
        _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
        _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
    ) -> CInt

    /// SwiftPM links an executable's entry point under this name; hand over to libFuzzer's driver.
    @_cdecl("pkgtrail_fuzz_main")
    public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
        var argc = argc
        var argv = argv
        return runDriver(&argc, &argv, fuzzOne)
    }
#else
    @main
    struct Replay {
        static func main() {
            let args = CommandLine.arguments
            guard args.count >= 2, let target = Target(rawValue: args[1]) else {
                complain(
                    "usage: pkgtrail-fuzz TARGET FILE|DIR...  (targets: "
                        + "\(Target.allCases.map(\.rawValue).joined(separator: " ")))"
                )
                exit(64)
            }
            var count = 0
            for path in args.dropFirst(2) {
                let inDirectory = FileSystem.list(path).filter { !$0.hasPrefix(".") }.map { path + "/" + $0 }
                for file in (inDirectory.isEmpty ? [path] : inDirectory).sorted() {
                    guard let bytes = FileSystem.read(file) else { continue }
                    target.exercise(bytes)
                    count += 1
                }
            }
            print("\(target.rawValue): \(count) inputs replayed, no crash")
        }
    }
#endif
