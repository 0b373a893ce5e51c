// swift-tools-version:6.0
// libFuzzer harnesses for Tandem's decoders and protocol cores (README "Security",
// "Fuzzing"). Built and run by `make fuzz`, which passes `-sanitize=fuzzer,address` to every
// Swift module so the library code is instrumented too; see scripts/fuzz.sh.
import PackageDescription

/// Each harness is an executable whose `main` hands the function under test to libFuzzer's
/// driver (`LLVMFuzzerRunDriver`, https://llvm.org/docs/LibFuzzer.html): SwiftPM gives every
/// executable its own `main`, so libFuzzer's cannot be used.
func harness(_ name: String, _ products: [String], extra: [Target.Dependency] = []) -> Target {
    .executableTarget(
        name: name,
        dependencies: ["FuzzInput"] + extra + products.map { .product(name: $0, package: "Tandem") },
        // gold stops with an internal error (dwarf_reader.cc) on the sanitizer runtimes.
        linkerSettings: [.unsafeFlags(["-use-ld=lld"])])
}

let package = Package(
    name: "TandemFuzz",
    dependencies: [.package(name: "Tandem", path: "..")],
    targets: [
        .target(name: "FuzzInput"),
        .target(name: "SyncInput", dependencies: ["FuzzInput", .product(name: "TandemStateSync", package: "Tandem"),
                                                  .product(name: "TandemAddress", package: "Tandem")]),
        harness("fuzz-carp-decode", ["TandemCARP", "TandemAddress"]),
        harness("fuzz-carp-node", ["TandemCARP", "TandemAddress"]),
        harness("fuzz-sync-codec", ["TandemStateSync"], extra: ["SyncInput"]),
        harness("fuzz-sync-core", ["TandemStateSync"], extra: ["SyncInput"]),
        harness("fuzz-config", ["TandemConfig", "TandemCompiler", "TandemNetlink"]),
        harness("fuzz-control", ["TandemDaemon"]),
        harness("fuzz-xmlrpc", ["TandemConfigSync"]),
        harness("fuzz-auth", ["TandemManagement", "TandemConfig"]),
    ],
    swiftLanguageModes: [.v6]
)
