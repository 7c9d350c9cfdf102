import SGPOSOperations

/// A loyalty member's personal data, kept off the chain in the node's member directory
/// (``MemberDirectory``; PDPA, issue 13): what the till collected at enrolment, for the
/// stated purpose, with the member's consent. The chain holds only the pseudonymous
/// member id; erasing this record leaves the chain's references meaningless, every hash
/// intact.
public struct MemberProfile: Codable, Sendable, Equatable {
    /// The pseudonymous member id of the chain (``RequestLimits/memberID(_:field:)``).
    public var memberId: String
    public var name: String?
    public var phone: String?
    public var email: String?
    /// Why the data was collected (what the member consented to).
    public var purpose: String
    /// When the member consented, Unix milliseconds (as the till collected it).
    public var consentAtMs: Int64
    /// When this node stored the record, Unix milliseconds.
    public var updatedAtMs: Int64
    /// The principal (staff number or till) whose signed request stored it.
    public var recordedBy: String

    public init(memberId: String, name: String?, phone: String?, email: String?, purpose: String, consentAtMs: Int64,
                updatedAtMs: Int64, recordedBy: String) {
        self.memberId = memberId
        self.name = name
        self.phone = phone
        self.email = email
        self.purpose = purpose
        self.consentAtMs = consentAtMs
        self.updatedAtMs = updatedAtMs
        self.recordedBy = recordedBy
    }

    /// Field limits in characters (Unicode scalars, as JSON Schema's `maxLength` counts
    /// them, so docs/openapi.json states them exactly).
    public enum Limits {
        public static let nameCharactersMax = 128
        public static let phoneCharactersMax = 32
        /// RFC 5321's longest forward path, less its angle brackets.
        public static let emailCharactersMax = 254
        public static let purposeCharactersMax = 128
        /// `recordedBy` is a registry principal (``SGPOSChain/Limits/principalBytesMax``, ASCII).
        public static let recordedByCharactersMax = 64
        /// How far in the future `consentAtMs` may lie (the request signature's clock window).
        public static let consentFutureMsMax: Int64 = 300_000
    }

    /// Throws a ``RequestError`` naming the first field that is out of bounds: the member id
    /// (its limit and pseudonymity), a field over its limit, empty, or holding a control
    /// character, none of name, phone and e-mail given, a consent time not positive or
    /// more than ``Limits/consentFutureMsMax`` after `nowMs`. Messages never quote a value.
    public func validate(nowMs: Int64) throws(RequestError) {
        try RequestLimits.memberID(memberId, field: "member id")
        guard !memberId.isEmpty else { throw RequestError("member id is empty") }
        guard name != nil || phone != nil || email != nil else {
            throw RequestError("a member profile needs at least one of name, phone and email")
        }
        if let name { try Self.text(name, "name", limit: Limits.nameCharactersMax) }
        if let phone { try Self.text(phone, "phone", limit: Limits.phoneCharactersMax) }
        if let email { try Self.text(email, "email", limit: Limits.emailCharactersMax) }
        try Self.text(purpose, "purpose", limit: Limits.purposeCharactersMax)
        try Self.text(recordedBy, "recordedBy", limit: Limits.recordedByCharactersMax)
        guard consentAtMs > 0 else { throw RequestError("consentAtMs must be a positive Unix time in milliseconds") }
        guard consentAtMs <= nowMs &+ Limits.consentFutureMsMax else {
            throw RequestError("consentAtMs lies more than \(Limits.consentFutureMsMax / 1_000) s in the future")
        }
    }

    /// Not empty, at most `limit` characters, no control character (Unicode Cc, and the
    /// line and paragraph separators).
    static func text(_ value: String, _ field: String, limit: Int) throws(RequestError) {
        let count = value.unicodeScalars.count
        guard count <= limit else { throw RequestError("\(field) is \(count) characters; the limit is \(limit)") }
        guard !value.isEmpty else { throw RequestError("\(field) is empty; leave an optional field out instead") }
        for scalar in value.unicodeScalars {
            switch scalar.properties.generalCategory {
            case .control, .lineSeparator, .paragraphSeparator:
                let code = String(scalar.value, radix: 16, uppercase: true)
                throw RequestError("\(field) contains a control character (U+\(String(repeating: "0", count: max(0, 4 - code.count)) + code))")
            default: continue
            }
        }
    }
}

/// The body of `PUT /v1/members/{id}/profile`: what the till collected (strict JSON: no
/// unknown or null fields; leave an absent one out).
public struct MemberProfileRequest: Codable, Sendable, Equatable {
    public var name: String?
    public var phone: String?
    public var email: String?
    public var purpose: String
    public var consentAtMs: Int64

    public init(name: String? = nil, phone: String? = nil, email: String? = nil, purpose: String, consentAtMs: Int64) {
        self.name = name
        self.phone = phone
        self.email = email
        self.purpose = purpose
        self.consentAtMs = consentAtMs
    }

    /// The record to store for `memberID`, stored by `principal` at `nowMs`, checked.
    public func profile(memberID: String, recordedBy principal: String, nowMs: Int64) throws(RequestError) -> MemberProfile {
        let profile = MemberProfile(memberId: memberID, name: name, phone: phone, email: email, purpose: purpose,
                                    consentAtMs: consentAtMs, updatedAtMs: nowMs, recordedBy: principal)
        try profile.validate(nowMs: nowMs)
        return profile
    }
}
