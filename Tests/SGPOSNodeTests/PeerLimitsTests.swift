import NIOCore
import NIOEmbedded
@testable import SGPOSNode
import Testing
import SGPOSPeerProtocol

/// The peer port's bounds, unit by unit: the pre-handshake frame limit and the
/// connection caps (the multi-process flood is PeerFloodTests).
@Suite struct PeerLimitsTests {
    func frame(announcing length: UInt32, carrying bytes: Int) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeInteger(length)
        buffer.writeBytes([UInt8](repeating: 7, count: bytes))
        return buffer
    }

    @Test func beforeTheHandshakeAFrameOver4KiBClosesTheConnectionAfterItTheFullLimitHolds() throws {
        let limit = FrameLimit()
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(FrameDecoder(limit: limit)))
        // At the limit: taken.
        try channel.writeInbound(frame(announcing: UInt32(PeerMessage.handshakeFrameBytesMax), carrying: PeerMessage.handshakeFrameBytesMax))
        #expect(try channel.readInbound(as: ByteBuffer.self)?.readableBytes == PeerMessage.handshakeFrameBytesMax)
        // One byte over, announced only: refused before anything is buffered for it.
        #expect(throws: NodeError.self) {
            try channel.writeInbound(self.frame(announcing: UInt32(PeerMessage.handshakeFrameBytesMax + 1), carrying: 0))
        }
        let authenticated = FrameLimit()
        authenticated.authenticated()
        let after = EmbeddedChannel(handler: ByteToMessageHandler(FrameDecoder(limit: authenticated)))
        try after.writeInbound(frame(announcing: 64 << 10, carrying: 64 << 10))
        #expect(try after.readInbound(as: ByteBuffer.self)?.readableBytes == 64 << 10)
        #expect(throws: NodeError.self) {
            try after.writeInbound(self.frame(announcing: UInt32(PeerMessage.frameBytesMax + 1), carrying: 0))
        }
    }

    @Test func connectionCapsHoldInAllAndPerAddressAndFreeOnRelease() {
        let limiter = ConnectionLimiter(totalMax: 5, perAddressMax: 3)
        for _ in 0..<3 { #expect(limiter.admit("10.0.0.9") == nil) }
        let perAddress = limiter.admit("10.0.0.9")
        #expect(perAddress?.reason.contains("limit 3 per address") == true && perAddress?.refusedSoFar == 1)
        #expect(limiter.admit("10.0.0.7") == nil)
        #expect(limiter.admit("10.0.0.8") == nil)
        #expect(limiter.admit("10.0.0.6")?.reason.contains("limit 5") == true, "the total cap holds for a new address")
        #expect(limiter.open == 5)
        limiter.release("10.0.0.9")
        #expect(limiter.admit("10.0.0.6") == nil, "a released slot is free again")
        #expect(limiter.open == 5)
        #expect((1...9).filter(ConnectionLimiter.isWorthLogging) == [1, 2, 4, 8], "refusals logged at powers of two")
    }

    /// A flood from other addresses fills every slot; a configured peer's address still
    /// gets its own two (an attacker's keyless flood once kept a real peer out for 30 s
    /// after its link dropped), and no more: the total stays bounded.
    @Test func aPeersAddressKeepsItsSlotsWhenAFloodFillsTheRest() {
        let limiter = ConnectionLimiter(totalMax: 4, perAddressMax: 3, reserved: ["10.0.0.1"], reservedPerAddress: 2)
        for flooder in ["10.0.0.7", "10.0.0.8"] { for _ in 0..<2 { #expect(limiter.admit(flooder) == nil) } }
        #expect(limiter.admit("10.0.0.9")?.reason.contains("limit 4") == true, "the flood fills the total")
        #expect(limiter.admit("10.0.0.1") == nil, "the peer's first own slot")
        #expect(limiter.admit("10.0.0.1") == nil, "the peer's second own slot")
        #expect(limiter.admit("10.0.0.1")?.reason.contains("limit 4") == true, "no more than its own past the total")
        #expect(limiter.open == 6 && limiter.bound == 6)
        limiter.release("10.0.0.1")
        #expect(limiter.admit("10.0.0.9")?.reason != nil, "a peer's freed slot is not the flood's")
        #expect(limiter.admit("10.0.0.1") == nil, "but the peer's again")
    }
}
