import Crypto

/// SHA-256 of bytes, whole or read in chunks.
public enum Digest {
    public static func sha256Hex<S: Sequence>(_ bytes: S) -> String where S.Element == UInt8 {
        Hex.encode(SHA256.hash(data: Array(bytes)))
    }
}

extension Digest {
    /// Incremental SHA-256 for content read in chunks (installed files can be large).
    public struct Hasher {
        private var h = SHA256()
        public init() {}
        public mutating func update(_ bytes: UnsafeRawBufferPointer) { h.update(bufferPointer: bytes) }
        public func finalize() -> [UInt8] { Array(h.finalize()) }
    }

    /// RFC 4648 §5 base64url without padding: how wheel RECORD files spell hashes.
    public static func base64URL(_ bytes: [UInt8]) -> String { Base64.encode(bytes, urlSafe: true, padded: false) }
}
