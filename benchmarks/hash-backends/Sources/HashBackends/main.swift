import CHashLibraries
import Crypto
import Dispatch

/// SHA-256 throughput of OpenSSL, libsodium and swift-crypto over message sizes the
/// ledger hashes: 33 B (Merkle leaves), 65 B (Merkle nodes), 200 B (transactions),
/// 4 KiB and 1 MiB (blocks, bulk).
precondition(sodium_init() >= 0)

func measure(_ size: Int, _ hash: ([UInt8]) -> UInt8) -> Double {
    let input = [UInt8](repeating: 0x5a, count: size)
    let iterations = max(200, 128_000_000 / max(size, 64) / 4)
    var sink: UInt8 = 0
    var best = 0.0
    for _ in 0..<3 {
        let start = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<iterations { sink ^= hash(input) }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        best = max(best, Double(iterations) / seconds)
    }
    precondition(sink != 1 || sink == 1)
    return best
}

func openssl(_ input: [UInt8]) -> UInt8 {
    var digest = [UInt8](repeating: 0, count: 32)
    input.withUnsafeBufferPointer { i in digest.withUnsafeMutableBufferPointer { o in _ = SHA256(i.baseAddress!, i.count, o.baseAddress!) } }
    return digest[0]
}

func sodium(_ input: [UInt8]) -> UInt8 {
    var digest = [UInt8](repeating: 0, count: 32)
    input.withUnsafeBufferPointer { i in digest.withUnsafeMutableBufferPointer { o in _ = crypto_hash_sha256(o.baseAddress!, i.baseAddress!, UInt64(i.count)) } }
    return digest[0]
}

func swiftCrypto(_ input: [UInt8]) -> UInt8 {
    var first: UInt8 = 0
    Crypto.SHA256.hash(data: input).withUnsafeBytes { first = $0[0] }
    return first
}

// The three must agree before they are compared.
for size in [0, 33, 200, 4_096] {
    let input = (0..<size).map { UInt8(truncatingIfNeeded: $0 * 7) }
    var a = [UInt8](repeating: 0, count: 32), b = a
    input.withUnsafeBufferPointer { i in
        a.withUnsafeMutableBufferPointer { o in _ = SHA256(i.baseAddress ?? UnsafePointer(bitPattern: 1)!, i.count, o.baseAddress!) }
        b.withUnsafeMutableBufferPointer { o in _ = crypto_hash_sha256(o.baseAddress!, i.baseAddress ?? UnsafePointer(bitPattern: 1)!, UInt64(i.count)) }
    }
    let c = Array(Crypto.SHA256.hash(data: input))
    precondition(a == b && b == c, "SHA-256 implementations disagree at \(size) bytes")
}

print("sha256 hashes/s (best of 3), this machine; higher is better")
print("size       openssl(libcrypto)   libsodium   swift-crypto")
for size in [33, 65, 200, 4_096, 1 << 20] {
    let o = measure(size, openssl), s = measure(size, sodium), c = measure(size, swiftCrypto)
    let label = size >= 1 << 20 ? "1 MiB" : "\(size) B"
    print(label.padding(toLength: 10, withPad: " ", startingAt: 0)
          + String(format: " %12.0f  %12.0f  %12.0f   (%.0f / %.0f / %.0f MB/s)", o, s, c,
                   o * Double(size) / 1e6, s * Double(size) / 1e6, c * Double(size) / 1e6))
}
