import PkgtrailCore
import PkgtrailStore
import PkgtrailSystem

/// Gets events into the log, or, when the log cannot be written, into the
/// spool, so that recording never makes an install fail (docs/SPEC.md §1). Waiting
/// spooled events are appended first, so the chain keeps their order.
public struct EventSink {
    public let databasePath: String
    public let spool: Spool

    public init(env: ProcessEnvironment) {
        self.init(databasePath: env.databasePath, stateDirectory: env.stateDirectory)
    }

    public init(databasePath: String, stateDirectory: String) {
        self.databasePath = databasePath
        spool = Spool(databasePath: databasePath, stateDirectory: stateDirectory)
    }

    public enum Outcome {
        /// In the log, sealed (with their seq and hash).
        case logged([StoredEvent])
        /// The events are safe in the spool; the reason the log was not written.
        case spooled(path: String, reason: String)
        case lost(reason: String)
    }

    /// Opens the log for appending, with anything spooled appended first.
    /// `busyTimeout`: how long to wait for another writer, here and at every append.
    public func open(busyTimeout: Double = 10) -> Result<TrailStore, Error> {
        Result {
            let store = try TrailStore.openForWriting(path: databasePath, busyTimeout: busyTimeout)
            if !spool.pendingPaths.isEmpty { try spool.replay(into: store) }
            return store
        }
    }

    /// Appends `events` in order, into `opened` when the caller opened the
    /// log already (a failed open goes straight to the spool).
    public func persist(_ events: [Event], opened: Result<TrailStore, Error>? = nil) -> Outcome {
        do {
            let store = try (opened ?? open()).get()
            let stored = try store.append(events)
            // Deleted or replaced while the tool ran: the append went to an
            // unlinked file, so the events go to the spool as well.
            guard store.isStillAtPath else {
                throw StoreError(.missing, "\(databasePath) was deleted or replaced while the command ran")
            }
            return .logged(stored)
        } catch {
            let reason = "\(error)"
            do {
                var path = ""
                let now = Clock.now()
                for e in events { path = try spool.write(e, reason: reason, at: now) }
                return .spooled(path: path, reason: reason)
            } catch {
                return .lost(reason: "\(reason); \(error)")
            }
        }
    }

    /// Appends waiting spooled events, if any; used by every command that opens the log.
    public func flushSpool() {
        guard !spool.pendingPaths.isEmpty else { return }
        do {
            let store = try TrailStore.openForWriting(path: databasePath)
            let r = try spool.replay(into: store)
            if r.rejected > 0, let p = r.rejectedPath {
                Console.warning(
                    "\(r.rejected) spooled line(s) were edited, corrupted or torn and were set aside in \(p), not "
                        + "logged"
                )
            }
        } catch {
            Console.warning("spooled events are still waiting (\(error)); they will be added by a later call")
        }
    }
}
