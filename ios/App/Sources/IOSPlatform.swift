import BackgroundTasks
import Foundation
import LocalAuthentication
import Network
import SatchelFFI
import SatchelKit

/// The `Platform` on an iPhone: the Secure Enclave keystore, LAContext, BGTaskScheduler,
/// NWPathMonitor and UserDefaults.
final class IOSPlatform: Platform, @unchecked Sendable {
    static let shared = IOSPlatform()
    private static let taskId = "org.satchel.sync"
    private let monitor = NWPathMonitor()
    private var online = false
    @MainActor weak var model: AppViewModel?

    /// Every key that opens the store needs this phone's Secure Enclave.
    let keystore: any PhoneKeystore = SecureEnclaveKeystore(reason: {
        Strings(Language(rawValue: UserDefaults.standard.string(forKey: "language") ?? "") ?? .english)(.biometricsReason)
    })

    /// Application Support/store: excluded from backups, and with the file protection class
    /// `completeUnlessOpen` on the folder and each file in it (files made later take the
    /// folder's class): once the phone locks, a store file that is not open cannot be read.
    let storeDir: String = {
        let files = FileManager.default
        let support = files.urls(for: .applicationSupportDirectory, in: .userDomainMask)[0]
        var dir = support.appendingPathComponent("store", isDirectory: true)
        let protection: [FileAttributeKey: Any] = [.protectionKey: FileProtectionType.completeUnlessOpen]
        try? files.createDirectory(at: dir, withIntermediateDirectories: true, attributes: protection)
        // A folder and files made by an earlier version get the class too.
        try? files.setAttributes(protection, ofItemAtPath: dir.path)
        for name in (try? files.contentsOfDirectory(atPath: dir.path)) ?? [] {
            try? files.setAttributes(protection, ofItemAtPath: dir.appendingPathComponent(name).path)
        }
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
        p.wipeAfterFailedPins = d.object(forKey: "wipeAfterFailedPins") as? Int ?? p.wipeAfterFailedPins
        return p
    }

    func savePreferences(_ p: Preferences) {
        let d = UserDefaults.standard
        d.set(p.language.rawValue, forKey: "language")
        d.set(p.theme.rawValue, forKey: "theme")
        d.set(p.autoLockMinutes, forKey: "autoLockMinutes")
        d.set(p.wipeAfterFailedPins, forKey: "wipeAfterFailedPins")
    }

    func biometricsAvailable() -> Bool {
        LAContext().canEvaluatePolicy(.deviceOwnerAuthenticationWithBiometrics, error: nil)
    }

    func registerBackgroundSync(_ model: @escaping @MainActor () -> AppViewModel?) {
        BGTaskScheduler.shared.register(forTaskWithIdentifier: Self.taskId, using: nil) { task in
            self.scheduleBackgroundSync()
            let work = Task.detached { await self.syncInBackground(model) }
            task.expirationHandler = { work.cancel() }
            Task { _ = await work.value; task.setTaskCompleted(success: true) }
        }
    }

    /// Through the open store while the app is unlocked. Otherwise only when background sync
    /// is on for the store (`hasBackgroundSync`): a handle of its own unlocked with the
    /// background key in the Secure Enclave (`unlockForBackground`, usable only while the
    /// phone is unlocked), one sync and the retention purge, then locked again at once.
    private func syncInBackground(_ model: @escaping @MainActor () -> AppViewModel?) async {
        if let app = await model(), await app.hasOpenStore {
            await app.sync.syncNow()
            return
        }
        _ = try? SyncViewModel.syncWhileLocked(dir: storeDir, keystore: keystore)
    }

    func scheduleBackgroundSync() {
        let request = BGAppRefreshTaskRequest(identifier: Self.taskId)
        request.earliestBeginDate = Date(timeIntervalSinceNow: 30 * 60)
        try? BGTaskScheduler.shared.submit(request)
    }

    func cancelBackgroundSync() { BGTaskScheduler.shared.cancel(taskRequestWithIdentifier: Self.taskId) }
}
