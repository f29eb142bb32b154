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
        if let url = env.nonEmpty("PKGTRAIL_CENTRAL") {
            guard !ConnectionURL.holdsPassword(url) else {
                throw PkgtrailError(.invalidInput, "PKGTRAIL_CENTRAL: " + ConnectionURL.passwordRefused)
            }
            config.url = url
        }
        return config
    }

    public static func parse(_ text: String, path: String) throws -> CentralConfig {
        var config = CentralConfig(path: path)
        for line in try SettingLines.parse(text, path: path, sections: false, expecting: "write `key = value`").lines {
            switch line.key {
            case "url":
                guard !ConnectionURL.holdsPassword(line.value) else {
                    throw line.error(ConnectionURL.passwordRefused, in: path)
                }
                config.url = line.value
            case "push":
                guard let mode = PushMode(rawValue: line.value) else {
                    throw line.error("push = \(line.value): use after-install or manual", in: path)
                }
                config.push = mode
            default: throw line.error("unknown setting `\(line.key)` (known: url, push)", in: path)
            }
        }
        return config
    }

    init(path: String) { self.path = path }
}
