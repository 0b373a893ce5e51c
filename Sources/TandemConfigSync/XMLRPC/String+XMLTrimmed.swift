extension String {
    /// Without leading and trailing XML whitespace (space, tab, CR, LF: XML 1.0 §2.3 `S`).
    var xmlTrimmed: String {
        let u = utf8
        func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D }
        guard let first = u.first, let last = u.last, isSpace(first) || isSpace(last) else { return self }
        var start = u.startIndex, end = u.endIndex
        while start < end, isSpace(u[start]) { start = u.index(after: start) }
        while end > start, isSpace(u[u.index(before: end)]) { end = u.index(before: end) }
        return String(self[start..<end])
    }
}
