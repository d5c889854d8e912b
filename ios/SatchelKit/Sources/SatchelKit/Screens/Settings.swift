import Foundation
import Observation
import SatchelFFI

/// Settings: language, theme, auto-lock, change PIN, and quick delete (a slide, then a
/// 5-second countdown the worker can cancel, then the panic wipe and the Keychain item removed).
@MainActor
@Observable
public final class SettingsViewModel: ChildViewModel {
    public static let deleteSeconds = 5
    public var currentPin = ""
    public var newPin = ""
    public var newPinAgain = ""
    public private(set) var pinError: String?
    /// Seconds left before quick delete runs; `nil` when no countdown runs.
    public private(set) var deleteCountdown: Int?
    @ObservationIgnored private var countdown: Task<Void, Never>?
    @ObservationIgnored private weak var app: AppViewModel?

    public init() {}
    func attach(_ app: AppViewModel) { self.app = app }

    public func set(language: Language) { app?.updatePreferences { $0.language = language } }
    public func set(theme: ThemeChoice) { app?.updatePreferences { $0.theme = theme } }
    public func set(autoLockMinutes: Int) { app?.updatePreferences { $0.autoLockMinutes = autoLockMinutes } }

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
        // The key that opens the store first, then every file; each step runs even if one fails.
        app.platform.deletePlatformKey()
        let dir = app.platform.storeDir
        let store = app.store
        _ = try? await onIO { try store?.wipe() }
        _ = try? await onIO { try panicWipe(dir: dir) }
        app.updatePreferences { $0.biometrics = false }
        app.afterWipe()
    }
}
