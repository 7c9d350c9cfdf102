import Foundation

/// JSON decoding that refuses what it would otherwise ignore: a field the type does not
/// have (a typo such as `memberID` for `memberId` would quote without the member) and an
/// explicit `null` (leave an optional field out instead). Used for API request bodies and
/// configuration files; the error names the field by its path (`lines[0].skew`).
public enum StrictJSON {
    /// Decodes `type` from `data`; throws a ``JSONProblem`` naming the field for anything
    /// wrong: an unknown or null field, a missing one, a value of the wrong type, bytes
    /// that are not JSON.
    public static func decode<T: Codable>(_ type: T.Type, from data: Data) throws(JSONProblem) -> T {
        let value: T
        let input: Any
        do {
            value = try JSONDecoder().decode(T.self, from: data)
            input = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        } catch {
            throw JSONProblem.from(error, in: data)
        }
        // What the type reads is what it writes back: every field it has, with a value.
        guard let encoded = try? JSONEncoder().encode(value),
              let known = try? JSONSerialization.jsonObject(with: encoded, options: [.fragmentsAllowed]) else {
            throw JSONProblem(field: "", problem: "cannot be read back")
        }
        if let error = firstUnknown(input, known, path: "") { throw error }
        return value
    }

    private static func firstUnknown(_ input: Any, _ known: Any, path: String) -> JSONProblem? {
        if let object = input as? [String: Any] {
            let knownObject = known as? [String: Any] ?? [:]
            for key in object.keys.sorted() {
                let field = path.isEmpty ? key : path + "." + key
                guard let value = object[key] else { continue }
                if value is NSNull { return JSONProblem(field: "", problem: "field \"\(field)\" is null; leave an optional field out instead") }
                guard let knownValue = knownObject[key] else { return JSONProblem(field: "", problem: "unknown field \"\(field)\"") }
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
