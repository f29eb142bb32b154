import Dispatch

/// Work started on another thread now, its result taken later: the next
/// part of a long answer is read while this one is written. The caller must
/// not touch what `work` uses until `get` returns (the audit's reads go to
/// the log while its writes go to stdout).
public final class Prefetch<T>: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var result: Result<T, Error>?

    public init(_ work: @escaping () throws -> T) {
        let job = Unchecked(work)
        DispatchQueue.global().async {
            self.result = Result { try job.value() }
            self.done.signal()
        }
    }

    /// Waits for the work (at once when it is done: asking again is allowed).
    public func get() throws -> T {
        done.wait()
        done.signal()
        return try result!.get()
    }

    private struct Unchecked: @unchecked Sendable {
        let value: () throws -> T
        init(_ value: @escaping () throws -> T) { self.value = value }
    }
}
