import Foundation
import Hummingbird
import Logging
import SGPOSChain
import SGPOSOperations
import SGPOSStore

/// The member directory's routes (docs/API.md, "Member profiles"; PDPA, issue 13): a
/// member's name, phone and e-mail live off the chain in this node's ``MemberDirectory``,
/// stored by the till that enrols the member (with consent), read and erased by the
/// outlet's operators and admins. Auditors audit the ledger, not people: they may call
/// none of these. Nothing here writes to the chain.
extension NodeAPI {
    /// Bodies of `PUT …/profile` are small: the fields' limits add up to well under this.
    static let memberProfileBodyBytesMax = 8_192

    func addMemberDirectoryRoutes(to router: RecordingRouter, bodyMax: Int) {
        let here = node.outletID
        let directory = MemberDirectory(dataDirectory: node.dataDirectory, nodeKey: node.nodeKey)
        let logger = node.logger
        let bytesMax = min(bodyMax, Self.memberProfileBodyBytesMax)

        // Store: a till of this outlet when nothing is on file; store or correct: an
        // operator of this outlet, or an admin.
        router.put("/v1/members/:id/profile") { request, context in
            let data = try await body(request, max: bytesMax)
            let caller = try self.auth.authorize(request, body: data, .outletStaff(here))
            let principal = try personalDataCaller(caller, "store a member's personal data", needs: "a till or operator key of outlet \(here), or an admin")
            let id = try memberID(context)
            let input = try decodeJSON(MemberProfileRequest.self, data)
            let now = Int64(wallClockMs())
            // A consent time in the future is well-formed (the schema cannot know the clock): 422.
            guard input.consentAtMs <= now &+ MemberProfile.Limits.consentFutureMsMax else {
                return problem(.unprocessableContent, "rejected", 0,
                               "consentAtMs lies more than \(MemberProfile.Limits.consentFutureMsMax / 1_000) s in the future")
            }
            let profile = try input.profile(memberID: id, recordedBy: principal, nowMs: now)
            do {
                // A till records a member's data once, at enrolment; what is on file is
                // corrected by an operator or an admin (a till key could otherwise overwrite,
                // and so erase, anyone's data).
                let till = caller?.record.role == .till
                let stored: MemberProfile
                do { stored = try directory.put(profile, nowMs: now, replacing: !till) } catch MemberDirectoryError.onFile {
                    throw RequestAuthError(.forbidden, "till \"\(principal)\" may store a member's personal data only when none is on file; "
                        + "correcting it needs an operator key of outlet \(here), or an admin")
                }
                logger.info("member profile stored", metadata: ["member": .string(directory.fileName(for: id)), "by": .string(principal)])
                return try json(stored)
            } catch let error as MemberDirectoryError {
                return directoryProblem(error, logger: logger)
            }
        }
        // Access: an operator of this outlet, or an admin; masked unless `reveal=true`,
        // and a reveal is logged at notice level with who asked.
        router.get("/v1/members/:id/profile") { request, context in
            let caller = try self.auth.authorize(request, body: nil, .outletManager(here))
            let principal = try personalDataCaller(caller, "read a member's personal data", needs: "an operator key of outlet \(here), or an admin")
            let id = try memberID(context)
            let reveal = try revealParameter(request.uri.queryParameters)
            do {
                guard let profile = try directory.get(id) else {
                    return problem(.notFound, "not-found", 0, "member \(id) has no profile here (never stored, or erased)")
                }
                let metadata: Logger.Metadata = ["member": .string(directory.fileName(for: id)), "by": .string(principal)]
                if reveal {
                    logger.notice("member profile revealed", metadata: metadata)
                } else {
                    logger.info("member profile read (masked)", metadata: metadata)
                }
                return try json(MemberProfileAnswer(profile, reveal: reveal))
            } catch let error as MemberDirectoryError {
                return directoryProblem(error, logger: logger)
            }
        }
        // Erasure: an operator of this outlet, or an admin. The chain is untouched.
        router.delete("/v1/members/:id/profile") { request, context in
            let caller = try self.auth.authorize(request, body: nil, .outletManager(here))
            let principal = try personalDataCaller(caller, "erase a member's personal data", needs: "an operator key of outlet \(here), or an admin")
            let id = try memberID(context)
            do {
                guard let erased = try directory.erase(id) else {
                    return problem(.notFound, "not-found", 0, "member \(id) has no profile here (never stored, or erased)")
                }
                // The member id's keyed hash and who erased it; never the data.
                logger.notice("member profile erased", metadata: [
                    "member": .string(erased), "by": .string(principal), "role": .string("\(caller?.record.role.description ?? "")"),
                ])
                return Response(status: .noContent)
            } catch let error as MemberDirectoryError {
                return directoryProblem(error, logger: logger)
            }
        }
    }
}

/// The member id of the path, percent-decoded (the router gives the segment as sent), and
/// checked: at most 32 bytes, pseudonymous (``RequestLimits/memberID(_:field:)``).
private func memberID(_ context: BasicRequestContext) throws -> String {
    let id = try decodedParameter(context, "id")
    try RequestLimits.memberID(id, field: "member id")
    guard !id.isEmpty else { throw RequestError("member id is empty") }
    return id
}

/// The principal of a caller allowed personal data: the route's ``Access`` has passed,
/// and the caller is not an auditor (auditors audit the ledger, not people).
private func personalDataCaller(_ caller: Caller?, _ what: String, needs: String) throws -> String {
    guard let caller else { throw RequestAuthError(.forbidden, "only a signed request may \(what)") }
    guard caller.record.role != .auditor else {
        throw RequestAuthError(.forbidden, "auditor \"\(caller.record.principal)\" may not \(what): it needs \(needs)")
    }
    return caller.record.principal
}

/// A member directory failure as a Problem document: full is 503 (erase records no longer
/// needed); a record that does not open or a file system error is 500, logged.
private func directoryProblem(_ error: MemberDirectoryError, logger: Logger) -> Response {
    switch error {
    case .full:
        return problem(.serviceUnavailable, "directory-full", 0, error.description)
    case .damaged, .io, .onFile:
        logger.error("\(error.description)")
        return problem(.internalServerError, "internal", 0, "the member directory could not answer; see the node's log")
    }
}

/// `reveal` of `GET …/profile`: absent or `false` masks, `true` reveals; any other
/// parameter or value is 400.
private func revealParameter(_ query: Parameters) throws -> Bool {
    for (key, _) in query where key != "reveal" {
        throw RequestError("unknown query parameter \"\(key)\" (takes reveal)")
    }
    switch query["reveal"].map(String.init) {
    case nil, "false": return false
    case "true": return true
    default: throw RequestError("reveal must be true or false")
    }
}
