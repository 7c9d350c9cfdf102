import ArgumentParser
import Foundation
import SGPOSChain
import SGPOSCodec
import SGPOSCrypto
import SGPOSStore

/// A command-line failure with one clear line for the operator.
struct CLIError: Error, CustomStringConvertible {
    let message: String
    init(_ message: String) { self.message = message }
    var description: String { message }
}

/// JSON helpers with stable output (sorted keys).
enum JSON {
    static func encode<T: Encodable>(_ value: T) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(value)
    }

    static func string<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try encode(value), as: UTF8.self)
    }

    static func decode<T: Decodable>(_ type: T.Type, from data: Data, what: String) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: data)
        } catch let DecodingError.keyNotFound(key, context) {
            throw CLIError("\(what): missing field \"\(path(context.codingPath + [key]))\"")
        } catch let DecodingError.typeMismatch(_, context) {
            throw CLIError("\(what): wrong type at \"\(path(context.codingPath))\": \(context.debugDescription)")
        } catch let DecodingError.valueNotFound(_, context) {
            throw CLIError("\(what): null at \"\(path(context.codingPath))\"")
        } catch let DecodingError.dataCorrupted(context) {
            throw CLIError("\(what): not valid JSON at \"\(path(context.codingPath))\": \(context.debugDescription)")
        }
    }

    static func read<T: Decodable>(_ type: T.Type, path file: String, what: String) throws -> T {
        try decode(type, from: try readFile(file, what: what), what: "\(what) \(file)")
    }

    private static func path(_ keys: [any CodingKey]) -> String {
        keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
    }
}

func readFile(_ path: String, what: String) throws -> Data {
    guard let data = FileManager.default.contents(atPath: path) else {
        throw CLIError("cannot read \(what) \(path): no such file or not readable")
    }
    return data
}

func writeFile(_ data: Data, to path: String, private isPrivate: Bool = false) throws {
    let url = URL(fileURLWithPath: path)
    try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    guard FileManager.default.createFile(atPath: path, contents: data, attributes: isPrivate ? [.posixPermissions: 0o600] : nil) else {
        throw CLIError("cannot write \(path)")
    }
}

/// A key file: `{"format": "sgpos-key/1", "publicKey": hex, "seed": hex, "label": text}`.
struct KeyFile: Codable {
    static let formatName = "sgpos-key/1"
    var format: String
    var label: String
    var publicKey: String
    var seed: String

    init(label: String, key: SigningKey) {
        format = KeyFile.formatName
        self.label = label
        publicKey = key.publicKey.hex
        seed = Hex.encode(key.seed)
    }

    static func load(_ path: String) throws -> SigningKey {
        let file = try JSON.read(KeyFile.self, path: path, what: "key file")
        guard file.format == formatName, let seed = Hex.decode(file.seed), let key = SigningKey(seed: seed) else {
            throw CLIError("key file \(path) is not an \(formatName) file with a 32-byte seed")
        }
        guard key.publicKey.hex == file.publicKey.lowercased() else {
            throw CLIError("key file \(path): publicKey does not match the seed (file damaged?)")
        }
        return key
    }

    func write(to path: String) throws {
        try writeFile(try JSON.encode(self), to: path, private: true)
    }
}

func loadGenesis(_ path: String) throws -> Genesis {
    let document = try JSON.read(GenesisDocument.self, path: path, what: "genesis")
    do { return try document.genesis() } catch { throw CLIError("\(path): \(error)") }
}

/// Milliseconds since the epoch from the system clock (the CLI edge; the core never
/// reads it). Integer all the way: the value ends up hashed and signed.
func wallClockMs() -> TimestampMs {
    var now = timespec()
    clock_gettime(CLOCK_REALTIME, &now)
    return TimestampMs(now.tv_sec) * 1_000 + TimestampMs(now.tv_nsec / 1_000_000)
}

func openStore(_ dataDirectory: String, durability: Durability = .durable) throws -> LedgerStore {
    try LedgerStore.open(dataDirectory: dataDirectory, options: LedgerStore.Options(durability: durability))
}

/// The JSON form of an append outcome.
struct OutcomeJSON: Codable {
    var status: String
    var outletId: UInt32?
    var height: UInt64?
    var index: UInt32?
    var transactionId: String?
    var code: UInt16?
    var reason: String?

    init(_ outcome: AppendOutcome) {
        switch outcome {
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
