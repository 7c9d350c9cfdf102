import Foundation

/// The web pages the node serves (docs/WEB.md): plain HTML, CSS and JavaScript modules
/// from `Sources/SGPOSWeb/Assets`, read once into memory when the node starts (a fixed
/// set of small files, at most ``bytesMax`` in all), each with its content type.
public struct WebAssets: Sendable {
    /// One file, as served.
    public struct File: Sendable {
        public let bytes: [UInt8]
        public let contentType: String
    }

    /// More than this in all means the assets are not what this build shipped.
    public static let bytesMax = 4 << 20

    /// By URL path: `/style.css`, `/js/codec.js`, …; a folder's `index.html` also under
    /// the folder's path with a final slash (`/`, `/check/`).
    public let files: [String: File]

    /// The assets shipped with this build.
    public static func bundled() throws -> WebAssets {
        guard let root = Bundle.module.url(forResource: "Assets", withExtension: nil) else {
            throw WebAssetsError("the web assets are missing from this build (Assets in the SGPOSWeb resource bundle)")
        }
        return try WebAssets(directory: root.path)
    }

    /// The files under `directory`.
    public init(directory: String) throws {
        var files: [String: File] = [:]
        var total = 0
        guard let walker = FileManager.default.enumerator(atPath: directory) else {
            throw WebAssetsError("\(directory) cannot be read")
        }
        for case let relative as String in walker {
            var isDirectory: ObjCBool = false
            let path = directory + "/" + relative
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue,
                  let type = Self.contentType(of: relative) else { continue }
            guard let data = FileManager.default.contents(atPath: path) else { throw WebAssetsError("\(path) cannot be read") }
            total += data.count
            guard total <= Self.bytesMax else { throw WebAssetsError("the web assets exceed \(Self.bytesMax) bytes") }
            let file = File(bytes: [UInt8](data), contentType: type)
            files["/" + relative] = file
            if relative == "index.html" { files["/"] = file }
            if relative.hasSuffix("/index.html") { files["/" + relative.dropLast("index.html".count)] = file }
        }
        self.files = files
    }

    static func contentType(of path: String) -> String? {
        switch path.split(separator: ".").last {
        case "html": "text/html; charset=utf-8"
        case "css": "text/css; charset=utf-8"
        case "js": "text/javascript; charset=utf-8"
        case "svg": "image/svg+xml"
        case "json": "application/json"
        default: nil
        }
    }
}

/// The web assets could not be loaded.
public struct WebAssetsError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
