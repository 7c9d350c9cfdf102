@testable import SGPOSNode
import Testing

/// The request-signature nonce store (docs/SECURITY.md, "Request signatures"): bounded,
/// replays refused, and no single key can fill it for everyone.
@Suite struct NonceWindowTests {
    @Test func replaysAreRefusedUntilTheWindowCloses() {
        var window = NonceWindow(capacity: 16)
        #expect(window.insert(key: "a", nonce: "n1", expires: 100, now: 0) == .inserted)
        #expect(window.insert(key: "a", nonce: "n1", expires: 100, now: 50) == .seen)
        #expect(window.insert(key: "b", nonce: "n1", expires: 100, now: 50) == .inserted, "another key's nonce")
        #expect(window.insert(key: "a", nonce: "n1", expires: 200, now: 101) == .inserted, "its window closed")
    }

    @Test func oneKeyHoldsAtMostAQuarter() {
        var window = NonceWindow(capacity: 16)
        for index in 0..<4 { #expect(window.insert(key: "flood", nonce: "\(index)", expires: 100, now: 0) == .inserted) }
        #expect(window.insert(key: "flood", nonce: "4", expires: 100, now: 0) == .keyFull)
        // Everyone else still signs: three more keys fill the rest.
        for key in ["b", "c", "d"] {
            for index in 0..<4 { #expect(window.insert(key: key, nonce: "\(index)", expires: 100, now: 0) == .inserted) }
        }
        #expect(window.insert(key: "e", nonce: "0", expires: 100, now: 0) == .full)
        // Once the flood's entries expire it may sign again.
        #expect(window.insert(key: "flood", nonce: "5", expires: 300, now: 101) == .inserted)
        #expect(window.insert(key: "e", nonce: "0", expires: 300, now: 101) == .inserted)
    }
}
