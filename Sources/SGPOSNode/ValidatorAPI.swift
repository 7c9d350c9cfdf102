import Foundation
import Hummingbird
import Logging
import SGPOSChain
import SGPOSCodec
import SGPOSConsensus
import SGPOSCrypto
import SGPOSState
import SGPOSStore
import SGPOSClient

extension CheckpointService {
    /// Why a handed-in update is refused, with the HTTP status that says so.
    public struct UpdateRefusal: Error, Sendable {
        public let status: Int
        public let message: String
    }

    public func validatorView() -> API.Validators {
        let working = core?.height ?? app.schedule.through + 1
        return API.Validators(
            current: .init(height: working, app.validators(height: working)),
            next: .init(height: working + 1, app.validators(height: working + 1)),
            pending: app.uncarriedValidatorUpdates().map(API.ValidatorUpdateJSON.init))
    }

    /// Checks an update against the newest known set and keeps it for a checkpoint.
    public func accept(_ update: ValidatorUpdate) throws(UpdateRefusal) -> API.ValidatorUpdateAccepted {
        let genesis = node.genesis
        guard update.isAuthorised(genesis: genesis) else {
            throw UpdateRefusal(status: 403, message: "validator update \(update.id) is not signed by a genesis admin of this network (chain \(genesis.id))")
        }
        let carried = (try? node.read { try node.store.networkState($0).read(StateKey(.networkValidatorUpdates, update.id.bytes)) }) ?? nil
        guard carried == nil else { throw UpdateRefusal(status: 409, message: "validator update \(update.id) was carried by an earlier checkpoint") }
        let next = app.schedule.through + 1
        do {
            _ = try app.schedule.trial(checkpointHeight: next, updates: [update], genesis: genesis)
        } catch {
            throw UpdateRefusal(status: 422, message: "\(error) (against the set of checkpoint height \(next + 1))")
        }
        do {
            try AdminActPool.add(update, directory: app.validatorUpdateDirectory)
        } catch {
            throw UpdateRefusal(status: 500, message: "the update could not be stored: \(error)")
        }
        logger.notice("validator update \(update.id) accepted: \(update.changes.map { "\($0.key.hex)=\($0.power)" }.joined(separator: ", "))")
        return API.ValidatorUpdateAccepted(id: update.id.hex, carriedFrom: next, effectiveFrom: next + 2)
    }
}

extension NodeAPI {
    func validators() async throws -> Response {
        guard let checkpoints else { return problem(.notFound, "not-found", 0, "this network has fewer than 4 outlets: no checkpoint chain") }
        return try json(await checkpoints.validatorView())
    }

    /// An admin-signed validator update (the signature is the authority, so any node may
    /// relay it): checked, then kept until a checkpoint carries it.
    func submitValidatorUpdate(_ data: [UInt8]) async throws -> Response {
        try await submitAdminAct(data, ValidatorUpdate.self, field: "update", what: "a validator update, FORMAT.md §9.5") {
            try await $0.accept($1)
        }
    }

    /// An admin act handed over as `{"<field>": hex of its canonical bytes}`: bad JSON, hex
    /// or bytes get 400 naming what is wrong; then, in a network with a checkpoint chain,
    /// `accept` keeps it (202) or refuses it (the refusal's status).
    func submitAdminAct<Act: AdminAct, Answer: Encodable>(
        _ data: [UInt8], _ type: Act.Type, field: String, what: String,
        accept: (CheckpointService, Act) async throws -> Answer
    ) async throws -> Response {
        let submission = try decodeJSON([String: String].self, data)
        if let unknown = submission.keys.sorted().first(where: { $0 != field }) {
            return problem(.badRequest, "malformed", 0, "malformed request: unknown field \"\(unknown)\"")
        }
        guard let hex = submission[field] else { return problem(.badRequest, "malformed", 0, "\(field): missing (\(what), hex)") }
        guard let bytes = Hex.decode(hex) else { return problem(.badRequest, "malformed", 0, "\(field): not hex (the canonical bytes of \(what))") }
        let act: Act
        do {
            act = try Act(canonicalBytes: bytes)
        } catch {
            return problem(.unprocessableContent, "undecodable", 0, "\(field): \(error)")
        }
        guard let checkpoints else { return problem(.notFound, "not-found", 0, "this network has fewer than 4 outlets: no checkpoint chain") }
        do {
            return try json(try await accept(checkpoints, act), status: .accepted)
        } catch let error as CheckpointService.UpdateRefusal {
            let kind = error.status == 403 ? "forbidden" : error.status == 409 ? "conflict" : error.status == 500 ? "internal" : "rejected"
            return problem(HTTPResponse.Status(code: error.status), kind, 0, error.message)
        }
    }
}
