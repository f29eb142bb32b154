import Dispatch
import PkgtrailCore

/// Stored bodies decoded on other threads while the caller fetches more
/// (both engines: an incident's answer can name thousands of events, and
/// parsing their bodies is most of its time):
/// `add` hands over a batch and returns at once; `results` waits for them
/// all and throws the first failure (a body that is not an event).
public final class BackgroundDecoder<Key: Hashable & Sendable>: @unchecked Sendable {
    private let group = DispatchGroup()
    // Guards `decoded` and `failure`, written by the decoding threads.
    private let lock = DispatchSemaphore(value: 1)
    private var decoded: [Key: StoredEvent]
    private var failure: Error?

    /// `expected`: how many events will come, to size the table once.
    public init(expected: Int) { decoded = Dictionary(minimumCapacity: expected) }

    public func add(_ rows: [(Key, StoredRecord)]) {
        group.enter()
        DispatchQueue.global().async {
            defer { self.group.leave() }
            var mine: [(Key, StoredEvent)] = []
            mine.reserveCapacity(rows.count)
            do {
                for (key, record) in rows { mine.append((key, try record.decoded())) }
            } catch {
                self.lock.wait()
                if self.failure == nil { self.failure = error }
                self.lock.signal()
                return
            }
            self.lock.wait()
            for (key, event) in mine { self.decoded[key] = event }
            self.lock.signal()
        }
    }

    public func results() throws -> [Key: StoredEvent] {
        group.wait()
        if let failure { throw failure }
        return decoded
    }
}
