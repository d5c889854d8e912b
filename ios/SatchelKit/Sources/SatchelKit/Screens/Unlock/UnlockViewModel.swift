import Foundation
import Observation
import SatchelFFI

/// The lock screen: a PIN pad, the core's growing wait after wrong PINs (and, once tries wait,
/// the program's limit before the phone deletes everything), Face ID / Touch ID unlock.
@MainActor
@Observable
public final class UnlockViewModel: ChildViewModel {
    /// How many digits are entered; the digits stay inside the view model.
    public private(set) var entered = 0
    /// Seconds before another try is accepted.
    public private(set) var waitSeconds: UInt64 = 0
    public private(set) var busy = false
    public private(set) var error: String?
    /// Whether Face ID / Touch ID unlock is on for this store (its key file says so).
    public private(set) var biometrics = false
    /// Once wrong PINs make tries wait: how many wrong PINs in a row delete everything, and how
    /// many tries are left. `nil` before, and when the program never deletes.
    public private(set) var wipeWarning: String?
    @ObservationIgnored private var digits: [Character] = []
    /// Tries have had to wait since the last unlock (the warning stays after the wait).
    @ObservationIgnored private var triesWaited = false
    /// Face ID / Touch ID stopped working (the phone's biometrics changed): offered again after
    /// the PIN.
    @ObservationIgnored private var offerBiometricsAgain = false
    @ObservationIgnored private weak var app: AppViewModel?

    public init() {}
    func attach(_ app: AppViewModel) { self.app = app }

    public func digit(_ d: Int) {
        guard digits.count < 8, !busy, waitSeconds == 0, (0...9).contains(d) else { return }
        digits.append(Character(String(d)))
        entered = digits.count
        error = nil
    }

    public func backspace() {
        if !digits.isEmpty { digits.removeLast() }
        entered = digits.count
    }

    func reset() {
        digits = []
        entered = 0
        busy = false
        error = nil
        waitSeconds = 0
        wipeWarning = nil
        triesWaited = false
    }

    /// Reads the wait and the wrong tries from the store's attempt counter (it survives
    /// restarts), and whether Face ID / Touch ID unlock is on. The view calls it when it shows,
    /// and again each second of a wait.
    public func refreshWait() async {
        guard let app, let store = try? app.lockedStore() else { return }
        let state = try? await onIO { () -> (wait: UInt64, failed: UInt32, biometrics: Bool) in
            (try store.unlockWaitSeconds(), store.failedAttempts(), (try? store.hasBiometricUnlock()) ?? false)
        }
        guard let state else { return }
        waitSeconds = state.wait
        biometrics = state.biometrics
        showWipeWarning(failed: state.failed)
    }

    private func showWipeWarning(failed: UInt32) {
        guard let app else { return }
        if waitSeconds > 0 { triesWaited = true }
        let limit = app.preferences.wipeAfterFailedPins
        guard triesWaited, limit > 0, failed > 0 else {
            wipeWarning = nil
            return
        }
        wipeWarning = app.strings(.wipeWarning, limit, max(limit - Int(failed), 1))
    }

    public func submit() async {
        guard let app, !digits.isEmpty, !busy else { return }
        let pin = String(digits)
        digits = []
        entered = 0
        busy = true
        do {
            let store = try app.lockedStore()
            try await onIO { try store.unlockWithPin(pin: pin) }
            await unlocked(app)
        } catch SatchelError.Wiped(let failed) {
            app.afterWipe(wrongPins: failed)
        } catch {
            failed(error)
            await refreshWait()
        }
    }

    /// Face ID / Touch ID: the Secure Enclave shows the prompt inside the library's call, so it
    /// runs off the main actor. A cancelled prompt leaves the PIN pad, saying nothing; changed
    /// biometrics turn it off (its key can never work again) and say to use the PIN.
    public func useBiometrics() async {
        guard let app, biometrics, !busy else { return }
        busy = true
        error = nil
        do {
            let store = try app.lockedStore()
            try await onIO { try store.unlockWithBiometrics() }
            await unlocked(app)
        } catch SatchelError.BiometricsCancelled {
            busy = false
        } catch SatchelError.BiometricsChanged {
            if let store = try? app.lockedStore() { _ = try? await onIO { try store.setBiometricUnlock(on: false) } }
            biometrics = false
            offerBiometricsAgain = true
            busy = false
            error = app.strings(.biometricsChanged)
        } catch {
            failed(error)
        }
    }

    private func unlocked(_ app: AppViewModel) async {
        let offer = offerBiometricsAgain
        offerBiometricsAgain = false
        reset()
        await app.afterUnlock()
        if offer, app.route == .main, app.platform.biometricsAvailable() {
            app.notify(app.strings(.biometricsOffer), action: app.strings(.turnOn)) {
                await app.settings.setBiometrics(true)
            }
        }
    }

    private func failed(_ e: any Error) {
        busy = false
        error = app?.strings.describe(e)
        if case .TryLater(let seconds, _) = e as? SatchelError { waitSeconds = seconds }
    }
}
