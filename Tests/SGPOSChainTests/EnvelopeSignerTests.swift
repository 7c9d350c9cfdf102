import SGPOSChain
import SGPOSCodec
import SGPOSCrypto
import SGPOSTestSupport
import Testing

/// The chain's signing primitive (tills and the node's own transactions sign through it):
/// it continues after the key's last accepted sequence, one sequence per signature.
@Suite struct EnvelopeSignerTests {
    let network = TestNetwork()

    @Test func aResumedSignerContinuesAfterTheLastAcceptedSequence() throws {
        let till = TestNetwork.key("till-1")
        var state = MemoryState()
        var writes = WriteSet()
        writes.put(.key(till.publicKey), KeyRecord(role: .till, outletID: 1, principal: "till-1", lastSequence: 7).canonicalBytes)
        state.apply(writes)

        var signer = try EnvelopeSigner.resume(chainID: network.genesis.chainID, outlet: 1, key: till, state: state)
        #expect(signer.nextSequence == 8)
        let body = TransactionBody.registerKey(RegisterKey(key: TestNetwork.key("other").publicKey, role: .till, principal: "other"))
        let first = signer.sign(body, atMs: 1_700_000_000_000)
        let given = try #require(IdempotencyID(bytes: [UInt8](repeating: 9, count: IdempotencyID.byteCount)))
        let second = signer.sign(body, atMs: 1_700_000_000_001, idempotency: given)
        #expect(first.envelope.sequence == 8 && second.envelope.sequence == 9 && signer.nextSequence == 10)
        #expect(first.hasValidSignature && second.hasValidSignature)
        #expect(first.envelope.signer == till.publicKey && first.envelope.outletID == 1 && first.envelope.chainID == network.genesis.chainID)
        #expect(second.envelope.idempotencyID == given && first.envelope.idempotencyID != given)
        #expect(first.envelope.timestampMs == 1_700_000_000_000)
    }

    @Test func aKeyPastTheLastSequenceSignsZeroWhichTheChainRefuses() throws {
        let till = TestNetwork.key("till-1")
        var state = MemoryState()
        var writes = WriteSet()
        writes.put(.key(till.publicKey), KeyRecord(role: .till, outletID: 1, principal: "till-1", lastSequence: .max - 1).canonicalBytes)
        state.apply(writes)
        var signer = try EnvelopeSigner.resume(chainID: network.genesis.chainID, outlet: 1, key: till, state: state)
        let body = TransactionBody.registerKey(RegisterKey(key: TestNetwork.key("other").publicKey, role: .till, principal: "other"))
        let last = signer.sign(body, atMs: 1_700_000_000_000)
        #expect(last.envelope.sequence == .max && signer.nextSequence == 0)
        let past = signer.sign(body, atMs: 1_700_000_000_001)
        #expect(past.envelope.sequence == 0 && signer.nextSequence == 1)

        var spent = MemoryState()
        var spentWrites = WriteSet()
        spentWrites.put(.key(till.publicKey), KeyRecord(role: .till, outletID: 1, principal: "till-1", lastSequence: .max).canonicalBytes)
        spent.apply(spentWrites)
        #expect(try EnvelopeSigner.resume(chainID: network.genesis.chainID, outlet: 1, key: till, state: spent).nextSequence == 0)
    }

    @Test func anUnregisteredKeyIsRefused() {
        #expect(throws: LedgerRejection.self) {
            _ = try EnvelopeSigner.resume(chainID: network.genesis.chainID, outlet: 1, key: TestNetwork.key("stranger"), state: MemoryState())
        }
        do {
            _ = try EnvelopeSigner.registration(of: TestNetwork.key("stranger").publicKey, outlet: 1, state: MemoryState())
        } catch let rejection as LedgerRejection {
            #expect(rejection.reason == .unknownSigner)
        } catch {
            Issue.record("\(error)")
        }
    }
}
