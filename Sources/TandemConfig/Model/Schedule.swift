/// `<schedules><schedule>` (pfSense's Firewall > Schedules): a rule naming it is active
/// while any of its time ranges holds (`filter_get_time_based_rule_status()` in
/// `pfsense/pfsense:src/etc/inc/filter.inc`).
public struct Schedule: Sendable, Hashable {
    /// One `<timerange>`: every condition present must hold. pfSense tests the month, the
    /// day of the month and the weekday each on its own (any listed value matches).
    public struct TimeRange: Sendable, Hashable {
        /// `<month>`: 1-12.
        public var months: [Int]
        /// `<day>`: day of the month, 1-31.
        public var days: [Int]
        /// `<position>`: weekdays, 1 = Monday … 7 = Sunday (`filter_tdr_position()`).
        public var weekdays: [Int]
        /// `<hour>` `H:MM-H:MM` as minutes after midnight, the end excluded
        /// (`filter_tdr_hour()`: `now >= start and now < end`); nil = all day.
        public var minutes: Range<Int>?

        public init(months: [Int] = [], days: [Int] = [], weekdays: [Int] = [], minutes: Range<Int>? = nil) {
            self.months = months
            self.days = days
            self.weekdays = weekdays
            self.minutes = minutes
        }
    }

    public var name: String
    public var ranges: [TimeRange]
    public var descr: String?
    public var location: SourceLocation

    public init(name: String, ranges: [TimeRange] = [], descr: String? = nil, location: SourceLocation) {
        self.name = name
        self.ranges = ranges
        self.descr = descr
        self.location = location
    }
}
