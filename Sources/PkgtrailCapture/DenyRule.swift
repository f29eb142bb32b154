import PkgtrailCore
import PkgtrailSystem

/// A deny-list, written by hand (`deny`) and drawn from imported advisories
/// (`deny_advisories`): versions denied one by one become `name!=version`
/// constraints the tool's own resolver honours (so `agentkit`, which needs
/// `litellm>=1.82.7`, resolves around the bad releases); projects denied
/// whole, and denied versions the command names itself, are refused before
/// the tool runs; what got installed anyway is reported and recorded.
///
/// Constraints are not free (pip pays about 0.2 ms a line), so projects
/// denied whole, which are most of OSV's malicious packages, never become
/// lines: they are looked up by name in the store's index.
struct DenyRule {
    let policy: Policy
    let advisories: AdvisoryDenial
    /// The constraints file (content-addressed under the state directory,
    /// written once), and the sha256 of its bytes.
    let file: String?
    let sha256: String?
    let lines: Int

    init(_ policy: Policy, advisories: AdvisoryDenial, stateDirectory: String) {
        self.policy = policy
        self.advisories = advisories
        let lines = Array(Set(policy.constraints + advisories.constraints)).sorted()
        self.lines = lines.count
        guard !lines.isEmpty else {
            (file, sha256) = (nil, nil)
            return
        }
        let bytes = Array((lines.joined(separator: "\n") + "\n").utf8)
        let digest = Digest.sha256Hex(bytes)
        let path = FileSystem.join(stateDirectory, "policy/constraints-\(digest).txt")
        if FileSystem.read(path, limit: bytes.count + 1) != bytes {
            FileSystem.makeDirectories(FileSystem.dirname(path))
            _ = FileSystem.writeAtomically(path, bytes)
        }
        // A path with a space cannot go in a space-separated list.
        (file, sha256) = FileSystem.exists(path) && !path.contains(" ") ? (path, digest) : (nil, digest)
    }

    /// Each denied thing among `items` (a requirement pinned to a denied
    /// version, a project denied whole, an installed version), with why.
    func denied(_ items: [(name: String, version: String?)]) -> [(what: String, why: String)] {
        var out: [(what: String, why: String)] = []
        var seen: Set<String> = []
        func what(_ name: String, _ version: String?) -> String { version.map { "\(name) \($0)" } ?? name }
        for r in items {
            if let d = policy.denied(name: r.name, version: r.version), d.version == nil || r.version != nil {
                let w = what(d.name, r.version)
                if seen.insert(w).inserted { out.append((w, "is on the deny-list (\(d.description), \(sourceOf(d)))")) }
            }
        }
        for (name, version, denial) in advisories.denials(items) {
            let w = what(name, version)
            if seen.insert(w).inserted { out.append((w, "(\(denial.description))")) }
        }
        return out
    }

    /// The line that refuses the command, if it names something denied.
    func refusal(_ requested: [(name: String, version: String?)]) -> String? {
        denied(requested).first.map { "blocked by policy: \($0.what) \($0.why)" }
    }

    func sourceOf(_ d: Policy.Denied) -> String {
        policy.files.first { $0.deny.contains(d) }?.path ?? "policy"
    }

    /// What to set or add for the child, and the record of it.
    func plan(_ channel: ConstraintChannel) -> (env: [String: String], argv: [String], record: PolicyInForce.Deny) {
        func record(_ by: String?, _ note: String?) -> PolicyInForce.Deny {
            let problems = advisories.problems.isEmpty ? nil : advisories.problems.joined(separator: "; ")
            return PolicyInForce.Deny(
                entries: policy.denyCount, constraintsSHA256: sha256, constraints: lines, enforcedBy: by, found: [],
                note: [note, problems].compactMap { $0 }.joined(separator: "; ").nonEmpty,
                advisories: advisories.records)
        }
        guard sha256 != nil else { return ([:], [], record(nil, nil)) }
        guard let file else {
            return ([:], [], record(nil, "the constraints file could not be written where the tool can read it"))
        }
        switch channel {
        case .variable(let name, let existing):
            // Appended, never replacing the user's own.
            let value = [existing, file].compactMap { $0 }.joined(separator: " ")
            return ([name: value], [], record(name, nil))
        case .argument:
            return ([:], ["--constraint", file], record("--constraint (beside the command's own)", nil))
        case .none(let why):
            return ([:], [], record(nil, why))
        }
    }
}

extension String {
    fileprivate var nonEmpty: String? { isEmpty ? nil : self }
}
