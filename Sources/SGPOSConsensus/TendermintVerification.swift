import SGPOSCrypto

/// Signature checks of incoming messages (each signature verified once) and of commit
/// certificates.
extension TendermintCore {
    mutating func verifySignature(_ message: ConsensusMessage) -> Bool {
        switch message {
        case .proposal(let p):
            let set = p.height == height ? validators : nextValidators
            guard p.chainID == chainID, Int(p.proposer) < set.count, p.value.count <= 1 << 20 else { return false }
            return checkSignature(set.keys[Int(p.proposer)], p.signature, p.signedBytes)
        case .vote(let v):
            let set = v.height == height ? validators : nextValidators
            guard v.chainID == chainID, Int(v.validator) < set.count else { return false }
            return checkSignature(set.keys[Int(v.validator)], v.signature, v.signedBytes)
        case .commit(let c):
            return verify(c)
        case .status:
            return true
        }
    }

    mutating func checkSignature(_ key: PublicKey, _ signature: Signature, _ bytes: [UInt8]) -> Bool {
        let fingerprint = Hash256.sha256(bytes + signature.bytes)
        if verified.contains(fingerprint) { return true }
        guard key.isValidSignature(signature, for: bytes) else { return false }
        if verified.count >= 4_096 { verified.removeAll(keepingCapacity: true) }
        verified.insert(fingerprint)
        return true
    }

    /// Validators with more than 2/3 of the power of the current height precommitted the
    /// certificate's value in its round.
    public func verify(_ certificate: CommitCertificate) -> Bool {
        certificate.height == height && certificate.isValid(chainID: chainID, validators: validators)
    }
}
