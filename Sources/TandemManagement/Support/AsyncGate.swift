/// One holder at a time, waiters in arrival order.
public actor AsyncGate {
    public init() {}

    private var busy = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    public func enter() async {
        if !busy { busy = true; return }
        await withCheckedContinuation { waiters.append($0) }
    }

    public func leave() {
        if waiters.isEmpty { busy = false } else { waiters.removeFirst().resume() }
    }
}
