import Foundation
import SGPOSCrypto

/// HTTP Message Signatures (RFC 9421) with Ed25519, as far as SGPOS uses them: one
/// signature per request, its `Signature-Input` member an inner list of quoted component
/// names with integer and string parameters, and its `Signature` member one byte
/// sequence. Parsing is strict and bounded (header ≤ ``headerBytesMax``); what it does
/// not accept it names. docs/API.md, "Request signatures", states the profile.
public struct HTTPMessageSignature: Sendable, Equatable {
    /// The dictionary key of the signature (`sgpos` when SGPOS signs).
    public var label: String
    /// Covered components in order: derived (`@method`, `@path`, `@query`, `@authority`)
    /// or lower-case header names.
    public var components: [String]
    /// Signature parameters in order (`created`, `expires`, `keyid`, `alg`, `nonce`, …).
    public var parameters: [(name: String, value: ParameterValue)]
    /// The 64-byte Ed25519 signature.
    public var signature: [UInt8]

    /// A parameter's value: an integer or a string (RFC 8941 sf-integer, sf-string).
    public enum ParameterValue: Sendable, Equatable {
        case integer(Int64)
        case string(String)
    }

    /// The longest `Signature-Input` or `Signature` field accepted.
    public static let headerBytesMax = 1_024
    /// Components this profile can cover.
    public static let derivedComponents: Set<String> = ["@method", "@authority", "@path", "@query"]

    public init(label: String, components: [String], parameters: [(name: String, value: ParameterValue)], signature: [UInt8]) {
        self.label = label
        self.components = components
        self.parameters = parameters
        self.signature = signature
    }

    public static func == (lhs: HTTPMessageSignature, rhs: HTTPMessageSignature) -> Bool {
        lhs.label == rhs.label && lhs.components == rhs.components && lhs.signature == rhs.signature
            && lhs.parameters.map(\.name) == rhs.parameters.map(\.name) && lhs.parameters.map(\.value) == rhs.parameters.map(\.value)
    }

    /// The value of parameter `name`, if present.
    public func parameter(_ name: String) -> ParameterValue? { parameters.first { $0.name == name }?.value }

    /// The `@signature-params` value: the inner list serialized (RFC 8941 §4.1.1.1).
    public var signatureParams: String {
        var text = "(" + components.map { "\"\($0)\"" }.joined(separator: " ") + ")"
        for (name, value) in parameters {
            switch value {
            case .integer(let number): text += ";\(name)=\(number)"
            case .string(let string):
                text += ";\(name)=\"" + string.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
            }
        }
        return text
    }

    /// The signature base (RFC 9421 §2.5): one line `"name": value` per covered component,
    /// then `"@signature-params": …`, lines joined by LF with none after the last.
    /// `value(of:)` gives a component's value, nil when the message lacks it.
    public func base(value: (String) -> String?) throws(HTTPSignatureError) -> [UInt8] {
        var text = ""
        for component in components {
            guard let componentValue = value(component) else {
                throw .init(.componentMissing, "covered component \"\(component)\" is not in the request")
            }
            text += "\"\(component)\": \(componentValue)\n"
        }
        text += "\"@signature-params\": " + signatureParams
        return Array(text.utf8)
    }

    /// The `Signature-Input` field value.
    public var signatureInputField: String { "\(label)=\(signatureParams)" }
    /// The `Signature` field value.
    public var signatureField: String { "\(label)=:\(Data(signature).base64EncodedString()):" }

    /// Parses the two fields of one request. Exactly one member each, with the same label.
    public static func parse(signatureInput: String, signature: String) throws(HTTPSignatureError) -> HTTPMessageSignature {
        guard signatureInput.utf8.count <= headerBytesMax, signature.utf8.count <= headerBytesMax else {
            throw .init(.malformed, "Signature-Input and Signature are limited to \(headerBytesMax) bytes each")
        }
        var input = FieldScanner(signatureInput)
        let label = try input.key()
        try input.expect("=")
        try input.expect("(")
        var components: [String] = []
        input.skipSpaces()
        while !input.consume(")") {
            guard components.count < 16 else { throw .init(.malformed, "more than 16 covered components") }
            let name = try input.string()
            guard name == name.lowercased(), !name.isEmpty else {
                throw .init(.malformed, "component \"\(name)\" must be a lower-case name")
            }
            guard !components.contains(name) else { throw .init(.malformed, "component \"\(name)\" is covered twice") }
            components.append(name)
            if input.peek() != ")" { try input.expect(" ") }
            input.skipSpaces()
        }
        var parameters: [(name: String, value: ParameterValue)] = []
        while input.consume(";") {
            guard parameters.count < 8 else { throw .init(.malformed, "more than 8 signature parameters") }
            let name = try input.key()
            guard !parameters.contains(where: { $0.name == name }) else {
                throw .init(.malformed, "signature parameter \(name) is given twice")
            }
            try input.expect("=")
            parameters.append((name, input.peek() == "\"" ? .string(try input.string()) : .integer(try input.integer())))
        }
        guard input.atEnd else {
            throw .init(.malformed, "Signature-Input must hold exactly one signature (\(label)=(…);params) and nothing after it")
        }
        var field = FieldScanner(signature)
        let signatureLabel = try field.key()
        guard signatureLabel == label else {
            throw .init(.malformed, "Signature is labelled \(signatureLabel), Signature-Input \(label)")
        }
        try field.expect("=")
        let bytes = try field.byteSequence()
        guard field.atEnd else { throw .init(.malformed, "Signature must hold exactly one signature") }
        guard bytes.count == 64 else { throw .init(.malformed, "an Ed25519 signature is 64 bytes, not \(bytes.count)") }
        return HTTPMessageSignature(label: label, components: components, parameters: parameters, signature: bytes)
    }
}

/// Why a request signature was refused (stable codes, docs/API.md).
public struct HTTPSignatureError: Error, Sendable, CustomStringConvertible {
    enum Kind: Int {
        case malformed = 701
        case componentMissing = 702
    }

    let kind: Kind
    public let message: String
    /// Stable numeric code.
    public var code: Int { kind.rawValue }
    public var description: String { message }

    init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }
}

/// A cursor over a structured field's bytes (RFC 8941, the parts this profile uses).
private struct FieldScanner {
    private let bytes: [UInt8]
    private var index = 0

    init(_ text: String) { bytes = Array(text.utf8) }

    var atEnd: Bool { index == bytes.count }
    func peek() -> Character? { index < bytes.count ? Character(UnicodeScalar(bytes[index])) : nil }

    mutating func consume(_ character: Character) -> Bool {
        guard peek() == character else { return false }
        index += 1
        return true
    }

    mutating func expect(_ character: Character) throws(HTTPSignatureError) {
        guard consume(character) else {
            throw .init(.malformed, "expected \"\(character)\" at byte \(index) of a signature field")
        }
    }

    mutating func skipSpaces() { while consume(" ") {} }

    /// An sf-key: lcalpha or "*", then lcalpha, digits, "_", "-", ".", "*"; at most 64 bytes.
    mutating func key() throws(HTTPSignatureError) -> String {
        let start = index
        while index < bytes.count, index - start < 64 {
            let byte = bytes[index]
            let first = index == start
            let ok = (byte >= 0x61 && byte <= 0x7A) || byte == 0x2A
                || (!first && ((byte >= 0x30 && byte <= 0x39) || byte == 0x5F || byte == 0x2D || byte == 0x2E))
            guard ok else { break }
            index += 1
        }
        guard index > start else { throw .init(.malformed, "expected a lower-case key at byte \(start) of a signature field") }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    /// An sf-string: printable ASCII between quotes, `\"` and `\\` escaped.
    mutating func string() throws(HTTPSignatureError) -> String {
        try expect("\"")
        var out: [UInt8] = []
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            switch byte {
            case 0x22: return String(decoding: out, as: UTF8.self)
            case 0x5C:
                guard index < bytes.count, bytes[index] == 0x22 || bytes[index] == 0x5C else {
                    throw .init(.malformed, "a string may escape only \\\" and \\\\")
                }
                out.append(bytes[index])
                index += 1
            case 0x20...0x7E: out.append(byte)
            default: throw .init(.malformed, "a string holds printable ASCII only")
            }
        }
        throw .init(.malformed, "a string is not closed")
    }

    /// An sf-integer: optional "-", 1–15 digits.
    mutating func integer() throws(HTTPSignatureError) -> Int64 {
        let negative = consume("-")
        let start = index
        while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39, index - start < 15 { index += 1 }
        guard index > start, let value = Int64(String(decoding: bytes[start..<index], as: UTF8.self)) else {
            throw .init(.malformed, "expected an integer or a string at byte \(start) of a signature field")
        }
        return negative ? -value : value
    }

    /// An sf-binary: base64 between colons.
    mutating func byteSequence() throws(HTTPSignatureError) -> [UInt8] {
        try expect(":")
        let start = index
        while index < bytes.count, bytes[index] != 0x3A { index += 1 }
        let text = String(decoding: bytes[start..<index], as: UTF8.self)
        try expect(":")
        guard let data = Data(base64Encoded: text) else { throw .init(.malformed, "the signature is not base64") }
        return Array(data)
    }
}
