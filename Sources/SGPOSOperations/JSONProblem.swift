import Foundation

/// What is wrong with a JSON document, in the document's own terms: the field's path as
/// the document writes it (`lines[0].qty`), what was expected there and what was found
/// (`lines[0].qty: expected an integer, got 2.5`). One wording for the API's 400s, the
/// command line's inputs and the node's configuration file.
public struct JSONProblem: Error, Sendable, Hashable, CustomStringConvertible {
    /// The field's path (`lines[0].qty`); empty for the document as a whole.
    public let field: String
    /// What is wrong with it.
    public let problem: String

    public init(field: String, problem: String) {
        self.field = field
        self.problem = problem
    }

    public var description: String { field.isEmpty ? problem : "\(field): \(problem)" }

    /// The problem `error` (thrown by `JSONDecoder` while decoding `data`) describes.
    public static func from(_ error: any Error, in data: Data) -> JSONProblem {
        if let problem = error as? JSONProblem { return problem }
        guard let decoding = error as? DecodingError else { return JSONProblem(field: "", problem: "not valid JSON") }
        switch decoding {
        case .keyNotFound(let key, let context):
            return JSONProblem(field: "", problem: "missing field \"\(path(context.codingPath + [key]))\"")
        case .valueNotFound(let type, let context):
            return JSONProblem(field: path(context.codingPath), problem: "expected \(expected(type)), got null")
        case .typeMismatch(let type, let context):
            return JSONProblem(field: path(context.codingPath), problem: "expected \(expected(type)), got \(found(at: context.codingPath, in: data))")
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty {
                // Foundation's decoder calls a number that does not fit its integer field
                // "not valid JSON", without a path: when the document parses, that is the
                // problem, and the first number that is not a whole one is the field.
                guard let document = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) else {
                    return JSONProblem(field: "", problem: "not valid JSON")
                }
                if let (field, number) = firstNonInteger(document, path: "") {
                    return JSONProblem(field: field, problem: "expected an integer, got \(number)")
                }
                return JSONProblem(field: "", problem: "a value does not fit its field (\(context.debugDescription))")
            }
            let value = found(at: context.codingPath, in: data)
            if context.debugDescription.contains("does not fit") {
                let isFraction = value.contains(".") || value.lowercased().contains("e")
                return JSONProblem(field: path(context.codingPath),
                                   problem: isFraction ? "expected an integer, got \(value)" : "expected a smaller integer, got \(value)")
            }
            return JSONProblem(field: path(context.codingPath), problem: "\(context.debugDescription.trimmingCharacters(in: .punctuationCharacters)) (got \(value))")
        @unknown default:
            return JSONProblem(field: "", problem: "not valid JSON")
        }
    }

    /// The path and text of the first number in `value` that is not a whole number within
    /// 64 bits (every number the documents read is an integer; money is a string).
    static func firstNonInteger(_ value: Any, path: String) -> (String, String)? {
        if let object = value as? [String: Any] {
            for key in object.keys.sorted() {
                if let found = firstNonInteger(object[key]!, path: path.isEmpty ? key : path + "." + key) { return found }
            }
        } else if let list = value as? [Any] {
            for (index, element) in list.enumerated() {
                if let found = firstNonInteger(element, path: "\(path)[\(index)]") { return found }
            }
        } else if let number = value as? NSNumber, !(value is String) {
            let type = String(cString: number.objCType)
            if type == "d" || type == "f" || (type == "Q" && number.uint64Value > UInt64(Int64.max)) { return (path, number.stringValue) }
        }
        return nil
    }

    /// `lines[0].qty` for the coding path lines → index 0 → qty.
    public static func path(_ keys: [any CodingKey]) -> String {
        var text = ""
        for key in keys {
            if let index = key.intValue, key.stringValue.hasPrefix("Index") || key.stringValue == String(index) {
                text += "[\(index)]"
            } else {
                text += (text.isEmpty ? "" : ".") + key.stringValue
            }
        }
        return text
    }

    /// What a Swift type is called in a JSON document.
    static func expected(_ type: Any.Type) -> String {
        let name = String(describing: type)
        if name.hasPrefix("Optional<") { return expected(name: String(name.dropFirst(9).dropLast())) }
        return expected(name: name)
    }

    private static func expected(name: String) -> String {
        switch name {
        case "Int", "Int8", "Int16", "Int32", "Int64", "UInt", "UInt8", "UInt16", "UInt32", "UInt64": return "an integer"
        case "Double", "Float", "Decimal": return "a number"
        case "String": return "a string"
        case "Bool": return "true or false"
        default:
            if name.hasPrefix("Array<") || name.hasPrefix("[") && !name.contains(":") { return "a list" }
            return "an object"
        }
    }

    /// The value at `keys` in `data`, as JSON writes it (strings quoted, lists and objects named).
    static func found(at keys: [any CodingKey], in data: Data) -> String {
        guard var value = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) else { return "something else" }
        for key in keys {
            if let index = key.intValue, let list = value as? [Any], index < list.count {
                value = list[index]
            } else if let object = value as? [String: Any], let next = object[key.stringValue] {
                value = next
            } else {
                return "nothing"
            }
        }
        switch value {
        case is NSNull: return "null"
        case let text as String: return "\"\(text.count > 40 ? String(text.prefix(40)) + "…" : text)\""
        case let number as NSNumber:
            if String(cString: number.objCType) == "c" { return number.boolValue ? "true" : "false" }
            return number.stringValue
        case is [Any]: return "a list"
        default: return "an object"
        }
    }
}
