import SGPOSChain
import SGPOSCodec
import SGPOSCrypto

/// A small network for tests: deterministic keys from seeds, one admin, outlets 1...n.
public struct TestNetwork: Sendable {
    public let genesis: Genesis
    public let admin: SigningKey
    public let nodeKeys: [SigningKey]

    /// A key derived from a label, so failures reproduce.
    public static func key(_ label: String) -> SigningKey {
        var seed = Hash256.sha256(Array("sgpos-test-key/\(label)".utf8)).bytes
        seed = Array(seed.prefix(32))
        return SigningKey(seed: seed)!
    }

    public init(outlets: Int = 2, blockTransactionsMax: UInt32 = 8_190, chainID: String = "sgpos-test",
                gstMethod: Genesis.GSTMethod = .perLine,
                gstRates: [Genesis.GSTRate] = [.init(effectiveFrom: "2024-01-01", basisPoints: 900)]) {
        admin = TestNetwork.key("admin")
        nodeKeys = (1...outlets).map { TestNetwork.key("node-\($0)") }
        genesis = try! Genesis(
            chainID: ChainID(chainID)!, genesisTimeMs: 1_700_000_000_000, blockTransactionsMax: blockTransactionsMax,
            keyRotationOverlapMsMax: 86_400_000, gstPricesIncludeTax: true, gstMethod: gstMethod,
            gstRates: gstRates,
            admins: [.init(name: "hq", publicKey: admin.publicKey)],
            outlets: nodeKeys.enumerated().map { .init(id: OutletID($0.offset + 1), name: "Outlet \($0.offset + 1)", nodeKey: $0.element.publicKey) },
            validators: [])
    }

    /// A signed transaction for `outlet`, with a deterministic idempotency id unless given.
    public func transaction(
        _ signer: SigningKey, sequence: UInt64, outlet: OutletID = 1, body: TransactionBody,
        idempotency: IdempotencyID? = nil, timestampMs: TimestampMs = 1_700_000_000_000
    ) -> SignedTransaction {
        let id = idempotency ?? IdempotencyID(bytes: Array(Hash256.sha256(signer.publicKey.bytes + Array("\(outlet)/\(sequence)".utf8)).bytes.prefix(16)))!
        return TransactionEnvelope(
            chainID: genesis.chainID, outletID: outlet, signer: signer.publicKey, sequence: sequence,
            idempotencyID: id, timestampMs: timestampMs, body: body
        ).signed(by: signer)
    }

    /// `register-key` of a till by the admin.
    public func registerTill(_ till: SigningKey, principal: String, sequence: UInt64, outlet: OutletID = 1,
                             idempotency: IdempotencyID? = nil) -> SignedTransaction {
        transaction(admin, sequence: sequence, outlet: outlet,
                    body: .registerKey(RegisterKey(key: till.publicKey, role: .till, principal: principal)), idempotency: idempotency)
    }
}

/// A deterministic pseudo-random generator (SplitMix64) so random tests reproduce from a seed.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
