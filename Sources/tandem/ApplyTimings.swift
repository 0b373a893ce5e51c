import Foundation

/// Wall-clock time per apply stage, printed by `tandem apply -v` (and read by the
/// benchmark to separate the netlink commit from config parsing and compiling).
struct StageTimings: CustomStringConvertible {
    private(set) var stages: [(String, Duration)] = []

    mutating func measure<T, E: Error>(_ name: String, _ body: () throws(E) -> T) throws(E) -> T {
        let clock = ContinuousClock()
        let start = clock.now
        defer { stages.append((name, clock.now - start)) }
        return try body()
    }

    mutating func record(_ name: String, _ duration: Duration) {
        stages.append((name, duration))
    }

    var description: String {
        stages.map { name, d in
            let s = Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
            return "\(name) \(String(format: "%.4f", s)) s"
        }.joined(separator: ", ")
    }
}
