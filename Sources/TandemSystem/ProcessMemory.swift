import CMalloc

/// Allocator settings for the short-lived `tandem apply` process (glibc's `mallopt`,
/// through `CMalloc`).
public enum ProcessMemory {
    /// Blocks up to 32 MiB (glibc's largest mmap threshold on 64-bit) come from the heap,
    /// and freed heap is not trimmed: an apply reads, compares, cuts and writes copies of a
    /// multi-megabyte config, and with glibc's defaults each is a fresh mapping, faulted in
    /// page by page and unmapped when freed (an unmap in a process with threads is a TLB
    /// shootdown on every core). The process exits within a second, so nothing is kept
    /// for long. Returns false if glibc refused.
    @discardableResult
    public static func keepFreedBlocks() -> Bool {
        mallopt(M_MMAP_THRESHOLD, 32 << 20) == 1 && mallopt(M_TRIM_THRESHOLD, Int32.max) == 1
    }
}
