import Foundation
import PkgtrailCore
import PkgtrailSystem

#if canImport(Glibc)
    import Glibc
#endif

/// Where events wait when the log cannot be written (locked, read-only,
/// full, corrupt). One event per line, `SHA256HEX SP CANONICAL-JSON`,
/// appended under an exclusive `flock`, replayed in order by the next
/// pkgtrail call.
///
/// The spool is outside the chain, so what passes through it is marked:
/// each event gets a note saying it was spooled, when and why, before the
/// digest is taken; a line whose digest does not match (corrupted, or
/// edited by hand) is set aside, never chained. Someone with the user's
/// rights can still rewrite a line and its digest; the note tells an
/// auditor which events passed through that unprotected window.
///
/// The spool sits beside the log (`trail.db.spool`); when that directory is
/// not writable, in the user's state directory, named after the log's path.
public struct Spool {
    public let primary: String
    public let fallback: String

    public init(databasePath: String, stateDirectory: String) {
        primary = databasePath + ".spool"
        let tag = Digest.sha256Hex(Array(databasePath.utf8)).prefix(16)
        fallback = "\(stateDirectory)/spool-\(tag).ndjson"
    }

    /// Writes one event, noting why it waits; returns the path it went to.
    @discardableResult
    public func write(_ event: Event, reason: String, at time: String) throws -> String {
        var draft = event
        draft.seq = 0
        draft.prevHash = ""
        draft.notes.append(
            "spooled at \(time) because the log could not be written (\(reason)); appended by a later call")
        let body = try CanonicalJSON.encode(draft.json)
        var line = Array(Digest.sha256Hex(body).utf8)
        line.append(0x20)
        line += body
        line.append(0x0A)
        var errors: [String] = []
        for path in [primary, fallback] {
            do {
                try Self.appendLocked(line, to: path)
                return path
            } catch {
                errors.append("\(path): \(error)")
            }
        }
        throw PkgtrailError(.unwritable, "could not spool the event (" + errors.joined(separator: "; ") + ")")
    }

    private static func appendLocked(_ line: [UInt8], to path: String) throws {
        let dir = (path as NSString).deletingLastPathComponent
        try? FileManager.default.createDirectory(
            atPath: dir, withIntermediateDirectories: true,
            attributes: [.posixPermissions: 0o700])
        let fd = Glibc.open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw PkgtrailError(.unwritable, String(cString: strerror(errno))) }
        defer { close(fd) }
        guard flock(fd, LOCK_EX) == 0 else {
            throw PkgtrailError(.unwritable, "flock: \(String(cString: strerror(errno)))")
        }
        // A write cut short (a full disk) is taken back, so no torn line is
        // left for the next replay to set aside: the event goes to the fallback whole.
        let end = lseek(fd, 0, SEEK_END)
        do {
            try writeAll(fd, line)
            guard fsync(fd) == 0 else { throw PkgtrailError(.unwritable, "fsync: \(String(cString: strerror(errno)))") }
        } catch {
            if end >= 0 { _ = ftruncate(fd, end) }
            throw error
        }
    }

    private static func writeAll(_ fd: Int32, _ bytes: [UInt8]) throws {
        if let code = FileSystem.writeAll(fd, bytes) { throw PkgtrailError(.unwritable, SystemError(code).description) }
    }

    public struct ReplayResult {
        public var appended = 0
        /// Lines that were not intact events (torn by a crash, corrupted, or
        /// edited) and were set aside.
        public var rejected = 0
        public var rejectedPath: String?
    }

    /// Replays every waiting event into the store, oldest first, then empties
    /// the spool. An event already in the log (replayed before a crash could
    /// empty the spool) is skipped by its id. Lines that do not match their
    /// digest or do not decode are moved to `<spool>.rejected`, never
    /// dropped and never chained.
    @discardableResult
    public func replay(into store: TrailStore) throws -> ReplayResult {
        var result = ReplayResult()
        for path in [primary, fallback] {
            let fd = Glibc.open(path, O_RDWR | O_CLOEXEC)
            if fd < 0 { continue }
            defer { close(fd) }
            guard flock(fd, LOCK_EX) == 0 else { continue }
            let bytes = try Self.readAll(fd)
            if bytes.isEmpty { continue }
            var events: [Event] = []
            var rejected: [UInt8] = []
            let complete = bytes.last == 0x0A
            let lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: true)
            for (i, line) in lines.enumerated() {
                let torn = i == lines.count - 1 && !complete
                if !torn, let event = Self.intactEvent(line) {
                    events.append(event)
                } else {
                    rejected.append(contentsOf: line)
                    rejected.append(0x0A)
                }
            }
            result.appended += try store.append(events).count
            if !rejected.isEmpty {
                let rejectedPath = path + ".rejected"
                try Self.appendLocked(rejected, to: rejectedPath)
                result.rejected += rejected.split(separator: 0x0A).count
                result.rejectedPath = rejectedPath
            }
            guard ftruncate(fd, 0) == 0, fsync(fd) == 0 else {
                throw PkgtrailError(.unwritable, "could not empty \(path): \(String(cString: strerror(errno)))")
            }
        }
        return result
    }

    /// The event on a spool line, if its digest matches and it decodes as a
    /// not-yet-chained event.
    public static func intactEvent(_ line: ArraySlice<UInt8>) -> Event? {
        guard let space = line.firstIndex(of: 0x20), space - line.startIndex == 64 else { return nil }
        let body = Array(line[(space + 1)...])
        guard String(decoding: line[..<space], as: UTF8.self) == Digest.sha256Hex(body),
            let value = try? JSONParser.parse(body), let event = try? Event(json: value),
            event.seq == 0, event.prevHash.isEmpty
        else { return nil }
        return event
    }

    /// The intact events waiting, in the order they will be appended
    /// (read under a shared lock; nothing is changed).
    public func pendingEvents() -> [Event] {
        var out: [Event] = []
        for path in pendingPaths {
            let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
            if fd < 0 { continue }
            defer { close(fd) }
            guard flock(fd, LOCK_SH) == 0, let bytes = try? Self.readAll(fd) else { continue }
            let lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: true)
            for (i, line) in lines.enumerated() where i < lines.count - 1 || bytes.last == 0x0A {
                if let e = Self.intactEvent(line) { out.append(e) }
            }
        }
        return out
    }

    public var pendingPaths: [String] {
        [primary, fallback].filter { path in
            var st = stat()
            return stat(path, &st) == 0 && st.st_size > 0
        }
    }

    private static func readAll(_ fd: Int32) throws -> [UInt8] {
        do { return try FileSystem.readAll(fd).get() } catch { throw PkgtrailError(.unreadable, "\(error)") }
    }
}
