import PkgtrailCore
import PkgtrailSystem

#if canImport(Glibc)
    import Glibc
#endif

/// Where the checkpoint signing key lives: beside pkgtrail's configuration,
/// never in the log. The private key file is created 0600 and never
/// overwritten; the public (verifier) key beside it can be shared freely.
public struct KeyFiles: Sendable {
    public let privatePath: String
    public let publicPath: String

    public init(env: ProcessEnvironment, privatePath: String? = nil) {
        let dir = (env.nonEmpty("XDG_CONFIG_HOME") ?? env.home + "/.config") + "/pkgtrail"
        self.privatePath = privatePath ?? dir + "/checkpoint.key"
        publicPath =
            (privatePath.map { $0.hasSuffix(".key") ? String($0.dropLast(4)) : $0 } ?? dir + "/checkpoint") + ".pub"
    }

    /// Writes a new key pair; refuses to replace an existing private key.
    public func create(_ signer: SignedNote.Signer) throws {
        FileSystem.makeDirectories(FileSystem.dirname(privatePath))
        let fd = open(privatePath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw PkgtrailError(
                .unwritable,
                errno == EEXIST
                    ? "\(privatePath) already exists: keep using it, or move it aside to make a new key"
                    : "cannot create \(privatePath): \(String(cString: strerror(errno)))")
        }
        let ok = Self.writeAll(fd, signer.encoded + "\n") && fsync(fd) == 0
        close(fd)
        let pub = open(publicPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        let pubOK = pub >= 0 && Self.writeAll(pub, signer.verifier.encoded + "\n")
        if pub >= 0 { close(pub) }
        guard ok, pubOK else {
            unlink(privatePath)
            throw PkgtrailError(.unwritable, "cannot write the key files: \(String(cString: strerror(errno)))")
        }
    }

    public func signer() throws -> SignedNote.Signer {
        guard let bytes = FileSystem.read(privatePath, limit: 4096) else {
            throw PkgtrailError(.missing, "no signing key at \(privatePath): create one with `pkgtrail key init`")
        }
        var st = stat()
        if stat(privatePath, &st) == 0, st.st_mode & 0o077 != 0 {
            throw PkgtrailError(
                .invalidInput, "\(privatePath) is readable by others: chmod 600 it (and consider the key exposed)")
        }
        do { return try SignedNote.Signer(encoded: String(decoding: bytes, as: UTF8.self)) } catch {
            throw PkgtrailError(.invalidInput, "\(privatePath): \(error)")
        }
    }

    /// A verifier key given as a file or as the key text itself; default: ours.
    public func verifier(_ given: String?) throws -> SignedNote.Verifier {
        let source = given ?? publicPath
        let text: String
        if let bytes = FileSystem.read(source, limit: 4096, regularOnly: false) {
            text = String(decoding: bytes, as: UTF8.self)
        } else if let given, given.contains("+") {
            text = given
        } else {
            throw PkgtrailError(
                .missing,
                given == nil
                    ? "no public key at \(publicPath): pass --key FILE (the signer's checkpoint.pub)"
                    : "cannot read the key \(source)")
        }
        do { return try SignedNote.Verifier(encoded: text) } catch {
            // Name a file, never echo key text: a private key pasted by mistake would reach the terminal.
            let what = FileSystem.read(source, limit: 4096, regularOnly: false) == nil ? "the --key text" : source
            throw PkgtrailError(.invalidInput, "\(what): \(error)")
        }
    }

    static func writeAll(_ fd: Int32, _ s: String) -> Bool {
        FileSystem.writeAll(fd, Array(s.utf8)) == nil
    }
}
