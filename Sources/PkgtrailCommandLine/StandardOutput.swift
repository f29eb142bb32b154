import Dispatch
import PkgtrailCore

#if canImport(Glibc)
    import Glibc
#endif

/// Everything a command prints goes through here rather than `print`, so
/// that a failed write is never silent: `pkgtrail log --json > /dev/full`
/// must not hand a script truncated JSON with status 0. Buffered like
/// stdio (by line on a terminal, by 64 KiB otherwise), written with
/// write(2) until every byte is out; the first error is kept, and
/// `ExitStatus` turns it into exit 2.
public enum StandardOutput {
    nonisolated(unsafe) private static var buffer: [UInt8] = []
    nonisolated(unsafe) private static var failure: Int32 = 0
    nonisolated(unsafe) private static var lineBuffered = isatty(STDOUT_FILENO) == 1

    /// Each line is written when it ends, terminal or not (setvbuf's `_IOLBF`):
    /// for a command that runs for days and reports as it goes (`watch`).
    public static func writeEachLine() {
        _ = flush()
        lineBuffered = true
    }

    public static func write(_ text: String) {
        write(bytes: text.utf8)
    }

    public static func write(bytes: some Sequence<UInt8>) {
        buffer.append(contentsOf: bytes)
        if buffer.count >= 1 << 16 || (lineBuffered && buffer.last == UInt8(ascii: "\n")) { _ = flush() }
    }

    /// A text of its own buffer's size or more is written as it is, not
    /// copied into the buffer first (an audit's runs of findings).
    public static func write(bytes: [UInt8]) {
        guard bytes.count >= 1 << 16, !lineBuffered else { return write(bytes: bytes[...]) }
        guard flush() else { return }
        _ = bytes.withUnsafeBytes(writeAll)
    }

    /// Writes what is buffered; false when this or an earlier write failed.
    public static func flush() -> Bool {
        defer { buffer.removeAll(keepingCapacity: true) }
        return buffer.withUnsafeBytes(writeAll)
    }

    /// Writes every byte, unless this or an earlier write failed.
    private static func writeAll(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard failure == 0 else { return false }
        var offset = 0
        while offset < bytes.count {
            let n = Glibc.write(STDOUT_FILENO, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                failure = errno
                return false
            }
            offset += n
        }
        return true
    }

    /// Why the output could not be written, once `flush` returned false.
    public static var failureReason: String { String(cString: strerror(failure == 0 ? EIO : failure)) }
}

/// A line (or any text) for stdout.
public func emit(_ line: String, terminator: String = "\n") {
    StandardOutput.write(line + terminator)
}

/// Prints JSON text for a terminal or a pipe: C1 controls and DEL escaped
/// (ControlCharacters.escapedInJSON), the same value either way.
public func emitJSON(_ json: [UInt8], terminator: String = "\n") {
    emit(String(decoding: ControlCharacters.escapedInJSON(json), as: UTF8.self), terminator: terminator)
}

/// A JSON array printed as its elements come (`[`, elements separated by
/// `,` and a newline, `]`): an answer of a hundred thousand records is
/// never held whole, as text or as values.
public struct JSONArrayPrinter {
    private var count = 0

    public init() {}

    public mutating func add(_ value: JSONValue) throws {
        try add(json: CanonicalJSON.encode(value))
    }

    public mutating func add(json: [UInt8]) { add(escapedJSON: ControlCharacters.escapedInJSON(json)) }

    /// An element already through `ControlCharacters.escapedInJSON` (done
    /// on the core that wrote it, for answers of a hundred thousand).
    public mutating func add(escapedJSON json: [UInt8]) { add(escapedRun: json, elements: 1) }

    /// Elements already escaped and joined by `,` and a newline, as one text.
    public mutating func add(escapedRun json: [UInt8], elements: Int) {
        guard elements > 0 else { return }
        StandardOutput.write(bytes: count == 0 ? [UInt8(ascii: "[")] : [UInt8(ascii: ","), UInt8(ascii: "\n")])
        StandardOutput.write(bytes: json)
        count += elements
    }

    public func finish() {
        StandardOutput.write(count == 0 ? "[]\n" : "]\n")
    }
}

/// A JSON array written by a thread of its own, in the order its runs are
/// handed over, while the caller computes the next ones: writing an audit's
/// 200 MB into a pipe or a file took the caller's core a tenth of the time.
/// Nothing else may write to stdout until `finish` (or `wait`) returns.
public final class BackgroundJSONArray: @unchecked Sendable {
    private var printer = JSONArrayPrinter()
    private let queue = DispatchQueue(label: "pkgtrail.stdout")
    /// Runs handed over and not yet written: the caller waits beyond this many.
    private let room = DispatchSemaphore(value: 4)

    public init() {}

    /// Elements already escaped and joined by `,` and a newline, as one text.
    public func add(escapedRun json: [UInt8], elements: Int) {
        room.wait()
        queue.async {
            self.printer.add(escapedRun: json, elements: elements)
            self.room.signal()
        }
    }

    /// Waits until every run handed over is written (also after a failure).
    public func wait() { queue.sync {} }

    public func finish() {
        queue.sync { printer.finish() }
    }
}
