import SGPOSChain
import SGPOSCodec
import SGPOSConsensus
import SGPOSCrypto
import SGPOSStore

/// Checks a copy's checkpoint chain against the genesis alone (docs/CONSENSUS.md §2):
/// heights 1, 2, … without gaps; every commit certificate final (precommits of more than
/// 2/3 of the genesis validators, signatures valid); every checkpoint lists each genesis
/// outlet once and never goes back; and every outlet block a checkpoint names that this
/// copy holds is the very block it holds (else this copy's chain is not the final one).
public enum CheckpointAudit {
    public static func verify(store: LedgerStore) throws -> (checkpoints: Int, findings: [AuditFinding]) {
        let outlets = store.genesis.outlets.sorted { $0.id < $1.id }
        guard outlets.count >= 4 else { return (0, []) }
        let validators = ValidatorSet(outlets.map(\.nodeKey))
        let certificates = try ConsensusStorage(environment: store.environment).all()
        var findings: [AuditFinding] = []
        var previous: Checkpoint?
        for (index, certificate) in certificates.enumerated() {
            let label = "checkpoint \(certificate.height)"
            guard certificate.height == UInt64(index + 1) else {
                findings.append(AuditFinding(rule: "checkpoints/sequence", message: "\(label) follows checkpoint \(index): a gap or a duplicate"))
                break
            }
            guard certificate.isValid(chainID: store.genesis.id, validators: validators) else {
                findings.append(AuditFinding(rule: "checkpoints/commit", message: "\(label): the commit certificate is not precommits of more than 2/3 of the genesis validators with valid signatures"))
                continue
            }
            guard let checkpoint = try? Checkpoint(canonicalBytes: certificate.value), checkpoint.heads.map(\.outlet) == outlets.map(\.id) else {
                findings.append(AuditFinding(rule: "checkpoints/value", message: "\(label) does not list every genesis outlet once, in order"))
                continue
            }
            for head in checkpoint.heads {
                if let before = previous?.head(of: head.outlet), head.height < before.height {
                    findings.append(AuditFinding(rule: "checkpoints/monotonic", message: "\(label) goes back on outlet \(head.outlet): \(before.height) → \(head.height)"))
                }
                guard head.height > 0 else { continue }
                let held = try store.environment.read { try store.block(head.outlet, height: head.height, $0) }
                if let held, held.id != head.blockID {
                    findings.append(AuditFinding(rule: "checkpoints/branch", message: "\(label) finalised block \(head.blockID) at outlet \(head.outlet) height \(head.height); this copy holds \(held.id)"))
                }
            }
            previous = checkpoint
        }
        return (certificates.count, findings)
    }
}
