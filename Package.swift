// swift-tools-version:6.3
// Builds on Linux only: SystemdKit links libsystemd, so no platform line claims macOS.
import PackageDescription

let package = Package(
    name: "Condenser",
    products: [
        .executable(name: "condenser", targets: ["condenser"])
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.0"),
        .package(url: "https://github.com/LebJe/TOMLKit.git", from: "0.6.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.0"..<"5.0.0"),
        // HTTPRequest and HTTPFields, which Hummingbird's requests and responses are made of.
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
    ],
    targets: [
        // zlib, for the shipped rank files and gzip request bodies.
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
        // libsystemd: listen fds, sd_notify, journal writing and reading.
        .systemLibrary(
            name: "CSystemd", path: "Sources/CSystemd", pkgConfig: "libsystemd",
            providers: [.apt(["libsystemd-dev"])]
        ),
        // Pure and synchronous: request model, tokenizer, pipeline, savings accounting.
        .target(
            name: "CondenserCore",
            dependencies: ["CZlib", .product(name: "Crypto", package: "swift-crypto")],
            resources: [.copy("Resources")]
        ),
        .target(name: "SystemdKit", dependencies: ["CSystemd"]),
        .target(
            name: "CondenserServer",
            dependencies: [
                "CondenserCore", "SystemdKit",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "TOMLKit", package: "TOMLKit"),
            ]
        ),
        // The benchmarks behind `condenser bench`: the corpus and replay, the tokenizer, and
        // the proxy and the daemon under load against fake upstreams on loopback.
        .target(
            name: "CondenserBench",
            dependencies: [
                "CondenserCore", "CondenserServer",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(
            name: "condenser",
            dependencies: [
                "CondenserCore", "CondenserServer", "SystemdKit", "CondenserBench",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Helpers shared by the test targets.
        .target(name: "CondenserTestSupport", path: "Tests/CondenserTestSupport"),
        .testTarget(name: "CondenserCoreTests", dependencies: ["CondenserCore", "CondenserTestSupport"], resources: [.copy("Fixtures")]),
        .testTarget(name: "CondenserBenchTests", dependencies: ["CondenserBench", "CondenserCore", "CondenserTestSupport"]),
        .testTarget(name: "SystemdKitTests", dependencies: ["SystemdKit", "CondenserTestSupport"]),
        // The executable's commands, run as the built binary or parsed in process.
        .testTarget(
            name: "CondenserCommandTests",
            dependencies: ["condenser", "CondenserServer", "CondenserCore", "SystemdKit", "CondenserTestSupport"]),
        .testTarget(
            name: "CondenserServerTests",
            dependencies: [
                "CondenserServer", "CondenserCore", "SystemdKit", "CondenserTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)

// CI sets CONDENSER_WARNINGS_AS_ERRORS=1: a warning in this package's own targets fails the build.
// Dependencies are untouched (SwiftPM compiles them with -suppress-warnings).
if Context.environment["CONDENSER_WARNINGS_AS_ERRORS"] == "1" {
    for target in package.targets where target.type != .system {
        target.swiftSettings = (target.swiftSettings ?? []) + [.treatAllWarnings(as: .error)]
    }
}
