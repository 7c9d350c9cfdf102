import ArgumentParser
import Foundation
import SGPOSCommandSupport
import SGPOSAudit
import SGPOSChain
import SGPOSCodec
import SGPOSConsensus
import SGPOSCrypto
import SGPOSReports
import SGPOSRetail
import SGPOSStore
import SGPOSProofs
import SGPOSState

struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit", abstract: "Verify a ledger without trusting the node that wrote it.",
        subcommands: [Verify.self, Prove.self, ProveConsistency.self, ProveCheckpoints.self, CheckProof.self, CheckReceipt.self, AuditCheckExport.self])

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Re-verify every block, signature, Merkle root, state root and stored index.",
            discussion: "Exit 0 only if every rule holds; otherwise exit 1 naming outlet, height, transaction and rule.")
        @Argument(help: "Node data directory.") var data: String
        @Option(help: "Trusted genesis file; the stored genesis must match it byte for byte.") var genesis: String?
        @Flag(help: "Print one JSON object (keys sorted) instead of the text lines; same exit status.") var json = false
        @Option(help: "Outlet chains verified at once (default: the cores).") var chainsAtOnce: Int?
        @Option(help: "MiB of replayed state held in memory over all chains verified at once; more moves to a scratch store on disk.")
        var replayMemory: Int = AuditVerifier.defaultReplayMemoryBytes >> 20
        @Option(help: "Where a replay larger than its memory puts its scratch store (default: $TMPDIR or /tmp).") var scratchDir: String?

        func validate() throws {
            guard (1...1_024).contains(chainsAtOnce ?? 1) else { throw ValidationError("--chains-at-once is 1...1024") }
            guard (1...1_048_576).contains(replayMemory) else { throw ValidationError("--replay-memory is 1...1048576 (MiB)") }
        }

        /// The trusted genesis's id, when one was given.
        private var trustedID: String? { try? genesis.map(loadGenesis)?.id.description }

        func run() throws {
            let trusted = try genesis.map(loadGenesis)
            let started = DispatchTime.now()
            func seconds() -> Double { Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9 }
            let report: AuditReport
            let progress = ProgressLine(label: "audit verify", unit: "blocks")
            do {
                report = try progress.finishing {
                    try AuditVerifier(chainsAtOnce: chainsAtOnce, replayMemoryBytes: replayMemory << 20, scratchDirectory: scratchDir)
                        .verify(dataDirectory: data, trustedGenesis: trusted) { done, total in
                        progress.update(done: done, total: total)
                    }
                }
            } catch let error as StoreError {
                if json {
                    print(try JSON.string(AuditVerifyDocument(storeError: "\(error)", seconds: seconds())))
                } else {
                    print("FAIL store: [store/open] \(error)")
                }
                throw ExitCode(1)
            }
            let verifiedSeconds = seconds()
            let store = try LedgerStore.open(dataDirectory: data, options: LedgerStore.Options(recordReferences: POSRules.recordReferences))
            let evidence = EvidenceAudit.check(directory: data + "/evidence", genesis: store.genesis, validators: try ValidatorSchedule.stored(in: store))
            // The node's report aggregates (derived, not ledger data) against the chains.
            var aggregates = AuditVerifyDocument.Aggregates(status: "unchecked")
            if report.isValid {
                if let stored = try ReportAggregates.open(dataDirectory: data, create: false) {
                    let difference = try stored.verify(store)
                    aggregates = .init(status: difference == nil ? "agree" : "differ", difference: difference)
                } else {
                    aggregates.status = "absent"
                }
            }
            let document = AuditVerifyDocument(report: report, evidence: evidence, aggregates: aggregates, seconds: verifiedSeconds)
            if json {
                print(try JSON.string(document))
            } else {
                printText(report, evidence: evidence, aggregates: aggregates, seconds: document.seconds)
            }
            if !document.valid { throw ExitCode(1) }
        }

        /// The time section: per outlet, the largest lag behind the agreed time, each
        /// window of blocks lagging beyond the genesis threshold, blocks from the future.
        static func timeLines(_ reports: [OutletTimeReport]) -> [String] {
            func seconds(_ ms: Int64) -> String { String(format: "%.1f s", Double(ms) / 1_000) }
            func at(_ ms: UInt64) -> String { CivilTime.singaporeDateTime(epochMs: Int64(ms)) }
            var lines: [String] = []
            for report in reports where report.blocksTimed > 0 {
                let largest = report.largest.map { "largest lag \(seconds($0.lagMs)) (block \($0.height) stamped \(at($0.blockTimeMs)), first covered by checkpoint \($0.checkpointHeight) at \(at($0.checkpointTimeMs)))" } ?? ""
                lines.append("time: outlet \(report.outlet): \(report.blocksTimed) blocks covered with agreed time; \(largest)")
                for window in report.lateWindows {
                    lines.append("LATE: outlet \(report.outlet) blocks \(window.first.height)–\(window.last.height) (\(window.blocks), stamped \(at(window.first.blockTimeMs)) to \(at(window.last.blockTimeMs))) reached a checkpoint up to \(seconds(window.largestLagMs)) later: offline, or a clock that stood still or went back")
                }
                for lag in report.futureBlocks {
                    lines.append("FUTURE: outlet \(report.outlet) block \(lag.height) stamped \(at(lag.blockTimeMs)), \(seconds(-lag.lagMs)) after the agreed time of checkpoint \(lag.checkpointHeight)")
                }
            }
            return lines
        }

        private func printText(_ report: AuditReport, evidence: [EvidenceAudit.Item], aggregates: AuditVerifyDocument.Aggregates, seconds: Double) {
            // Whose genesis the chains were checked against, first: a copy's own genesis
            // proves only that the copy agrees with itself.
            if genesis == nil {
                print("genesis: the one stored in \(data) (id \(report.genesisID)), not a trusted copy; give --genesis FILE to check the data against the genesis you hold")
            } else if let genesis {
                print("genesis: \(genesis) (trusted, id \(trustedID ?? "?"))")
            }
            // Nothing reassuring before a failure: the findings first, and no per-outlet
            // "verified" lines when there are any.
            for finding in report.findings { print("FAIL \(finding)") }
            if report.isValid {
                for chain in report.chains {
                    print("outlet \(chain.outletID): verified to height \(chain.verifiedHeight), \(chain.transactions) transactions, head \(chain.headID)")
                }
            }
            if report.checkpointsVerified > 0 {
                if report.isValid {
                    print("checkpoints: \(report.checkpointsVerified) final, each with precommits of more than 2/3 of its validators' voting power")
                    print("network state: the roots of checkpoints 1–\(report.networkRootsVerified) recomputed from the replayed chains and equal")
                }
                for line in report.checkpointEvidence { print("EVIDENCE IN CHECKPOINT: \(line)") }
                for line in report.validatorChanges { print("VALIDATOR CHANGE: \(line)") }
                for line in report.pointsClaims { print("POINTS CLAIM: \(line)") }
            }
            for line in Self.timeLines(report.time) { print(line) }
            for item in evidence { print(item) }
            if aggregates.status == "differ" {
                print("FAIL report aggregates: \(aggregates.difference ?? "") (the reports stay exact; `sgpos report rebuild --data \(data)` recomputes them)")
            } else if aggregates.status == "agree" {
                print("report aggregates: agree with the chains")
            }
            let aggregatesAgree = aggregates.status != "differ"
            let summary = "\(report.transactionCount) transactions, \(report.signaturesVerified) signatures in \(String(format: "%.3f", seconds)) s"
            if report.isValid && aggregatesAgree {
                print("OK genesis \(report.genesisID): \(summary)")
            } else {
                print("INVALID: \(report.findings.count + (aggregatesAgree ? 0 : 1)) finding(s); \(summary)")
            }
        }
    }

    struct Prove: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a proof that a transaction is in its block and in the chain's history.")
        @Argument(help: "Transaction id (64 hex digits).") var transactionID: String
        @Option(help: "Node data directory.") var data: String
        @Option(help: "Output file (default: standard output).") var out: String?

        func run() throws {
            guard let id = Hash256(hex: transactionID) else { throw CLIError("transaction id must be 64 hex digits") }
            let proof = try ProofBuilder(store: try openStore(data)).transactionProof(id)
            try emit(try JSON.encode(proof), to: out)
        }
    }

    struct ProveConsistency: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "prove-consistency",
            abstract: "Write a proof that a chain's head at --to extends its head at --from (RFC 9162).")
        @Option(help: "Node data directory.") var data: String
        @Option(help: "Outlet chain.") var outlet: UInt32
        @Option(help: "Older head height.") var from: UInt64
        @Option(help: "Newer head height (default: current head).") var to: UInt64?
        @Option(help: "Output file (default: standard output).") var out: String?

        func run() throws {
            let proof = try ProofBuilder(store: try openStore(data)).consistencyProof(outletID: outlet, from: from, to: to)
            try emit(try JSON.encode(proof), to: out)
        }
    }

    struct ProveCheckpoints: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "prove-checkpoints",
            abstract: "Write a proof that checkpoint --to extends the checkpoint log holding checkpoint --from (RFC 9162).")
        @Option(help: "Node data directory.") var data: String
        @Option(help: "Older checkpoint height.") var from: UInt64
        @Option(help: "Newer checkpoint height (default: the newest stored).") var to: UInt64?
        @Option(help: "Output file (default: standard output).") var out: String?

        func run() throws {
            let proof = try ProofBuilder(store: try openStore(data)).checkpointConsistencyProof(from: from, to: to)
            try emit(try JSON.encode(proof), to: out)
        }
    }

    struct CheckProof: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check-proof",
            abstract: "Verify a transaction, chain consistency or checkpoint consistency proof against a genesis file only.")
        @Argument(help: "Proof file (from `audit prove`, `audit prove-consistency` or `audit prove-checkpoints`).") var file: String
        @Option(help: "Trusted genesis file.") var genesis: String

        func run() throws {
            let verifier = ProofVerifier(genesis: try loadGenesis(genesis))
            let data = try readFile(file, what: "proof")
            struct Format: Decodable { var format: String }
            let format = try JSON.decode(Format.self, from: data, what: "proof \(file)").format
            do {
                switch format {
                case TransactionProof.formatName:
                    let facts = try verifier.verify(try JSON.decode(TransactionProof.self, from: data, what: "proof \(file)"))
                    print("OK transaction \(facts.transactionID) is at outlet \(facts.outletID) height \(facts.height) index \(facts.index); covered by head height \(facts.headHeight)")
                case CheckpointConsistencyProof.formatName:
                    let (old, new) = try verifier.verify(try JSON.decode(CheckpointConsistencyProof.self, from: data, what: "proof \(file)"))
                    print("OK checkpoint \(new) is final and its log extends the log holding final checkpoint \(old)")
                case ConsistencyProof.formatName:
                    let (old, new) = try verifier.verify(try JSON.decode(ConsistencyProof.self, from: data, what: "proof \(file)"))
                    print("OK outlet \(old.outletID): head at height \(new.height) extends head at height \(old.height)")
                default:
                    throw CLIError("\(file): unknown proof format \"\(format)\"")
                }
            } catch let error as ProofError {
                print("INVALID proof: \(error)")
                throw ExitCode(1)
            }
        }
    }
}

func emit(_ data: Data, to path: String?) throws {
    if let path { try writeFile(data, to: path) } else { print(String(decoding: data, as: UTF8.self)) }
}
