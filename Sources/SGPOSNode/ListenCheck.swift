import Foundation
import Glibc

/// Whether this process could listen on an address now: the check `node run` makes before
/// it starts (so a clash is named, `port 7101 on 127.0.0.1 is in use`, not left to the
/// socket layer's `bind(descriptor:ptr:bytes:)`) and `node check-config` reports.
public enum ListenCheck {
    /// nil when `host`:`port` can be bound now; otherwise why not, naming both.
    public static func problem(host: String, port: Int) -> String? {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_PASSIVE
        var found: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &found) == 0, let first = found else {
            return "host \(host) does not resolve to an address of this machine"
        }
        defer { freeaddrinfo(first) }
        let descriptor = socket(first.pointee.ai_family, first.pointee.ai_socktype, first.pointee.ai_protocol)
        guard descriptor >= 0 else { return "no socket for \(host):\(port): \(String(cString: strerror(errno)))" }
        defer { close(descriptor) }
        var yes: Int32 = 1
        setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        guard bind(descriptor, first.pointee.ai_addr, first.pointee.ai_addrlen) == 0 else {
            switch errno {
            case EADDRINUSE: return "port \(port) on \(host) is in use (another node or program listens there)"
            case EACCES: return "port \(port) on \(host) needs privileges this user lacks (use a port above 1023)"
            case EADDRNOTAVAIL: return "\(host) is not an address of this machine"
            default: return "cannot listen on port \(port) on \(host): \(String(cString: strerror(errno)))"
            }
        }
        return nil
    }
}
