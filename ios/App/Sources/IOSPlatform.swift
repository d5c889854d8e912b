import BackgroundTasks
import Foundation
import LocalAuthentication
import Network
import SatchelFFI
import SatchelKit
import Security

/// The `Platform` on an iPhone: the Keychain item (this device only, when unlocked),
/// LAContext, BGTaskScheduler, NWPathMonitor and UserDefaults.
final class IOSPlatform: Platform, @unchecked Sendable {
    static let shared = IOSPlatform()
    private static let keyAccount = "satchel-platform-key"
    private static let taskId = "org.satchel.sync"
    private let monitor = NWPathMonitor()
    private var online = false
    @MainActor weak var model: AppViewModel?

    let storeDir: String = {
        let support = FileManager.default.urls(for: .applicationSupportDirectory, in: .userDomainMask)[0]
        var dir = support.appendingPathComponent("store", isDirectory: true)
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        var values = URLResourceValues()
        values.isExcludedFromBackup = true
        try? dir.setResourceValues(values)
        return dir.path
    }()

    private init() {
        monitor.pathUpdateHandler = { [weak self] path in self?.online = path.status == .satisfied }
        monitor.start(queue: .global(qos: .utility))
    }

    func now() -> Date { Date() }
    func isOnline() -> Bool { online }
    func isNight() -> Bool { let h = Calendar.current.component(.hour, from: Date()); return h >= 19 || h < 7 }
    func systemDark() -> Bool { false }

    func loadPreferences() -> Preferences {
        let d = UserDefaults.standard
        var p = Preferences()
        p.language = Language(rawValue: d.string(forKey: "language") ?? "") ?? .english
        p.theme = ThemeChoice(rawValue: d.string(forKey: "theme") ?? "") ?? .darkAtNight
        p.autoLockMinutes = d.object(forKey: "autoLockMinutes") as? Int ?? 2
        p.biometrics = d.bool(forKey: "biometrics")
        return p
    }

    func savePreferences(_ p: Preferences) {
        let d = UserDefaults.standard
        d.set(p.language.rawValue, forKey: "language")
        d.set(p.theme.rawValue, forKey: "theme")
        d.set(p.autoLockMinutes, forKey: "autoLockMinutes")
        d.set(p.biometrics, forKey: "biometrics")
    }

    func biometricsAvailable() -> Bool {
        LAContext().canEvaluatePolicy(.deviceOwnerAuthenticationWithBiometrics, error: nil)
    }

    func createPlatformKey() throws -> Data {
        var bytes = Data(count: 32)
        let status = bytes.withUnsafeMutableBytes { SecRandomCopyBytes(kSecRandomDefault, 32, $0.baseAddress!) }
        guard status == errSecSuccess else { throw SatchelError.Internal(detail: "no random bytes") }
        deletePlatformKey()
        let item: [String: Any] = [
            kSecClass as String: kSecClassGenericPassword,
            kSecAttrAccount as String: Self.keyAccount,
            kSecAttrAccessible as String: kSecAttrAccessibleWhenUnlockedThisDeviceOnly,
            kSecValueData as String: bytes,
        ]
        guard SecItemAdd(item as CFDictionary, nil) == errSecSuccess else { throw SatchelError.Internal(detail: "Keychain refused the key") }
        return bytes
    }

    func readPlatformKey() async -> Data? {
        let context = LAContext()
        guard (try? await context.evaluatePolicy(.deviceOwnerAuthenticationWithBiometrics, localizedReason: "Unlock Satchel")) == true else { return nil }
        return keychainKey()
    }

    /// The key without a prompt (the background task, while the phone is unlocked).
    func keychainKey() -> Data? {
        let query: [String: Any] = [
            kSecClass as String: kSecClassGenericPassword,
            kSecAttrAccount as String: Self.keyAccount,
            kSecReturnData as String: true,
        ]
        var out: CFTypeRef?
        return SecItemCopyMatching(query as CFDictionary, &out) == errSecSuccess ? out as? Data : nil
    }

    func deletePlatformKey() {
        SecItemDelete([kSecClass as String: kSecClassGenericPassword, kSecAttrAccount as String: Self.keyAccount] as CFDictionary)
    }

    func registerBackgroundSync(_ model: @escaping @MainActor () -> AppViewModel?) {
        BGTaskScheduler.shared.register(forTaskWithIdentifier: Self.taskId, using: nil) { task in
            self.scheduleBackgroundSync()
            let work = Task.detached { await self.syncInBackground(model) }
            task.expirationHandler = { work.cancel() }
            Task { _ = await work.value; task.setTaskCompleted(success: true) }
        }
    }

    /// Through the open store while the app is unlocked; otherwise with the Keychain key (only
    /// when Face ID unlock is on), then locked again. The retention purge follows the sync.
    private func syncInBackground(_ model: @escaping @MainActor () -> AppViewModel?) async {
        if let app = await model(), await app.hasOpenStore {
            await app.sync.syncNow()
            return
        }
        guard storeExists(dir: storeDir), let key = keychainKey(), let store = try? SatchelStore.open(dir: storeDir) else { return }
        defer { store.lock() }
        guard (try? store.unlockWithPlatformKey(key: key)) != nil else { return }
        _ = try? SyncViewModel.runSync(store)
    }

    func scheduleBackgroundSync() {
        let request = BGAppRefreshTaskRequest(identifier: Self.taskId)
        request.earliestBeginDate = Date(timeIntervalSinceNow: 30 * 60)
        try? BGTaskScheduler.shared.submit(request)
    }

    func cancelBackgroundSync() { BGTaskScheduler.shared.cancel(taskRequestWithIdentifier: Self.taskId) }
}
