import Dispatch

/// Work started on another thread now, its result taken later: the next
/// part of a long answer is read while this one is written. The caller must
/// not touch what `work` uses until `get` returns (the audit's reads go to
/// the log while its writes go to stdout).
public final class Prefetch<T>: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var work: (() throws -> T)?
    private var result: Result<T, Error>?

    public init(_ work: @escaping () throws -> T) {
        self.work = work
        DispatchQueue.global().async {
            self.run()
            self.done.signal()
        }
    }

    /// Runs the work and lets go of it before `get` can return: what it
    /// captured is released when the caller has its result (a caller that
    /// lent it a closure with `withoutActuallyEscaping` is checked for that).
    private func run() {
        let work = self.work!
        self.work = nil
        result = Result { try work() }
    }

    /// Waits for the work (at once when it is done: asking again is allowed).
    public func get() throws -> T {
        done.wait()
        done.signal()
        return try result!.get()
    }

    /// Parts `0..<count` in order: each part's input is read (`read`) on
    /// another thread while the part before it is used (`use`), on this one.
    /// A part's reading must not touch what using the one before it does.
    public static func eachPart(
        _ count: Int, read: @escaping (Int) throws -> T, use: (Int, T) throws -> Void
    ) throws {
        var next = count > 0 ? Prefetch { try read(0) } : nil
        // A throw leaves no reader running with what the caller lent it.
        defer { _ = try? next?.get() }
        for k in 0..<count {
            let input = try next!.get()
            next = k + 1 < count ? Prefetch { try read(k + 1) } : nil
            try use(k, input)
        }
    }
}
