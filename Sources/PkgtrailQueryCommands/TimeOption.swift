import ArgumentParser
import Foundation
import PkgtrailCore
import PkgtrailStore

/// `--local`, shared by every command that shows times.
public struct TimeOption: ParsableArguments {
    public init() {}
    @Flag(help: "Show times in the local time zone instead of UTC.")
    public var local = false
    public var clock: TimeText { TimeText(local: local) }
    /// The clock only when `--local` was given (views that keep full RFC 3339 otherwise).
    public var localClock: TimeText? { local ? clock : nil }
}
