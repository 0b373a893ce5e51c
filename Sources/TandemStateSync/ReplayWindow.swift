/// Sliding window over datagram numbers of one peer session (RFC 4303 §3.4.3 style): a number
/// is accepted once, and only if it is not older than `size` behind the highest seen.
struct ReplayWindow: Sendable, Equatable {
    private(set) var highest: UInt64 = 0
    /// Bit i of the window: datagram `highest - i` was seen.
    private var bits: [UInt64]
    let size: Int

    init(size: Int) {
        precondition(size >= 64 && size % 64 == 0, "replay window \(size) must be a positive multiple of 64")
        self.size = size
        bits = Array(repeating: 0, count: size / 64)
    }

    func allows(_ n: UInt64) -> Bool {
        guard n != 0 else { return false }
        if n > highest { return true }
        let age = highest - n
        guard age < UInt64(size) else { return false }
        return bits[Int(age / 64)] & (1 << (age % 64)) == 0
    }

    mutating func accept(_ n: UInt64) {
        precondition(allows(n), "accept \(n) without allows()")
        if n > highest {
            shift(by: n - highest)
            highest = n
        }
        let age = highest - n
        bits[Int(age / 64)] |= 1 << (age % 64)
    }

    private mutating func shift(by distance: UInt64) {
        guard distance < UInt64(size) else {
            for i in bits.indices { bits[i] = 0 }
            return
        }
        let words = Int(distance / 64)
        let offset = distance % 64
        for i in stride(from: bits.count - 1, through: 0, by: -1) {
            let from = i - words
            var word: UInt64 = from >= 0 ? bits[from] << offset : 0
            if offset > 0, from - 1 >= 0 { word |= bits[from - 1] >> (64 - offset) }
            bits[i] = word
        }
    }
}
