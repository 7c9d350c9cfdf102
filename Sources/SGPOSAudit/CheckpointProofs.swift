import SGPOSChain
import SGPOSCheckpointStore
import SGPOSCodec
import SGPOSConsensus
import SGPOSCrypto
import SGPOSStore
import SGPOSProofs

/// Proof that checkpoint `new` extends the checkpoint log that holds checkpoint `old`
/// (docs/CONSENSUS.md §8): both commit certificates, an RFC 9162 consistency path from
/// the history of old (checkpoints 1 … old−1) to that of new (1 … new−1), and the path of
/// old's own value into new's history. An auditor who trusted old checks new in O(log n),
/// from the genesis alone, plus the certificate of every checkpoint below new that
/// changed the validator set (each checked against the set before it; docs/CONSENSUS.md §9
/// states what a verifier trusts about checkpoints not listed).
public struct CheckpointConsistencyProof: Codable, Hashable, Sendable {
    public static let formatName = "sgpos-checkpoint-consistency/1"
    public var format: String
    public var chainId: String
    public var genesisId: String
    /// Commit certificates' canonical bytes, hex.
    public var old: String
    public var new: String
    public var consistencyPath: [String]
    public var oldCheckpointPath: [String]
    /// Commit certificates (hex) of every checkpoint below `new` that carried validator
    /// updates, ascending; absent or empty while the genesis set is unchanged.
    public var validatorChanges: [String]?
}

extension ProofBuilder {
    public func checkpointConsistencyProof(from oldHeight: UInt64, to newHeight: UInt64?) throws -> CheckpointConsistencyProof {
        guard store.genesis.hasCheckpointChain else {
            throw ProofError("this network has \(store.genesis.outlets.count) outlets, fewer than \(Genesis.checkpointOutletsMin): it has no checkpoint chain to prove")
        }
        let certificates = try ConsensusStorage(environment: store.environment).all()
        let target = newHeight ?? UInt64(certificates.count)
        guard oldHeight >= 1, oldHeight < target, target <= UInt64(certificates.count) else {
            throw ProofError("need 1 ≤ from < to ≤ \(certificates.count) (the stored checkpoints); got from \(oldHeight) to \(target)")
        }
        for (index, certificate) in certificates.prefix(Int(target)).enumerated() where certificate.height != UInt64(index + 1) {
            throw StoreError.corrupt("stored checkpoints skip height \(index + 1)")
        }
        let levels = MerkleLevels(leafHashes: certificates.prefix(Int(target - 1)).map { Checkpoint.historyLeaf(value: $0.value) })
        let changes = certificates.prefix(Int(target - 1)).filter { certificate in
            (try? Checkpoint(canonicalBytes: certificate.value))?.validatorUpdates.isEmpty == false
        }
        return CheckpointConsistencyProof(
            format: CheckpointConsistencyProof.formatName, chainId: store.genesis.chainID.value, genesisId: store.genesis.id.hex,
            old: Hex.encode(certificates[Int(oldHeight - 1)].canonicalBytes), new: Hex.encode(certificates[Int(target - 1)].canonicalBytes),
            consistencyPath: levels.consistencyProof(firstSize: oldHeight - 1, secondSize: target - 1).map(\.hex),
            oldCheckpointPath: levels.inclusionProof(leafIndex: oldHeight - 1, treeSize: target - 1).map(\.hex),
            validatorChanges: changes.map { Hex.encode($0.canonicalBytes) })
    }
}

extension ProofVerifier {
    /// Checks both certificates against the genesis validators, then the two paths.
    public func verify(_ proof: CheckpointConsistencyProof) throws(ProofError) -> (old: UInt64, new: UInt64) {
        guard proof.format == CheckpointConsistencyProof.formatName else {
            throw ProofError("format is \"\(proof.format)\", expected \"\(CheckpointConsistencyProof.formatName)\"")
        }
        guard proof.chainId == genesis.chainID.value, proof.genesisId.lowercased() == genesis.id.hex else {
            throw ProofError("proof is for chain \(proof.chainId) genesis \(proof.genesisId), not this genesis \(genesis.chainID) \(genesis.id)")
        }
        guard genesis.hasCheckpointChain else { throw ProofError("this genesis has fewer than 4 outlets: no checkpoint chain") }
        var checked: [(certificate: CommitCertificate, checkpoint: Checkpoint)] = []
        for (name, hex) in [("old", proof.old), ("new", proof.new)] {
            guard let raw = Hex.decode(hex), let certificate = try? CommitCertificate(canonicalBytes: raw),
                  let checkpoint = try? Checkpoint(canonicalBytes: certificate.value)
            else { throw ProofError("\(name) is not a canonical commit certificate of a checkpoint") }
            checked.append((certificate, checkpoint))
        }
        let schedule = try validatorSchedule(proof.validatorChanges ?? [], below: checked[1].certificate.height)
        for (name, item) in zip(["old", "new"], checked) {
            guard item.certificate.isValid(chainID: genesis.id, validators: schedule.set(at: item.certificate.height)) else {
                throw ProofError("\(name) certificate (checkpoint \(item.certificate.height)) lacks valid precommits of more than 2/3 of its validators' power")
            }
        }
        let (old, new) = (checked[0], checked[1])
        guard old.certificate.height < new.certificate.height else { throw ProofError("old must be below new") }
        let (oldSize, newSize) = (old.certificate.height - 1, new.certificate.height - 1)
        guard MerkleTree.verifyConsistency(firstSize: oldSize, secondSize: newSize, firstRoot: old.checkpoint.historyRoot,
                                           secondRoot: new.checkpoint.historyRoot, path: try hashes(proof.consistencyPath, "consistencyPath")) else {
            throw ProofError("consistency path does not show the new checkpoint history extending the old one")
        }
        guard MerkleTree.verifyInclusion(leafHash: Checkpoint.historyLeaf(value: old.certificate.value), leafIndex: oldSize, treeSize: newSize,
                                         path: try hashes(proof.oldCheckpointPath, "oldCheckpointPath"), root: new.checkpoint.historyRoot) else {
            throw ProofError("the old checkpoint is not in the new checkpoint's history")
        }
        return (old.certificate.height, new.certificate.height)
    }

    /// The validator sets up to `height`, from the genesis and the listed certificates of
    /// checkpoints that changed them, each final under the set before it.
    func validatorSchedule(_ certificates: [String], below height: UInt64) throws(ProofError) -> ValidatorSchedule {
        var schedule = ValidatorSchedule(genesis: genesis)
        guard certificates.count <= 100_000 else { throw ProofError("validatorChanges: too many certificates") }
        for hex in certificates {
            guard let raw = Hex.decode(hex), let certificate = try? CommitCertificate(canonicalBytes: raw),
                  let checkpoint = try? Checkpoint(canonicalBytes: certificate.value), !checkpoint.validatorUpdates.isEmpty
            else { throw ProofError("validatorChanges: not a commit certificate of a checkpoint with validator updates") }
            guard certificate.height > schedule.through, certificate.height < height else {
                throw ProofError("validatorChanges: checkpoint \(certificate.height) is out of order or not below the new checkpoint")
            }
            schedule.advance(through: certificate.height - 1)
            guard certificate.isValid(chainID: genesis.id, validators: schedule.set(at: certificate.height)) else {
                throw ProofError("validatorChanges: checkpoint \(certificate.height) lacks valid precommits of more than 2/3 of its validators' power")
            }
            do {
                try schedule.record(checkpointHeight: certificate.height, updates: checkpoint.validatorUpdates, genesis: genesis)
            } catch {
                throw ProofError("validatorChanges: checkpoint \(certificate.height): \(error)")
            }
        }
        schedule.advance(through: height)
        return schedule
    }
}
