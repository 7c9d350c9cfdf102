import ArgumentParser
import Foundation
import SGPOSCommandSupport
import SGPOSAudit
import SGPOSChain
import SGPOSCodec
import SGPOSCrypto
import SGPOSState
import SGPOSStore

struct ChainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chain", abstract: "Create, append to and inspect outlet chains.",
        subcommands: [Init.self, Append.self, Show.self, Backup.self, Upgrade.self])

    struct Upgrade: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Bring a ledger of store format 3, 4 or 5 to format 6 (compressed blocks and records, the block transaction trees, sale records kept in tx-index; docs/FORMAT.md §9.1), then verify it.",
            discussion: "Stop the node first (the upgrade takes the writer lock). One LMDB write transaction: interrupted, the store stays at its old format. A store already at format 6 is left alone.")
        @Option(help: "Node data directory.") var data: String

        func run() throws {
            let report = try LedgerStore.upgrade(dataDirectory: data, options: LedgerStore.Options(recordReferences: POSRules.recordReferences))
            guard report.fromFormat != StoreLayout.formatVersion else {
                print("\(data): store format \(StoreLayout.formatVersion) already; nothing to do")
                return
            }
            let audit = try AuditVerifier().verify(dataDirectory: data)
            guard audit.isValid else {
                audit.findings.forEach { print("FAIL \($0)") }
                throw CLIError("\(data) was upgraded to format \(StoreLayout.formatVersion) but does not verify; restore the backup and investigate")
            }
            print("\(data): store format \(report.fromFormat) -> \(StoreLayout.formatVersion): \(report.blocks) blocks read, "
                  + "\(report.transactionTrees) transaction trees stored, \(report.recordsReferenced) sale records moved to tx-index; audit: \(audit.transactionCount) transactions verified")
        }
    }

    struct Backup: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a consistent, compacted copy of a node's ledger (safe while the node runs), then verify the copy.")
        @Option(help: "Node data directory to back up.") var data: String
        @Option(help: "Directory to write the backup into (a data directory of its own; created with its parents; refused if it already holds a ledger).") var out: String

        func run() throws {
            let store = try openStore(data)
            // `--out /backup/node1-today`: the parents are made, the directory itself must be new or empty.
            try FileManager.default.createDirectory(atPath: (out as NSString).deletingLastPathComponent.isEmpty ? "." : (out as NSString).deletingLastPathComponent,
                                                    withIntermediateDirectories: true)
            try store.backup(to: out)
            if FileManager.default.fileExists(atPath: data + "/node.json") {
                try? FileManager.default.copyItem(atPath: data + "/node.json", toPath: out + "/node.json")
            }
            let offLedger = try Self.copyOffLedgerFiles(from: data, to: out)
            if offLedger > 0 { print("copied \(offLedger) files of \(Self.offLedgerDirectories.joined(separator: "/, "))/ (sealed member profiles, evidence, pending admin acts)") }
            let report = try AuditVerifier().verify(dataDirectory: out, trustedGenesis: store.genesis)
            guard report.isValid else {
                report.findings.forEach { print("FAIL \($0)") }
                throw CLIError("the backup in \(out) does not verify; keep the original and investigate")
            }
            print("backup of \(report.transactionCount) transactions written to \(LedgerStore.ledgerDirectory(out)) and verified")
        }

        /// The node's files beside the ledger: the member directory (sealed under keys
        /// derived from the node key: the backup is no more readable than the original),
        /// evidence of equivocation, admin acts waiting for a checkpoint (validator updates,
        /// allowance grants, product recalls: a recall not carried yet would otherwise be lost
        /// with the disk) and the peers' newest checkpoint acknowledgements.
        static let offLedgerDirectories = ["members", "evidence", "validator-updates", "allowance-grants", "recalls", "acks"]

        /// Copies the regular files of ``offLedgerDirectories`` that exist, owner-only
        /// (directories 0700, files 0600). Each file is written whole by the node (a
        /// rename), so a copy taken while it runs holds whole files.
        static func copyOffLedgerFiles(from data: String, to out: String) throws -> Int {
            let files = FileManager.default
            var copied = 0
            for name in offLedgerDirectories {
                let source = data + "/" + name
                var isDirectory: ObjCBool = false
                guard files.fileExists(atPath: source, isDirectory: &isDirectory), isDirectory.boolValue else { continue }
                let target = out + "/" + name
                try files.createDirectory(atPath: target, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
                for file in try files.contentsOfDirectory(atPath: source).sorted() where !file.hasPrefix(".") {
                    let path = source + "/" + file
                    guard (try? files.attributesOfItem(atPath: path)[.type] as? FileAttributeType) == .typeRegular,
                          let contents = files.contents(atPath: path) else { continue }
                    guard files.createFile(atPath: target + "/" + file, contents: contents, attributes: [.posixPermissions: 0o600]) else {
                        throw CLIError("cannot write \(target)/\(file)")
                    }
                    copied += 1
                }
            }
            return copied
        }
    }

    struct Init: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a node's ledger (LMDB) in a data directory from a genesis file.")
        @Option(help: "Node data directory (created if missing).") var data: String
        @Option(help: "Genesis file (genesis.json).") var genesis: String
        @Option(help: "The outlet this node produces; must be in the genesis.") var outlet: UInt32

        func run() throws {
            let genesis = try loadGenesis(self.genesis)
            guard genesis.outlet(outlet) != nil else {
                throw CLIError("outlet \(outlet) is not in \(self.genesis) (outlets: \(genesis.outlets.map { String($0.id) }.joined(separator: ", ")))")
            }
            let store = try LedgerStore.create(dataDirectory: data, genesis: genesis, options: LedgerStore.Options(recordReferences: POSRules.recordReferences))
            try writeFile(try JSON.encode(NodeFile(outletId: outlet)), to: data + "/node.json")
            print("ledger created in \(LedgerStore.ledgerDirectory(data)) for outlet \(outlet), genesis \(store.genesis.id)")
        }
    }

    struct Append: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Sign transactions described in JSON and append them as one block.",
            discussion: """
                Input: a JSON array of transaction specs, each {"signer": KEY-FILE, "body": {"type": …}} with optional \
                "sequence", "idempotencyId" and "timestampMs" (docs/OPERATIONS.md §4 lists the body types and their fields). \
                Key-file paths resolve from the directory of the --input file (from the working directory on standard input). \
                Output: one result per transaction.
                """)
        @Option(help: "Node data directory.") var data: String
        @Option(help: "The outlet's node key file (signs the block).") var nodeKey: String
        @Option(help: "JSON file with the transactions; - for standard input.") var input: String = "-"

        func run() async throws {
            let (store, committer, outletID) = try openCommitter(data: data, nodeKey: nodeKey)
            let raw = input == "-" ? FileHandle.standardInput.readDataToEndOfFile() : try readFile(input, what: "transactions")
            // Key-file paths in the file resolve from the file's own directory.
            let base = input == "-" ? nil : (input as NSString).deletingLastPathComponent
            let specs = try JSON.decode([TransactionSpec].self, from: raw, what: "transactions").map { $0.resolved(against: base) }
            guard !specs.isEmpty else { throw CLIError("no transactions in the input") }
            guard specs.count <= Int(store.genesis.blockTransactionsMax) else {
                throw CLIError("\(specs.count) transactions exceed the block limit \(store.genesis.blockTransactionsMax)")
            }
            var signer = TransactionSigner(store: store, outletID: outletID)
            let now = wallClockMs()
            let signed = try specs.map { try signer.sign($0, now: now) }
            let outcomes = try await committer.submitAll(signed)
            let results = try zip(outcomes, signed).map { outcome, submitted in
                var conflict = false
                if case .duplicate(let first) = outcome { conflict = try store.isConflict(submitted, first: first) }
                return OutcomeJSON(outcome, submitted: submitted, isConflict: conflict)
            }
            print(try JSON.string(results))
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print chain heads, or one block with --outlet and --height.")
        @Option(help: "Node data directory.") var data: String
        @Option(help: "Outlet chain to show.") var outlet: UInt32?
        @Option(help: "Block height to print (needs --outlet).") var height: UInt64?

        func run() throws {
            let store = try openStore(data)
            try store.environment.read { transaction in
                if let outlet, let height {
                    guard let block = try store.block(outlet, height: height, transaction) else {
                        throw CLIError("outlet \(outlet) has no block at height \(height)")
                    }
                    print(try JSON.string(BlockJSON(block)))
                    return
                }
                print("chain \(store.genesis.chainID) genesis \(store.genesis.id)")
                for entry in store.genesis.outlets where outlet == nil || outlet == entry.id {
                    let head = try store.head(entry.id, transaction)
                    print("outlet \(entry.id) (\(entry.name)): height \(head.height) head \(head.blockID) state \(head.stateRoot)")
                }
            }
        }
    }
}

/// A block as JSON for people and tools.
struct BlockJSON: Codable {
    struct Transaction: Codable {
        var id: String
        var signer: String
        var sequence: UInt64
        var idempotencyId: String
        var timestampMs: UInt64
        var bodyType: String
        var body: String
        var hex: String
    }
    var id: String
    var outletId: UInt32
    var height: UInt64
    var previousHash: String
    var timestampMs: UInt64
    var transactionRoot: String
    var historyRoot: String
    var stateRoot: String
    var producer: String
    var signature: String
    var headerHex: String
    var transactions: [Transaction]

    init(_ block: Block) {
        let header = block.header
        id = block.id.hex
        outletId = header.outletID
        height = header.height
        previousHash = header.previousHash.hex
        timestampMs = header.timestampMs
        transactionRoot = header.transactionRoot.hex
        historyRoot = header.historyRoot.hex
        stateRoot = header.stateRoot.hex
        producer = header.producer.hex
        signature = block.signature.hex
        headerHex = Hex.encode(header.canonicalBytes)
        transactions = block.transactions.map { signed in
            let envelope = signed.envelope
            return Transaction(
                id: signed.id.hex, signer: envelope.signer.hex, sequence: envelope.sequence,
                idempotencyId: envelope.idempotencyID.hex, timestampMs: envelope.timestampMs,
                bodyType: String(format: "0x%04x", envelope.body.typeCode), body: describe(envelope.body),
                hex: Hex.encode(signed.encoded))
        }
    }
}

func describe(_ body: TransactionBody) -> String {
    switch body {
    case .registerOutlet(let b): "register-outlet \(b.outletID) \"\(b.name)\" node key \(b.nodeKey)"
    case .registerKey(let b): "register-key \(b.role) \"\(b.principal)\" \(b.key)"
    case .rotateKey(let b): "rotate-key \(b.oldKey) -> \(b.newKey), old valid until \(b.oldKeyValidUntilMs)"
    case .revokeKey(let b): "revoke-key \(b.key) (\(b.reason))"
    case .application(let type, let payload): "application body 0x\(String(type, radix: 16)) (\(payload.count) bytes)"
    }
}
