import SGPOSCodec
import SGPOSConsensus
import SGPOSCrypto
import SGPOSReports

/// The rows of one final checkpoint (a commit certificate), in the mirror's `checkpoints`
/// and `checkpoint_heads` tables and the audit files' `checkpoints.csv` (docs/EXPORT.md).
public struct CheckpointRows: Sendable {
    public static let columns = ["height", "round", "value_id", "heads", "history_root", "network_root",
                                 "precommit_validators", "evidence", "validator_updates", "allowance_grants"]
    public static let headColumns = ["height", "outlet_id", "block_height", "block_id"]

    /// One row of ``columns``.
    public let checkpoint: [ExportValue]
    /// One row of ``headColumns`` per outlet head the checkpoint fixes.
    public let heads: [[ExportValue]]
    /// The checkpoint's heads: outlet → height.
    public let headHeights: [UInt32: UInt64]

    public init(_ certificate: CommitCertificate) throws {
        let value = try Checkpoint(canonicalBytes: certificate.value)
        let height = Int64(certificate.height)
        checkpoint = [
            .int(height), .int(Int64(certificate.round)), .text(certificate.valueID.hex),
            .text(value.heads.map { "\($0.outlet):\($0.height):\($0.blockID.hex)" }.joined(separator: ";")),
            .text(value.historyRoot.hex), .text(value.networkRoot.hex),
            .text(certificate.precommits.map { String($0.validator) }.joined(separator: ";")),
            .int(Int64(value.evidence.count)), .int(Int64(value.validatorUpdates.count)), .int(Int64(value.allowanceGrants.count)),
        ]
        heads = value.heads.map { [.int(height), .int(Int64($0.outlet)), .int(Int64($0.height)), .text($0.blockID.hex)] }
        headHeights = Dictionary(value.heads.map { ($0.outlet, $0.height) }, uniquingKeysWith: max)
    }
}
