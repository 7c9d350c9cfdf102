import Foundation
import NIOCore
import SGPOSChain
import SGPOSCodec
import SGPOSCrypto
import Synchronization
import SGPOSPeerProtocol

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

    private let frameLimit: FrameLimit
    /// The TLS handshake's check of the peer's certificate (nil without peer TLS).
    private let verifier: PeerTLSVerifier?

    init(node: LedgerNode, connection: PeerChannel) {
        self.node = node
        self.connection = connection.channel
        frameLimit = connection.frameLimit
        verifier = connection.verifier
    }

    /// Adds the frame decoder and wraps the channel for async use (bounded buffers:
    /// NIO's back-pressure stops reading when the consumer lags). Until the handshake
    /// succeeds the decoder takes frames of at most ``PeerMessage/handshakeFrameBytesMax``.
    static func configure(_ channel: any Channel, verifier: PeerTLSVerifier?) throws -> PeerChannel {
        let limit = FrameLimit()
        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(FrameDecoder(limit: limit)))
        let wrapped = try NIOAsyncChannel<ByteBuffer, ByteBuffer>(
            wrappingChannelSynchronously: channel,
            configuration: .init(backPressureStrategy: .init(lowWatermark: 4, highWatermark: 16)))
        return PeerChannel(channel: wrapped, frameLimit: limit, verifier: verifier)
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
            if let verifier, verifier.provenOutlet != claimed {
                throw NodeError.peerProtocol("peer claims outlet \(claimed); its TLS certificate is bound to \(verifier.provenOutlet.map { "outlet \($0)" } ?? "no outlet")")
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
            self.frameLimit.authenticated()
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

/// A peer connection as accepted or dialled: the async channel and its frame limit.
struct PeerChannel: Sendable {
    let channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>
    let frameLimit: FrameLimit
    /// The peer-certificate check of its TLS handshake (nil without peer TLS).
    let verifier: PeerTLSVerifier?
}

/// The largest frame a connection may send: small until the peer has authenticated (an
/// unauthenticated connection cannot make the node buffer megabytes), then the full limit.
final class FrameLimit: Sendable {
    private let isAuthenticated = Atomic<Bool>(false)

    var bytesMax: Int {
        isAuthenticated.load(ordering: .acquiring) ? PeerMessage.frameBytesMax : PeerMessage.handshakeFrameBytesMax
    }

    func authenticated() { isAuthenticated.store(true, ordering: .releasing) }
}

/// Splits the byte stream into `u32`-length-prefixed frames; refuses a frame over the
/// connection's current limit (the announced length is checked before anything is
/// buffered for it) by closing the connection.
struct FrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = ByteBuffer
    let limit: FrameLimit

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let length = buffer.getInteger(at: buffer.readerIndex, as: UInt32.self) else { return .needMoreData }
        let bytesMax = limit.bytesMax
        guard Int(length) <= bytesMax else {
            throw NodeError.peerProtocol("frame of \(length) bytes is over the \(bytesMax)-byte limit"
                + (bytesMax == PeerMessage.handshakeFrameBytesMax ? " before the handshake" : ""))
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
