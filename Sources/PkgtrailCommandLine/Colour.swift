import ArgumentParser

#if canImport(Glibc)
    import Glibc
#endif

/// `--color never|auto|always` for commands whose text marks what matters.
public struct ColourOptions: ParsableArguments {
    public enum Choice: String, ExpressibleByArgument, CaseIterable, Sendable {
        case never, auto, always
    }

    @Option(name: .customLong("color"), help: "Colour: never, auto (a terminal, unless NO_COLOR is set) or always.")
    public var choice: Choice = .auto

    public init() {}

    /// Decides once, before a pager takes stdout over (its pipe is not a terminal, its screen is).
    public func resolve() {
        Colour.enabled = Colour.decide(choice, stdoutIsTerminal: isatty(STDOUT_FILENO) == 1, env: Terminal.variable)
    }
}

/// What matters, coloured on a terminal: startup hooks, exposures, failed
/// and interrupted installs, drift, downgrades, tamper verdicts. Text is
/// escaped (`Terminal.safe`) before it is painted, so data never carries
/// an escape sequence of its own to the screen; never in pipes unless
/// `--color always`; `NO_COLOR` (any value) turns `auto` off.
public enum Colour {
    public enum Paint: String, Sendable {
        /// Startup hooks, exposures, malicious findings, tampering.
        case alarm = "1;31"
        /// Failed, interrupted or blocked installs, downgrades, affected versions.
        case warning = "33"
        /// Changes made outside the shims.
        case drift = "35"
        /// An intact log.
        case good = "32"
    }

    nonisolated(unsafe) public static var enabled = false

    static func decide(_ choice: ColourOptions.Choice, stdoutIsTerminal: Bool, env: (String) -> String?) -> Bool {
        switch choice {
        case .never: return false
        case .always: return true
        case .auto:
            return stdoutIsTerminal && (env("NO_COLOR") ?? "").isEmpty && env("TERM") != "dumb"
        }
    }

    /// `text` (already escaped) in `paint`, or as it is.
    public static func paint(_ text: String, _ paint: Paint) -> String {
        enabled && !text.isEmpty ? "\u{1B}[\(paint.rawValue)m\(text)\u{1B}[0m" : text
    }
}
