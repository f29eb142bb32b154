#if canImport(Glibc)
    import Glibc
#endif

/// A failed system call: its errno, described as strerror(3) does.
public struct SystemError: Error, CustomStringConvertible, Sendable {
    public let code: Int32
    public init(_ code: Int32) { self.code = code }
    public var description: String { String(cString: strerror(code)) }
}
