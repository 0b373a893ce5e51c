/// Reads a libFuzzer input as a stream of choices: integers, booleans, short byte strings.
/// Past the end every read returns zero/empty, so any prefix of an input is itself a valid
/// input and libFuzzer's shrinking keeps working (the same idea as LLVM's
/// `FuzzedDataProvider`, `compiler-rt/include/fuzzer/FuzzedDataProvider.h`).
public struct FuzzInput {
    public let bytes: [UInt8]
    public private(set) var offset = 0

    public init(_ data: UnsafePointer<UInt8>, _ size: Int) {
        bytes = Array(UnsafeBufferPointer(start: data, count: size))
    }

    public init(bytes: [UInt8]) { self.bytes = bytes }

    public var isAtEnd: Bool { offset >= bytes.count }
    public var remainingCount: Int { max(bytes.count - offset, 0) }

    public mutating func u8() -> UInt8 {
        guard offset < bytes.count else { return 0 }
        defer { offset += 1 }
        return bytes[offset]
    }

    public mutating func bool() -> Bool { u8() & 1 == 1 }

    public mutating func u16() -> UInt16 { UInt16(u8()) << 8 | UInt16(u8()) }
    public mutating func u32() -> UInt32 { UInt32(u16()) << 16 | UInt32(u16()) }
    public mutating func u64() -> UInt64 { UInt64(u32()) << 32 | UInt64(u32()) }

    /// A value in `0..<bound` (bound > 0); biased, which a fuzzer does not mind.
    public mutating func below(_ bound: Int) -> Int {
        precondition(bound > 0)
        return bound <= 256 ? Int(u8()) % bound : Int(u32()) % bound
    }

    /// `count` bytes, or fewer at the end of the input.
    public mutating func take(_ count: Int) -> [UInt8] {
        let end = min(offset + max(count, 0), bytes.count)
        defer { offset = max(offset, end) }
        return offset < end ? Array(bytes[offset..<end]) : []
    }

    /// A byte string whose length (0...maximum) is read first.
    public mutating func blob(maximum: Int = 255) -> [UInt8] { take(below(maximum + 1)) }

    /// Everything left.
    public mutating func rest() -> [UInt8] { take(remainingCount) }
}

/// The harness found a broken invariant: trap so libFuzzer records the input. The message
/// says which invariant, so a crash file can be triaged without rerunning it.
public func fuzzCheck(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String,
                      file: StaticString = #fileID, line: UInt = #line) {
    if !condition() { fatalError("invariant: \(message())", file: file, line: line) }
}

/// libFuzzer's entry when the program has its own `main` (SwiftPM gives every executable
/// one): `compiler-rt/lib/fuzzer/FuzzerInterface.h`.
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<CInt>,
                         _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

/// Runs libFuzzer with the process's arguments (`-runs=`, `-max_total_time=`, corpus
/// folders…) and `body` as the function under test; returns libFuzzer's exit status.
public func runFuzzer(_ body: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt {
    var argc = CommandLine.argc
    var argv = CommandLine.unsafeArgv
    return LLVMFuzzerRunDriver(&argc, &argv, body)
}

/// The input as a pointer that is never null (libFuzzer passes null for the empty input).
public func withFuzzData(_ data: UnsafePointer<UInt8>?, _ size: Int,
                         _ body: (UnsafePointer<UInt8>, Int) -> Void) {
    if let data { body(data, size) } else { withUnsafePointer(to: UInt8(0)) { body($0, 0) } }
}
