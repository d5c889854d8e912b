import Foundation
import Observation
import SatchelFFI

/// The lock screen: a PIN pad, the core's growing wait after wrong PINs, biometric unlock.
@MainActor
@Observable
public final class UnlockViewModel: ChildViewModel {
    /// How many digits are entered; the digits stay inside the view model.
    public private(set) var entered = 0
    /// Seconds before another try is accepted.
    public private(set) var waitSeconds: UInt64 = 0
    public private(set) var busy = false
    public private(set) var error: String?
    @ObservationIgnored private var digits: [Character] = []
    @ObservationIgnored private weak var app: AppViewModel?

    public init() {}
    func attach(_ app: AppViewModel) { self.app = app }

    public var biometrics: Bool { app?.preferences.biometrics ?? false }

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
    }

    /// Reads the wait from the store's attempt counter (it survives restarts). The view counts
    /// it down and calls this again when it reaches zero.
    public func refreshWait() async {
        guard let store = try? app?.lockedStore() else { return }
        waitSeconds = (try? await onIO { try store.unlockWaitSeconds() }) ?? 0
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
            reset()
            await app.afterUnlock()
        } catch {
            failed(error)
            await refreshWait()
        }
    }

    public func useBiometrics() async {
        guard let app, let key = await app.platform.readPlatformKey() else { return }
        busy = true
        do {
            let store = try app.lockedStore()
            try await onIO { try store.unlockWithPlatformKey(key: key) }
            reset()
            await app.afterUnlock()
        } catch {
            failed(error)
        }
    }

    private func failed(_ e: any Error) {
        busy = false
        error = app?.strings.describe(e)
        if case .TryLater(let seconds, _) = e as? SatchelError { waitSeconds = seconds }
    }
}
