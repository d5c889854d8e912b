import Foundation
import SatchelFFI

/// How dark the app is: dark at night by default (outreach happens at night).
public enum ThemeChoice: String, CaseIterable, Sendable {
    case darkAtNight, system, dark, light
}

/// What the worker set in Settings, and what the lock screen must know while the store is
/// locked. Nothing here is about participants.
public struct Preferences: Equatable, Sendable {
    public var language: Language = .english
    public var theme: ThemeChoice = .darkAtNight
    /// Lock after this long in the background.
    public var autoLockMinutes: Int = 2
    /// The program's limit of wrong PINs in a row before this phone deletes everything (0:
    /// never), remembered at each unlock: the lock screen says it, and the program's settings
    /// cannot be read while the store is locked. 10 is the library's default.
    public var wipeAfterFailedPins: Int = 10
    public static let autoLockChoices = [1, 2, 5, 10]
    public init() {}
}

/// What only iOS can do. The app implements it with the Secure Enclave (`keystore`),
/// `LAContext`, `BGTaskScheduler`, `NWPathMonitor` and `UserDefaults`; the tests with plain
/// Swift. Nothing here holds participant data.
public protocol Platform: AnyObject, Sendable {
    /// The folder the store lives in (Application Support, excluded from backups, file
    /// protection `completeUnlessOpen`).
    var storeDir: String { get }
    func now() -> Date
    func isOnline() -> Bool
    func isNight() -> Bool
    func systemDark() -> Bool
    func loadPreferences() -> Preferences
    func savePreferences(_ preferences: Preferences)
    /// Whether the phone has Face ID or Touch ID set up (the choice is offered only then).
    func biometricsAvailable() -> Bool
    /// The phone's hardware keystore (the Secure Enclave): every key that opens the store
    /// needs its answer, so the store's files alone open nothing. The library calls it from a
    /// background thread; for Face ID / Touch ID its `derive` shows the prompt.
    var keystore: any PhoneKeystore { get }
    /// Schedules the background sync (BGAppRefreshTask).
    func scheduleBackgroundSync()
    func cancelBackgroundSync()
}
