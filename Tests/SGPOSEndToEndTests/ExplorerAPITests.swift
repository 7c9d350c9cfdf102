import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SGPOSChain
import SGPOSClient
import SGPOSCodec
import SGPOSCrypto
import SGPOSExport
import SGPOSReports
import SGPOSStore
import Testing

/// The explorer's endpoints (docs/API.md, "Explorer") against a real node: a block's rows
/// are exactly the rows the PostgreSQL mirror writes for it (``BlockRows``, read as the
/// mirror reads them, the period carried from block 1), for every block of both chains
/// the node holds, and the block pages walk each chain from its head down to block 1.
@Suite struct ExplorerAPITests {
    /// One JSON cell back as the ``ExportValue`` it was made from.
    struct Cell: Decodable {
        let value: ExportValue

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if container.decodeNil() {
                value = .null
            } else if let flag = try? container.decode(Bool.self) {
                value = .bool(flag)
            } else if let number = try? container.decode(Int64.self) {
                value = .int(number)
            } else {
                value = .text(try container.decode(String.self))
            }
        }
    }

    struct Table: Decodable {
        let columns: [String]
        let rows: [[Cell]]
    }

    struct Rows: Decodable {
        let outletId: UInt32
        let height: UInt64
        let blockId: String
        let tableOrder: [String]
        let tables: [String: Table]
    }

    struct Page: Decodable {
        struct Block: Decodable {
            let height: UInt64
            let blockId: String
            let timestampMs: UInt64
            let transactions: Int
            let producer: String
        }

        let outletId: UInt32
        let head: UInt64
        let blocks: [Block]
        let nextBefore: UInt64?
    }

    @Test func rowsAreTheMirrorsAndPagesWalkTheChain() async throws {
        let scratch = Scratch()
        let demo = scratch.path + "/demo"
        #expect(try await CLI.demo(demo, outlets: 2, sales: 6).status == 0)
        let node = try NodeProcess.start(demo: demo, outlet: 1, faultInjection: false)
        defer { node.stop() }
        try await node.waitHealthy(peers: 0)
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        defer { _ = http.shutdown() }
        func get(_ target: String, as key: SigningKey? = nil) async throws -> (status: Int, body: Data) {
            var request = HTTPClientRequest(url: node.client.baseURL + target)
            request.method = .GET
            for (name, value) in RequestSigner(key: key ?? node.admin).headers(method: "GET", target: target, body: nil) {
                request.headers.add(name: name, value: value)
            }
            let response = try await http.execute(request, timeout: .seconds(30))
            return (Int(response.status.code), Data((try await response.body.collect(upTo: 16 << 20)).readableBytesView))
        }

        let store = try LedgerStore.open(dataDirectory: demo + "/outlet-1")
        var closedDays = 0
        for outlet in store.genesis.outlets.map(\.id) {
            let head = try store.environment.read { try store.head(outlet, $0).height }
            #expect(head > 3, "outlet \(outlet) has blocks here")
            // Every block: the node's rows are the mirror's rows.
            var period: UInt64 = 1
            for height in 1...head {
                let (expected, blockID) = try BlockRows.read(store, outlet: outlet, height: height, period: period)
                period = expected.period
                let answer = try await get("/v1/outlets/\(outlet)/blocks/\(height)/rows")
                try #require(answer.status == 200, "outlet \(outlet) block \(height): \(String(decoding: answer.body, as: UTF8.self))")
                let rows = try JSONDecoder().decode(Rows.self, from: answer.body)
                #expect(rows.outletId == outlet && rows.height == height && rows.blockId == blockID)
                #expect(rows.tableOrder == BlockRows.tables.filter { !(expected.rows[$0] ?? []).isEmpty })
                for table in BlockRows.tables {
                    let mine = rows.tables[table].map { $0.rows.map { $0.map(\.value) } } ?? []
                    #expect(mine == expected.rows[table] ?? [], "outlet \(outlet) block \(height) table \(table)")
                    if let columns = rows.tables[table]?.columns { #expect(columns == BlockRows.columns[table]) }
                }
            }
            closedDays += Int(period - 1)
            // The pages, 7 blocks at a time, newest first, down to block 1.
            var heights: [UInt64] = []
            var target = "/v1/outlets/\(outlet)/blocks?limit=7"
            while true {
                let answer = try await get(target)
                try #require(answer.status == 200)
                let page = try JSONDecoder().decode(Page.self, from: answer.body)
                #expect(page.head == head && page.blocks.count <= 7)
                for block in page.blocks {
                    let stored = try #require(try store.environment.read { try store.block(outlet, height: block.height, $0) })
                    #expect(block.blockId == stored.id.hex && block.transactions == stored.transactions.count
                        && block.timestampMs == stored.header.timestampMs && block.producer == stored.header.producer.hex)
                }
                heights += page.blocks.map(\.height)
                guard let next = page.nextBefore else { break }
                target = "/v1/outlets/\(outlet)/blocks?limit=7&before=\(next)"
            }
            #expect(heights == Array((1...head).reversed()))
        }
        #expect(closedDays > 0, "the demo closes days, so blocks after a day-close carry a later period")

        // Access and bad input.
        let head = try store.environment.read { try store.head(1, $0).height }
        let manager1 = try NodeTests().loadKey(demo + "/keys/outlet-1-manager.key")
        let manager2 = try NodeTests().loadKey(demo + "/keys/outlet-2-manager.key")
        let till = try NodeTests().loadKey(demo + "/keys/outlet-1-till-03.key")
        #expect(try await get("/v1/outlets/1/blocks", as: manager1).status == 200)
        #expect(try await get("/v1/outlets/1/blocks/1/rows", as: manager1).status == 200)
        #expect(try await get("/v1/outlets/1/blocks", as: manager2).status == 403)
        #expect(try await get("/v1/outlets/1/blocks/1/rows", as: till).status == 403)
        #expect(try await get("/v1/outlets/1/blocks/\(head + 1)/rows").status == 404)
        #expect(try await get("/v1/outlets/9/blocks").status == 404)
        let page = try JSONDecoder().decode(Page.self, from: try await get("/v1/outlets/1/blocks?before=1").body)
        #expect(page.blocks.isEmpty && page.nextBefore == nil)
        let tooMany = try await get("/v1/outlets/1/blocks?limit=51")
        #expect(tooMany.status == 400 && String(decoding: tooMany.body, as: UTF8.self).contains("limit"))
        let defaultPage = try JSONDecoder().decode(Page.self, from: try await get("/v1/outlets/1/blocks").body)
        #expect(defaultPage.blocks.count == min(20, Int(head)) && defaultPage.blocks.first?.height == head)
    }
}
