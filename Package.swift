// swift-tools-version:6.1
// Tandem: a pfSense-style HA firewall for Debian on nftables.
// Dependencies are deliberate: CI builds from scratch on 2 cores, so every package here
// must earn its build time (see README "Dependencies").
import PackageDescription

let package = Package(
    name: "Tandem",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "tandem", targets: ["tandem"]),
        // Libraries only so the fuzzing package (Fuzz/Package.swift) can depend on the
        // modules it drives; nothing else links them.
        .library(name: "TandemAddress", targets: ["TandemAddress"]),
        .library(name: "TandemCARP", targets: ["TandemCARP"]),
        .library(name: "TandemStateSync", targets: ["TandemStateSync"]),
        .library(name: "TandemConfig", targets: ["TandemConfig"]),
        .library(name: "TandemCompiler", targets: ["TandemCompiler"]),
        .library(name: "TandemRuleset", targets: ["TandemRuleset"]),
        .library(name: "TandemNetlink", targets: ["TandemNetlink"]),
        .library(name: "TandemDaemon", targets: ["TandemDaemon"]),
        .library(name: "TandemConfigSync", targets: ["TandemConfigSync"]),
        .library(name: "TandemManagement", targets: ["TandemManagement"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.6.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.6.0"),
        // The management endpoint (HTTPS, XML-RPC config sync): Hummingbird's HTTP/1 server
        // and its TLS channel on swift-nio-ssl (no traits: swift-configuration is not needed);
        // swift-certificates makes the self-signed
        // certificate of a node that has none configured.
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1", traits: []),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.81.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.29.0"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.24.0"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.10.0"),
        // The dashboard's templates (no dependencies of its own).
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
    ],
    targets: [
        // One system-library module per C library (STYLE.md §5). Only TandemConfig imports
        // CLibXML2 and only TandemNetlink imports the netfilter ones.
        // libxml2 is linked statically (TandemConfig's linker settings): as a shared library
        // it loads ICU, lzma and zlib at every start, ~1.5 ms of a command that applies an
        // edit in ~15 (issue #3). So no pkg-config here, which would add `-lxml2`.
        .systemLibrary(name: "CLibXML2"),
        .systemLibrary(name: "CMnl", pkgConfig: "libmnl",
                       providers: [.apt(["libmnl-dev"])]),
        .systemLibrary(name: "CNftnl", pkgConfig: "libnftnl",
                       providers: [.apt(["libnftnl-dev"])]),
        .systemLibrary(name: "CNetfilterConntrack", pkgConfig: "libnetfilter_conntrack",
                       providers: [.apt(["libnetfilter-conntrack-dev"])]),
        // libxcrypt: crypt_r(3) for bcrypt/sha512-crypt passwords; only TandemManagement imports it.
        .systemLibrary(name: "CCrypt", providers: [.apt(["libcrypt-dev"])]),
        // Not a library binding: the clone(2) child that closes a netlink socket after the
        // command has exited (close_after_exit.c says why it is C); only TandemNetlink uses it.
        .target(name: "CCloseAfterExit"),
        // glibc's <malloc.h> (mallopt(3)), which Swift's Glibc module leaves out.
        .systemLibrary(name: "CMalloc"),

        // Pure core.
        .target(name: "TandemAddress"),
        .target(name: "TandemConcurrency"),
        .target(name: "TandemConfig", dependencies: ["TandemAddress", "TandemConcurrency", "CLibXML2"],
                swiftSettings: [.unsafeFlags(["-Xcc", "-I/usr/include/libxml2"])],
                linkerSettings: [
                    .unsafeFlags(["-Xlinker", "-l:libxml2.a", "-Xlinker", "-l:libicuuc.a", "-Xlinker", "-l:libicudata.a",
                                  "-Xlinker", "-l:liblzma.a", "-Xlinker", "-l:libz.a", "-lstdc++", "-lm"]),
                ]),
        .target(name: "TandemRuleset", dependencies: ["TandemAddress"]),
        .target(name: "TandemCompiler", dependencies: ["TandemAddress", "TandemConfig", "TandemRuleset"]),
        .target(name: "TandemCARP", dependencies: [
            "TandemAddress",
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        // XML-RPC config sync (pfSense's xmlrpc.php / rc.filter_synchronize semantics), pure.
        .target(name: "TandemConfigSync", dependencies: ["TandemConfig", "TandemAddress"], exclude: ["Client"]),
        .target(name: "TandemStateSync", dependencies: [
            "TandemAddress",
            .product(name: "Crypto", package: "swift-crypto"),
            // scrypt for the sync key (SyncKeyPair.swift).
            .product(name: "_CryptoExtras", package: "swift-crypto"),
        ]),

        // Node services: pure renderers (config → kea-dhcp4 JSON, unbound.conf, chrony.conf)
        // and the supervisor's value-type core, with the process launcher adapter beside it.
        .target(name: "TandemServices", dependencies: ["TandemConfig", "TandemAddress"]),

        // Adapters.
        // Kernel tunables under /proc/sys and glibc's allocator settings: system calls that
        // are not netlink.
        .target(name: "TandemSystem", dependencies: ["CMalloc"]),
        .target(name: "TandemNetlink", dependencies: ["TandemAddress", "TandemConcurrency", "TandemRuleset", "TandemStateSync",
                                                     "TandemSystem", "CMnl", "CNftnl", "CNetfilterConntrack", "CCloseAfterExit"]),
        // The push's transport: XML-RPC over HTTPS with the peer's certificate pinned.
        .target(name: "TandemConfigSyncClient", dependencies: [
            "TandemConfigSync", "TandemConfig",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "Crypto", package: "swift-crypto"),
        ], path: "Sources/TandemConfigSync/Client"),
        .target(name: "TandemDaemon", dependencies: [
            "TandemAddress", "TandemConfig", "TandemCompiler", "TandemRuleset", "TandemNetlink", "TandemCARP", "TandemStateSync",
            "TandemServices", "TandemSystem",
            "TandemManagement", "TandemConfigSync", "TandemConfigSyncClient",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "UnixSignals", package: "swift-service-lifecycle"),
        ]),
        // The HTTPS management endpoint: authentication against the config's users, the
        // XML-RPC sync receiver's transport, the node's certificate.
        .target(name: "TandemManagement", dependencies: [
            "TandemConfig", "TandemAddress", "TandemConfigSync", "CCrypt",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdCore", package: "hummingbird"),
            .product(name: "HummingbirdTLS", package: "hummingbird"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
            .product(name: "X509", package: "swift-certificates"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "Mustache", package: "swift-mustache"),
        ]),
        .executableTarget(name: "tandem", dependencies: [
            "TandemCARP", "TandemConfig", "TandemCompiler", "TandemRuleset", "TandemNetlink", "TandemDaemon", "TandemConcurrency",
            "TandemManagement", "TandemConfigSync", "TandemConfigSyncClient", "TandemSystem",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),

        // Used by tests only: throwaway network namespaces for kernel tests.
        .target(name: "TandemTestSupport"),

        .testTarget(name: "TandemAddressTests", dependencies: ["TandemAddress"]),
        .testTarget(name: "TandemConfigTests", dependencies: ["TandemAddress", "TandemConfig", "TandemConcurrency", "TandemTestSupport"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "TandemRulesetTests", dependencies: ["TandemAddress", "TandemRuleset", "TandemTestSupport"]),
        .testTarget(name: "TandemCompilerTests", dependencies: ["TandemAddress", "TandemCompiler", "TandemConfig", "TandemRuleset", "TandemTestSupport"],
                    resources: [.copy("Goldens")]),
        .testTarget(name: "TandemCARPTests", dependencies: ["TandemCARP", "TandemAddress", "TandemTestSupport"]),
        .testTarget(name: "TandemConfigSyncTests", dependencies: [
            "TandemConfigSync", "TandemConfigSyncClient", "TandemConfig", "TandemAddress", "TandemTestSupport",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
        ]),
        .testTarget(name: "TandemStateSyncTests", dependencies: [
            "TandemAddress", "TandemStateSync", "TandemTestSupport",
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "_CryptoExtras", package: "swift-crypto"),
        ]),
        .testTarget(name: "TandemDaemonTests", dependencies: [
            "TandemDaemon", "TandemCARP", "TandemConfig", "TandemNetlink", "TandemAddress", "TandemStateSync",
            "TandemServices", "TandemTestSupport",
            "TandemCompiler", "TandemRuleset",
            .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "TandemServicesTests", dependencies: ["TandemAddress", "TandemServices", "TandemConfig", "TandemConfigSync",
                                                           "TandemTestSupport"],
                    resources: [.copy("Goldens")]),
        .testTarget(name: "TandemManagementTests", dependencies: [
            "TandemManagement", "TandemConfig", "TandemAddress", "TandemTestSupport",
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOEmbedded", package: "swift-nio"),
            .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
            .product(name: "Hummingbird", package: "hummingbird"),
        ]),
        .testTarget(name: "TandemSystemTests", dependencies: ["TandemSystem"]),
        .testTarget(name: "TandemNetlinkTests", dependencies: ["CMnl", "TandemSystem", "TandemAddress", "TandemNetlink", "TandemRuleset", "TandemStateSync", "TandemCompiler", "TandemConfig", "TandemTestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
