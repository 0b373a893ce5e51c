/// What the node has done since it started, counted for the dashboard and `/metrics`:
/// applies (start and reloads) with their durations, and config pushes by result.
struct NodeActivity: Sendable {
    var applies = 0
    var applySeconds = 0.0
    var lastApplySeconds: Double?
    var pushes: [String: Int] = [:]
    /// The time of the last push counted, so that a push that wrote no record (nothing to
    /// push) is not counted twice.
    var lastCountedPush: Double?

    mutating func applied(seconds: Double) {
        applies += 1
        applySeconds += seconds
        lastApplySeconds = seconds
    }

    /// Counts the push recorded at `time` with `result`, once.
    mutating func pushed(time: Double?, result: String?) {
        guard let time, let result, time != lastCountedPush else { return }
        lastCountedPush = time
        pushes[result, default: 0] += 1
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
