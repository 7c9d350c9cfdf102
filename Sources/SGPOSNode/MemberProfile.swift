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

/// A profile as `GET /v1/members/{id}/profile` answers it (docs/API.md, "Member
/// profiles"): masked unless the caller asked `reveal=true`. The mask keeps what a manager
/// needs to recognise a member at the counter and nothing more: each word of the name to
/// its first character, the phone number to its last 4 digits, the e-mail address to the
/// first character of its local part and the domain. Characters, not bytes, so a mask never
/// splits a character.
struct MemberProfileAnswer: Encodable, Sendable {
    let memberId: String
    let name: String?
    let phone: String?
    let email: String?
    let purpose: String
    let consentAtMs: Int64
    let updatedAtMs: Int64
    let recordedBy: String
    /// Whether name, phone and e-mail are masked.
    let masked: Bool

    init(_ profile: MemberProfile, reveal: Bool) {
        memberId = profile.memberId
        name = reveal ? profile.name : profile.name.map(Self.maskName)
        phone = reveal ? profile.phone : profile.phone.map(Self.maskPhone)
        email = reveal ? profile.email : profile.email.map(Self.maskEmail)
        purpose = profile.purpose
        consentAtMs = profile.consentAtMs
        updatedAtMs = profile.updatedAtMs
        recordedBy = profile.recordedBy
        masked = !reveal
    }

    /// "Tan Ah Kow" → "T** A* K**": each word's first character, then one `*` per character.
    static func maskName(_ name: String) -> String {
        name.split(separator: " ", omittingEmptySubsequences: false).map { word in
            guard let first = word.first else { return "" }
            return String(first) + String(repeating: "*", count: word.count - 1)
        }.joined(separator: " ")
    }

    /// "+65 9123 4567" → "+** **** 4567": every digit but the last 4 (and every other
    /// character but spaces and dashes) becomes `*`.
    static func maskPhone(_ phone: String) -> String {
        let characters = Array(phone)
        let digits = characters.indices.filter { characters[$0].isASCII && characters[$0].isNumber }
        let kept = Set(digits.suffix(4))
        return String(characters.indices.map { index in
            kept.contains(index) || characters[index] == " " || characters[index] == "-" ? characters[index] : "*"
        })
    }

    /// "ahkow@example.sg" → "a****@example.sg"; without an "@", like a name of one word.
    static func maskEmail(_ email: String) -> String {
        guard let at = email.lastIndex(of: "@") else { return maskName(String(email.map { $0 == " " ? "*" : $0 })) }
        let local = email[..<at]
        guard let first = local.first else { return String(email[at...]) }
        return String(first) + String(repeating: "*", count: local.count - 1) + email[at...]
    }
}
