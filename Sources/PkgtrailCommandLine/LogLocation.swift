import ArgumentParser

/// Options every command that reads the local log shares (`push` too).
public struct LogLocation: ParsableArguments {
    @Option(name: .long, help: "The log file (default: $PKGTRAIL_DB, else $XDG_DATA_HOME/pkgtrail/trail.db).")
    public var db: String?

    public init() {}
}
