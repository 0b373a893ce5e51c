/// Line starts of the input, to turn byte offsets into 1-based line:column (columns count
/// characters, not bytes).
///
/// The parser asks for positions in increasing order, so the table remembers the last
/// answer and counts columns on from it when the next offset is on the same line: a config
/// written on one line (no newlines at all) would otherwise cost a scan from the line start
/// for every element, quadratic in the file size.
struct LineTable {
    private let starts: [Int]
    private let input: [UInt8]
    /// The last lookup: its line index, byte offset and column.
    private var lastLine = 0
    private var lastOffset = 0
    private var lastColumn = 1

    init(_ input: [UInt8]) {
        var starts = [0]
        input.withUnsafeBufferPointer { buf in
            var i = 0
            while i < buf.count {
                if buf[i] == 0x0A { starts.append(i + 1) }
                i += 1
            }
        }
        self.starts = starts
        self.input = input
    }

    mutating func position(of offset: Int) -> SourcePosition {
        let o = max(0, min(offset, input.count))
        var lo = 0, hi = starts.count - 1
        // Most lookups land on the line of the previous one or a few lines further (one
        // element per line): step forward from it before falling back to a binary search.
        if starts[lastLine] <= o {
            var line = lastLine
            while line < hi, line < lastLine + 4, starts[line + 1] <= o { line += 1 }
            if line == hi || o < starts[line + 1] {
                lo = line
                hi = line
            }
        }
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if starts[mid] <= o { lo = mid } else { hi = mid - 1 }
        }
        var column = 1
        var i = starts[lo]
        if lo == lastLine, lastOffset >= i, lastOffset <= o {
            column = lastColumn
            i = lastOffset
        }
        // Every byte that does not continue a UTF-8 sequence starts a character.
        if i < o {
            for byte in input[i..<o] where byte & 0xC0 != 0x80 { column += 1 }
        }
        lastLine = lo
        lastOffset = o
        lastColumn = column
        return SourcePosition(line: lo + 1, column: column)
    }

    mutating func position(ofEnd count: Int) -> SourcePosition { position(of: count) }
}
