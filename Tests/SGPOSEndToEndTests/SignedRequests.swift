import AsyncHTTPClient
import Foundation
import NIOHTTP1
import SGPOSClient
import SGPOSCrypto

extension HTTPClientRequest {
    /// Adds an RFC 9421 request signature by `key` (docs/API.md, "Request signatures"),
    /// over the request's method, path, query and `body`.
    mutating func sign(with key: SigningKey, body: [UInt8]?) {
        for (name, value) in RequestSigner(key: key).headers(method: method.rawValue, target: requestTarget(url), body: body) {
            headers.add(name: name, value: value)
        }
    }
}

/// The request target of an absolute URL as sent: everything from the first "/" after
/// the authority (the URL's raw bytes, percent-encoding kept).
func requestTarget(_ url: String) -> String {
    guard let scheme = url.range(of: "://") else { return url }
    let rest = url[scheme.upperBound...]
    guard let slash = rest.firstIndex(of: "/") else { return "/" }
    return String(rest[slash...])
}
