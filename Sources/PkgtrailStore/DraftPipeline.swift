import Dispatch
import PkgtrailCore

/// A batch's event bodies encoded (`Chain.Draft`) on another thread, a chunk
/// at a time, while the writer inserts the chunks already done: encoding is
/// a fifth of a batch append and the second core was idle. A few events
/// (a recorder's append) are encoded inline, with no thread.
final class DraftPipeline: @unchecked Sendable {
    static let chunk = 256
    /// Not `Result<Chain.Draft, Error>`: a concrete enum needs no runtime
    /// lookup of generic conformances when the first event is encoded and
    /// when the buffer is released (~0.1 ms of a recorder's append).
    private enum Slot {
        case draft(Chain.Draft)
        case failed(Error)
    }

    private let drafts: UnsafeMutableBufferPointer<Slot>
    private let ready: [DispatchSemaphore]
    private var waited = 0

    init(_ events: [Event]) {
        drafts = .allocate(capacity: events.count)
        let chunks = (events.count + Self.chunk - 1) / Self.chunk
        ready = (0..<chunks).map { _ in DispatchSemaphore(value: 0) }
        guard chunks > 1 else {
            if chunks == 1 { encode(events, chunk: 0) }
            return
        }
        // The closure holds self until the last chunk is written, so the
        // buffer outlives the thread even if the writer gives up early.
        DispatchQueue.global(qos: .userInitiated).async { [self] in
            for c in 0..<chunks { encode(events, chunk: c) }
        }
    }

    private func encode(_ events: [Event], chunk c: Int) {
        let range = c * Self.chunk..<min(events.count, (c + 1) * Self.chunk)
        for i in range {
            let slot: Slot
            do { slot = .draft(try Chain.Draft(events[i].json)) } catch { slot = .failed(error) }
            (drafts.baseAddress! + i).initialize(to: slot)
        }
        ready[c].signal()
    }

    /// The draft of the `i`th event; waits for its chunk. Called by one
    /// thread, with `i` never decreasing.
    func draft(_ i: Int) throws -> Chain.Draft {
        while waited <= i / Self.chunk {
            ready[waited].wait()
            waited += 1
        }
        switch drafts[i] {
        case .draft(let d): return d
        case .failed(let e): throw e
        }
    }

    deinit {
        // Every element was initialized: deinit runs after the encoder's
        // closure released self, and an inline batch is encoded in init.
        drafts.baseAddress!.deinitialize(count: drafts.count)
        drafts.deallocate()
    }
}
