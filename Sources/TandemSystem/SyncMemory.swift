import CMalloc

/// Process memory settings for the state-sync tables (glibc's `mallopt`, declared by
/// `<malloc.h>` through `CMalloc`).
public enum SyncMemory {
    /// The replica and flow tables grow by doubling to tens of megabytes. glibc raises its
    /// mmap threshold to the size of each mmapped block freed, so the next, smaller blocks
    /// come from the heap and stay resident after they are freed (measured on a backup at
    /// 100k flows: 8 MiB of freed heap). A fixed threshold (which also turns off that
    /// adjustment) keeps blocks from `bytes` up mmapped, returned to the kernel on free.
    /// Returns false if glibc refused.
    public static func keepLargeBlocksMapped(from bytes: Int32 = 256 << 10) -> Bool {
        mallopt(M_MMAP_THRESHOLD, bytes) == 1
    }
}
