import Foundation
import Observation
import SatchelFFI

/// Joining the program: the enrollment code (scanned or pasted), a PIN twice, optional Face ID
/// / Touch ID. The store is made only once the PIN passes the core's rules, with background
/// sync on (see `AppViewModel.createStore`).
@MainActor
@Observable
public final class JoinViewModel: ChildViewModel {
    /// The text of the enrollment QR code. A secret until used: never logged.
    public var code = ""
    public var pin = ""
    public var pinAgain = ""
    public var biometrics = false
    public internal(set) var fingerprintAvailable = false
    /// The store exists (a PIN was chosen) but has not joined yet: only the code is asked.
    public private(set) var codeOnly = false
    public private(set) var busy = false
    public private(set) var error: String?
    /// Why the worker is here again: the phone's data was deleted after the program's limit
    /// of wrong PINs. Shown above the form until the next join.
    public private(set) var info: String?
    @ObservationIgnored private weak var app: AppViewModel?

    public init() {}
    func attach(_ app: AppViewModel) { self.app = app }

    func askCodeOnly() {
        reset()
        codeOnly = true
    }

    func reset(info: String? = nil) {
        self.info = info
        code = ""
        pin = ""
        pinAgain = ""
        biometrics = false
        codeOnly = false
        busy = false
        error = nil
    }

    /// A QR code was scanned: its text is the code.
    public func scanned(_ text: String) { code = text.trimmingCharacters(in: .whitespacesAndNewlines) }

    public func submit() async {
        guard let app, !busy else { return }
        let s = app.strings
        if !codeOnly && !app.hasStore {
            if let problem = checkNewPin(pin: pin) {
                error = s.pinProblem(problem)
                return
            }
            if pin != pinAgain {
                error = s(.pinsDiffer)
                return
            }
        }
        let code = self.code.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !code.isEmpty else {
            error = s(.invalid, s(.enrollmentCode))
            return
        }
        busy = true
        error = nil
        do {
            if !app.hasStore {
                try await app.createStore(pin: pin)
                if biometrics { await turnOnBiometrics(app) }
            }
            let store = try app.openStore()
            try await onIO { try store.sync().enroll(code: code) }
            reset()
            await app.afterUnlock()
        } catch {
            busy = false
            self.error = s.describe(error)
            pin = ""
            pinAgain = ""
            // Once the store exists, only the code is asked again.
            codeOnly = codeOnly || app.hasStore
        }
    }

    /// Face ID / Touch ID unlock, as the worker chose: a key of its own in the Secure Enclave
    /// (the prompt shows once). A cancelled prompt leaves it off, silently; anything else is
    /// said, and joining goes on: the PIN always works, and Settings can turn it on later.
    private func turnOnBiometrics(_ app: AppViewModel) async {
        guard let store = try? app.openStore() else { return }
        do {
            try await onIO { try store.setBiometricUnlock(on: true) }
        } catch SatchelError.BiometricsCancelled {
        } catch {
            app.notify(app.strings.describe(error))
        }
    }
}
