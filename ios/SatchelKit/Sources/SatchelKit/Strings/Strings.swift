import Foundation
import SatchelFFI

/// Languages the app speaks, chosen in the app, independent of the phone's.
public enum Language: String, CaseIterable, Sendable {
    case english = "en"
    case spanish = "es"
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

    /// A count with the right plural form.
    public func count(_ n: Int, one: Key, other: Key) -> String {
        n == 1 ? self(one) : self(other, n)
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

    /// The words for a library error. Never shows entered values.
    public func describe(_ error: any Error) -> String {
        guard let e = error as? SatchelError else { return self(.somethingWrong) }
        switch e {
        case .WrongPin(let failed): return self(.wrongPin, Int(failed))
        case .TryLater(let seconds, _): return self(.waitBeforeTry, Int(seconds))
        case .InvalidInput(_, let reason): return self(.invalid, reason)
        case .Offline: return self(.offline)
        case .Refused(let detail): return self(.refused, detail)
        case .NotPermitted(let detail): return detail
        default: return self(.somethingWrong)
        }
    }
}
