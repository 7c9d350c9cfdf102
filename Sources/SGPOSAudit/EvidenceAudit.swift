import Foundation
import SGPOSChain
import SGPOSCodec
import SGPOSConsensus
import SGPOSCrypto

/// Checks the evidence files a node keeps (`DATA/evidence/`), so an auditor can rely on
/// them without trusting the node (docs/PEERS.md, docs/CONSENSUS.md §4): an outlet that
/// signed two blocks at one height (`outlet-*.json`), a validator that signed two
/// different votes in one step (`double-vote-*.bin`). Each file either proves its claim
/// from the signatures alone, or is reported as proving nothing.
public enum EvidenceAudit {
    public struct Item: Sendable, CustomStringConvertible {
        public let file: String
        public let proven: Bool
        public let claim: String
        public var description: String { (proven ? "EVIDENCE " : "UNPROVEN EVIDENCE ") + "\(file): \(claim)" }
    }

    struct EquivocationRecord: Decodable {
        let kind: String
        let outletId: UInt32
        let height: UInt64
        let held: String
        let conflicting: String
    }

    /// `validators`: the sets of the copy's checkpoints (``ValidatorSchedule/stored(in:)``;
    /// nil without a checkpoint chain).
    public static func check(directory: String, genesis: Genesis, validators: ValidatorSchedule?) -> [Item] {
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
        return files.prefix(10_000).compactMap { file in
            let path = directory + "/" + file
            if file.hasPrefix("outlet-"), file.hasSuffix(".json") { return equivocation(path, file, genesis) }
            if file.hasPrefix("double-vote-"), file.hasSuffix(".bin") { return doubleVote(path, file, genesis, validators) }
            if file.hasPrefix("clock-"), file.hasSuffix(".bin") { return clockRegression(path, file, genesis) }
            return nil
        }
    }

    /// A clock-regression evidence item's bytes (FORMAT.md §9.3, kind 3), proven from the genesis alone.
    static func clockRegression(_ path: String, _ file: String, _ genesis: Genesis) -> Item {
        guard let data = FileManager.default.contents(atPath: path), let item = try? CheckpointEvidence(canonicalBytes: Array(data)),
              case .clockRegression = item
        else { return Item(file: file, proven: false, claim: "does not decode as clock-regression evidence") }
        guard item.isProven(genesis: genesis, validators: ValidatorSchedule(genesis: genesis)) else {
            return Item(file: file, proven: false, claim: "the acknowledgement and the block do not prove a clock that went back under the genesis keys")
        }
        return Item(file: file, proven: true, claim: item.summary)
    }

    static func equivocation(_ path: String, _ file: String, _ genesis: Genesis) -> Item {
        guard let data = FileManager.default.contents(atPath: path),
              let record = try? JSONDecoder().decode(EquivocationRecord.self, from: data),
              let heldBytes = Hex.decode(record.held), let otherBytes = Hex.decode(record.conflicting),
              let held = try? Block(encoded: heldBytes), let other = try? Block(encoded: otherBytes)
        else { return Item(file: file, proven: false, claim: "does not decode as two blocks") }
        let outlet = held.header.outletID, height = held.header.height
        guard other.header.outletID == outlet, other.header.height == height, held.id != other.id,
              held.header.producer == other.header.producer, held.hasValidSignature, other.hasValidSignature
        else { return Item(file: file, proven: false, claim: "the two blocks are not two different, validly signed blocks of one producer at one height") }
        let genesisKey = genesis.outlet(outlet)?.nodeKey == held.header.producer
        return Item(file: file, proven: true,
                    claim: "outlet \(outlet) signed two blocks at height \(height): \(held.id) and \(other.id)"
                        + (genesisKey ? " (its genesis node key)" : " (key \(held.header.producer); check it was the outlet's node key then)"))
    }

    static func doubleVote(_ path: String, _ file: String, _ genesis: Genesis, _ schedule: ValidatorSchedule?) -> Item {
        guard let data = FileManager.default.contents(atPath: path), let schedule else {
            return Item(file: file, proven: false, claim: "unreadable, or this network has no validators")
        }
        var decoder = CanonicalDecoder(Array(data))
        guard let first = try? SignedVote(from: &decoder), let second = try? SignedVote(from: &decoder), (try? decoder.finish("evidence")) != nil
        else { return Item(file: file, proven: false, claim: "does not decode as two votes") }
        guard first.height >= 1, first.height <= schedule.through + 2 else {
            return Item(file: file, proven: false, claim: "votes at checkpoint height \(first.height): this copy's checkpoints do not give that height's validators")
        }
        let validators = schedule.set(at: first.height)
        guard first.chainID == genesis.id, second.chainID == genesis.id, first.validator == second.validator,
              first.height == second.height, first.round == second.round, first.kind == second.kind,
              first.valueID != second.valueID, Int(first.validator) < validators.count,
              validators.keys[Int(first.validator)].isValidSignature(first.signature, for: first.signedBytesForAudit),
              validators.keys[Int(first.validator)].isValidSignature(second.signature, for: second.signedBytesForAudit)
        else { return Item(file: file, proven: false, claim: "the two votes are not two different, validly signed votes of one validator in one step") }
        return Item(file: file, proven: true,
                    claim: "validator \(first.validator) (key \(validators.keys[Int(first.validator)].hex)) signed two \(first.kind)s at height \(first.height) round \(first.round)")
    }
}
