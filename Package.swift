// swift-tools-version:6.0
import PackageDescription

// Modules depend downward only (docs/ARCHITECTURE.md):
//   SGPOSCodec, SGPOSCrypto → SGPOSChain → SGPOSStore → SGPOSAudit → sgpos (CLI)
// Core modules (codec, crypto, chain) import neither NIO nor HTTP, nor Foundation.
let package = Package(
    name: "sgpos-ledger",
    products: [
        .executable(name: "sgpos", targets: ["sgpos"]),
        .executable(name: "sgpos-fuzz", targets: ["sgpos-fuzz"]),
        .library(name: "SGPOSCodec", targets: ["SGPOSCodec"]),
        .library(name: "SGPOSCrypto", targets: ["SGPOSCrypto"]),
        .library(name: "SGPOSChain", targets: ["SGPOSChain"]),
        .library(name: "SGPOSStore", targets: ["SGPOSStore"]),
        .library(name: "SGPOSProofs", targets: ["SGPOSProofs"]),
        .library(name: "SGPOSAudit", targets: ["SGPOSAudit"]),
        .library(name: "SGPOSReports", targets: ["SGPOSReports"]),
        .library(name: "SGPOSRetail", targets: ["SGPOSRetail"]),
        .library(name: "SGPOSState", targets: ["SGPOSState"]),
        .library(name: "SGPOSOperations", targets: ["SGPOSOperations"]),
        .library(name: "SGPOSClient", targets: ["SGPOSClient"]),
        .library(name: "SGPOSTill", targets: ["SGPOSTill"]),
        .library(name: "SGPOSNode", targets: ["SGPOSNode"]),
        .library(name: "SGPOSDevices", targets: ["SGPOSDevices"]),
        .library(name: "SGPOSContracts", targets: ["SGPOSContracts"]),
        .library(name: "SGPOSConsensus", targets: ["SGPOSConsensus"]),
        .library(name: "SGPOSCheckpointStore", targets: ["SGPOSCheckpointStore"]),
        .library(name: "SGPOSQR", targets: ["SGPOSQR"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        // SHA-256: the fastest of libcrypto, libsodium and swift-crypto at every size
        // the ledger hashes (benchmarks/hash-backends, docs/PERFORMANCE.md).
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        // The node: HTTP API, peer protocol, lifecycle, logs and metrics.
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        // The till's HTTP client (SGPOSClient): timeouts, cancellation, kept-alive connections.
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        // HTTPS on the API: TLS (BoringSSL) and the node's self-signed certificate.
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-certificates", from: "1.21.1"),
        // The PostgreSQL mirror of the chains (SGPOSExport, docs/EXPORT.md).
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
    ],
    targets: [
        // C libraries from Debian (scripts/bootstrap installs them).
        .systemLibrary(name: "CLMDB", path: "Sources/CLMDB", pkgConfig: "lmdb",
                       providers: [.apt(["liblmdb-dev"])]),
        .systemLibrary(name: "CLibUSB", path: "Sources/CLibUSB", pkgConfig: "libusb-1.0",
                       providers: [.apt(["libusb-1.0-0-dev"])]),
        .systemLibrary(name: "CSodium", path: "Sources/CSodium", pkgConfig: "libsodium",
                       providers: [.apt(["libsodium-dev"])]),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", pkgConfig: "zlib",
                       providers: [.apt(["zlib1g-dev"])]),

        .target(name: "SGPOSCodec"),
        .target(name: "SGPOSCrypto", dependencies: [
            "SGPOSCodec", "CSodium", .product(name: "Crypto", package: "swift-crypto"),
        ]),
        .target(name: "SGPOSChain", dependencies: ["SGPOSCodec", "SGPOSCrypto", "SGPOSRetail"]),
        // Money, GST and basket pricing (POS domain, pure).
        .target(name: "SGPOSRetail"),
        // QR codes as SVG (receipts, PayNow, pairing), ISO/IEC 18004; pure, no Foundation (docs/QR.md).
        .target(name: "SGPOSQR"),
        // The POS state machine: sale, refund, stock, loyalty and shift bodies and their rules.
        .target(name: "SGPOSState", dependencies: ["SGPOSChain", "SGPOSRetail", "SGPOSContracts", "SGPOSCodec", "SGPOSCrypto"]),
        // The application layer: one home per use case (quote, sell, refund, closings,
        // what-if quotes); CLI, HTTP, demo and web call it.
        .target(name: "SGPOSOperations", dependencies: ["SGPOSState", "SGPOSContracts", "SGPOSChain", "SGPOSRetail", "SGPOSCodec", "SGPOSCrypto"]),
        // The client SDK: the HTTP API's request and response types (shared with the node)
        // and the till's client of a node (timeouts, retries of the same bytes, backlogs).
        .target(name: "SGPOSClient", dependencies: [
            "SGPOSProofs", "SGPOSOperations", "SGPOSConsensus", "SGPOSChain", "SGPOSCodec", "SGPOSCrypto",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
        ]),
        // Till client: signing sessions, receipts.
        .target(name: "SGPOSTill", dependencies: ["SGPOSOperations", "SGPOSState", "SGPOSChain", "SGPOSRetail", "SGPOSCodec", "SGPOSCrypto"]),
        // Transaction and consistency proofs and their verifier: checkable with the genesis alone.
        .target(name: "SGPOSProofs", dependencies: ["SGPOSChain", "SGPOSCrypto", "SGPOSCodec"]),
        .target(name: "SGPOSStore", dependencies: ["SGPOSChain", "SGPOSCrypto", "SGPOSCodec", "CLMDB", "CZlib",
                                                  .product(name: "Metrics", package: "swift-metrics")]),
        // Reports (docs/REPORTS.md): sales, GST F5, Z/X from a verified store; CLI, API and web call it.
        .target(name: "SGPOSReports", dependencies: ["SGPOSCheckpointStore", "SGPOSStore", "SGPOSState", "SGPOSRetail", "SGPOSChain", "SGPOSCrypto", "SGPOSCodec"]),
        // The web pages the node serves (docs/WEB.md): static files, no build step.
        .target(name: "SGPOSWeb", resources: [.copy("Assets")]),
        .target(name: "SGPOSExport", dependencies: [
            "SGPOSAudit", "SGPOSCheckpointStore", "SGPOSConsensus", "SGPOSReports", "SGPOSStore", "SGPOSState", "SGPOSRetail", "SGPOSChain", "SGPOSCrypto", "SGPOSCodec",
            .product(name: "PostgresNIO", package: "postgres-nio"), .product(name: "Logging", package: "swift-log"),
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        .target(name: "SGPOSAudit", dependencies: ["SGPOSProofs", "SGPOSConsensus", "SGPOSCheckpointStore", "SGPOSStore", "SGPOSState", "SGPOSChain", "SGPOSCrypto", "SGPOSCodec"]),
        // The rules language: parser, checker with a static cost bound, metered interpreter.
        .target(name: "SGPOSContracts", dependencies: ["SGPOSCrypto", "SGPOSCodec"]),
        // The peer protocol's messages (docs/PEERS.md): encoding and decoding only, no sockets.
        .target(name: "SGPOSPeerProtocol", dependencies: ["SGPOSConsensus", "SGPOSChain", "SGPOSCrypto", "SGPOSCodec"]),
        // Fuzz targets of the decoders and readers that face the network (docs/SECURITY.md):
        // a corpus replayer and mutator in a normal build, a libFuzzer binary with -D FUZZING.
        .executableTarget(name: "sgpos-fuzz", dependencies: [
            "SGPOSNode", "SGPOSPeerProtocol", "SGPOSConsensus", "SGPOSContracts", "SGPOSChain", "SGPOSCrypto", "SGPOSCodec",
            "SGPOSOperations", "SGPOSClient",
        ]),
        // Checkpoint consensus: Tendermint as a sans-I/O state machine (no NIO, no clock).
        .target(name: "SGPOSConsensus", dependencies: ["SGPOSChain", "SGPOSCrypto", "SGPOSCodec"]),
        // The checkpoint chain's LMDB tables (certificates, the validator's signing state).
        .target(name: "SGPOSCheckpointStore", dependencies: ["SGPOSConsensus", "SGPOSStore", "SGPOSCrypto", "SGPOSCodec"]),
        // The seeded fault simulator (VOPR style) over the real consensus core.
        .target(name: "SGPOSSimulator", dependencies: ["SGPOSConsensus", "SGPOSChain", "SGPOSCrypto", "SGPOSCodec"]),
        // Receipt printers, cash drawers and barcode scanners (ESC/POS, libusb, HID).
        .target(name: "SGPOSDevices", dependencies: ["SGPOSTill", "SGPOSState", "SGPOSChain", "SGPOSCodec", "SGPOSCrypto", "CLibUSB"]),
        // The outlet node: group commit, HTTP API (Hummingbird), peer replication (SwiftNIO).
        .target(name: "SGPOSNode", dependencies: [
            "SGPOSClient", "SGPOSProofs", "SGPOSPeerProtocol", "SGPOSConsensus", "SGPOSCheckpointStore", "SGPOSOperations", "SGPOSReports", "SGPOSWeb", "SGPOSTill", "SGPOSQR", "SGPOSDevices",
            "SGPOSStore", "SGPOSAudit", "SGPOSState", "SGPOSChain", "SGPOSCrypto", "SGPOSCodec", "SGPOSRetail", "CSodium",
            .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"), .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "Hummingbird", package: "hummingbird"), .product(name: "HummingbirdCore", package: "hummingbird"),
            .product(name: "HummingbirdTLS", package: "hummingbird"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"), .product(name: "X509", package: "swift-certificates"),
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        // What the `sgpos` commands and the demo share: one-line errors, JSON, key files.
        .target(name: "SGPOSCommandSupport", dependencies: [
            "SGPOSAudit", "SGPOSProofs", "SGPOSTill", "SGPOSOperations", "SGPOSState", "SGPOSRetail", "SGPOSStore", "SGPOSChain", "SGPOSCodec", "SGPOSCrypto", "CSodium",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        // `sgpos demo` and `sgpos bench`: the demo network and the benchmarks, apart from the commands.
        .target(name: "SGPOSDemo", dependencies: [
            "SGPOSCommandSupport", "SGPOSClient", "SGPOSProofs", "SGPOSNode", "SGPOSOperations", "SGPOSContracts", "SGPOSConsensus", "SGPOSCheckpointStore",
            "SGPOSAudit", "SGPOSReports", "SGPOSStore", "SGPOSState", "SGPOSTill", "SGPOSChain", "SGPOSCrypto", "SGPOSCodec", "SGPOSRetail",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .executableTarget(
            name: "sgpos",
            dependencies: [
                "SGPOSCommandSupport", "SGPOSDemo", "SGPOSClient", "SGPOSProofs", "SGPOSNode", "SGPOSPeerProtocol", "SGPOSOperations", "SGPOSDevices", "SGPOSContracts", "SGPOSConsensus", "SGPOSCheckpointStore", "SGPOSSimulator", "SGPOSAudit", "SGPOSReports", "SGPOSExport", "SGPOSStore", "SGPOSState", "SGPOSTill", "SGPOSChain", "SGPOSCrypto", "SGPOSCodec", "SGPOSRetail", "CSodium",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ]
        ),

        // Fixtures shared by the test targets (a network, keys, signed transactions).
        .target(name: "SGPOSTestSupport", dependencies: ["SGPOSChain", "SGPOSCrypto", "SGPOSCodec", "SGPOSState", "SGPOSRetail"],
                path: "Tests/SGPOSTestSupport"),
        .testTarget(name: "SGPOSCodecTests", dependencies: ["SGPOSCodec", "SGPOSChain", "SGPOSCrypto", "SGPOSTestSupport"]),
        .testTarget(name: "SGPOSCryptoTests", dependencies: ["SGPOSCrypto", "SGPOSCodec"],
                    resources: [.copy("Vectors")]),
        .testTarget(name: "SGPOSChainTests", dependencies: ["SGPOSChain", "SGPOSCrypto", "SGPOSCodec", "SGPOSTestSupport"]),
        .testTarget(name: "SGPOSRetailTests", dependencies: ["SGPOSRetail"]),
        .testTarget(name: "SGPOSCommandSupportTests", dependencies: ["SGPOSCommandSupport"]),
        // Decodes every payload shape with zbarimg (zbar-tools, scripts/bootstrap).
        .testTarget(name: "SGPOSQRTests", dependencies: ["SGPOSQR", "SGPOSRetail"]),
        .testTarget(name: "SGPOSOperationsTests",
                    dependencies: ["SGPOSOperations", "SGPOSState", "SGPOSRetail", "SGPOSContracts", "SGPOSChain", "SGPOSCrypto", "SGPOSCodec", "SGPOSTestSupport"]),
        .testTarget(name: "SGPOSClientTests", dependencies: [
            "SGPOSClient", "SGPOSCrypto", "SGPOSCodec", .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
        ]),
        .testTarget(name: "SGPOSTillTests",
                    dependencies: ["SGPOSTill", "SGPOSOperations", "SGPOSState", "SGPOSChain", "SGPOSCrypto", "SGPOSCodec", "SGPOSTestSupport"]),
        .testTarget(name: "SGPOSStateTests",
                    dependencies: ["SGPOSOperations", "SGPOSState", "SGPOSRetail", "SGPOSContracts", "SGPOSChain", "SGPOSCrypto", "SGPOSCodec", "SGPOSTestSupport"]),
        .testTarget(name: "SGPOSStoreTests",
                    dependencies: ["SGPOSClient", "SGPOSProofs", "SGPOSOperations", "SGPOSStore", "SGPOSAudit", "SGPOSState", "SGPOSTill", "SGPOSChain", "SGPOSCrypto", "SGPOSCodec",
                                   "CLMDB", "SGPOSTestSupport"]),
        .testTarget(name: "SGPOSConsensusTests", dependencies: ["SGPOSConsensus", "SGPOSSimulator", "SGPOSChain", "SGPOSTestSupport", "SGPOSCrypto", "SGPOSCodec"]),
        .testTarget(name: "SGPOSContractsTests", dependencies: ["SGPOSContracts"], exclude: ["Conformance"]),
        .testTarget(name: "SGPOSDevicesTests", dependencies: ["SGPOSDevices", "SGPOSTill"]),
        .testTarget(name: "SGPOSNodeTests",
                    dependencies: ["SGPOSClient", "SGPOSProofs", "SGPOSCheckpointStore", "SGPOSOperations", "SGPOSNode", "SGPOSPeerProtocol", "SGPOSConsensus", "SGPOSAudit", "SGPOSStore", "SGPOSState", "SGPOSChain", "SGPOSCrypto", "SGPOSCodec", "SGPOSTestSupport",
                                   .product(name: "Logging", package: "swift-log"),
                                   .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOEmbedded", package: "swift-nio"),
                                   .product(name: "NIOSSL", package: "swift-nio-ssl")]),
        .testTarget(name: "SGPOSEndToEndTests",
                    dependencies: ["SGPOSDemo", "SGPOSClient", "SGPOSProofs", "SGPOSCheckpointStore", "SGPOSOperations", "SGPOSNode", "SGPOSTill", "SGPOSState", "SGPOSStore", "SGPOSAudit", "SGPOSReports", "SGPOSExport", "SGPOSChain", "SGPOSCrypto", "SGPOSCodec", "SGPOSTestSupport", "CSodium",
                                   .product(name: "AsyncHTTPClient", package: "async-http-client"),
                                   .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOHTTP1", package: "swift-nio")]),
    ]
)

for target in package.targets where target.type != .system {
    var settings = target.swiftSettings ?? []
    settings.append(.enableUpcomingFeature("ExistentialAny"))
    settings.append(.enableUpcomingFeature("MemberImportVisibility"))
    target.swiftSettings = settings
}
