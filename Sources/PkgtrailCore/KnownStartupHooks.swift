/// `.pth` files whose exact bytes are known to be what a common tool ships:
/// every venv made with setuptools has `distutils-precedence.pth`, and an
/// alert that fires on every venv is one people learn to ignore. A hook
/// whose sha256 is here (or in the policy's `known_startup_hooks`) is still
/// listed, but as known, so that an unknown one stands out. Only the file's
/// own bytes are vouched for: the module it imports is not checked.
public enum KnownStartupHooks {
    /// sha256 of the file's bytes → what ships it (computed from the wheels on PyPI).
    public static let builtIn: [String: String] = [
        "f1701c42efb4c8e791fbb314ed0843c7f83744e70167d2475e752889b7862d8b":
            "setuptools 49 distutils-precedence.pth",
        "7ea7ffef3fe2a117ee12c68ed6553617f0d7fd2f0590257c25c484959a3b7373":
            "setuptools 50–58 distutils-precedence.pth",
        "2638ce9e2500e572a5e0de7faed6661eb569d1b696fcba07b0dd223da5f5d224":
            "setuptools 60–80 distutils-precedence.pth",
        "69ac3d8f27e679c81b94ab30b3b56e9cd138219b1ba94a1fa3606d5a76a1433d": "virtualenv's _virtualenv.pth",
        "b8e1b828090bfec4b25656d04cd0948d3e70221ea8281ac0e12569eef48ae2a6": "pytest-cov 2–3 pytest-cov.pth",
        "f47446a60fdf5905e84e7d7c892baf92f8d5a3226d0da1599b9c014eab6c7ddb": "pytest-cov 4–6 pytest-cov.pth"
    ]

    /// What a hook is known as, or nil: unknown (or unreadable, or removed).
    public static func known(_ hook: StartupHook, also: Set<String>) -> String? {
        guard let sha = hook.sha256 else { return nil }
        if let what = builtIn[sha] { return what }
        return also.contains(sha) ? "listed in the policy" : nil
    }
}
