#if canImport(Glibc)
    import Glibc
#endif

/// Reads only the environment variables pkgtrail is allowed to know about.
/// Values of every other variable are never read, so they can never be stored.
public struct ProcessEnvironment: Sendable {
    public static let allowlist: Set<String> = [
        "PATH", "HOME", "USER", "LOGNAME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CONFIG_HOME", "XDG_CONFIG_DIRS",
        "PKGTRAIL_DB", "PKGTRAIL_ADVISORIES", "PKGTRAIL_STRICT", "PKGTRAIL_DEPTH", "PKGTRAIL_ACTIVE",
        "SUDO_USER", "SUDO_UID", "VIRTUAL_ENV", "CONDA_PREFIX", "UV_PROJECT_ENVIRONMENT", "PYTHONUSERBASE",
        "PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "PIP_FIND_LINKS", "PIP_NO_INDEX", "PIP_CONFIG_FILE", "PIP_REPORT",
        "TMPDIR", "PIP_PYTHON", "PIP_TARGET", "PIP_PREFIX", "PIP_USER", "PIP_ROOT", "PIP_ISOLATED", "PIP_DRY_RUN",
        "UV_INDEX_URL", "UV_DEFAULT_INDEX", "UV_EXTRA_INDEX_URL", "UV_INDEX", "UV_FIND_LINKS", "UV_CACHE_DIR",
        "UV_NO_CACHE", "UV_PYTHON", "UV_SYSTEM_PYTHON", "XDG_CACHE_HOME", "UV_TOOL_DIR", "UV_TOOL_BIN_DIR",
        "CI", "GITHUB_ACTIONS", "GITHUB_REPOSITORY", "GITHUB_RUN_ID", "GITHUB_JOB", "GITLAB_CI", "CI_PROJECT_PATH",
        "CI_PIPELINE_ID", "CI_JOB_NAME", "CI_JOB_ID", "JENKINS_URL", "JOB_NAME", "BUILD_ID", "BUILDKITE",
        "BUILDKITE_REPO", "BUILDKITE_BUILD_ID", "BUILDKITE_LABEL", "CIRCLECI", "CIRCLE_PROJECT_REPONAME",
        "CIRCLE_WORKFLOW_ID", "CIRCLE_JOB", "TF_BUILD", "BUILD_REPOSITORY_NAME", "BUILD_BUILDID", "SYSTEM_JOBNAME",
        "GITHUB_PATH", "GITHUB_ENV", "PKGTRAIL_SHELL_VIEW", "BASH_ENV",
        // The central store: libpq's variables, but never PGPASSWORD (passwords only from the password file).
        "PKGTRAIL_CENTRAL", "PGHOST", "PGPORT", "PGUSER", "PGDATABASE", "PGSSLMODE", "PGSSLROOTCERT", "PGPASSFILE",
        "PGSERVICE", "PGSERVICEFILE", "PGSYSCONFDIR",
        // The policy: where root keeps it, and the cut-offs a user set for pip and uv.
        "PKGTRAIL_ADMIN_POLICY", "PIP_UPLOADED_PRIOR_TO", "UV_EXCLUDE_NEWER", "UV_NO_CONFIG", "UV_CONFIG_FILE",
        "PIP_CONSTRAINT", "UV_CONSTRAINT"
    ]

    fileprivate let values: [String: String]

    public init(values: [String: String]) {
        self.values = values.filter { Self.allowlist.contains($0.key) }
    }

    /// Reads the allowlisted names from the process environment.
    public static func current() -> ProcessEnvironment {
        var v: [String: String] = [:]
        for name in allowlist {
            if let p = getenv(name) { v[name] = String(cString: p) }
        }
        return ProcessEnvironment(values: v)
    }

    public subscript(_ name: String) -> String? {
        precondition(Self.allowlist.contains(name), "\(name) is not an allowlisted variable")
        return values[name]
    }

    public func nonEmpty(_ name: String) -> String? {
        guard let v = self[name], !v.isEmpty else { return nil }
        return v
    }

    /// `NAME=value` for each allowlisted variable set: all a helper started
    /// on pkgtrail's behalf inherits.
    public var assignments: [String] { values.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" } }

    public var home: String { nonEmpty("HOME") ?? "/" }

    public var databasePath: String {
        if let p = nonEmpty("PKGTRAIL_DB") { return p }
        let data = nonEmpty("XDG_DATA_HOME") ?? home + "/.local/share"
        return data + "/pkgtrail/trail.db"
    }

    public var stateDirectory: String {
        (nonEmpty("XDG_STATE_HOME") ?? home + "/.local/state") + "/pkgtrail"
    }
}

extension ProcessEnvironment {
    /// The same environment with one allowlisted variable set: what a tool
    /// launched through an interpreter sees (`python -m uv` sets `VIRTUAL_ENV`).
    public func setting(_ name: String, _ value: String) -> ProcessEnvironment {
        precondition(Self.allowlist.contains(name), "\(name) is not an allowlisted variable")
        var v = values
        v[name] = value
        return ProcessEnvironment(values: v)
    }
}
