extension ConfigExtractor {
    /// `<schedules><schedule>` with its `<timerange>`s (`Schedule`).
    mutating func schedules() -> [Schedule] {
        guard let container = root.child("schedules") else { return [] }
        return listItems(container.children("schedule")).map { index, element in
            let r = ItemReader(element, path: itemPath("schedules", "schedule", index))
            var schedule = Schedule(name: r.string("name") ?? "", descr: r.raw("descr"), location: r.location)
            for (i, range) in listItems(element.children("timerange")) {
                let t = ItemReader(range, path: itemPath(r.location.path, "timerange", i))
                var tr = Schedule.TimeRange()
                tr.months = numbers(t, "month", 1...12)
                tr.days = numbers(t, "day", 1...31)
                tr.weekdays = numbers(t, "position", 1...7)
                if let hour = t.nonEmpty("hour") { tr.minutes = minutes(t, hour) }
                schedule.ranges.append(tr)
            }
            return schedule
        }
    }

    private mutating func numbers(_ r: ItemReader, _ field: String, _ allowed: ClosedRange<Int>) -> [Int] {
        var out: [Int] = []
        for word in r.list(field) {
            guard let n = Int(word), allowed.contains(n) else {
                issues.append(r.error("'\(word)' is not a number in \(allowed.lowerBound)-\(allowed.upperBound)", field: field))
                continue
            }
            out.append(n)
        }
        return out
    }

    /// `H:MM-H:MM`; an end of `23:59` is the end of the day (the GUI's last choice, which
    /// pfSense compares as "before 23:59", so the last minute is lost there).
    private mutating func minutes(_ r: ItemReader, _ text: String) -> Range<Int>? {
        func parse(_ s: Substring) -> Int? {
            let parts = s.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 2, let h = Int(parts[0]), let m = Int(parts[1]), (0...24).contains(h), (0...59).contains(m),
                  h * 60 + m <= 24 * 60 else { return nil }
            return h * 60 + m
        }
        let ends = text.split(separator: "-", omittingEmptySubsequences: false)
        guard ends.count == 2, let a = parse(ends[0]), let b = parse(ends[1]), a < b else {
            issues.append(r.error("'\(text)' is not a time range H:MM-H:MM with the start before the end", field: "hour"))
            return nil
        }
        return a..<(b == 23 * 60 + 59 ? 24 * 60 : b)
    }
}
