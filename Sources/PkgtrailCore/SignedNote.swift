import Crypto

/// C2SP signed notes (https://c2sp.org/signed-note) with Ed25519 keys: the
/// format transparency logs use for checkpoints, so existing tooling and
/// people who know it can read pkgtrail's.
public enum SignedNote {
    static let ed25519: UInt8 = 0x01

    /// key ID = first 4 bytes of SHA-256(name || "\n" || 0x01 || public key)
    static func keyID(name: String, publicKey: [UInt8]) -> [UInt8] {
        Array(SHA256.hash(data: Array(name.utf8) + [0x0A, ed25519] + publicKey).prefix(4))
    }

    static func validName(_ name: String) -> Bool {
        !name.isEmpty && !name.unicodeScalars.contains { $0 == "+" || $0.properties.isWhitespace || $0.value < 0x20 }
    }

    public struct Signer: Sendable {
        public let name: String
        let key: Curve25519.Signing.PrivateKey

        public static func generate(name: String) throws -> Signer {
            guard validName(name) else {
                throw PkgtrailError(.invalidInput, "a key name has no spaces and no '+': \(name)")
            }
            return Signer(name: name, key: Curve25519.Signing.PrivateKey())
        }

        /// `PRIVATE+KEY+<name>+<hex key ID>+<base64(0x01 || seed)>`
        public init(encoded: String) throws {
            // The base64 key may itself contain '+': split off the four fields before it.
            let parts = encoded.trimmingSpaces.split(separator: "+", maxSplits: 4, omittingEmptySubsequences: false)
                .map(String.init)
            guard parts.count == 5, parts[0] == "PRIVATE", parts[1] == "KEY", validName(parts[2]),
                let raw = Base64.decode(parts[4]), raw.count == 33, raw[0] == ed25519,
                let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: raw.dropFirst())
            else {
                throw PkgtrailError(.invalidInput, "not a signed-note Ed25519 private key (PRIVATE+KEY+name+id+key)")
            }
            self.init(name: parts[2], key: key)
            guard Hex.encode(keyID(name: name, publicKey: verifier.publicKey)) == parts[3] else {
                throw PkgtrailError(.invalidInput, "the private key's ID does not match its key")
            }
        }

        init(name: String, key: Curve25519.Signing.PrivateKey) {
            self.name = name
            self.key = key
        }

        public var encoded: String {
            "PRIVATE+KEY+\(name)+\(Hex.encode(keyID(name: name, publicKey: verifier.publicKey)))+"
                + Base64.encode([ed25519] + Array(key.rawRepresentation))
        }

        public var verifier: Verifier { Verifier(name: name, publicKey: Array(key.publicKey.rawRepresentation)) }

        /// The note: its text, a blank line, one signature line.
        public func sign(_ text: String) throws -> String {
            guard text.hasSuffix("\n"), !text.contains("\n\n") else {
                throw PkgtrailError(.invalidInput, "a note's text ends with a newline and has no blank line")
            }
            let signature = try key.signature(for: Array(text.utf8))
            return text + "\n\u{2014} \(name) "
                + Base64.encode(keyID(name: name, publicKey: verifier.publicKey) + Array(signature)) + "\n"
        }
    }

    public struct Verifier: Sendable, Equatable {
        public let name: String
        public let publicKey: [UInt8]

        /// `<name>+<hex key ID>+<base64(0x01 || public key)>`
        public init(encoded: String) throws {
            let parts = encoded.trimmingSpaces.split(separator: "+", maxSplits: 2, omittingEmptySubsequences: false)
                .map(String.init)
            guard parts.count == 3, validName(parts[0]), let raw = Base64.decode(parts[2]), raw.count == 33,
                raw[0] == ed25519,
                Hex.encode(keyID(name: parts[0], publicKey: Array(raw.dropFirst()))) == parts[1]
            else {
                throw PkgtrailError(.invalidInput, "not a signed-note Ed25519 verifier key (name+id+key)")
            }
            self.init(name: parts[0], publicKey: Array(raw.dropFirst()))
        }

        init(name: String, publicKey: [UInt8]) {
            self.name = name
            self.publicKey = publicKey
        }

        public var encoded: String {
            "\(name)+\(Hex.encode(keyID(name: name, publicKey: publicKey)))+" + Base64.encode([ed25519] + publicKey)
        }

        /// The note's text if one of its signatures is this key's and verifies.
        public func open(_ note: String) throws -> String {
            let bytes = Array(note.utf8)
            guard let blank = bytes.indices.dropLast().first(where: { bytes[$0] == 0x0A && bytes[$0 + 1] == 0x0A })
            else {
                throw PkgtrailError(.invalidInput, "not a signed note: no blank line before the signatures")
            }
            let text = String(decoding: bytes[...blank], as: UTF8.self)
            let id = keyID(name: name, publicKey: publicKey)
            guard let key = try? Curve25519.Signing.PublicKey(rawRepresentation: publicKey) else {
                throw PkgtrailError(.invalidInput, "unusable public key")
            }
            var sawKey = false
            for line in String(decoding: bytes[(blank + 2)...], as: UTF8.self).split(separator: "\n") {
                let fields = line.split(separator: " ", omittingEmptySubsequences: false)
                guard fields.count == 3, fields[0] == "\u{2014}", let sig = Base64.decode(String(fields[2])),
                    sig.count > 4
                else {
                    throw PkgtrailError(.invalidInput, "malformed signature line")
                }
                guard fields[1] == name, Array(sig.prefix(4)) == id else { continue }
                sawKey = true
                if key.isValidSignature(Array(sig.dropFirst(4)), for: Array(text.utf8)) { return text }
            }
            throw PkgtrailError(
                .invalidInput,
                sawKey
                    ? "the signature does not verify: the note was altered or forged"
                    : "the note carries no signature by \(name)")
        }
    }
}
