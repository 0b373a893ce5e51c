/// Space-separated fields of a line-oriented state file (`applied.handles`,
/// `applied.items`), read from the bytes in place: a 10,000-rule config has tens of
/// thousands of numbers to read on every apply, which String splitting took milliseconds
/// for (issue #3). Valid only inside the `withUnsafeBufferPointer` that made `bytes`.
public struct FieldScanner {
    private let bytes: UnsafeBufferPointer<UInt8>
    private var position = 0
    private var lineEnd = -1

    public init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    /// Moves to the next line; false at the end of the input.
    public mutating func nextLine() -> Bool {
        position = lineEnd + 1
        guard position < bytes.count else { return false }
        var end = position
        while end < bytes.count, bytes[end] != UInt8(ascii: "\n") { end += 1 }
        lineEnd = end
        return true
    }

    /// No field left on this line.
    public var atLineEnd: Bool {
        mutating get { skipSpaces(); return position >= lineEnd }
    }

    private mutating func skipSpaces() {
        while position < lineEnd, bytes[position] == UInt8(ascii: " ") { position += 1 }
    }

    public mutating func word() -> String? {
        skipSpaces()
        let start = position
        while position < lineEnd, bytes[position] != UInt8(ascii: " ") { position += 1 }
        guard start < position else { return nil }
        return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
    }

    /// A decimal number ending at a space, `-` or the line's end.
    public mutating func number() -> UInt64? {
        skipSpaces()
        var n: UInt64 = 0, digits = 0
        while position < lineEnd, digits < 19 {
            let d = bytes[position] &- 0x30
            guard d < 10 else { break }
            n = n * 10 + UInt64(d)
            position += 1
            digits += 1
        }
        guard digits > 0, position >= lineEnd || bytes[position] == UInt8(ascii: " ") || bytes[position] == UInt8(ascii: "-")
        else { return nil }
        return n
    }

    /// A `-` between two numbers.
    public mutating func dash() -> Bool {
        guard position < lineEnd, bytes[position] == UInt8(ascii: "-") else { return false }
        position += 1
        return true
    }

    /// Lowercase hex digits up to the next space (an even number of them).
    public mutating func hexBytes() -> [UInt8]? {
        skipSpaces()
        var out: [UInt8] = []
        func value(_ c: UInt8) -> UInt8? {
            switch c {
            case 0x30...0x39: c - 0x30
            case 0x61...0x66: c - 0x61 + 10
            default: nil
            }
        }
        while position < lineEnd, bytes[position] != UInt8(ascii: " ") {
            guard position + 1 < lineEnd, let hi = value(bytes[position]), let lo = value(bytes[position + 1]) else { return nil }
            out.append(hi << 4 | lo)
            position += 2
        }
        return out
    }
}

/// Writes the same files: fields appended as bytes, numbers without String formatting.
public struct FieldWriter {
    public private(set) var bytes: [UInt8] = []

    public init(capacity: Int = 0) {
        bytes.reserveCapacity(capacity)
    }

    public mutating func word(_ s: String) {
        if !bytes.isEmpty, bytes.last != UInt8(ascii: "\n") { bytes.append(UInt8(ascii: " ")) }
        bytes.append(contentsOf: s.utf8)
    }

    public mutating func number(_ n: UInt64) {
        if !bytes.isEmpty, bytes.last != UInt8(ascii: "\n") { bytes.append(UInt8(ascii: " ")) }
        digits(n)
    }

    /// `a-b`
    public mutating func span(_ a: Int, _ b: Int) {
        number(UInt64(a))
        bytes.append(UInt8(ascii: "-"))
        digits(UInt64(b))
    }

    public mutating func hex(_ data: [UInt8]) {
        if !bytes.isEmpty, bytes.last != UInt8(ascii: "\n") { bytes.append(UInt8(ascii: " ")) }
        let digits = Array("0123456789abcdef".utf8)
        for b in data {
            bytes.append(digits[Int(b >> 4)])
            bytes.append(digits[Int(b & 15)])
        }
    }

    public mutating func endLine() { bytes.append(UInt8(ascii: "\n")) }

    private mutating func digits(_ n: UInt64) {
        var buffer: (UInt64, UInt64, UInt64) = (0, 0, 0)   // 24 bytes: enough for 20 digits
        var n = n, count = 0
        withUnsafeMutableBytes(of: &buffer) { raw in
            repeat {
                raw[23 - count] = UInt8(n % 10) + 0x30
                n /= 10
                count += 1
            } while n > 0
            bytes.append(contentsOf: raw[(24 - count)...])
        }
    }
}
