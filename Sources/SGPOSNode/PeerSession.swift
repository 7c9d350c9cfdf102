import Foundation
import NIOCore
import SGPOSChain
import SGPOSCodec
import SGPOSCrypto
import Synchronization

/// One peer connection: frames, the Ed25519 handshake, then messages. The handshake
/// proves each side holds the genesis node key of the outlet it claims; anything else
/// first, a wrong chain, or a bad signature ends the connection.
final class PeerSession: Sendable {
    let node: LedgerNode
    let connection: NIOAsyncChannel<ByteBuffer, ByteBuffer>
    /// Set once the handshake succeeds; read by the handshake deadline, the replicator
    /// and senders on other tasks.
    private struct Link {
        var peerOutlet: OutletID?
        var outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>?
    }
    private let link = Mutex(Link())
    private let writeLock = AsyncLock()

    /// The authenticated peer's outlet (nil before the handshake succeeds).
    var peerOutlet: OutletID? { link.withLock { $0.peerOutlet } }

    enum Event: Sendable {
        case authenticated(OutletID)
        case message(PeerMessage)
    }

    init(node: LedgerNode, connection: NIOAsyncChannel<ByteBuffer, ByteBuffer>) {
        self.node = node
        self.connection = connection
    }

    /// Adds the frame decoder and wraps the channel for async use (bounded buffers:
    /// NIO's back-pressure stops reading when the consumer lags).
    static func configure(_ channel: any Channel) throws -> NIOAsyncChannel<ByteBuffer, ByteBuffer> {
        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(FrameDecoder()))
        return try NIOAsyncChannel(
            wrappingChannelSynchronously: channel,
            configuration: .init(backPressureStrategy: .init(lowWatermark: 4, highWatermark: 16)))
    }

    func run(expected: OutletID?, _ handle: @Sendable (Event) async throws -> Void) async throws {
        // The handshake must finish within 5 s, or the connection is closed.
        let channel = connection.channel
        let deadline = Task {
            try await Task.sleep(nanoseconds: 5_000_000_000)
            if self.peerOutlet == nil { try? await channel.close() }
        }
        defer { deadline.cancel() }
        try await connection.executeThenClose { inbound, outbound in
            let nonce = Hash256.sha256(secureRandomBytes(32))
            try await self.write(outbound, .hello(chainID: node.genesis.chainID, genesisID: node.genesis.id,
                                                  outlet: node.outletID, nonce: nonce))
            var iterator = inbound.makeAsyncIterator()
            guard let helloFrame = try await iterator.next() else { throw NodeError.peerProtocol("closed before hello") }
            guard case .hello(let chain, let genesisID, let claimed, let peerNonce) = try PeerMessage(decoding: Array(helloFrame.readableBytesView)) else {
                throw NodeError.peerProtocol("expected hello")
            }
            guard chain == node.genesis.chainID, genesisID == node.genesis.id else {
                throw NodeError.peerProtocol("peer is on chain \(chain) genesis \(genesisID); this node is on \(node.genesis.chainID)")
            }
            guard claimed != node.outletID, node.genesis.outlet(claimed) != nil, expected == nil || expected == claimed else {
                throw NodeError.peerProtocol("peer claims outlet \(claimed), which is not a peer of outlet \(node.outletID)")
            }
            let mine = PeerMessage.authMessage(genesisID: genesisID, peerNonce: peerNonce, signer: node.outletID)
            try await self.write(outbound, .auth(signature: node.signPeerAuth(mine)))
            guard let authFrame = try await iterator.next(),
                case .auth(let signature) = try PeerMessage(decoding: Array(authFrame.readableBytesView))
            else { throw NodeError.peerProtocol("expected auth") }
            let theirs = PeerMessage.authMessage(genesisID: node.genesis.id, peerNonce: nonce, signer: claimed)
            guard let key = node.genesis.outlet(claimed)?.nodeKey, key.isValidSignature(signature, for: theirs) else {
                throw NodeError.peerProtocol("outlet \(claimed)'s handshake signature does not verify under its genesis key")
            }
            self.link.withLock { $0 = Link(peerOutlet: claimed, outbound: outbound) }
            try await handle(.authenticated(claimed))
            while let frame = try await iterator.next() {
                try await handle(.message(try PeerMessage(decoding: Array(frame.readableBytesView))))
            }
        }
    }

    func send(_ message: PeerMessage) async throws {
        guard let outbound = link.withLock({ $0.outbound }) else { throw NodeError.peerProtocol("not connected") }
        try await write(outbound, message)
    }

    private func write(_ outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>, _ message: PeerMessage) async throws {
        let payload = message.encoded
        guard payload.count <= PeerMessage.frameBytesMax else { throw NodeError.peerProtocol("message over the frame limit") }
        var buffer = ByteBuffer()
        buffer.reserveCapacity(4 + payload.count)
        buffer.writeInteger(UInt32(payload.count))
        buffer.writeBytes(payload)
        let frame = buffer
        try await writeLock.withLock { try await outbound.write(frame) }
    }

    func close() async {
        try? await connection.channel.close()
    }
}

/// Splits the byte stream into `u32`-length-prefixed frames; refuses frames over the limit.
struct FrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = ByteBuffer

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let length = buffer.getInteger(at: buffer.readerIndex, as: UInt32.self) else { return .needMoreData }
        guard Int(length) <= PeerMessage.frameBytesMax else {
            throw NodeError.peerProtocol("frame of \(length) bytes is over the \(PeerMessage.frameBytesMax)-byte limit")
        }
        guard buffer.readableBytes >= 4 + Int(length) else { return .needMoreData }
        buffer.moveReaderIndex(forwardBy: 4)
        context.fireChannelRead(wrapInboundOut(buffer.readSlice(length: Int(length))!))
        return .continue
    }
}

/// A lock usable across suspension points (one writer at a time on a connection).
actor AsyncLock {
    private var busy = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    func withLock<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        await acquire()
        defer { release() }
        return try await body()
    }

    private func acquire() async {
        if !busy {
            busy = true
            return
        }
        await withCheckedContinuation { waiters.append($0) }
    }

    private func release() {
        if waiters.isEmpty { busy = false } else { waiters.removeFirst().resume() }
    }
}
