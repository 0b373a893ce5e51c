// swift-tools-version:6.0
// libFuzzer harnesses for Tandem's decoders and protocol cores (README "Security",
// "Fuzzing"). Built and run by `make fuzz`, which passes `-sanitize=fuzzer,address` to every
// Swift module so the library code is instrumented too; see scripts/fuzz.sh.
import PackageDescription

/// Each harness is an executable whose `main` hands the function under test to libFuzzer's
/// driver (`LLVMFuzzerRunDriver`, https://llvm.org/docs/LibFuzzer.html): SwiftPM gives every
/// executable its own `main`, so libFuzzer's cannot be used.
func harness(_ name: String, _ products: [String]) -> Target {
    .executableTarget(
        name: name,
        dependencies: ["FuzzInput"] + products.map { .product(name: $0, package: "Tandem") },
        // gold stops with an internal error (dwarf_reader.cc) on the sanitizer runtimes.
        linkerSettings: [.unsafeFlags(["-use-ld=lld"])])
}

let package = Package(
    name: "TandemFuzz",
    dependencies: [.package(name: "Tandem", path: "..")],
    targets: [
        .target(name: "FuzzInput"),
        harness("fuzz-carp-decode", ["TandemCARP", "TandemAddress"]),
    ],
    swiftLanguageModes: [.v6]
)
