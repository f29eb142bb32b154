import PkgtrailCapture
import PkgtrailCore
import PkgtrailStore
import PkgtrailSystem

// pkgtrail-synth: writes synthetic events through the real append path and
// reports the append rate. Not installed: the fixture generator of
// `make bench` (TrailStore.append in batches) and the load generator of the
// hardening tests (WRITER given: EventSink.persist, as the recorder
// persists, so a locked log spools; several writers run at once, each
// with its own ids, 00000000-0000-4000-8WWW-NNNNNNNNNNNN).
//
// Usage: pkgtrail-synth DB EVENTS [BATCH [WRITER]]
// PKGTRAIL_SYNTH_FROM=N generates the first N events without writing them:
// the rest continue the same log (`make bench` times appends to a full log).
// The mix: 1,000 hosts x 5 environments, 20,000 package names with
// Zipf-like popularity, installs/upgrades/reinstalls/removals spread over
// the year before now; a few environments install and later upgrade away
// from litellm 1.82.7/1.82.8, so `exposure` has something to find.
// PKGTRAIL_SYNTH_HOST=NAME writes one host's log instead (the fleet bench:
// 5 environments on NAME, its own random sequence), with litellm in one
// environment only when PKGTRAIL_SYNTH_LITELLM=1.
#if canImport(Glibc)
    import Glibc
#endif

struct Rng {
    var s: UInt64
    mutating func next() -> UInt64 {
        s ^= s << 13
        s ^= s >> 7
        s ^= s << 17
        return s
    }
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    /// Popular packages come up far more often (rank ~ 1/u^2).
    mutating func zipf(_ n: Int) -> Int {
        let u = Double(next() % 1_000_000 + 1) / 1_000_000
        return min(n - 1, Int(Double(n) * u * u * u))
    }
}

func now() -> Int64 {
    var ts = timespec()
    clock_gettime(CLOCK_REALTIME, &ts)
    return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
}

let args = CommandLine.arguments
guard args.count >= 3, let total = Int(args[2]) else {
    print("usage: pkgtrail-synth DB EVENTS [BATCH]")
    exit(64)
}
let batchSize = args.count > 3 ? Int(args[3]) ?? 1000 : 1000
let writer = args.count > 4 ? Int(args[4]) : nil
let firstWritten = getenv("PKGTRAIL_SYNTH_FROM").flatMap { Int(String(cString: $0)) } ?? 0
let sink = EventSink(
    databasePath: args[1], stateDirectory: args[1].lastIndex(of: "/").map { String(args[1][..<$0]) } ?? ".")
var store = writer == nil ? try TrailStore.openForWriting(path: args[1]) : nil
var spooled = 0
let fixedHost = getenv("PKGTRAIL_SYNTH_HOST").map { String(cString: $0) }
/// FNV-1a of the host name: each host its own sequence, the same every run.
var rng = Rng(
    s: fixedHost.map { name in
        name.utf8.reduce(UInt64(0xcbf2_9ce4_8422_2325)) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 } | 1
    } ?? 0x9E37_79B9_7F4A_7C15)
let hosts = fixedHost == nil ? 1000 : 1
let envsPerHost = 5
let names = 20_000
let yearMs: Int64 = 365 * 24 * 3600 * 1000
let end = now()
let start = end - yearMs
var state = [[Int: Int]](repeating: [:], count: hosts * envsPerHost)  // env -> name -> minor version
let litellmEnvs =
    fixedHost == nil
    ? Set((0..<40).map { $0 * 97 % (hosts * envsPerHost) })
    : (getenv("PKGTRAIL_SYNTH_LITELLM") != nil ? [0] : [])
var appendMs: Int64 = 0
var batchRates: [Double] = []
var written = 0
var batch: [Event] = []
batch.reserveCapacity(batchSize)

func hex(_ n: UInt64) -> String {
    let h = String(n, radix: 16)
    return String(repeating: "0", count: 16 - h.count) + h
}

for i in 0..<total {
    let t = start + yearMs * Int64(i) / Int64(total)
    let stamp = Timestamp.format(millisecondsSinceEpoch: t)
    let finished = Timestamp.format(millisecondsSinceEpoch: t + 900)
    let env = rng.below(hosts * envsPerHost)
    let host = fixedHost ?? "host-\(env / envsPerHost)"
    let prefix = "/srv/app\(env % envsPerHost)/.venv"
    var changes: [Change] = []
    var argv = ["pip", "install"]
    let count = 1 + rng.below(3)
    for _ in 0..<count {
        var nameIndex = rng.zipf(names)
        if litellmEnvs.contains(env), rng.below(20) == 0 { nameIndex = -1 }
        let name = nameIndex < 0 ? "litellm" : "pkg-\(nameIndex)"
        if changes.contains(where: { $0.name == name }) { continue }
        let key = nameIndex
        let had = state[env][key]
        let roll = rng.below(10)
        func version(_ minor: Int) -> String {
            nameIndex < 0 ? "1.82.\(minor)" : "\(nameIndex % 7 + 1).\(minor / 10).\(minor % 10)"
        }
        let action: Change.Action
        var to: Int?
        switch (had, roll) {
        case (nil, _):
            action = .install
            to = nameIndex < 0 ? 6 + rng.below(3) : rng.below(30)
        case (let h?, 0...1):
            action = .remove
            to = nil
            _ = h
        case (let h?, 2):
            action = .reinstall
            to = h
        case (let h?, 3):
            action = h > 0 ? .downgrade : .reinstall
            to = max(0, h - 1)
        case (let h?, _):
            action = .upgrade
            to = h + 1
        }
        state[env][key] = to
        let sha = hex(rng.next()) + hex(rng.next()) + hex(rng.next()) + hex(rng.next())
        let toVersion = to.map(version)
        changes.append(
            Change(
                name: name, action: action, fromVersion: had.map(version), toVersion: toVersion,
                artifact: toVersion.map { v in
                    Artifact(
                        url: "https://files.pythonhosted.org/packages/\(sha.prefix(2))/\(sha.dropFirst(2).prefix(2))/"
                            + "\(name)-\(v)-py3-none-any.whl",
                        sha256: sha, filename: "\(name.replacingUnderscores)-\(v)-py3-none-any.whl",
                        hashSource: "pip-report")
                },
                recordSHA256: toVersion == nil ? nil : String(sha.reversed()), installer: "pip",
                requested: rng.below(3) == 0,
                requiredBy: [], startupHooks: []))
        argv.append(action == .remove ? name : "\(name)==\(toVersion!)")
    }
    if changes.allSatisfy({ $0.action == .remove }) { argv[1] = "uninstall" }
    let event = Event(
        id: "00000000-0000-4000-8" + String(hex(UInt64(writer ?? 0)).suffix(3)) + "-"
            + String(hex(UInt64(i)).suffix(12)), kind: .install, started: stamp, finished: finished,
        actor: EventActor(user: "user\(env % 37)", uid: Int64(1000 + env % 37), sudoUser: nil, host: host, ci: nil),
        command: Command(
            tool: "pip", toolVersion: "26.3", argv: argv, cwd: "/srv/app\(env % envsPerHost)", exitStatus: 0,
            outcome: .ok),
        environment: Environment(
            prefix: prefix, python: prefix + "/bin/python", pythonVersion: "3.11.7", platform: "linux-x86_64",
            isVenv: true, siteDirs: [prefix + "/lib/python3.11/site-packages"]),
        sources: [Source(kind: .index, url: "https://pypi.org/simple", origin: "default")], changes: changes,
        startupHooks: [],
        stateBefore: hex(rng.next()) + hex(rng.next()) + hex(rng.next()) + hex(rng.next()),
        stateAfter: hex(rng.next()) + hex(rng.next()) + hex(rng.next()) + hex(rng.next()),
        startupBefore: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        startupAfter: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", notes: [])
    if i >= firstWritten { batch.append(event) }
    if !batch.isEmpty && (batch.count == batchSize || i == total - 1) {
        let t0 = now()
        if let store {
            written += try store.append(batch).count
        } else {
            switch sink.persist(batch) {
            case .logged: written += batch.count
            case .spooled(_, let reason):
                spooled += batch.count
                Console.warning("spooled: \(reason)")
            case .lost(let reason):
                Console.error("lost: \(reason)")
                exit(1)
            }
        }
        let ms = now() - t0
        appendMs += ms
        batchRates.append(Double(batch.count) * 1000 / Double(max(1, ms)))
        batch.removeAll(keepingCapacity: true)
    }
}
// Closed as the recorder closes it (checkpointed, the WAL removed): a WAL
// left behind is read again by every read-only open, and slows them.
store = nil
let median = batchRates.isEmpty ? 0 : batchRates.sorted()[batchRates.count / 2]
print(
    "appended \(written) events in \(appendMs) ms: \(appendMs > 0 ? Int64(written) * 1000 / appendMs : 0) events/s "
        + "(batches of \(batchSize))"
        + (writer == nil ? "" : "; \(spooled) spooled") + "; median batch \(Int(median)) events/s")

extension String {
    var replacingUnderscores: String { String(map { $0 == "-" ? "_" : $0 }) }
}
