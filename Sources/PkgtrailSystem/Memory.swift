#if canImport(Glibc)
    import Glibc
#endif

public enum Memory {
    /// Keeps freed blocks of up to 64 MiB in the process for the next
    /// allocation, rather than giving them back to the kernel and taking them
    /// again, zeroed, a page fault at a time: an answer written a part at a
    /// time allocates and frees buffers of megabytes per part, and glibc's
    /// defaults (blocks over 128 KiB mapped and unmapped on their own, the
    /// heap trimmed above 128 KiB free) spent a fifth of an audit's time in
    /// the kernel clearing pages. The process then holds what it freed until it exits.
    public static func keepFreedBuffers() {
        #if canImport(Glibc)
            // <malloc.h> is not in Swift's Glibc module: its one call, looked up.
            typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
            guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return }
            let mallopt = unsafeBitCast(symbol, to: Mallopt.self)
            let (trimThreshold, mmapThreshold): (Int32, Int32) = (-1, -3)  // M_TRIM_THRESHOLD, M_MMAP_THRESHOLD
            _ = mallopt(mmapThreshold, 64 << 20)
            _ = mallopt(trimThreshold, 512 << 20)
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
