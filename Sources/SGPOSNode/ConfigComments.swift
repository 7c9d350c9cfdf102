import Foundation

/// Comments in a node's configuration file: `//` to the end of the line, outside strings
/// (the file `sgpos node init` writes explains every option this way). They are replaced
/// by spaces before the JSON is read, so errors keep their line and column.
enum ConfigComments {
    static func strip(_ data: Data) -> Data {
        var bytes = [UInt8](data)
        var inString = false, escaped = false, index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if inString {
                if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") { inString = false }
            } else if byte == UInt8(ascii: "\"") {
                inString = true
            } else if byte == UInt8(ascii: "/"), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "/") {
                while index < bytes.count, bytes[index] != UInt8(ascii: "\n") {
                    bytes[index] = UInt8(ascii: " ")
                    index += 1
                }
                continue
            }
            index += 1
        }
        return Data(bytes)
    }
}
