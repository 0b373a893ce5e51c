import Testing
@testable import TandemCompiler
import TandemConfig
import TandemRuleset

/// Local schedule windows moved to the kernel's UTC weekdays and hours.
@Suite struct ScheduleWindowTests {
    func schedule(_ ranges: [Schedule.TimeRange]) -> Schedule {
        Schedule(name: "s", ranges: ranges, location: SourceLocation(path: "schedules/schedule[1]"))
    }

    @Test func aWindowAcrossUTCMidnightIsCutInTwo() {
        // Monday 00:30-01:30 at UTC+1 is Sunday 23:30-24:00 and Monday 00:00-00:30 UTC.
        let s = schedule([.init(weekdays: [1], minutes: 30..<90)])
        #expect(CompileContext.windows(s, utcOffsetMinutes: 60) == .windows([
            [.metaDay(1...1), .metaHour(0...1799)],
            [.metaDay(0...0), .metaHour(84600...86399)],
        ]))
    }

    @Test func consecutiveDaysShareARuleAndAllDayNeedsNoHour() {
        let s = schedule([.init(weekdays: [1, 2, 3, 4, 5], minutes: 8 * 60..<17 * 60), .init(weekdays: [6, 7])])
        #expect(CompileContext.windows(s, utcOffsetMinutes: 0) == .windows([
            [.metaDay(0...0)], [.metaDay(6...6)],
            [.metaDay(1...5), .metaHour(28800...61199)],
        ]))
        #expect(CompileContext.windows(schedule([.init()]), utcOffsetMinutes: 0) == .windows([[]]))
        // No time range: pfSense never activates the rule.
        #expect(CompileContext.windows(schedule([]), utcOffsetMinutes: 0) == .windows([]))
    }

    @Test func datesAreNotEnforceable() {
        #expect(CompileContext.windows(schedule([.init(months: [12], days: [24])]), utcOffsetMinutes: 0)
                == .unsupported("months and days of the month have no nftables time match"))
    }
}
