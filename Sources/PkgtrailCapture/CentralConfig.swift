import PkgtrailCore
import PkgtrailSystem

/// `${XDG_CONFIG_HOME:-~/.config}/pkgtrail/central.conf`: where this host
/// pushes (`url = postgresql://…`, or `PKGTRAIL_CENTRAL`) and whether each
/// recorded install starts a push (`push = after-install`; the default,
/// `manual`, leaves it to `pkgtrail push` from cron or systemd). One
/// `key = value` per line; lines starting with `#` are comments. No credential belongs here:
/// passwords come from libpq's password file only.
public struct CentralConfig: Sendable, Equatable {
    public enum PushMode: String, Sendable {
        case manual
        case afterInstall = "after-install"
    }

    public var url: String?
    public var push: PushMode = .manual
    public let path: String

    public static func path(_ env: ProcessEnvironment) -> String {
        (env.nonEmpty("XDG_CONFIG_HOME") ?? env.home + "/.config") + "/pkgtrail/central.conf"
    }

    /// The file's settings, `PKGTRAIL_CENTRAL` taking the url's place; an
    /// unknown key or value is an error that names the line.
    public static func load(_ env: ProcessEnvironment) throws -> CentralConfig {
        var config = try parse(FileSystem.readText(path(env)) ?? "", path: path(env))
        if let url = env.nonEmpty("PKGTRAIL_CENTRAL") { config.url = url }
        return config
    }

    public static func parse(_ text: String, path: String) throws -> CentralConfig {
        var config = CentralConfig(path: path)
        for (n, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingSpaces
            guard !line.isEmpty, !line.hasPrefix("#") else { continue }
            let parts = line.split(separator: "=", maxSplits: 1).map { String($0.trimmingSpaces) }
            func bad(_ why: String) -> PkgtrailError {
                PkgtrailError(.invalidInput, "\(path), line \(n + 1): \(why)")
            }
            guard parts.count == 2, !parts[1].isEmpty else { throw bad("write `key = value`") }
            switch parts[0] {
            case "url": config.url = parts[1]
            case "push":
                guard let mode = PushMode(rawValue: parts[1]) else {
                    throw bad("push = \(parts[1]): use after-install or manual")
                }
                config.push = mode
            default: throw bad("unknown setting `\(parts[0])` (known: url, push)")
            }
        }
        return config
    }

    init(path: String) { self.path = path }
}
