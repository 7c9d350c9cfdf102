import Foundation
import Hummingbird
import HummingbirdCore
import NIOCore
import SGPOSChain
import SGPOSClient
import SGPOSCodec
import SGPOSOperations
import SGPOSState
import SGPOSStore

// Reading request bodies and writing answers, shared by every route of the node's API.

/// A request body read up to `max` bytes; larger bodies are refused with 413.
func body(_ request: Request, max: Int) async throws -> [UInt8] {
    // Whole within the deadline: a body trickled in a byte at a time would otherwise hold
    // its connection, and what it sent so far, as long as each byte beats the idle timeout.
    let outcome: BodyOutcome = await withTaskGroup(of: BodyOutcome.self) { group in
        group.addTask {
            var request = request
            do {
                return .received(Array(try await request.collectBody(upTo: max).readableBytesView))
            } catch {
                return Task.isCancelled ? .late : .tooLarge
            }
        }
        group.addTask {
            try? await Task.sleep(nanoseconds: bodyDeadlineSeconds * 1_000_000_000)
            return .late
        }
        let first = await group.next() ?? .late
        group.cancelAll()
        return first
    }
    switch outcome {
    case .received(let bytes): return bytes
    case .tooLarge: throw HTTPError(.contentTooLarge, message: "request body over \(max) bytes")
    case .late: throw HTTPError(.requestTimeout, message: "request body not received within \(bodyDeadlineSeconds) s")
    }
}

/// How long a request's body may take to arrive, whole (docs/API.md, "Errors").
let bodyDeadlineSeconds: UInt64 = 30

private enum BodyOutcome: Sendable {
    case received([UInt8])
    case tooLarge
    case late
}

/// Why a transaction whose idempotency id was already used by a different transaction
/// was not written (409): the first transaction, where it is.
func idempotencyConflict(_ transaction: SignedTransaction, first: TransactionLocation) -> String {
    "idempotency id \(transaction.envelope.idempotencyID) was first used by transaction \(first.transactionID.hex) "
        + "(outlet \(first.outletID) height \(first.height) index \(first.index)); transaction \(transaction.id.hex) "
        + "has another signer or body and was not written"
}

func decodeJSON<T: Codable>(_ type: T.Type, _ data: [UInt8]) throws -> T {
    do {
        return try StrictJSON.decode(T.self, from: Data(data))
    } catch {
        throw HTTPError(.badRequest, message: "malformed request: \(error)")
    }
}

func json<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok) throws -> Response {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    return Response(status: status, headers: [.contentType: "application/json"],
                    body: .init(byteBuffer: ByteBuffer(bytes: try encoder.encode(value))))
}

func problem(_ status: HTTPResponse.Status, _ error: String, _ code: Int, _ message: String) -> Response {
    (try? json(API.Problem(error: error, code: code, message: message), status: status))
        ?? Response(status: status)
}

func bodyName(_ body: TransactionBody) -> String {
    switch body {
    case .registerOutlet: "register-outlet"
    case .registerKey: "register-key"
    case .rotateKey: "rotate-key"
    case .revokeKey: "revoke-key"
    case .application(let type, _): POSBodyType.name(type)
    }
}
