// swift-tools-version:6.0
import PackageDescription

// Measures SHA-256 in the three implementations available to SGPOS Ledger (OpenSSL
// libcrypto, libsodium, swift-crypto) so the choice in docs/PERFORMANCE.md is measured,
// not assumed. Separate package so the node itself does not depend on swift-crypto.
let package = Package(
    name: "hash-backends",
    dependencies: [
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        .systemLibrary(name: "CHashLibraries", path: "Sources/CHashLibraries"),
        .executableTarget(
            name: "HashBackends",
            dependencies: ["CHashLibraries", .product(name: "Crypto", package: "swift-crypto")]
        ),
    ]
)
