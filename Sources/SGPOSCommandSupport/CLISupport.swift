import ArgumentParser
import Foundation
import SGPOSChain
import SGPOSCodec
import SGPOSCrypto
import SGPOSOperations
import SGPOSState
import SGPOSRetail
import SGPOSStore

/// A command-line failure with one clear line for the operator.
public struct CLIError: Error, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// JSON helpers with stable output (sorted keys).
public enum JSON {
    public static func encode<T: Encodable>(_ value: T) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(value)
    }

    public static func string<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try encode(value), as: UTF8.self)
    }

    public static func decode<T: Decodable>(_ type: T.Type, from data: Data, what: String) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: data)
        } catch {
            throw CLIError("\(what): \(JSONProblem.from(error, in: data))")
        }
    }

    public static func read<T: Decodable>(_ type: T.Type, path file: String, what: String) throws -> T {
        try decode(type, from: try readFile(file, what: what), what: "\(what) \(file)")
    }
}

public func readFile(_ path: String, what: String) throws -> Data {
    guard let data = FileManager.default.contents(atPath: path) else {
        throw CLIError("cannot read \(what) \(path): no such file or not readable")
    }
    return data
}

public func writeFile(_ data: Data, to path: String, private isPrivate: Bool = false) throws {
    let url = URL(fileURLWithPath: path)
    try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    guard FileManager.default.createFile(atPath: path, contents: data, attributes: isPrivate ? [.posixPermissions: 0o600] : nil) else {
        throw CLIError("cannot write \(path)")
    }
}

/// A key file: `{"format": "sgpos-key/1", "publicKey": hex, "seed": hex, "label": text}`.
/// A key file may instead be encrypted with a passphrase (``EncryptedKeyFile``);
/// ``load(_:)`` reads both.
public struct KeyFile: Codable, Sendable {
    public static let formatName = "sgpos-key/1"
    static let fields: Set<String> = ["format", "label", "publicKey", "seed"]
    public var format: String
    public var label: String
    public var publicKey: String
    public var seed: String

    public init(label: String, key: SigningKey) {
        format = KeyFile.formatName
        self.label = label
        publicKey = key.publicKey.hex
        seed = Hex.encode(key.seed)
    }

    /// The key in the file at `path`, plain or encrypted (its passphrase from the
    /// environment: ``KeyPassphrase``). Refused when others may read or change the file.
    public static func load(_ path: String) throws -> SigningKey {
        switch try StoredKeyFile.read(path) {
        case .plain(let file):
            return try file.signingKey(path: path)
        case .encrypted(let file):
            return try file.open(passphrase: try KeyPassphrase.fromEnvironment(purpose: "key file \(path) is encrypted"), path: path)
        }
    }

    /// The key of this plain file; `path` names it in errors.
    public func signingKey(path: String) throws -> SigningKey {
        guard format == KeyFile.formatName, var seedBytes = Hex.decode(seed) else {
            throw CLIError("key file \(path) is not an \(KeyFile.formatName) file with a 32-byte seed")
        }
        defer { wipe(&seedBytes) }
        guard let key = SigningKey(seed: seedBytes) else {
            throw CLIError("key file \(path) is not an \(KeyFile.formatName) file with a 32-byte seed")
        }
        guard key.publicKey.hex == publicKey.lowercased() else {
            throw CLIError("key file \(path): publicKey does not match the seed (file damaged?)")
        }
        return key
    }

    /// Writes the file with mode 0600, atomically (``writePrivateFileAtomically(_:to:)``).
    public func write(to path: String) throws {
        try writePrivateFileAtomically(try JSON.encode(self), to: path)
    }
}

public func loadGenesis(_ path: String) throws -> Genesis {
    let document = try JSON.read(GenesisDocument.self, path: path, what: "genesis")
    do { return try document.genesis() } catch { throw CLIError("\(path): \(error)") }
}

public func openStore(_ dataDirectory: String, durability: Durability = .durable) throws -> LedgerStore {
    try LedgerStore.open(dataDirectory: dataDirectory, options: LedgerStore.Options(durability: durability, recordReferences: POSRules.recordReferences))
}

/// The JSON form of an append outcome.
public struct OutcomeJSON: Codable {
    public var status: String
    public var outletId: UInt32?
    public var height: UInt64?
    public var index: UInt32?
    public var transactionId: String?
    public var code: UInt16?
    public var reason: String?

    /// The result of `submitted`; with `isConflict` (``LedgerStore/isConflict(_:first:)``)
    /// a `duplicate` is reported as `conflict`: its idempotency id was used before by the
    /// transaction named in `transactionId`, with another signer or body, and nothing was written.
    public init(_ outcome: AppendOutcome, submitted: SignedTransaction? = nil, isConflict: Bool = false) {
        switch outcome {
        case .duplicate(let first) where isConflict:
            status = "conflict"
            outletId = first.outletID
            height = first.height
            index = first.index
            transactionId = first.transactionID.hex
            reason = "idempotency id \(submitted.map { "\($0.envelope.idempotencyID)" } ?? "?") was first used by transaction "
                + "\(first.transactionID.hex) with another signer or body; this transaction was not written"
        case .committed(let location), .duplicate(let location):
            if case .committed = outcome { status = "committed" } else { status = "duplicate" }
            outletId = location.outletID
            height = location.height
            index = location.index
            transactionId = location.transactionID.hex
        case .rejected(let rejection):
            status = "rejected"
            code = rejection.code
            reason = "\(rejection.reason): \(rejection.detail)"
        }
    }
}

/// `node.json` in a data directory: which outlet the node produces.
public struct NodeFile: Codable {
    public var outletId: UInt32

    public init(outletId: UInt32) { self.outletId = outletId }
}

/// Cents as `S$12.30`.
public func money(_ cents: Int64) -> String {
    let text = Money.decimal(cents: cents)
    return cents < 0 ? "-S$" + text.dropFirst() : "S$" + text
}

public func render(_ outcome: AppendOutcome) -> String {
    switch outcome {
    case .committed(let location): "committed at height \(location.height)"
    case .duplicate(let location): "duplicate: first result was height \(location.height) index \(location.index)"
    case .rejected(let rejection): "rejected, \(rejection)"
    }
}

/// Builds up to `count` transactions one by one against the state as it will be once
/// the earlier ones apply (the till's provisional view); the caller submits them as one
/// block (through a ``GroupCommitter``, or the demo's writer).
public func buildBlock(
    store: LedgerStore, outletID: OutletID, count: Int,
    _ build: (StateOverlay) throws -> SignedTransaction?
) throws -> [SignedTransaction] {
    var built: [SignedTransaction] = []
    try store.environment.read { transaction in
        let head = try store.head(outletID, transaction)
        var overlay = StateOverlay(base: store.stateReader(outletID, transaction))
        let context = BlockContext(genesis: store.genesis, outletID: outletID, height: head.height + 1, timestampMs: wallClockMs())
        for _ in 0..<count {
            guard let next = try build(overlay) else { continue }
            try POSRules.chainRules.apply(next, context: context, state: &overlay)
            built.append(next)
        }
    }
    return built
}

/// The local write path of a CLI command: the data directory's store, and a
/// ``GroupCommitter`` over the outlet's writer (the node's own committer type), which
/// holds the ledger's ``WriterLock`` — refused while a node writes the same directory.
public func openCommitter(data: String, nodeKey: String, blockMax: Int? = nil) throws -> (LedgerStore, GroupCommitter, OutletID) {
    let store = try openStore(data)
    let writer: OutletChainWriter
    do {
        writer = try OutletChainWriter(store: store, nodeKey: try KeyFile.load(nodeKey), rules: POSRules.chainRules)
    } catch let error as StoreError where error.isLocked {
        throw CLIError(error.message)
    }
    let limit = Int(store.genesis.blockTransactionsMax)
    let committer = GroupCommitter(writer: writer, blockMax: min(blockMax ?? limit, limit), pendingMax: limit)
    return (store, committer, writer.outletID)
}
