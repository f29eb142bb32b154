import Dispatch

#if canImport(Glibc)
    import Glibc
#endif

/// Work split over every core, its results handed over in order: an answer
/// of a hundred thousand records is encoded on both cores while it is
/// printed, and never held whole.
public enum ParallelMap {
    /// Calls `work` on each run of `chunk` consecutive indices below `count`
    /// on any thread, then `consume` on the caller's thread with each run's
    /// result, in order: for work that writes a run of items into one buffer.
    public static func chunks<U: Sendable>(
        _ count: Int, chunk: Int, _ work: @escaping @Sendable (Range<Int>) throws -> U,
        consume: (U) throws -> Void
    ) throws {
        let chunks = stride(from: 0, to: count, by: chunk).map { $0..<min($0 + chunk, count) }
        // A few chunks per core at a time: enough to keep each busy, few
        // enough that the results waiting to be consumed stay small.
        let round = max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN)) * 4)
        for first in stride(from: 0, to: chunks.count, by: round) {
            let part = Array(chunks[first..<min(first + round, chunks.count)])
            let slots = Slots<U>(count: part.count)
            DispatchQueue.concurrentPerform(iterations: part.count) { k in
                slots.set(k, Result { try work(part[k]) })
            }
            for result in slots.results { try consume(try result.get()) }
        }
    }

    /// One slot per chunk, each written by one thread, read after all are done.
    private final class Slots<U: Sendable>: @unchecked Sendable {
        private let lock = DispatchSemaphore(value: 1)
        private var values: [Result<U, Error>?]

        init(count: Int) { values = Array(repeating: nil, count: count) }

        func set(_ k: Int, _ value: Result<U, Error>) {
            lock.wait()
            values[k] = value
            lock.signal()
        }

        var results: [Result<U, Error>] { values.map { $0! } }
    }
}
