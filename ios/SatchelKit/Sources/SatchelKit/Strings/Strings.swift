import Foundation
import SatchelFFI

/// Languages the app speaks, chosen in the app, independent of the phone's.
public enum Language: String, CaseIterable, Sendable {
    case english = "en"
    case spanish = "es"

    /// The language's name in itself, as a language choice shows it.
    public var name: String { self == .english ? "English" : "Español" }

    /// The other one: the join and PIN screens offer it in one tap.
    public var other: Language { self == .english ? .spanish : .english }
}

/// Every text the app shows, from `Resources/<language>.lproj/Localizable.strings` through
/// `Bundle.module` (String Catalogs and `String(localized:)` do not work on Linux, where these
/// view models are tested). Plurals are one key per category (`…One`, `…Other`).
public struct Strings: @unchecked Sendable {
    public let language: Language
    private let bundle: Bundle

    public init(_ language: Language) {
        self.language = language
        let path = Bundle.module.path(forResource: language.rawValue, ofType: "lproj")
        bundle = path.flatMap(Bundle.init(path:)) ?? Bundle.module
    }

    /// The text for `key`, or `nil` when this language lacks it (the test looks for those).
    public func lookup(_ key: Key) -> String? {
        let missing = "\u{1}missing"
        let text = bundle.localizedString(forKey: key.rawValue, value: missing, table: "Localizable")
        return text == missing ? nil : text
    }

    public func callAsFunction(_ key: Key) -> String {
        lookup(key) ?? key.rawValue
    }

    public func callAsFunction(_ key: Key, _ args: any CVarArg...) -> String {
        String(format: self(key), arguments: args)
    }

    /// Why a naloxone kit is given, as the sheet's chip says it.
    public func naloxoneKit(_ kit: NaloxoneKit) -> String {
        switch kit {
        case .first: return self(.naloxoneFirst)
        case .refillUsed: return self(.naloxoneRefillUsed)
        case .refillLost: return self(.naloxoneRefillLost)
        case .refillConfiscated: return self(.naloxoneRefillConfiscated)
        case .refillExpired: return self(.naloxoneRefillExpired)
        case .refillOther: return self(.naloxoneRefillOther)
        }
    }

    /// A count with the right plural form.
    public func count(_ n: Int, one: Key, other: Key) -> String {
        n == 1 ? self(one) : self(other, n)
    }

    /// A value the core refused, worded by what it is about (the core's English reason is never
    /// shown).
    public func invalid(_ topic: InputTopic) -> String {
        let key: Key = switch topic {
        case .participantCode: .invalidParticipantCode
        case .time: .invalidTime
        case .zone: .invalidZone
        case .supplies: .invalidItems
        case .profile: .invalidProfile
        case .naloxoneKit: .invalidNaloxoneKit
        case .servicesDelivered: .invalidDelivered
        case .counts: .invalidCounts
        case .pin: .invalidPin
        case .other: .invalidOther
        }
        return self(key)
    }

    /// The status line on Log: "12 contacts this shift · 3 waiting · offline".
    public func logStatus(contacts: Int, waiting: Int, online: Bool) -> String {
        var parts = [count(contacts, one: .logContactsOne, other: .logContactsOther), waiting == 0 ? self(.logAllSent) : self(.logWaiting, waiting)]
        if !online { parts.append(self(.logOffline)) }
        return parts.joined(separator: " · ")
    }

    public func pinProblem(_ p: PinProblem) -> String {
        switch p {
        case .notDigits: self(.pinNotDigits)
        case .length: self(.pinLength)
        case .oneDigit: self(.pinOneDigit)
        case .run: self(.pinRun)
        case .pattern: self(.pinPattern)
        case .common: self(.pinCommon)
        }
    }

    public func contactType(_ c: ContactType) -> String {
        switch c {
        case .street: self(.contactStreet)
        case .mobileUnit: self(.contactMobileUnit)
        case .dropIn: self(.contactDropIn)
        case .peerDelivery: self(.contactPeerDelivery)
        case .phoneText: self(.contactPhoneText)
        }
    }

    public func theme(_ t: ThemeChoice) -> String {
        switch t {
        case .darkAtNight: self(.themeNight)
        case .system: self(.themeSystem)
        case .dark: self(.themeDark)
        case .light: self(.themeLight)
        }
    }

    public func counter(_ c: Counter) -> String {
        switch c {
        case .syringesCollected: self(.syringesCollected)
        case .overdoseReversals: self(.overdoseReversals)
        case .naloxoneDosesUsed: self(.naloxoneDosesUsed)
        case .collectingFor: self(.collectingFor)
        }
    }

    /// Whether a service is open now ("Open until 17:00", "Closed · opens Monday 09:00").
    public func openStatus(_ s: OpenStatus) -> String {
        switch s {
        case .open(let closes): return closes.map { self(.openUntil, $0) } ?? self(.openNow)
        case .closed(let day, let at):
            guard let day, let at else { return self(.closedNow) }
            return self(.closedOpens, dayName(day), at)
        case .unknown: return self(.hoursUnknown)
        }
    }

    private func dayName(_ day: String) -> String {
        let keys: [String: Key] = ["mon": .dayMon, "tue": .dayTue, "wed": .dayWed, "thu": .dayThu, "fri": .dayFri, "sat": .daySat, "sun": .daySun]
        return keys[day].map { self($0) } ?? day
    }

    /// How to get in and what the door asks for, in short.
    public func doorSummary(_ s: Service) -> String {
        let access: Key = switch s.access {
        case .walkIn: .walkIn
        case .appointment: .byAppointment
        case .walkInOrAppointment: .walkInOrAppointment
        }
        var parts = [self(access), self(s.requiresId ? .idNeeded : .noIdNeeded)]
        if s.requiresInsurance { parts.append(self(.insuranceNeeded)) }
        if s.requiresSobriety { parts.append(self(.soberAsked)) }
        return parts.joined(separator: " · ")
    }

    /// A service's name in the app's language (English where the program wrote no Spanish).
    public func serviceName(_ s: Service) -> String {
        language == .spanish ? (s.name.es ?? s.name.en) : s.name.en
    }

    /// A name the program wrote (a kit, an item, a zone, a list entry, a place): the Spanish one
    /// in Spanish, and where there is none the English one, marked (D98).
    public func programName(_ en: String, _ es: String?) -> String {
        guard language == .spanish else { return en }
        return es ?? "\(en) (EN)"
    }

    /// The words for a library error. Never shows entered values.
    public func describe(_ error: any Error) -> String {
        guard let e = error as? SatchelError else { return self(.somethingWrong) }
        switch e {
        case .WrongPin(let failed): return self(.wrongPin, Int(failed))
        case .TryLater(let seconds, _): return self(.waitBeforeTry, Int(seconds))
        case .Wiped(let failed): return self(.wiped, Int(failed))
        case .BiometricsChanged: return self(.biometricsChanged)
        case .KeystoreFailed: return self(.keystoreFailed)
        case .InvalidInput(_, _, let topic): return invalid(topic)
        case .Offline: return self(.offline)
        case .Refused(let detail): return self(.refused, detail)
        case .NotPermitted: return self(.notPermitted)
        default: return self(.somethingWrong)
        }
    }
}
