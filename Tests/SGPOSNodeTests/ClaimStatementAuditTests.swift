import Foundation
import SGPOSChain
import SGPOSCodec
@testable import SGPOSAudit
import SGPOSState
import SGPOSTestSupport
import Testing

/// The audit holds every points claim to what its checkpoint said (docs/CONSENSUS.md §10):
/// an outlet that understates its unsettled claims, or overstates its allowance, to claim
/// more is reported with the outlet, the block and the claim.
@Suite struct ClaimStatementAuditTests {
    /// `onDisk`: every change moves to the scratch store as soon as it is recorded.
    func sources(_ claims: [(height: UInt64, claim: PointsClaim)], onDisk: Bool = false) throws -> NetworkSources {
        var sources = onDisk ? NetworkSources(memoryBytesMax: 1, scratchParent: NSTemporaryDirectory()) : NetworkSources()
        for (height, claim) in claims {
            var writes = WriteSet()
            writes.put(.pointsClaim(claim.claimID), ClaimRecord(claim: claim, height: height).canonicalBytes)
            try sources.record(4, height, writes)
        }
        return sources
    }

    func claim(_ byte: UInt8, checkpoint: UInt64, covered: UInt64, outstanding: Int64, allowance: Int64) -> PointsClaim {
        PointsClaim(claimID: TransferID(uncheckedBytes: Array(repeating: byte, count: 16)), memberID: "M1", points: 10, source: 1,
                    checkpoint: checkpoint, covered: covered, outstanding: outstanding, allowance: allowance)
    }

    @Test func trueStatementsPassAndFalseOnesAreNamed() throws {
        var replay = NetworkReplay(genesis: TestNetwork(outlets: 4).genesis, sources: NetworkSources())
        replay.statements = [3: [4: .init(covered: 17, outstanding: 40, allowance: 500)]]
        let honest = try sources([(20, claim(1, checkpoint: 3, covered: 17, outstanding: 40, allowance: 500)),
                              (21, claim(2, checkpoint: 0, covered: 0, outstanding: 0, allowance: 0)),
                              (22, claim(3, checkpoint: 9, covered: 30, outstanding: 0, allowance: 9_999))])  // not replayed here: skipped
        #expect(try CheckpointAudit.checkClaimStatements(sources: honest, replay: replay).isEmpty)
        // Claims read back from disk come in the same order, with the same records.
        let onDisk = try sources([(22, claim(3, checkpoint: 9, covered: 30, outstanding: 0, allowance: 9_999)),
                                  (300, claim(8, checkpoint: 3, covered: 17, outstanding: 40, allowance: 500)),
                                  (20, claim(1, checkpoint: 3, covered: 17, outstanding: 40, allowance: 500))], onDisk: true)
        #expect(onDisk.spills == 3)
        #expect(try onDisk.claims().map { "\($0.claimant) \($0.record.height) \($0.record.claim.claimID)" }
            == [(20, 1), (22, 3), (300, 8)].map { "4 \($0.0) \(claim(UInt8($0.1), checkpoint: 0, covered: 0, outstanding: 0, allowance: 0).claimID)" })
        #expect(try onDisk.changes(4, 300).count == 1 && onDisk.changes(4, 301).isEmpty)
        for (byte, lie) in [(4, claim(4, checkpoint: 3, covered: 17, outstanding: 0, allowance: 500)),
                            (5, claim(5, checkpoint: 3, covered: 17, outstanding: 40, allowance: 5_000)),
                            (6, claim(6, checkpoint: 3, covered: 16, outstanding: 40, allowance: 500)),
                            (7, claim(7, checkpoint: 0, covered: 0, outstanding: 0, allowance: 100))] {
            let findings = try CheckpointAudit.checkClaimStatements(sources: sources([(30, lie)], onDisk: byte % 2 == 0), replay: replay)
            #expect(findings.count == 1 && findings[0].rule == "allowance/claim" && findings[0].height == 30
                && findings[0].message.contains(lie.claimID.description), "claim \(byte): \(findings)")
        }
    }
}
