import Dispatch
import Foundation
import SGPOSChain

/// `sgpos demo --serve`: after the demo has verified, its nodes run again (`sgpos node run`
/// with the demo's configurations, fault drills off) until Ctrl-C or SIGTERM, so that a
/// browser can use each node's till, back office and receipt checker (docs/WEB.md).
struct DemoServe {
    let directory: String
    let outlets: [OutletID]

    /// Each node's API URL, from its configuration.
    static func url(directory: String, outlet: OutletID) -> String? {
        guard let data = FileManager.default.contents(atPath: "\(directory)/node-\(outlet).json"),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let http = object["http"] as? [String: Any], let host = http["host"] as? String, let port = http["port"] as? Int
        else { return nil }
        return "http://\(host):\(port)"
    }

    /// The lines telling where each node's pages are and how to pair a browser.
    static func webLines(directory: String, outlets: [OutletID]) -> [String] {
        var lines: [String] = []
        for outlet in outlets {
            guard let url = url(directory: directory, outlet: outlet) else { continue }
            lines.append("   outlet \(outlet): till \(url)/till/  back office \(url)/office/  explorer \(url)/explorer/  receipt checker \(url)/check/")
        }
        if let first = outlets.first, let url = url(directory: directory, outlet: first) {
            lines.append("   pair a browser as a till of outlet \(first): sgpos keys register --node \(url) "
                + "--key \(directory)/keys/outlet-\(first)-manager.key --public-key <the key the page shows> --principal till-web-01")
            lines.append("   the back office and explorer: the same with --key \(directory)/keys/admin-hq-admin.key --role auditor --principal office-1")
        }
        return lines
    }

    func run() throws {
        var processes: [Process] = []
        let binary = ownExecutable()
        for outlet in outlets {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: binary)
            process.arguments = ["node", "run", "--data", "\(directory)/outlet-\(outlet)", "--config", "\(directory)/node-\(outlet).json",
                                 "--log-level", "warning"]
            let log = FileHandle(forWritingAtPath: "\(directory)/node-\(outlet).log")
            log?.seekToEndOfFile()
            process.standardOutput = log
            process.standardError = log
            try process.run()
            processes.append(process)
        }
        print("== the demo's nodes serve their web pages until Ctrl-C (docs/WEB.md):")
        Self.webLines(directory: directory, outlets: outlets).forEach { print($0) }
        let stop = DispatchSemaphore(value: 0)
        var sources: [any DispatchSourceSignal] = []
        for number in [SIGINT, SIGTERM] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { stop.signal() }
            source.resume()
            sources.append(source)
        }
        // Also stop when a node dies (its log says why).
        while stop.wait(timeout: .now() + 1) == .timedOut {
            if let dead = zip(outlets, processes).first(where: { !$0.1.isRunning }) {
                print("   the node of outlet \(dead.0) stopped; see \(directory)/node-\(dead.0).log")
                break
            }
        }
        for process in processes where process.isRunning { process.terminate() }
        for process in processes { process.waitUntilExit() }
        sources.forEach { $0.cancel() }
        print("== nodes stopped")
    }
}
