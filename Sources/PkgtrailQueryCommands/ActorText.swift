import PkgtrailCore

/// The words for who ran a command and how an unrecorded change is
/// described, written once for every view (the event line, `show`, the
/// forensic blocks, the HTML export, `state`).
enum ActorText {
    /// `alice (sudo by bob)`: the user, and who ran sudo when someone did.
    static func user(_ a: EventActor) -> String { user(a.user, sudoUser: a.sudoUser) }

    static func user(_ user: String, sudoUser: String?) -> String {
        user + (sudoUser.map { " (sudo by \($0))" } ?? "")
    }

    /// `github acme/app run 42 job build`: the CI run, as far as it is known.
    static func ci(_ ci: CIIdentity) -> String {
        [ci.provider, ci.repository, ci.runID.map { "run \($0)" }, ci.job.map { "job \($0)" }]
            .compactMap { $0 }.joined(separator: " ")
    }

    /// `changed outside pkgtrail between T1 and T2`.
    static func changedOutside(between lastSeen: String, and started: String) -> String {
        "changed outside pkgtrail between \(lastSeen) and \(started)"
    }
}
