import Foundation
import Observation
import SatchelFFI

/// Settings: language, theme, auto-lock, Face ID / Touch ID unlock, background sync while
/// locked, change PIN, and quick delete (a slide, then a 5-second countdown the worker can
/// cancel, then the panic wipe: the store's keys in the Secure Enclave first, then its files).
@MainActor
@Observable
public final class SettingsViewModel: ChildViewModel {
    public static let deleteSeconds = 5
    public var currentPin = ""
    public var newPin = ""
    public var newPinAgain = ""
    public private(set) var pinError: String?
    /// Whether Face ID / Touch ID unlock is on (the store says so).
    public private(set) var biometrics = false
    /// Whether the phone has Face ID / Touch ID set up (the switch shows only then, or while on).
    public private(set) var biometricsAvailable = false
    /// Whether background sync may open the store while the app is locked (the store says so).
    public private(set) var backgroundSync = false
    /// A switch is being changed (the Face ID / Touch ID prompt may be up).
    public private(set) var switching = false
    /// Seconds left before quick delete runs; `nil` when no countdown runs.
    public private(set) var deleteCountdown: Int?
    @ObservationIgnored private var countdown: Task<Void, Never>?
    @ObservationIgnored private weak var app: AppViewModel?

    public init() {}
    func attach(_ app: AppViewModel) { self.app = app }

    public func set(language: Language) { app?.updatePreferences { $0.language = language } }
    public func set(theme: ThemeChoice) { app?.updatePreferences { $0.theme = theme } }
    public func set(autoLockMinutes: Int) { app?.updatePreferences { $0.autoLockMinutes = autoLockMinutes } }

    /// Reads whether Face ID / Touch ID unlock and background sync are on.
    public func refresh() async {
        guard let app, let store = try? app.openStore() else { return }
        biometricsAvailable = app.platform.biometricsAvailable()
        let on = try? await onIO { (try store.hasBiometricUnlock(), try store.hasBackgroundSync()) }
        biometrics = on?.0 ?? false
        backgroundSync = on?.1 ?? false
    }

    /// Turns Face ID / Touch ID unlock on (a new key in the Secure Enclave; the prompt shows
    /// once) or off (its key destroyed). A cancelled prompt changes nothing and says nothing.
    public func setBiometrics(_ on: Bool) async {
        await change { try $0.setBiometricUnlock(on: on) }
    }

    /// Turns background sync while the app is locked on (a new background key) or off (its key
    /// destroyed: the background task then leaves the locked store alone).
    public func setBackgroundSync(_ on: Bool) async {
        await change { try $0.setBackgroundSync(on: on) }
    }

    private func change(_ work: @escaping @Sendable (SatchelStore) throws -> Void) async {
        guard let app, !switching, let store = try? app.openStore() else { return }
        switching = true
        do {
            try await onIO { try work(store) }
        } catch SatchelError.BiometricsCancelled {
        } catch {
            app.notify(app.strings.describe(error))
        }
        switching = false
        await refresh()
    }

    public func changePin() async {
        guard let app else { return }
        if let problem = checkNewPin(pin: newPin) {
            pinError = app.strings.pinProblem(problem)
            return
        }
        guard newPin == newPinAgain else {
            pinError = app.strings(.pinsDiffer)
            return
        }
        let (current, new) = (currentPin, newPin)
        do {
            let store = try app.openStore()
            try await onIO { try store.changePin(currentPin: current, newPin: new) }
            currentPin = ""
            newPin = ""
            newPinAgain = ""
            pinError = nil
            app.notify(app.strings(.pinChanged))
        } catch {
            pinError = app.strings.describe(error)
            currentPin = ""
        }
    }

    /// The slider reached its end: the countdown starts; `tick` seconds apart (tests shorten it).
    public func startQuickDelete(tick: Duration = .seconds(1)) {
        guard countdown == nil else { return }
        // Nothing may cover Cancel during the countdown (as on Android).
        if let notice = app?.notice { app?.dismissNotice(notice.id) }
        deleteCountdown = Self.deleteSeconds
        countdown = Task { [weak self] in
            while let left = self?.deleteCountdown, left > 0 {
                try? await Task.sleep(for: tick)
                if Task.isCancelled { return }
                self?.deleteCountdown = left - 1
            }
            // Only a countdown that ran out wipes; a cancelled one ends with nothing done.
            guard !Task.isCancelled, self?.deleteCountdown == 0 else { return }
            await self?.wipeNow()
        }
    }

    public func cancelQuickDelete() {
        countdown?.cancel()
        countdown = nil
        deleteCountdown = nil
    }

    /// Waits for a running countdown (and the wipe it ends with).
    public func waitForQuickDelete() async { await countdown?.value }

    private func wipeNow() async {
        guard let app else { return }
        countdown = nil
        deleteCountdown = nil
        // The store's keys in the Secure Enclave first (without them no copy of the files ever
        // opens), then every file; each step runs even if one fails. The panic wipe after the
        // store's own also covers a store that is not open, or a wipe that stopped half-way.
        let (dir, keystore) = (app.platform.storeDir, app.platform.keystore)
        let store = app.store
        _ = try? await onIO { try store?.wipe() }
        _ = try? await onIO { try panicWipe(dir: dir, keystore: keystore) }
        biometrics = false
        backgroundSync = false
        app.afterWipe()
    }
}
