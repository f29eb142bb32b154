import PkgtrailSystem

/// The shell lines `pkgtrail init` prints: functions named `pip`, `uv`,
/// `python`… that run the recorder, and the PATH line for everything that is
/// not an interactive shell (scripts, cron, make).
///
/// Functions, not only PATH shims: `activate`, pyenv, conda and uv's env file
/// all put a real `pip` ahead of any PATH entry, but a shell looks up its
/// functions before PATH, so a function is the one hook that survives them
/// (pyenv#403; Aikido safe-chain uses functions for the same reason).
/// Each function hands the command to `pkgtrail exec NAME -- ARGS…`, which
/// runs what the shell would have run without it: the first `NAME` on PATH
/// that is not a shim, looked up when the command is typed.
public struct ShellHooks: Sendable {
    public enum Shell: String, CaseIterable, Sendable {
        case bash, zsh, fish
    }

    /// The pkgtrail binary, as installed (a symlink is kept as such, so an
    /// upgrade that moves the real file keeps working).
    public let binary: String
    public let shims: String
    /// Minor versions (`3.11`) whose `pip3.N` and `python3.N` get functions.
    public let minorVersions: [String]

    public init(binary: String, shims: String, minorVersions: [String]) {
        self.binary = binary
        self.shims = shims
        self.minorVersions = minorVersions
    }

    /// Names whose function runs the tool through the recorder.
    public var toolNames: [String] { ["pip", "pip3"] + minorVersions.map { "pip" + $0 } + ["uv", "uvx"] }

    /// Names whose function routes only `-m pip` / `-m uv` to the recorder;
    /// every other call goes straight to the interpreter, no process of ours
    /// started (safe-chain#300: wrapping every `python` call broke pyenv).
    public var interpreterNames: [String] { ["python", "python3"] + minorVersions.map { "python" + $0 } }

    /// The words a tool's command line must hold to be handed to the
    /// recorder (empty: always handed over).
    static func words(_ tool: TypedCommand.Tool) -> String { TypedCommand.recordingWords(tool).joined(separator: " ") }

    /// The modules that `python -m` routes to the recorder.
    public static let routedModules = ["pip", "pip3", "uv"]

    /// Everything a user types that these hooks cover, in the order doctor reports them.
    public var allNames: [String] { toolNames + interpreterNames }

    /// What `pkgtrail init SHELL` prints. `bashEnvFile`: for zsh and fish, the
    /// file of bash functions that `BASH_ENV` names, so bash scripts run from
    /// those shells are covered too (bash itself exports its functions).
    public func script(_ shell: Shell, bashEnvFile: String? = nil) -> String {
        switch shell {
        case .bash: return posix(shell, bashEnvFile: nil)
        case .zsh: return posix(shell, bashEnvFile: bashEnvFile)
        case .fish: return fish(bashEnvFile: bashEnvFile)
        }
    }

    /// The lines for POSIX `sh`: the PATH line only (no exported functions there).
    public var pathLine: String {
        "case \":$PATH:\" in *:\(q(shims)):*) ;; *) export PATH=\(q(shims))\"${PATH:+:$PATH}\" ;; esac\n"
    }

    // MARK: - bash and zsh

    private func posix(_ shell: Shell, bashEnvFile: String?) -> String {
        let bin = q(binary)
        var s =
            "# pkgtrail \(shell.rawValue) hooks (`pkgtrail init \(shell.rawValue)`): pip, uv and `python -m pip` are "
            + "recorded.\n"
        s += pathLine
        // PATH less the shims, as the shell would search it without them (zsh
        // reads quotes in a ${//} pattern as characters: it walks its path array).
        let withoutShims =
            shell == .bash
            ? "__pkgtrail_p=\":$PATH:\"\n    while [[ \"$__pkgtrail_p\" == *:\(q(shims)):* ]]; do "
                + "__pkgtrail_p=\"${__pkgtrail_p//:\(q(shims)):/:}\"; done\n"
                + "    __pkgtrail_p=\"${__pkgtrail_p#:}\"; __pkgtrail_p=\"${__pkgtrail_p%:}\""
            : "__pkgtrail_p=\"\" __pkgtrail_d\n    for __pkgtrail_d in \"${path[@]}\"; do [[ \"$__pkgtrail_d\" == "
                + "\(q(shims)) ]] || __pkgtrail_p=\"${__pkgtrail_p:+$__pkgtrail_p:}$__pkgtrail_d\"; done"
        // A line with none of its tool's words cannot change an environment:
        // it runs directly, past the shims, with no process of pkgtrail's.
        s += """
            function __pkgtrail_tool {
                local __pkgtrail_n="$1" __pkgtrail_w="$2" __pkgtrail_a
                shift 2
                if [ -n "$__pkgtrail_w" ]; then
                    for __pkgtrail_a in "$@"; do
                        case " $__pkgtrail_w " in *" $__pkgtrail_a "*) __pkgtrail_w=; break ;; esac
                    done
                    if [ -n "$__pkgtrail_w" ]; then __pkgtrail_direct "$__pkgtrail_n" "$@"; return; fi
                fi
                if [ -x \(bin) ]; then \(bin) exec "$__pkgtrail_n" -- "$@"; return; fi
                if [ -z "${__pkgtrail_gone-}" ]; then
                    __pkgtrail_gone=1
                    printf '%s\\n' "pkgtrail: \(esc(binary)) is gone; running $__pkgtrail_n unrecorded (remove the \
            pkgtrail line from your shell's startup file)" >&2
                fi
                __pkgtrail_direct "$__pkgtrail_n" "$@"
            }
            function __pkgtrail_direct {
                local __pkgtrail_n="$1" \(withoutShims)
                shift
                PATH="$__pkgtrail_p" command "$__pkgtrail_n" "$@"
            }

            """
        for name in toolNames {
            s +=
                "function \(name) { __pkgtrail_tool \(name) '\(Self.words(TypedCommand.tool(named: name)!))' \"$@\"; "
                + "}\n"
        }
        // `python -m MODULE`, grouped by the tool each module runs.
        var inner = ""
        var attached = ""
        for tool in [TypedCommand.Tool.pip, .uv] {
            let modules = Self.routedModules.filter { TypedCommand.moduleTool[$0] == tool }
            let call = "__pkgtrail_tool \"$__pkgtrail_n\" '\(Self.words(tool))' \"$@\"; return ;;"
            inner += "        \(modules.joined(separator: "|"))) \(call)\n"
            attached += "    \(modules.map { "-m" + $0 }.joined(separator: "|"))) \(call)\n"
        }
        let routes = "    -m) case \"${2-}\" in\n\(inner)        esac ;;\n" + attached
        s += """
            function __pkgtrail_py {
                local __pkgtrail_n="$1"
                shift
                case "${1-}" in
            \(routes)    esac
                command "$__pkgtrail_n" "$@"
            }

            """
        for name in interpreterNames {
            s += "function \(name) { __pkgtrail_py \(name) \"$@\"; }\n"
        }
        let names = allNames.joined(separator: " ")
        let whatIs =
            shell == .bash
            ? "__pkgtrail_k=\"$(type -t \"$__pkgtrail_n\")\"\n        [ \"$__pkgtrail_k\" = function ] && [[ "
                + "\"$(declare -f \"$__pkgtrail_n\")\" == *__pkgtrail_* ]] && __pkgtrail_k=pkgtrail-function"
            : "__pkgtrail_k=\"${$(whence -w -- \"$__pkgtrail_n\")#*: }\"\n        [ \"$__pkgtrail_k\" = function ] "
                + "&& [[ \"$(functions -- \"$__pkgtrail_n\")\" == *__pkgtrail_* ]] && __pkgtrail_k=pkgtrail-function"
        s += """
            function __pkgtrail_view {
                local __pkgtrail_n __pkgtrail_k
                printf 'shell %s\\n' \(shell.rawValue)
                for __pkgtrail_n in \(names); do
                    \(whatIs)
                    printf '%s %s\\n' "$__pkgtrail_n" "${__pkgtrail_k:-none}"
                done
            }
            function pkgtrail {
                if [ "${1-}" = doctor ]; then PKGTRAIL_SHELL_VIEW="$(__pkgtrail_view)" \(bin) "$@"; else \(bin) "$@"; fi
            }

            """
        if shell == .bash {
            // Exported, so `bash deploy.sh` run from here is covered as well.
            s += "export -f __pkgtrail_tool __pkgtrail_direct __pkgtrail_py __pkgtrail_view pkgtrail \(names)\n"
        } else if let bashEnvFile {
            s += bashEnvLines(bashEnvFile, export: { "export \($0)=\($1)" })
        }
        return s
    }

    /// Points `BASH_ENV` (read by every non-interactive bash) at the bash
    /// functions, keeping a user's own `BASH_ENV`, which that file sources.
    private func bashEnvLines(_ file: String, export: (String, String) -> String) -> String {
        """
        if [ -n "${BASH_ENV-}" ] && [ "$BASH_ENV" != \(q(file)) ]; then \
        \(export("PKGTRAIL_USER_BASH_ENV", "\"$BASH_ENV\"")); fi
        \(export("BASH_ENV", q(file)))

        """
    }

    /// The file `BASH_ENV` names, for bash scripts started from zsh, fish or a CI step.
    public var bashEnvFile: String {
        script(.bash) + """
            if [ -n "${PKGTRAIL_USER_BASH_ENV-}" ] && [ -r "$PKGTRAIL_USER_BASH_ENV" ]; then . \
            "$PKGTRAIL_USER_BASH_ENV"; fi

            """
    }

    // MARK: - fish

    private func fish(bashEnvFile: String?) -> String {
        let bin = fq(binary)
        var s = "# pkgtrail fish hooks (`pkgtrail init fish`): pip, uv and `python -m pip` are recorded.\n"
        s += "contains -- \(fq(shims)) $PATH; or set -gx PATH \(fq(shims)) $PATH\n"
        s += """
            function __pkgtrail_tool
                if test -n "$argv[2]"
                    set -l __pkgtrail_w (string split ' ' -- $argv[2])
                    set -l __pkgtrail_hit
                    for __pkgtrail_a in $argv[3..-1]
                        if contains -- $__pkgtrail_a $__pkgtrail_w
                            set __pkgtrail_hit 1
                            break
                        end
                    end
                    if not set -q __pkgtrail_hit[1]
                        __pkgtrail_direct $argv[1] $argv[3..-1]
                        return $status
                    end
                end
                if test -x \(bin)
                    \(bin) exec $argv[1] -- $argv[3..-1]
                    return $status
                end
                if not set -q __pkgtrail_gone
                    set -g __pkgtrail_gone 1
                    printf '%s\\n' "pkgtrail: \(esc(binary)) is gone; running $argv[1] unrecorded (remove the pkgtrail \
            line from your shell's startup file)" >&2
                end
                __pkgtrail_direct $argv[1] $argv[3..-1]
            end
            function __pkgtrail_direct
                set -l __pkgtrail_p
                for __pkgtrail_d in $PATH
                    test "$__pkgtrail_d" = \(fq(shims)); or set -a __pkgtrail_p $__pkgtrail_d
                end
                env PATH=(string join : -- $__pkgtrail_p) $argv
            end

            """
        for name in toolNames {
            s +=
                "function \(name); __pkgtrail_tool \(name) '\(Self.words(TypedCommand.tool(named: name)!))' $argv; "
                + "end\n"
        }
        var attachedCases = ""
        var moduleTests: [String] = []
        for tool in [TypedCommand.Tool.pip, .uv] {
            let modules = Self.routedModules.filter { TypedCommand.moduleTool[$0] == tool }
            let call = "__pkgtrail_tool $argv[1] '\(Self.words(tool))' $argv[2..-1]; return $status"
            attachedCases += "        case \(modules.map { "-m" + $0 }.joined(separator: " "))\n            \(call)\n"
            moduleTests.append(
                "if contains -- \"$argv[3]\" \(modules.joined(separator: " "))\n                \(call)\n")
        }
        let cases =
            attachedCases + "        case -m\n            " + moduleTests.joined(separator: "            else ")
            + "            end\n"
        s += """
            function __pkgtrail_py
                switch "$argv[2]"
            \(cases)    end
                command $argv
            end

            """
        for name in interpreterNames {
            s += "function \(name); __pkgtrail_py \(name) $argv; end\n"
        }
        s += """
            function __pkgtrail_view
                echo 'shell fish'
                for __pkgtrail_n in \(allNames.joined(separator: " "))
                    set -l __pkgtrail_k (type -t -- $__pkgtrail_n 2>/dev/null)
                    if test "$__pkgtrail_k" = function; and functions -- $__pkgtrail_n | string match -q -- \
            '*__pkgtrail_*'
                        set __pkgtrail_k pkgtrail-function
                    end
                    test -n "$__pkgtrail_k"; or set __pkgtrail_k none
                    echo "$__pkgtrail_n $__pkgtrail_k"
                end
            end
            function pkgtrail
                if test "$argv[1]" = doctor
                    PKGTRAIL_SHELL_VIEW=(__pkgtrail_view | string collect) \(bin) $argv
                else
                    \(bin) $argv
                end
            end

            """
        if let bashEnvFile {
            s +=
                "if set -q BASH_ENV; and test \"$BASH_ENV\" != \(fq(bashEnvFile)); set -gx PKGTRAIL_USER_BASH_ENV "
                + "$BASH_ENV; end\n"
            s += "set -gx BASH_ENV \(fq(bashEnvFile))\n"
        }
        return s
    }

    // MARK: - quoting

    private func q(_ s: String) -> String { Self.quote(s) }

    /// fish reads `\\` and `\'` inside single quotes.
    private func fq(_ s: String) -> String {
        var out = "'"
        for c in s {
            if c == "\\" || c == "'" { out.append("\\") }
            out.append(c)
        }
        return out + "'"
    }

    public static func quote(_ s: String) -> String {
        "'" + s.split(separator: "'", omittingEmptySubsequences: false).joined(separator: "'\\''") + "'"
    }

    /// For a path inside a double-quoted message.
    private func esc(_ s: String) -> String {
        var out = ""
        for c in s {
            if "\"\\$`".contains(c) { out.append("\\") }
            out.append(c)
        }
        return out
    }

    // MARK: - which versions exist

    /// The `3.N` of every `python3.N` or `pip3.N` in these directories.
    public static func minorVersions(in directories: [String]) -> [String] {
        var found = Set<String>()
        for dir in directories where !dir.isEmpty {
            for name in FileSystem.list(dir) {
                if let minor = TypedCommand.minorVersion(name) { found.insert(minor) }
            }
        }
        return TypedCommand.sortedMinors(found)
    }
}
