import XCTest

@testable import PkgtrailSystem

#if canImport(Glibc)
    import Glibc
#endif

final class InotifyTests: XCTestCase {
    var dir = ""

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("inotify-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: dir) }

    /// The kernel's events, read after `poll` says they are there.
    func next(_ i: Inotify) -> [Inotify.Event] {
        XCTAssertEqual(Poll.readable([i.fd], timeout: 5), [i.fd])
        return i.drain()
    }

    func testEntriesCreatedWrittenRenamedAndRemoved() throws {
        let i = try Inotify()
        let wd = try i.watch(dir, mask: Inotify.entryChanges).get()
        XCTAssertTrue(i.drain().isEmpty)  // nothing queued: no wakeup
        XCTAssertEqual(Poll.readable([i.fd], timeout: 0.05), [])

        XCTAssertTrue(FileSystem.writeAtomically(dir + "/a.pth", Array("import os\n".utf8)))
        let written = next(i)
        XCTAssertTrue(written.allSatisfy { $0.watch == wd })
        XCTAssertTrue(written.contains { $0.name == "a.pth" && $0.has(UInt32(IN_MOVED_TO)) }, "\(written)")

        XCTAssertEqual(mkdir(dir + "/x-1.0.dist-info", 0o755), 0)
        let made = next(i)
        XCTAssertEqual(made.map(\.name), ["x-1.0.dist-info"])
        XCTAssertTrue(made[0].isDirectory && made[0].has(UInt32(IN_CREATE)))

        XCTAssertEqual(rmdir(dir + "/x-1.0.dist-info"), 0)
        XCTAssertTrue(next(i).contains { $0.name == "x-1.0.dist-info" && $0.has(UInt32(IN_DELETE)) })
    }

    func testAWatchedDirectoryThatGoesIsReported() throws {
        let i = try Inotify()
        let sub = dir + "/site"
        XCTAssertEqual(mkdir(sub, 0o755), 0)
        let wd = try i.watch(sub, mask: Inotify.entryChanges).get()
        XCTAssertEqual(rmdir(sub), 0)
        var events: [Inotify.Event] = []
        while !events.contains(where: \.watchRemoved) { events += next(i) }
        XCTAssertTrue(events.contains { $0.watch == wd && $0.has(UInt32(IN_DELETE_SELF)) })
    }

    func testAMissingDirectoryIsAnErrorNotAWatch() throws {
        let i = try Inotify()
        guard case .failure(let e) = i.watch(dir + "/nope", mask: Inotify.entryChanges) else {
            return XCTFail("watched a directory that does not exist")
        }
        XCTAssertEqual(e.code, ENOENT)
    }

    /// A second watch on the same directory adds to what it reports.
    func testMasksAddUp() throws {
        let i = try Inotify()
        let a = try i.watch(dir, mask: Inotify.writes).get()
        let b = try i.watch(dir, mask: UInt32(IN_DELETE)).get()
        XCTAssertEqual(a, b)
        let fd = open(dir + "/f", O_CREAT | O_WRONLY, 0o600)
        XCTAssertEqual(write(fd, "x", 1), 1)
        close(fd)
        unlink(dir + "/f")
        var events: [Inotify.Event] = []
        while !events.contains(where: { $0.has(UInt32(IN_DELETE)) }) { events += next(i) }
        XCTAssertTrue(events.contains { $0.has(UInt32(IN_MODIFY)) })
    }
}
