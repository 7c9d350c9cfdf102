import Foundation

/// JSON decoding that refuses what it would otherwise ignore: a field the type does not
/// have (a typo such as `memberID` for `memberId` would quote without the member) and an
/// explicit `null` (leave an optional field out instead). Used for API request bodies and
/// configuration files; the error names the field by its path (`lines[0].skew`).
public enum StrictJSON {
    /// Decodes `type` from `data`; throws ``StrictJSONError`` for an unknown or null field,
    /// and the decoder's own error for anything else.
    public static func decode<T: Codable>(_ type: T.Type, from data: Data) throws -> T {
        let value = try JSONDecoder().decode(T.self, from: data)
        let input = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        // What the type reads is what it writes back: every field it has, with a value.
        let known = try JSONSerialization.jsonObject(with: JSONEncoder().encode(value), options: [.fragmentsAllowed])
        if let error = firstUnknown(input, known, path: "") { throw error }
        return value
    }

    private static func firstUnknown(_ input: Any, _ known: Any, path: String) -> StrictJSONError? {
        if let object = input as? [String: Any] {
            let knownObject = known as? [String: Any] ?? [:]
            for key in object.keys.sorted() {
                let field = path.isEmpty ? key : path + "." + key
                guard let value = object[key] else { continue }
                if value is NSNull { return StrictJSONError(field: field, isNull: true) }
                guard let knownValue = knownObject[key] else { return StrictJSONError(field: field, isNull: false) }
                if let error = firstUnknown(value, knownValue, path: field) { return error }
            }
        } else if let array = input as? [Any], let knownArray = known as? [Any] {
            for (index, (element, knownElement)) in zip(array, knownArray).enumerated() {
                if let error = firstUnknown(element, knownElement, path: "\(path)[\(index)]") { return error }
            }
        }
        return nil
    }
}

/// A JSON document with a field its type does not have, or a `null` field.
public struct StrictJSONError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The field's path (`lines[0].skew`).
    public let field: String
    /// The field is known but was sent as `null`.
    public let isNull: Bool

    public var description: String {
        isNull ? "field \"\(field)\" is null; leave an optional field out instead" : "unknown field \"\(field)\""
    }
}
