import Foundation
import SGPOSNode
import Testing

/// Paths in a node's configuration are relative to the configuration file's directory;
/// a receipt printer's target and profile are checked when the file is read.
@Suite struct NodeConfigTests {
    @Test func pathsResolveAgainstTheConfigurationsDirectory() {
        #expect(NodeConfig.resolve("genesis.json", relativeTo: "/srv/sgpos/node.json") == "/srv/sgpos/genesis.json")
        #expect(NodeConfig.resolve("keys/outlet-1.key", relativeTo: "demo/node-1.json") == "demo/keys/outlet-1.key")
        #expect(NodeConfig.resolve("/etc/sgpos/genesis.json", relativeTo: "demo/node-1.json") == "/etc/sgpos/genesis.json")
        // `--config node-1.json` from the directory that holds it: not the file system's root.
        #expect(NodeConfig.resolve("genesis.json", relativeTo: "node-1.json") == "genesis.json")
    }

    func config(printer: String) -> Data {
        Data("""
            {"outletId": 1, "genesis": "genesis.json", "nodeKey": "k", "http": {"host": "127.0.0.1", "port": 7101},
             "peer": {"host": "127.0.0.1", "port": 7201}, "peers": [], "printer": \(printer)}
            """.utf8)
    }

    @Test func aPrinterTargetAndProfileAreCheckedOnLoad() throws {
        for good in [#"{"target": "usb", "profile": "tm-t88"}"#, #"{"target": "usb:04b8:0202", "profile": "Epson TM-T20"}"#,
                     #"{"target": "tcp:10.0.0.9:9100", "profile": "tsp100"}"#, #"{"target": "file:/tmp/a:b.bin", "profile": "srp-350"}"#] {
            let loaded = try NodeConfig.decode(config(printer: good), path: "node.json")
            #expect(loaded.printer != nil, "\(good)")
        }
        for (bad, named) in [(#"{"target": "lpt1", "profile": "tm-t88"}"#, "usb, usb:VVVV:PPPP"),
                             (#"{"target": "usb:4b8", "profile": "tm-t88"}"#, "usb:VVVV:PPPP"),
                             (#"{"target": "tcp:host:0", "profile": "tm-t88"}"#, "tcp:HOST:PORT"),
                             (#"{"target": "tcp::9100", "profile": "tm-t88"}"#, "tcp:HOST:PORT"),
                             (#"{"target": "file:", "profile": "tm-t88"}"#, "file:PATH"),
                             (#"{"target": "usb", "profile": "tm-u220"}"#, "tm-t88, tm-t20, tsp100, srp-350")] {
            #expect { try NodeConfig.decode(config(printer: bad), path: "node.json") } throws: { error in
                "\(error)".contains("node.json: printer:") && "\(error)".contains(named)
            }
        }
    }
}
