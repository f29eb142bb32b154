/// PEP 610's `direct_url.json`, which pip and uv write into the dist-info of
/// every direct install: hostile bytes (anyone who can write site-packages),
/// parsed strictly by the one JSON parser and fuzzed.
/// The part that says where a direct install came from.
public struct DirectURL: Equatable, Sendable {
    public enum Kind: Equatable, Sendable {
        case vcs(String, commit: String?)
        case directory(editable: Bool)
        /// An archive; the sha256 when the file declares one.
        case archive(sha256: String?)
    }

    public let url: String
    public let kind: Kind

    public init?(bytes: [UInt8]?) {
        guard let bytes, let json = try? JSONParser.parse(bytes), let url = json["url"]?.stringValue else { return nil }
        self.url = url
        if let vcs = json["vcs_info"] {
            kind = .vcs(vcs["vcs"]?.stringValue ?? "vcs", commit: vcs["commit_id"]?.stringValue)
        } else if let dir = json["dir_info"] {
            kind = .directory(editable: dir["editable"]?.boolValue ?? false)
        } else if let archive = json["archive_info"] {
            var sha = archive["hashes"]?["sha256"]?.stringValue
            if sha == nil, let h = archive["hash"]?.stringValue, h.hasPrefix("sha256=") { sha = String(h.dropFirst(7)) }
            kind = .archive(sha256: sha.flatMap { $0.count == 64 && Hex.decode($0) != nil ? $0.lowercased() : nil })
        } else {
            return nil
        }
    }
}
