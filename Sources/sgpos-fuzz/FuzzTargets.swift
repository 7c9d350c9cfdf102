import Foundation
import SGPOSChain
import SGPOSCodec
import SGPOSConsensus
import SGPOSContracts
import SGPOSClient
import SGPOSNode
import SGPOSOperations
import SGPOSPeerProtocol

/// The inputs a node reads from the network or from files an operator is handed, each
/// with its oracle: decoding never traps, and what decodes canonically encodes back to
/// exactly the input (the canonical form is unique, FORMAT.md §1). A broken oracle is a
/// finding: the target traps, so libFuzzer (or the replayer) reports the input.
enum FuzzTarget: String, CaseIterable, Sendable {
    /// A signed transaction (`POST /v1/transactions`, blocks).
    case transaction
    /// A block (peer `blocks` messages, audit copies).
    case block
    /// A transaction batch (`POST /v1/transactions/batch`, binary).
    case batch
    /// A peer protocol message (the peer port, after the frame).
    case peer
    /// A checkpoint commit certificate (checkpoint store, auditors).
    case certificate
    /// A genesis document (JSON read by every command and node).
    case genesis
    /// A loyalty/promotion rule's source (the rules compiler).
    case rules
    /// A node configuration file (JSON read by `sgpos node run`).
    case config
    /// The body of `POST /v1/transactions`: wherever the fast reading of
    /// `{"transaction": hex}` answers, the strict JSON decoder reads the same bytes.
    case submit

    /// Runs the target on one input. Returns whether it decoded (for corpus statistics).
    @discardableResult
    func run(_ bytes: [UInt8]) -> Bool {
        switch self {
        case .transaction:
            guard let value = try? SignedTransaction(encoded: bytes) else { return false }
            check(value.encoded == bytes, "transaction")
        case .block:
            guard let value = try? Block(encoded: bytes) else { return false }
            check(value.encoded == bytes, "block")
        case .batch:
            guard let value = try? TransactionBatch(encoded: bytes) else { return false }
            check(value.encoded == bytes, "batch")
        case .peer:
            guard let value = try? PeerMessage(decoding: bytes) else { return false }
            check(value.encoded == bytes, "peer message")
        case .certificate:
            guard let value = try? CommitCertificate(canonicalBytes: bytes) else { return false }
            check(value.canonicalBytes == bytes, "commit certificate")
        case .genesis:
            guard let document = try? JSONDecoder().decode(GenesisDocument.self, from: Data(bytes)),
                  let genesis = try? document.genesis() else { return false }
            // A valid genesis survives its own document form unchanged.
            check((try? GenesisDocument(genesis).genesis()) == genesis, "genesis document")
        case .rules:
            guard bytes.count <= 65_536, let source = String(validating: bytes, as: UTF8.self),
                  (try? CompiledRule.compile(source)) != nil else { return false }
        case .config:
            guard let config = try? NodeConfig.decode(Data(bytes), path: "fuzz.json") else { return false }
            // A configuration that was accepted is accepted again from its own encoding, unchanged.
            let again = (try? JSONEncoder().encode(config)).flatMap { try? NodeConfig.decode($0, path: "fuzz.json") }
            check(again == config, "node configuration")
        case .submit:
            guard let fast = SubmitBody.transactionBytes(bytes) else { return false }
            let strict = (try? StrictJSON.decode(API.SubmitRequest.self, from: Data(bytes))).flatMap { Hex.decode($0.transaction) }
            check(strict == fast, "submit body (the fast reading differs from the strict one)")
        }
        return true
    }

    private func check(_ condition: Bool, _ what: String) {
        // A trap is how libFuzzer learns of a finding; the replayer prints the file first.
        precondition(condition, "\(what): the oracle failed (decoded, but not read back the same); input: \(currentInput)")
    }
}

/// The input being run, named in a trap's message (the replayer sets it before each run).
nonisolated(unsafe) var currentInput = ""

