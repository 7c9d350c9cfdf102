import Foundation
import SGPOSChain
import SGPOSCodec
import SGPOSCrypto
import SGPOSNode
import SGPOSStore
import Testing

@Suite(.serialized) struct CLITests {
    /// genesis create → chain init → chain append (JSON) → show → audit verify → prove → check-proof.
    @Test func anOperatorsWholeWorkflow() throws {
        let scratch = Scratch()
        let net = scratch.path + "/net"
        let node = scratch.path + "/node1"
        var result = try CLI.run(["genesis", "create", "--template", "Genesis/demo.template.json", "--out", net])
        #expect(result.status == 0, "\(result.error)")
        result = try CLI.run(["chain", "init", "--data", node, "--genesis", net + "/genesis.json", "--outlet", "1"])
        #expect(result.status == 0, "\(result.error)")
        result = try CLI.run(["keys", "generate", "--out", scratch.path + "/manager.key", "--label", "manager"])
        #expect(result.status == 0 && result.output.count == 65, "\(result.error)")
        _ = try CLI.run(["keys", "generate", "--out", scratch.path + "/till.key"])
        let transactions = """
        [{"signer": "\(net)/keys/admin-hq-admin.key",
          "body": {"type": "register-key", "keyFile": "\(scratch.path)/manager.key", "role": "operator", "principal": "manager-1"}},
         {"signer": "\(scratch.path)/manager.key", "idempotencyId": "000102030405060708090a0b0c0d0e0f",
          "body": {"type": "register-key", "keyFile": "\(scratch.path)/till.key", "role": "till", "principal": "till-01"}}]
        """
        result = try CLI.run(["chain", "append", "--data", node, "--node-key", net + "/keys/outlet-1.key"], input: transactions)
        #expect(result.status == 0, "\(result.error)")
        let outcomes = try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [[String: Any]] ?? []
        #expect(outcomes.map { $0["status"] as? String } == ["committed", "committed"])
        let tillTransaction = try #require(outcomes.last?["transactionId"] as? String)

        // Retrying the till registration with the same idempotency id returns the first result.
        let retry = """
        [{"signer": "\(scratch.path)/manager.key", "idempotencyId": "000102030405060708090a0b0c0d0e0f",
          "body": {"type": "register-key", "keyFile": "\(scratch.path)/till.key", "role": "till", "principal": "till-01"}}]
        """
        result = try CLI.run(["chain", "append", "--data", node, "--node-key", net + "/keys/outlet-1.key"], input: retry)
        #expect(result.output.contains("\"duplicate\"") && result.output.contains(tillTransaction))

        // A transactions file names its keys relative to itself, not to the working directory.
        try FileManager.default.createDirectory(atPath: scratch.path + "/txs/keys", withIntermediateDirectories: true)
        _ = try CLI.run(["keys", "generate", "--out", scratch.path + "/txs/keys/till-2.key"])
        try """
        [{"signer": "../manager.key", "body": {"type": "register-key", "keyFile": "keys/till-2.key", "role": "till", "principal": "till-02"}}]
        """.write(toFile: scratch.path + "/txs/txs.json", atomically: true, encoding: .utf8)
        result = try CLI.run(["chain", "append", "--data", node, "--node-key", net + "/keys/outlet-1.key", "--input", scratch.path + "/txs/txs.json"])
        #expect(result.status == 0 && result.output.contains("\"committed\""), "\(result.output)\(result.error)")

        result = try CLI.run(["chain", "show", "--data", node])
        #expect(result.output.contains("outlet 1 (Tampines Mall): height 2"), "\(result.output)")
        result = try CLI.run(["audit", "verify", node, "--genesis", net + "/genesis.json"])
        #expect(result.status == 0 && result.output.contains("OK genesis"), "\(result.output)\(result.error)")
        result = try CLI.run(["audit", "prove", tillTransaction, "--data", node, "--out", scratch.path + "/proof.json"])
        #expect(result.status == 0, "\(result.error)")
        result = try CLI.run(["audit", "check-proof", scratch.path + "/proof.json", "--genesis", net + "/genesis.json"])
        #expect(result.status == 0 && result.output.contains("OK transaction \(tillTransaction)"), "\(result.output)\(result.error)")

        // A proof checked against another network's genesis fails.
        let other = scratch.path + "/other"
        _ = try CLI.run(["genesis", "create", "--out", other])
        result = try CLI.run(["audit", "check-proof", scratch.path + "/proof.json", "--genesis", other + "/genesis.json"])
        #expect(result.status == 1 && result.output.contains("INVALID proof"))

        // A spec that signs the last sequence there is: the next spec of that key gets 0,
        // which the chain refuses, and the CLI answers both (it trapped on the overflow).
        _ = try CLI.run(["keys", "generate", "--out", scratch.path + "/till-3.key"])
        _ = try CLI.run(["keys", "generate", "--out", scratch.path + "/till-4.key"])
        let last = """
        [{"signer": "\(scratch.path)/manager.key", "sequence": 18446744073709551615,
          "body": {"type": "register-key", "keyFile": "\(scratch.path)/till-3.key", "role": "till", "principal": "till-03"}},
         {"signer": "\(scratch.path)/manager.key",
          "body": {"type": "register-key", "keyFile": "\(scratch.path)/till-4.key", "role": "till", "principal": "till-04"}}]
        """
        result = try CLI.run(["chain", "append", "--data", node, "--node-key", net + "/keys/outlet-1.key"], input: last)
        let lastOutcomes = try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [[String: Any]] ?? []
        #expect(lastOutcomes.map { $0["status"] as? String } == ["committed", "rejected"], "\(result.output)\(result.error)")
        #expect(result.output.contains("sequence 0 is not above the signer's last accepted 18446744073709551615"), "\(result.output)")
    }

    /// Bad input gets one clear line naming what was wrong, a non-zero exit, and changes nothing.
    @Test func garbageInputIsRefusedClearlyAndChangesNothing() throws {
        let scratch = Scratch()
        let net = scratch.path + "/net"
        let node = scratch.path + "/node"
        _ = try CLI.run(["genesis", "create", "--out", net])
        _ = try CLI.run(["chain", "init", "--data", node, "--genesis", net + "/genesis.json", "--outlet", "2"])
        // The ledger's files; `writer.lock` (the one-writer lock a refused write still
        // takes) is not data. The chain itself is checked by `audit verify` below.
        func ledger() throws -> [String] {
            try FileManager.default.contentsOfDirectory(atPath: node + "/ledger").filter { $0 != "writer.lock" }.sorted()
        }
        let before = try ledger()
        let cases: [(input: String, message: String)] = [
            ("{not json", "not valid JSON"),
            ("[]", "no transactions"),
            (#"[{"signer": "/nonexistent.key", "body": {"type": "register-key"}}]"#, "cannot read key file /nonexistent.key"),
            (#"[{"signer": "\#(net)/keys/admin-hq-admin.key", "body": {"type": "sell-everything"}}]"#, "body.type \"sell-everything\""),
            (#"[{"signer": "\#(net)/keys/admin-hq-admin.key", "idempotencyId": "xyz", "body": {"type": "revoke-key", "publicKey": "00", "reason": "other"}}]"#, "idempotencyId must be 32 hex digits"),
            (#"[{"signer": "\#(net)/keys/admin-hq-admin.key", "body": {"type": "revoke-key", "publicKey": "00", "reason": "other"}}]"#, "body.publicKey"),
        ]
        for (input, message) in cases {
            let result = try CLI.run(["chain", "append", "--data", node, "--node-key", net + "/keys/outlet-2.key"], input: input)
            #expect(result.status != 0)
            #expect(result.error.contains(message), "stderr for \(input): \(result.error)")
            #expect(result.error.split(separator: "\n").count <= 2, "error should be one clear line: \(result.error)")
        }
        // The wrong node key is refused.
        let wrongKey = try CLI.run(["chain", "append", "--data", node, "--node-key", net + "/keys/outlet-1.key"], input: "[]")
        #expect(wrongKey.status != 0)
        let verify = try CLI.run(["audit", "verify", node])
        #expect(verify.status == 0 && verify.output.contains("outlet 2: verified to height 0"))
        #expect(verify.output.hasPrefix("genesis: the one stored in \(node) (id "), "whose genesis: \(verify.output)")
        // Against another network's genesis: the failure first, nothing reassuring.
        _ = try CLI.run(["genesis", "create", "--out", scratch.path + "/other"])
        let foreign = try CLI.run(["audit", "verify", node, "--genesis", scratch.path + "/other/genesis.json"])
        let foreignLines = foreign.output.split(separator: "\n")
        #expect(foreign.status == 1 && foreignLines.count >= 2 && foreignLines[1].hasPrefix("FAIL store: [store/genesis]"), "\(foreign.output)")
        #expect(!foreign.output.contains("verified to height") && !foreign.output.contains("OK genesis"), "\(foreign.output)")
        #expect(try ledger() == before)
        let missing = try CLI.run(["audit", "verify", scratch.path + "/nowhere"])
        #expect(missing.status != 0 && (missing.output + missing.error).contains("no ledger"))
        let badGenesis = scratch.path + "/bad.json"
        try Data(#"{"format": "sgpos-genesis/1"}"#.utf8).write(to: URL(fileURLWithPath: badGenesis))
        let initBad = try CLI.run(["chain", "init", "--data", scratch.path + "/x", "--genesis", badGenesis, "--outlet", "1"])
        #expect(initBad.status != 0 && initBad.error.contains("missing field"), "\(initBad.error)")
    }

    /// `audit verify` exits 1 naming the outlet, height and rule when a stored block is altered.
    @Test func verifyNamesTheBrokenBlock() throws {
        let scratch = Scratch()
        let demo = scratch.path + "/demo"
        let result = try CLI.demo(demo, outlets: 2, sales: 8)
        #expect(result.output.contains("demo OK"))
        do {
            let store = try LedgerStore.open(dataDirectory: demo + "/outlet-2")
            let blocks = try store.database(named: "blocks")
            let key = StoreLayout.blockKey(2, 3)
            try store.environment.write { transaction in
                var value = try StoredCompression.decompress(try transaction.get(blocks, key)!, what: "block")
                value[value.count - 10] ^= 0x40  // inside the last transaction's signature
                try transaction.put(blocks, key, StoreLayout.storedBlock(value))
            }
        }
        let verify = try CLI.run(["audit", "verify", demo + "/outlet-2", "--genesis", demo + "/genesis.json"])
        #expect(verify.status == 1)
        #expect(verify.output.contains("FAIL outlet 2 height 3 transaction"), "\(verify.output)")
        #expect(verify.output.contains("[rule 4]"), "\(verify.output)")
    }
}

/// The files are plain LMDB: the standard tools read them.
@Suite struct LMDBToolsTests {
    @Test func mdbStatAndMdbDumpReadTheLedger() throws {
        let scratch = Scratch()
        let demo = scratch.path + "/demo"
        #expect(try CLI.demo(demo, outlets: 2, sales: 8).status == 0)
        for (tool, arguments, expected) in [("mdb_stat", ["-a"], "Status of blocks"), ("mdb_dump", ["-a", "-p"], "database=tx-index")] {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/" + tool)
            process.arguments = arguments + [demo + "/outlet-1/ledger"]
            let pipe = Pipe()
            process.standardOutput = pipe
            try process.run()
            let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            #expect(process.terminationStatus == 0, "\(tool) failed")
            #expect(output.contains(expected), "\(tool) output lacks \(expected)")
        }
    }
}

/// docs/FORMAT.md's worked example is what the code produces today.
@Suite struct FormatExampleTests {
    @Test func theWorkedExampleInFormatMDMatchesTheCode() throws {
        let result = try CLI.run(["debug", "format-example"])
        #expect(result.status == 0)
        let document = try String(contentsOfFile: CLI.packageRoot + "/docs/FORMAT.md", encoding: .utf8)
        #expect(document.contains(result.output.trimmingCharacters(in: .newlines)),
                "docs/FORMAT.md §12 is stale: run scripts/format-example")
    }
}

@Suite struct QuoteCommandTests {
    static let basket = """
    {"at": "2026-03-01T10:00:00+08:00", "gstMethod": "per-invoice",
     "lines": [{"sku": "A1", "category": "snacks", "qty": 2, "unitPrice": "1.05", "priceIncludesGst": true},
               {"sku": "B7", "category": "drinks", "qty": 3, "unitPrice": "1.00"}],
     "member": {"id": "M1", "tier": "gold", "lifetimeSpend": "1200.00", "points": 500}, "redeemPoints": 0}
    """

    @Test func quotesABasketAndTheSameInputGivesTheSameBytes() throws {
        let first = try CLI.run(["quote"], input: Self.basket)
        let second = try CLI.run(["quote", "--genesis", "Genesis/demo.template.json"], input: Self.basket)
        #expect(first.status == 0, "\(first.error)")
        #expect(first.output == second.output, "two processes, same input, different output")
        let quote = try JSONSerialization.jsonObject(with: Data(first.output.utf8)) as? [String: Any] ?? [:]
        #expect(quote["subtotal"] as? String == "5.10")
        #expect(quote["gst"] as? String == "0.42")  // 5.10 × 9/109 = 0.4211
        #expect(quote["total"] as? String == "5.10")
        #expect(quote["invoiceType"] as? String == "simplified")
        #expect((quote["lines"] as? [[String: Any]])?.count == 2)
        #expect(quote["tier"] as? String == "gold" && quote["pointsEarned"] as? Int == 7)  // 5 dollars × 1.5
    }

    @Test func redeemedPointsAreADiscountOrATender() throws {
        let basket = #"{"at": "2026-03-01T10:00:00+08:00", "lines": [{"sku": "BAG", "qty": 1, "unitPrice": "54.50"}], "member": {"id": "M1", "points": 600}, "redeemPoints": 500}"#
        let discount = try CLI.run(["quote"], input: basket)
        let tender = try CLI.run(["quote", "--redemption", "tender"], input: basket)
        let asDiscount = try JSONSerialization.jsonObject(with: Data(discount.output.utf8)) as? [String: Any] ?? [:]
        let asTender = try JSONSerialization.jsonObject(with: Data(tender.output.utf8)) as? [String: Any] ?? [:]
        // retail.md: 4.09 vs 4.50 GST on a S$54.50 sale with S$5.00 of points.
        #expect(asDiscount["gst"] as? String == "4.09" && asDiscount["total"] as? String == "49.50", "\(discount.output)\(discount.error)")
        #expect(asDiscount["appliedRules"] as? [String] == ["loyalty-points"])
        #expect(asTender["gst"] as? String == "4.50" && asTender["amountDue"] as? String == "49.50", "\(tender.output)")
        #expect(asDiscount["pointsEarned"] as? Int == 49 && asTender["pointsEarned"] as? Int == 49)
        let greedy = try CLI.run(["quote"], input: basket.replacingOccurrences(of: "\"redeemPoints\": 500", with: "\"redeemPoints\": 700"))
        #expect(greedy.status == 1 && greedy.error.contains("has 600 points; 700 cannot be redeemed"), "\(greedy.error)")
    }

    @Test func theShippedProgrammeUsesRatesMultipliersAndRewards() throws {
        // Silver member, personal 150 %; snacks at 200 %. 2 × 1.05 snacks + 3 × 1.00 drinks + a reward.
        let basket = #"""
        {"at": "2026-03-01T10:00:00+08:00", "pointRates": {"snacks": 20000},
         "lines": [{"sku": "A1", "category": "snacks", "qty": 2, "unitPrice": "1.05"},
                   {"sku": "B7", "category": "drinks", "qty": 3, "unitPrice": "10.00"},
                   {"sku": "RW-TOTE", "category": "rewards", "qty": 1, "unitPrice": "12.90"}],
         "member": {"id": "M1", "tier": "silver", "lifetimeSpend": "1200.00", "points": 900, "multiplierBps": 15000}}
        """#
        let run = try CLI.run(["quote", "--contracts", "Contracts"], input: basket)
        #expect(run.status == 0, "\(run.error)")
        let quote = try JSONSerialization.jsonObject(with: Data(run.output.utf8)) as? [String: Any] ?? [:]
        // loyalty.tiers — rated: 2.10 × 200 % + 30.00 = 34.20 → 34 dollars; silver 1.2× → 40; personal 1.5× → 60;
        // loyalty.bonus-2x (2026): 32.10 → 32 dollars × 2 = 64. The free reward line earns nothing.
        #expect(quote["pointsEarned"] as? Int == 124, "\(run.output)")
        #expect(quote["pointsForRewards"] as? Int == 800)
        #expect(quote["total"] as? String == "32.10")
        #expect((quote["appliedRules"] as? [String])?.contains("reward.tote-bag") == true)
        let poor = try CLI.run(["quote", "--contracts", "Contracts"], input: basket.replacingOccurrences(of: "\"points\": 900", with: "\"points\": 700"))
        #expect(poor.status == 1 && poor.error.contains("reward.tote-bag refused the basket with its code 2005"), "\(poor.error)")
    }

    @Test func badBasketsExitOneWithAClearMessage() throws {
        let cases: [(String, String)] = [
            ("{", "not valid JSON"),
            (#"{"at": "2026-03-01T10:00:00+08:00", "lines": [{"sku": "A", "qty": -1, "unitPrice": "1.00"}]}"#, "quantity -1"),
            (#"{"at": "2026-03-01T10:00:00+08:00", "lines": [{"sku": "A", "qty": 1, "unitPrice": "1.5"}]}"#, "exactly two decimals"),
            (#"{"at": "2026-03-01T10:00:00+08:00", "lines": [{"sku": "A", "qty": 1, "unitPrice": 1.05}]}"#, "unitPrice"),
            (#"{"at": "2026-03-01T10:00:00+08:00", "lines": [{"sku": "A", "qty": 99999999999, "unitPrice": "99999.99"}]}"#, "quantity"),
            (#"{"at": "yesterday", "lines": [{"sku": "A", "qty": 1, "unitPrice": "1.00"}]}"#, "RFC 3339"),
            (#"{"at": "2026-03-01T10:00:00+08:00", "lines": []}"#, "a sale needs 1...500 lines, got 0"),
            (#"{"at": "2026-03-01T10:00:00+08:00", "gstMethod": "sometimes", "lines": [{"sku": "A", "qty": 1, "unitPrice": "1.00"}]}"#, "gstMethod"),
            (#"{"at": "2026-03-01T10:00:00+08:00", "lines": [{"sku": "A", "qty": 1, "unitPrice": "99999999999999.00"}]}"#, "unitPrice"),
            (#"{"at": "2026-03-01T10:00:00+08:00", "lines": [{"sku": "A", "qty": 1, "unitPrice": "1.00"}], "redeemPoints": 5}"#, "points can only be redeemed by a member"),
        ]
        for (input, message) in cases {
            let result = try CLI.run(["quote"], input: input)
            #expect(result.status == 1 || result.status == 64, "accepted: \(input)")
            #expect(result.error.contains(message), "for \(input): \(result.error)")
        }
    }
}

@Suite struct BackupTests {
    /// A backup is a compacted, verified copy that a node can be restored from.
    @Test func backupCopiesVerifiesAndRefusesToOverwrite() throws {
        let scratch = Scratch()
        let demo = scratch.path + "/demo"
        #expect(try CLI.demo(demo, outlets: 2, sales: 8).status == 0)
        // A member profile in the node's directory (as PUT …/profile stores one).
        let now = Int64(Date().timeIntervalSince1970 * 1_000)
        _ = try MemberDirectory(dataDirectory: demo + "/outlet-1", nodeKey: try NodeTests().loadKey(demo + "/keys/outlet-1.key"))
            .put(MemberProfile(memberId: "M01-0001", name: "Tan Ah Kow", phone: nil, email: nil, purpose: "loyalty",
                               consentAtMs: now, updatedAtMs: now, recordedBy: "till-03"), nowMs: now)
        // A recall waiting for a checkpoint and a peer's acknowledgement (files the node
        // writes whole; their bytes do not matter to the copy).
        let files = FileManager.default
        for (directory, name) in [("recalls", "pending-recall.bin"), ("acks", "outlet-2.bin")] {
            try files.createDirectory(atPath: demo + "/outlet-1/" + directory, withIntermediateDirectories: true)
            #expect(files.createFile(atPath: demo + "/outlet-1/\(directory)/\(name)", contents: Data("\(directory)".utf8)))
        }
        let backup = try CLI.run(["chain", "backup", "--data", demo + "/outlet-1", "--out", scratch.path + "/copy"])
        #expect(backup.status == 0 && backup.output.contains("verified"), "\(backup.output)\(backup.error)")
        let original = try CLI.run(["chain", "show", "--data", demo + "/outlet-1"])
        let restored = try CLI.run(["chain", "show", "--data", scratch.path + "/copy"])
        #expect(original.output == restored.output)
        for (directory, name) in [("recalls", "pending-recall.bin"), ("acks", "outlet-2.bin")] {
            #expect(files.contents(atPath: scratch.path + "/copy/\(directory)/\(name)") == Data("\(directory)".utf8), "\(directory)/ is copied")
        }
        // The sealed member directory comes along, byte for byte and owner-only.
        let profiles = try files.contentsOfDirectory(atPath: demo + "/outlet-1/members").sorted()
        #expect(profiles.count == 1)
        #expect(try files.contentsOfDirectory(atPath: scratch.path + "/copy/members").sorted() == profiles)
        for name in profiles {
            #expect(files.contents(atPath: demo + "/outlet-1/members/" + name) == files.contents(atPath: scratch.path + "/copy/members/" + name))
            let mode = try files.attributesOfItem(atPath: scratch.path + "/copy/members/" + name)[.posixPermissions] as? Int
            #expect(mode == 0o600, "\(name): mode \(String(mode ?? 0, radix: 8))")
        }
        // (This 2-outlet network has no checkpoint chain: asking for its proof says so.)
        let noChain = try CLI.run(["audit", "prove-checkpoints", "--data", scratch.path + "/copy", "--from", "1"])
        #expect(noChain.status != 0 && noChain.error.contains("no checkpoint chain"), "\(noChain.output)\(noChain.error)")
        let again = try CLI.run(["chain", "backup", "--data", demo + "/outlet-1", "--out", scratch.path + "/copy"])
        #expect(again.status != 0 && again.error.contains("already holds a ledger"))
        // Into a directory whose parents do not exist yet (`--out /backup/node1-today`).
        let nested = try CLI.run(["chain", "backup", "--data", demo + "/outlet-1", "--out", scratch.path + "/backup/2026/node1-today"])
        #expect(nested.status == 0 && nested.output.contains("and verified"), "\(nested.error)")
    }
}

/// `sgpos chain upgrade`: a format-3 store is refused by other commands, naming the
/// upgrade; the upgrade converts it and audits it; a second run changes nothing.
@Suite struct ChainUpgradeCLITests {
    @Test func aFormat3StoreIsUpgradedOnce() throws {
        let scratch = Scratch()
        let net = scratch.path + "/net", node = scratch.path + "/node1"
        #expect(try CLI.run(["genesis", "create", "--template", "Genesis/demo.template.json", "--out", net]).status == 0)
        #expect(try CLI.run(["chain", "init", "--data", node, "--genesis", net + "/genesis.json", "--outlet", "1"]).status == 0)
        // What an older release wrote: format 3 in meta.
        do {
            let environment = try LMDBEnvironment(directory: LedgerStore.ledgerDirectory(node), mapSizeBytes: 1 << 26, durability: .durable)
            let meta = try environment.openDatabase("meta")
            try environment.write { try $0.put(meta, StoreLayout.MetaKey.format, [0, 0, 0, 3]) }
        }
        let refused = try CLI.run(["chain", "show", "--data", node])
        #expect(refused.status != 0 && refused.error.contains("sgpos chain upgrade --data \(node)"), "\(refused.error)")
        let upgraded = try CLI.run(["chain", "upgrade", "--data", node])
        #expect(upgraded.status == 0 && upgraded.output.contains("store format 3 -> 6"), "\(upgraded.output) \(upgraded.error)")
        let again = try CLI.run(["chain", "upgrade", "--data", node])
        #expect(again.status == 0 && again.output.contains("already; nothing to do"), "\(again.output)")
        #expect(try CLI.run(["chain", "show", "--data", node]).status == 0)
        let missing = try CLI.run(["chain", "upgrade", "--data", scratch.path + "/nowhere"])
        #expect(missing.status != 0 && missing.error.contains("no ledger"), "\(missing.error)")
    }
}
