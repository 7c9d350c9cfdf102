import HummingbirdCore
import Logging
import NIOCore

/// The API's connection caps: a child channel that is admitted by a ``ConnectionLimiter``
/// before anything else (TLS included) is set up on it, and released when it closes. A
/// connection over a cap is closed before a byte of it is read.
struct LimitedChannel<Base: ServerChildChannel>: ServerChildChannel {
    typealias Value = Base.Value
    let base: Base
    let limiter: ConnectionLimiter

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        let address = channel.remoteAddress?.ipAddress ?? "unknown"
        if let refusal = limiter.admit(address) {
            if ConnectionLimiter.isWorthLogging(refusal.refusedSoFar) {
                logger.warning("API connection from \(address) refused: \(refusal.reason) (\(refusal.refusedSoFar) refused so far)")
            }
            return channel.close().flatMapThrowing { throw NodeError.overCapacity(refusal.reason) }
        }
        channel.closeFuture.whenComplete { [limiter] _ in limiter.release(address) }
        return base.setup(channel: channel, logger: logger)
    }

    func handle(value: Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}

extension LimitedChannel: HTTPChannelHandler where Base: HTTPChannelHandler {
    var responder: HTTPChannelHandler.Responder { base.responder }
}
