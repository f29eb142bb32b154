import Foundation
import PkgtrailCore
import PkgtrailSystem
import ZIPFoundation

/// The files an import reads, as OSV publishes them: the per-ecosystem
/// `all.zip` (one JSON file per advisory), a directory of JSON files (its
/// tree, as unzipped), or single files holding one advisory or an array.
public enum AdvisorySources {
    public struct Document: Sendable {
        /// The file, or `zip:member`.
        public let source: String
        public let bytes: [UInt8]
    }

    /// Every JSON document below `paths`, in a stable order.
    public static func read(_ paths: [String]) throws -> [Document] {
        var out: [Document] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw PkgtrailError(.invalidInput, "\(path): no such file or directory")
            }
            if isDirectory.boolValue {
                out += try directory(path)
            } else if FileSystem.read(path, limit: 4) == [0x50, 0x4B, 0x03, 0x04] {
                out += try zip(path)
            } else {
                out.append(Document(source: path, bytes: try contents(path)))
            }
        }
        return out
    }

    static func contents(_ path: String) throws -> [UInt8] {
        guard let bytes = FileSystem.read(path) else { throw PkgtrailError(.unreadable, "\(path) cannot be read") }
        return bytes
    }

    static func directory(_ root: String) throws -> [Document] {
        guard let walker = FileManager.default.enumerator(atPath: root) else {
            throw PkgtrailError(.unreadable, "\(root) cannot be listed")
        }
        var names: [String] = []
        while let name = walker.nextObject() as? String {
            if name.hasSuffix(".json") { names.append(name) }
        }
        return try names.sorted().map { name in
            let path = FileSystem.join(root, name)
            return Document(source: path, bytes: try contents(path))
        }
    }

    static func zip(_ path: String) throws -> [Document] {
        let archive: Archive
        do { archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .read) } catch {
            throw PkgtrailError(.invalidInput, "\(path) is not a readable zip file: \(error)")
        }
        var out: [Document] = []
        for entry in archive where entry.type == .file && entry.path.hasSuffix(".json") {
            guard entry.uncompressedSize <= 16 << 20 else {
                throw PkgtrailError(.invalidInput, "\(path):\(entry.path) is over 16 MiB: not an OSV advisory")
            }
            var bytes: [UInt8] = []
            bytes.reserveCapacity(Int(entry.uncompressedSize))
            do {
                _ = try archive.extract(entry, skipCRC32: false) { chunk in bytes += chunk }
            } catch {
                throw PkgtrailError(.invalidInput, "\(path):\(entry.path) cannot be extracted: \(error)")
            }
            out.append(Document(source: "\(path):\(entry.path)", bytes: bytes))
        }
        return out
    }
}
