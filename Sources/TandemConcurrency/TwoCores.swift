import Foundation

/// Runs two independent pieces of work at once, the second on a thread of its own, and
/// returns both results. Reading the rules of a large config and building their batch is
/// plain CPU work that splits into contiguous halves (the appliance has at least two
/// cores); below `TwoCores.threshold` items the thread costs more than it saves and callers
/// stay serial.
public enum TwoCores {
    public static let threshold = 2048

    public static func run<A, B: Sendable, E: Error>(_ first: () throws(E) -> A,
                                              _ second: @escaping @Sendable () throws(E) -> B) throws(E) -> (A, B) {
        let box = ResultBox<B, E>()
        let done = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            box.result = Result { () throws(E) -> B in try second() }
            done.signal()
        }
        let a: A
        do {
            a = try first()
        } catch {
            done.wait()
            throw error
        }
        done.wait()
        return (a, try box.result!.get())
    }
}

/// Written by the worker thread before it signals, read by the caller after waiting.
private final class ResultBox<B, E: Error>: @unchecked Sendable {
    var result: Result<B, E>?
}
