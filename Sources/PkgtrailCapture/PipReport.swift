import PkgtrailCore

/// pip's installation report (`--report`, format version "1"): the plan pip
/// resolved, with each artifact's URL and sha256. It is written before
/// installing, so it says what pip meant to install; the after-snapshot says
/// what happened. Items are matched to changes by name and version.
public struct PipReport: Sendable {
    public struct Item: Sendable, Equatable {
        public var name: String
        public var version: String
        public var requested: Bool?
        public var url: String?
        public var sha256: String?
        public var editable: Bool
        /// Names (normalized) this item depends on, from `requires_dist`.
        public var requires: [String]
    }

    public var pipVersion: String?
    public var items: [String: Item]

    public init(bytes: [UInt8]) throws {
        let root: JSONValue
        do { root = try JSONParser.parse(bytes) } catch { throw PkgtrailError(.invalidInput, "not JSON (\(error))") }
        guard root.objectValue != nil else { throw PkgtrailError(.invalidInput, "not a JSON object") }
        guard let v = root["version"]?.stringValue, v == "1" || v.hasPrefix("1.") else {
            throw PkgtrailError(.invalidInput, "unknown report version")
        }
        pipVersion = root["pip_version"]?.stringValue
        items = [:]
        for entry in root["install"]?.arrayValue ?? [] {
            guard let meta = entry["metadata"], let rawName = meta["name"]?.stringValue,
                let version = meta["version"]?.stringValue
            else { continue }
            let download = entry["download_info"]
            let archive = download?["archive_info"]
            var sha = archive?["hashes"]?["sha256"]?.stringValue
            if sha == nil, let legacy = archive?["hash"]?.stringValue, legacy.hasPrefix("sha256=") {
                sha = String(legacy.dropFirst(7))
            }
            if let s = sha, !(s.count == 64 && Hex.decode(s) != nil) { sha = nil }
            let requires = (meta["requires_dist"]?.arrayValue ?? []).compactMap {
                $0.stringValue.map(RequirementName.name)
            }
            let name = PackageName.normalize(rawName)
            items[name] = Item(
                name: name, version: version, requested: entry["requested"]?.boolValue,
                url: download?["url"]?.stringValue.map(Redaction.redactURLs), sha256: sha,
                editable: download?["dir_info"]?["editable"]?.boolValue ?? false, requires: requires)
        }
    }

    /// Which report items list `name` among their requirements.
    public func requirers(of name: String) -> [String] {
        items.values.filter { $0.requires.contains(name) }.map(\.name).sorted()
    }
}

extension String {
    /// The last path segment of a URL, without query or fragment, percent-decoded.
    var urlFilename: String? {
        let noFragment = split(separator: "#", maxSplits: 1).first ?? ""
        let noQuery = noFragment.split(separator: "?", maxSplits: 1).first ?? ""
        guard let last = noQuery.split(separator: "/").last, !last.isEmpty, noQuery.contains("/") else { return nil }
        return String(last).removingPercentEscapes
    }
}
