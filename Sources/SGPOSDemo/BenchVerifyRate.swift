import Dispatch
import SGPOSCrypto

/// Ed25519 verifications per second over `threads` threads: best of three trials
/// after a warm-up, so the limit we compare against is not understated.
func measureVerify(threads: Int) -> Double {
    _ = verifyTrial(threads: threads, perThread: 1_000)
    return (0..<3).map { _ in verifyTrial(threads: threads, perThread: 4_000) }.max()!
}

/// Bytes each message of the synthetic verify rate holds: the size of a signed register-key
/// envelope plus its domain tag.
let syntheticMessageBytes = 176

func verifyTrial(threads: Int, perThread: Int) -> Double {
    let key = SigningKey.generate()
    let messages = (0..<256).map { index in (0..<syntheticMessageBytes).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ index) } }
    let signatures = messages.map { key.sign($0) }
    let started = DispatchTime.now()
    DispatchQueue.concurrentPerform(iterations: threads) { _ in
        var valid = 0
        for index in 0..<perThread where key.publicKey.isValidSignature(signatures[index & 255], for: messages[index & 255]) {
            valid += 1
        }
        precondition(valid == perThread, "a benchmark signature failed to verify")
    }
    return Double(perThread * threads) / seconds(since: started)
}
