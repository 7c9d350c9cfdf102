import Foundation
import SGPOSStore
import Testing

/// `sgpos audit verify --json`: one JSON object on stdout with the text form's facts and
/// exit status; nothing on stderr when it is not a terminal (no progress line).
@Suite struct AuditVerifyJSONTests {
    @Test func theJSONSaysValidOnAGoodStoreAndNamesTheFindingOnATamperedOne() throws {
        let scratch = Scratch()
        let demo = scratch.path + "/demo"
        #expect(try CLI.demo(demo, outlets: 2, sales: 8).status == 0)
        let data = demo + "/outlet-2"

        let good = try CLI.run(["audit", "verify", data, "--genesis", demo + "/genesis.json", "--json"])
        #expect(good.status == 0, "\(good.output)\(good.error)")
        #expect(good.error.isEmpty, "stderr is not a terminal, so no progress line: \(good.error)")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(good.output.utf8)) as? [String: Any])
        #expect(document["valid"] as? Bool == true)
        #expect((document["genesisId"] as? String)?.count == 64)
        #expect((document["findings"] as? [Any])?.isEmpty == true)
        let chains = try #require(document["chains"] as? [[String: Any]])
        #expect(chains.map { $0["outlet"] as? Int } == [1, 2])
        let outlet2 = try #require(chains.last)
        #expect((outlet2["verifiedHeight"] as? Int ?? 0) >= 3)
        #expect((outlet2["head"] as? String)?.count == 64)
        #expect((document["transactionCount"] as? Int ?? 0) > 0)
        #expect((document["signaturesVerified"] as? Int ?? 0) > 0)
        #expect(document["seconds"] is Double || document["seconds"] is Int)
        for key in ["checkpointsVerified", "networkRootsVerified", "evidence", "checkpointEvidence", "validatorChanges",
                    "pointsClaims", "reportAggregates"] {
            #expect(document[key] != nil, "missing \(key)")
        }
        let aggregates = try #require(document["reportAggregates"] as? [String: Any])
        #expect(["agree", "absent"].contains(aggregates["status"] as? String), "\(aggregates)")

        do {  // one bit of the last transaction's signature in block 3 of outlet 2
            let store = try LedgerStore.open(dataDirectory: data)
            let blocks = try store.database(named: "blocks")
            let key = StoreLayout.blockKey(2, 3)
            try store.environment.write { transaction in
                var value = try StoredCompression.decompress(try transaction.get(blocks, key)!, what: "block")
                value[value.count - 10] ^= 0x40
                try transaction.put(blocks, key, StoreLayout.storedBlock(value))
            }
        }
        let bad = try CLI.run(["audit", "verify", data, "--genesis", demo + "/genesis.json", "--json"])
        #expect(bad.status == 1, "\(bad.output)\(bad.error)")
        let invalid = try #require(try JSONSerialization.jsonObject(with: Data(bad.output.utf8)) as? [String: Any])
        #expect(invalid["valid"] as? Bool == false)
        let finding = try #require((invalid["findings"] as? [[String: Any]])?.first)
        #expect(finding["rule"] as? String == "rule 4")
        #expect(finding["outlet"] as? Int == 2)
        #expect(finding["height"] as? Int == 3)
        #expect((finding["transactionId"] as? String)?.count == 64)
        #expect((finding["text"] as? String)?.contains("outlet 2 height 3 transaction") == true, "\(finding)")
        #expect((invalid["reportAggregates"] as? [String: Any])?["status"] as? String == "unchecked")

        let missing = try CLI.run(["audit", "verify", scratch.path + "/nowhere", "--json"])
        #expect(missing.status == 1)
        let unopened = try #require(try JSONSerialization.jsonObject(with: Data(missing.output.utf8)) as? [String: Any])
        #expect(unopened["valid"] as? Bool == false)
        #expect((unopened["findings"] as? [[String: Any]])?.first?["rule"] as? String == "store/open")

        // Limits out of range are refused before anything is read.
        for limits in [["--chains-at-once", "0"], ["--replay-memory", "0"], ["--replay-memory", "2000000"]] {
            let refused = try CLI.run(["audit", "verify", data] + limits)
            #expect(refused.status == 64 && refused.error.contains(limits[0]), "\(limits): \(refused.status) \(refused.error)")
        }
    }

    /// In a network with checkpoints, a stored block whose compressed form is damaged
    /// (FORMAT.md §9.1) is the chain audit's `store/blocks` finding at its height; the
    /// checkpoint and time audits, which read the headers of the blocks checkpoints cover,
    /// do not stop the audit on it.
    @Test func aDamagedCompressedBlockUnderACheckpointIsAFinding() throws {
        let scratch = Scratch()
        let demo = scratch.path + "/demo"
        #expect(try CLI.demo(demo, outlets: 4, sales: 8).status == 0)
        let data = demo + "/outlet-1"
        do {
            let store = try LedgerStore.open(dataDirectory: data)
            let blocks = try store.database(named: "blocks")
            try store.environment.write { transaction in
                var value = try #require(try transaction.get(blocks, StoreLayout.blockKey(1, 2)))
                value[12] ^= 0xFF  // inside the first segment's deflate data: the header does not inflate
                try transaction.put(blocks, StoreLayout.blockKey(1, 2), value)
            }
        }
        let bad = try CLI.run(["audit", "verify", data, "--genesis", demo + "/genesis.json", "--json"])
        #expect(bad.status == 1, "\(bad.output)\(bad.error)")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(bad.output.utf8)) as? [String: Any])
        let findings = try #require(document["findings"] as? [[String: Any]])
        #expect(findings.contains { $0["rule"] as? String == "store/blocks" && $0["outlet"] as? Int == 1 && $0["height"] as? Int == 2 },
                "\(findings)")
        #expect((document["checkpointsVerified"] as? Int ?? 0) > 0, "the checkpoint audit ran: \(document)")
    }
}
