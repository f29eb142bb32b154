/// What a name in a site directory is to the record: a distribution's
/// metadata directory (its name carries the version), a `.pth` startup
/// file, or neither (modules, caches, an installer's temporary names).
/// The scanner reads only the first two, and the watcher knows from an
/// event's name alone whether the record can have changed.
public enum SiteEntry: Equatable, Sendable {
    case distribution
    case startupFile
    case other

    public init(name: String) {
        if name.hasSuffix(".pth") {
            self = .startupFile
        } else if (name.hasSuffix(".dist-info") || name.hasSuffix(".egg-info")) && !name.hasPrefix("~") {
            // pip moves what it uninstalls aside under a `~` name
            // (`~emo_lib-1.0.dist-info`, AdjacentTempDirectory) and ignores
            // such leftovers as invalid distributions.
            self = .distribution
        } else {
            self = .other
        }
    }

    /// A change to this entry can change what the record says.
    public var matters: Bool { self != .other }
}
