import ArgumentParser
import Foundation
import PkgtrailCore
import PkgtrailStore

/// `--local`, shared by every command that shows times.
struct TimeOption: ParsableArguments {
    @Flag(help: "Show times in the local time zone instead of UTC.")
    var local = false
    var clock: TimeText { TimeText(local: local) }
    /// The clock only when `--local` was given (views that keep full RFC 3339 otherwise).
    var localClock: TimeText? { local ? clock : nil }
}
