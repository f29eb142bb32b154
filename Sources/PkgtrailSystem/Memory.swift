#if canImport(Glibc)
    import Glibc
#endif

public enum Memory {
    /// Keeps freed blocks of up to 32 MiB in the process for the next
    /// allocation, rather than giving them back to the kernel and taking them
    /// again, zeroed, a page fault at a time: an answer written a part at a
    /// time allocates and frees buffers of megabytes per part, and glibc's
    /// defaults (blocks over 128 KiB mapped and unmapped on their own, the
    /// heap trimmed above 128 KiB free) spent a fifth of an audit's time in
    /// the kernel clearing pages. The process then holds what it freed until
    /// it exits. False when the allocator did not take the settings.
    @discardableResult
    public static func keepFreedBuffers() -> Bool {
        #if canImport(Glibc)
            // <malloc.h> is not in Swift's Glibc module: its one call, looked up.
            typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
            guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return false }
            let mallopt = unsafeBitCast(symbol, to: Mallopt.self)
            let (trimThreshold, mmapThreshold): (Int32, Int32) = (-1, -3)  // M_TRIM_THRESHOLD, M_MMAP_THRESHOLD
            // 32 MiB is glibc's largest mapping threshold on 64 bits (half its
            // heap size): it refuses more, and a refused one, with the trim
            // threshold set, left every block over 128 KiB mapped afresh.
            let mapped = mallopt(mmapThreshold, 32 << 20) == 1
            let trimmed = mallopt(trimThreshold, 512 << 20) == 1
            return mapped && trimmed
        #else
            return false
        #endif
    }

    /// Holds `value` until the process exits: a command's answer of a
    /// hundred thousand objects costs a tenth of a second to free one by
    /// one just before the exit frees the whole address space anyway.
    public static func keepUntilExit<T>(_ value: T) {
        _ = Unmanaged.passRetained(Kept(value))
    }

    private final class Kept<T> {
        let value: T
        init(_ value: T) { self.value = value }
    }
}
