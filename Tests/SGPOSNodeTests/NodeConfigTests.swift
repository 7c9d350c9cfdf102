import SGPOSNode
import Testing

/// Paths in a node's configuration are relative to the configuration file's directory.
@Suite struct NodeConfigTests {
    @Test func pathsResolveAgainstTheConfigurationsDirectory() {
        #expect(NodeConfig.resolve("genesis.json", relativeTo: "/srv/sgpos/node.json") == "/srv/sgpos/genesis.json")
        #expect(NodeConfig.resolve("keys/outlet-1.key", relativeTo: "demo/node-1.json") == "demo/keys/outlet-1.key")
        #expect(NodeConfig.resolve("/etc/sgpos/genesis.json", relativeTo: "demo/node-1.json") == "/etc/sgpos/genesis.json")
        // `--config node-1.json` from the directory that holds it: not the file system's root.
        #expect(NodeConfig.resolve("genesis.json", relativeTo: "node-1.json") == "genesis.json")
    }
}
