import PkgtrailCapture

/// Where `make install` puts the completion scripts swift-argument-parser
/// generates (`pkgtrail --generate-completion-script SHELL`), under the same
/// prefix as the binary and the shims, and the line `pkgtrail init` adds so
/// that a shell uses them whether or not its completion system looks there
/// (zsh's fpath does not include PREFIX/share/zsh/site-functions for
/// ~/.local, and the init line may run before or after `compinit`).
enum CompletionFiles {
    static func path(_ shell: ShellHooks.Shell, prefix: String) -> String {
        switch shell {
        case .bash: return prefix + "/share/bash-completion/completions/pkgtrail"
        case .zsh: return prefix + "/share/zsh/site-functions/_pkgtrail"
        case .fish: return prefix + "/share/fish/vendor_completions.d/pkgtrail.fish"
        }
    }

    /// The line for `init`'s output (empty when nothing is installed there).
    static func line(_ shell: ShellHooks.Shell, prefix: String) -> String {
        let file = path(shell, prefix: prefix)
        let q = ShellHooks.quote(file)
        switch shell {
        case .bash:
            // `if`, not `&&`: a missing file must not leave the init line failing.
            return "if [ -r \(q) ]; then . \(q); fi\n"
        case .zsh:
            // On fpath for a compinit still to come; sourced (it calls compdef) when compinit came first.
            let dir = ShellHooks.quote(String(file.dropLast("/_pkgtrail".count)))
            return "if [ -r \(q) ]; then fpath=(\(dir) $fpath); if (( $+functions[compdef] )); then . \(q); fi; fi\n"
        case .fish:
            return "if test -r \(q); source \(q); end\n"
        }
    }
}
