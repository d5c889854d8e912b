import Foundation

/// How dark the app is: dark at night by default (outreach happens at night).
public enum ThemeChoice: String, CaseIterable, Sendable {
    case darkAtNight, system, dark, light
}

/// What the worker set in Settings. Nothing here is about participants.
public struct Preferences: Equatable, Sendable {
    public var language: Language = .english
    public var theme: ThemeChoice = .darkAtNight
    /// Lock after this long in the background.
    public var autoLockMinutes: Int = 2
    /// A platform key was made for Face ID / Touch ID unlock.
    public var biometrics: Bool = false
    public static let autoLockChoices = [1, 2, 5, 10]
    public init() {}
}

/// What only iOS can do. The app implements it with the Keychain
/// (`kSecAttrAccessibleWhenUnlockedThisDeviceOnly`), `LAContext`, `BGTaskScheduler`,
/// `NWPathMonitor` and `UserDefaults`; the tests with plain Swift. Nothing here holds
/// participant data.
public protocol Platform: AnyObject, Sendable {
    /// The folder the store lives in (Application Support, excluded from backups).
    var storeDir: String { get }
    func now() -> Date
    func isOnline() -> Bool
    func isNight() -> Bool
    func systemDark() -> Bool
    func loadPreferences() -> Preferences
    func savePreferences(_ preferences: Preferences)
    func biometricsAvailable() -> Bool
    /// Makes 32 random bytes, keeps them in the Keychain, returns them once.
    func createPlatformKey() throws -> Data
    /// Reads the key after Face ID / Touch ID; `nil` when cancelled or missing.
    func readPlatformKey() async -> Data?
    /// Removes the Keychain item (quick delete).
    func deletePlatformKey()
    /// Schedules the background sync (BGAppRefreshTask).
    func scheduleBackgroundSync()
    func cancelBackgroundSync()
}
