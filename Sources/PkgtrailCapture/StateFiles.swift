import PkgtrailCore

/// The per-log files in the state directory (a watcher's lock and status,
/// the push lock and outcome): named by a digest of the log's path, so two
/// logs never share one and no path needs escaping.
enum StateFiles {
    static func path(_ stateDirectory: String, _ name: String, for databasePath: String, _ suffix: String) -> String {
        "\(stateDirectory)/\(name)-\(Digest.sha256Hex(Array(databasePath.utf8)).prefix(16)).\(suffix)"
    }
}
