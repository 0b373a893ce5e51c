import TandemConfig
import TandemRuleset

/// pfSense schedules (`Schedule`) as nftables time matches (`meta day`, `meta hour`,
/// nft(8) META EXPRESSIONS), so a scheduled rule is active exactly in its windows instead of
/// being reloaded by cron as pfSense does (`filter_get_time_based_rule_status()`).
///
/// The kernel counts weekdays and hours in UTC, so each local window (weekday, minutes) is
/// moved by the node's UTC offset and cut at UTC midnights; pieces with the same minutes on
/// consecutive UTC weekdays share one rule. Months and days of the month have no nftables
/// match that repeats yearly (`meta time` is absolute), so a schedule with them is not
/// enforceable (`Unenforceable`).
enum ScheduleWindows: Equatable {
    /// Each window is the matches of one rule copy; none = never active.
    case windows([[Match]])
    case unsupported(String)
}

extension CompileContext {
    func scheduleWindows(_ name: String) -> ScheduleWindows {
        guard let schedule = config.schedule(named: name) else { return .unsupported("not defined in <schedules>") }
        return Self.windows(schedule, utcOffsetMinutes: utcOffsetMinutes)
    }

    static let minutesPerDay = 24 * 60
    static let minutesPerWeek = 7 * minutesPerDay

    static func windows(_ schedule: Schedule, utcOffsetMinutes: Int) -> ScheduleWindows {
        // UTC weekday (0 = Sunday) → minute ranges within that day.
        var pieces: [Int: [Range<Int>]] = [:]
        for range in schedule.ranges {
            if !range.months.isEmpty || !range.days.isEmpty {
                return .unsupported("months and days of the month have no nftables time match")
            }
            // pfSense's position: 1 = Monday … 7 = Sunday; here 0 = Sunday.
            let weekdays = range.weekdays.isEmpty ? Array(0..<7) : range.weekdays.map { $0 % 7 }
            let minutes = range.minutes ?? 0..<minutesPerDay
            for day in Set(weekdays) {
                var start = day * minutesPerDay + minutes.lowerBound - utcOffsetMinutes
                start = ((start % minutesPerWeek) + minutesPerWeek) % minutesPerWeek
                var left = minutes.count
                while left > 0 {
                    let utcDay = start / minutesPerDay, from = start % minutesPerDay
                    let length = min(left, minutesPerDay - from)
                    pieces[utcDay, default: []].append(from..<(from + length))
                    left -= length
                    start = (start + length) % minutesPerWeek
                }
            }
        }
        // Per day, overlapping or touching pieces merged.
        var byMinutes: [Range<Int>: [Int]] = [:]
        for (day, ranges) in pieces {
            var merged: [Range<Int>] = []
            for r in ranges.sorted(by: { $0.lowerBound < $1.lowerBound }) {
                if let last = merged.last, r.lowerBound <= last.upperBound {
                    merged[merged.count - 1] = last.lowerBound..<max(last.upperBound, r.upperBound)
                } else {
                    merged.append(r)
                }
            }
            for r in merged { byMinutes[r, default: []].append(day) }
        }
        var out: [[Match]] = []
        for minutes in byMinutes.keys.sorted(by: { ($0.lowerBound, $0.upperBound) < ($1.lowerBound, $1.upperBound) }) {
            for days in runs(byMinutes[minutes]!.sorted()) {
                var matches: [Match] = []
                if days.count < 7 { matches.append(.metaDay(UInt8(days.lowerBound)...UInt8(days.upperBound))) }
                if minutes != 0..<minutesPerDay {
                    matches.append(.metaHour(UInt32(minutes.lowerBound * 60)...UInt32(minutes.upperBound * 60 - 1)))
                }
                out.append(matches)
            }
        }
        return .windows(out)
    }

    /// Sorted weekdays cut into runs of consecutive days.
    private static func runs(_ days: [Int]) -> [ClosedRange<Int>] {
        var out: [ClosedRange<Int>] = []
        for d in days {
            if let last = out.last, last.upperBound + 1 == d { out[out.count - 1] = last.lowerBound...d } else { out.append(d...d) }
        }
        return out
    }
}
