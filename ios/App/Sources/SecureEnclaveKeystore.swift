import CryptoKit
import CryptoTokenKit
import Foundation
import LocalAuthentication
import SatchelFFI
import Security

/// The phone's hardware keystore on an iPhone (the library's `PhoneKeystore`).
///
/// For each use (PIN, Face ID / Touch ID, background sync) a P-256 key-agreement key made
/// inside the Secure Enclave: its private key never leaves the Enclave. What CryptoKit hands
/// back (`dataRepresentation`) is an opaque blob only this phone's Secure Enclave can use; it
/// is kept in the Keychain (`kSecAttrAccessibleWhenUnlockedThisDeviceOnly`: not in backups, not
/// on another phone, unreadable while the phone is locked), with a fixed peer public key made
/// beside it (its private part is dropped at once). `derive` is the key agreement with that
/// peer inside the Enclave, then HKDF-SHA256 over the library's salt: 32 bytes that only this
/// phone can compute. Destroying a key deletes its blob, after which nothing can use it.
///
/// The Face ID / Touch ID key also requires `.biometryCurrentSet`: the Enclave refuses it
/// without a fresh match, and for ever once the phone's enrolled faces or fingers change.
///
/// Not compiled here (no Xcode on the machines that test SatchelKit).
final class SecureEnclaveKeystore: PhoneKeystore {
    private static let service = "org.satchel.keystore"
    /// The prompt's words ("Unlock Satchel"), in the app's language at the time of the prompt.
    private let reason: @Sendable () -> String

    init(reason: @escaping @Sendable () -> String) {
        self.reason = reason
    }

    private enum Part: String, CaseIterable {
        /// The Secure Enclave's blob for the private key.
        case key
        /// The fixed peer public key (raw X9.63 coordinates).
        case peer
        /// For Face ID / Touch ID: the enrolled biometrics' state when the key was made.
        case biometry
    }

    private static func name(_ use: KeyUse) -> String {
        switch use {
        case .pin: "pin"
        case .biometric: "biometric"
        case .background: "background"
        }
    }

    func createKey(keyUse: KeyUse) throws {
        guard SecureEnclave.isAvailable else { throw KeystoreError.Failed(detail: "this phone has no Secure Enclave") }
        var flags: SecAccessControlCreateFlags = [.privateKeyUsage]
        if keyUse == .biometric { flags.insert(.biometryCurrentSet) }
        guard let access = SecAccessControlCreateWithFlags(nil, kSecAttrAccessibleWhenUnlockedThisDeviceOnly, flags, nil) else {
            throw KeystoreError.Failed(detail: "SecAccessControlCreateWithFlags failed")
        }
        let key: SecureEnclave.P256.KeyAgreement.PrivateKey
        do {
            key = try SecureEnclave.P256.KeyAgreement.PrivateKey(accessControl: access)
        } catch {
            throw Self.keystoreError(error)
        }
        let peer = P256.KeyAgreement.PrivateKey().publicKey
        try destroyKey(keyUse: keyUse)
        try Self.add(key.dataRepresentation, account: Self.account(keyUse, .key))
        try Self.add(peer.rawRepresentation, account: Self.account(keyUse, .peer))
        if keyUse == .biometric, let state = Self.biometryState() {
            try Self.add(state, account: Self.account(keyUse, .biometry))
        }
    }

    /// Called by the library on a background thread; for Face ID / Touch ID this thread waits
    /// while the system's prompt is up.
    func derive(keyUse: KeyUse, salt: Data) throws -> Data {
        let blob = try Self.read(Self.account(keyUse, .key))
        let peerBytes = try Self.read(Self.account(keyUse, .peer))
        do {
            let context = keyUse == .biometric ? try authenticatedContext() : nil
            let key = try SecureEnclave.P256.KeyAgreement.PrivateKey(dataRepresentation: blob, authenticationContext: context)
            let peer = try P256.KeyAgreement.PublicKey(rawRepresentation: peerBytes)
            let secret = try key.sharedSecretFromKeyAgreement(with: peer)
            let answer = secret.hkdfDerivedSymmetricKey(
                using: SHA256.self, salt: salt, sharedInfo: Data("satchel/\(Self.name(keyUse))".utf8), outputByteCount: 32)
            return answer.withUnsafeBytes { Data($0) }
        } catch {
            let mapped = Self.keystoreError(error)
            if case .Cancelled = mapped { throw mapped }
            // A `.biometryCurrentSet` key stops working for good when the enrolled faces or
            // fingers change; the state saved at creation tells that apart from other failures.
            if keyUse == .biometric, biometryChanged() { throw KeystoreError.Invalidated }
            throw mapped
        }
    }

    func destroyKey(keyUse: KeyUse) throws {
        var failed: [String] = []
        for part in Part.allCases {
            let status = SecItemDelete(Self.query(Self.account(keyUse, part)) as CFDictionary)
            if status != errSecSuccess && status != errSecItemNotFound { failed.append("\(part.rawValue): \(status)") }
        }
        if !failed.isEmpty { throw KeystoreError.Failed(detail: "Keychain delete failed (\(failed.joined(separator: ", ")))") }
    }

    // MARK: Face ID / Touch ID

    /// Shows the Face ID / Touch ID prompt and waits for the worker: a context the key then
    /// uses without asking again (`kSecUseAuthenticationContext`'s rule for an evaluated
    /// context). Had it not been evaluated, the Secure Enclave would prompt with the same words.
    private func authenticatedContext() throws -> LAContext {
        let context = LAContext()
        let words = reason()
        context.localizedReason = words
        context.localizedFallbackTitle = "" // no passcode button: the PIN pad is the fallback
        let outcome = Outcome()
        let done = DispatchSemaphore(value: 0)
        context.evaluatePolicy(.deviceOwnerAuthenticationWithBiometrics, localizedReason: words) { ok, error in
            if !ok { outcome.error = error ?? LAError(.authenticationFailed) }
            done.signal()
        }
        done.wait()
        if let error = outcome.error { throw error }
        return context
    }

    /// What the prompt's reply left for the waiting thread (written before the signal).
    private final class Outcome: @unchecked Sendable {
        var error: (any Error)?
    }

    // MARK: Biometry state

    /// The enrolled biometrics' state now; `nil` when none are enrolled.
    private static func biometryState() -> Data? {
        let context = LAContext()
        guard context.canEvaluatePolicy(.deviceOwnerAuthenticationWithBiometrics, error: nil) else { return nil }
        return context.evaluatedPolicyDomainState
    }

    private func biometryChanged() -> Bool {
        let saved = try? Self.read(Self.account(.biometric, .biometry))
        return saved != nil && Self.biometryState() != saved
    }

    // MARK: Errors

    private static func keystoreError(_ error: any Error) -> KeystoreError {
        if let e = error as? KeystoreError { return e }
        if let la = error as? LAError {
            switch la.code {
            // Closed by the worker or the system, or not recognized (the prompt said so) or
            // locked out after too many tries: the PIN pad, and nothing counted.
            case .userCancel, .appCancel, .systemCancel, .userFallback, .authenticationFailed, .biometryLockout: return .Cancelled
            // Every face or finger was removed: the key can never work again.
            case .biometryNotEnrolled: return .Invalidated
            default: return .Failed(detail: "LocalAuthentication error \(la.code.rawValue)")
            }
        }
        if let tk = error as? TKError, tk.code == .canceledByUser { return .Cancelled }
        let ns = error as NSError
        if ns.domain == NSOSStatusErrorDomain && ns.code == Int(errSecUserCanceled) { return .Cancelled }
        // The Secure Enclave's errors may carry LocalAuthentication's underneath.
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError {
            let inner = keystoreError(underlying)
            if case .Failed = inner {} else { return inner }
        }
        return .Failed(detail: "\(ns.domain) \(ns.code)")
    }

    // MARK: Keychain

    private static func account(_ use: KeyUse, _ part: Part) -> String { "\(name(use)).\(part.rawValue)" }

    private static func query(_ account: String) -> [String: Any] {
        [
            kSecClass as String: kSecClassGenericPassword,
            kSecAttrService as String: service,
            kSecAttrAccount as String: account,
        ]
    }

    private static func add(_ data: Data, account: String) throws {
        var item = query(account)
        item[kSecAttrAccessible as String] = kSecAttrAccessibleWhenUnlockedThisDeviceOnly
        item[kSecValueData as String] = data
        let status = SecItemAdd(item as CFDictionary, nil)
        guard status == errSecSuccess else { throw KeystoreError.Failed(detail: "Keychain add failed (\(status))") }
    }

    private static func read(_ account: String) throws -> Data {
        var q = query(account)
        q[kSecReturnData as String] = true
        q[kSecMatchLimit as String] = kSecMatchLimitOne
        var out: CFTypeRef?
        let status = SecItemCopyMatching(q as CFDictionary, &out)
        switch status {
        case errSecSuccess:
            guard let data = out as? Data else { throw KeystoreError.Failed(detail: "the Keychain item holds no data") }
            return data
        case errSecItemNotFound:
            throw KeystoreError.Missing
        case errSecInteractionNotAllowed:
            throw KeystoreError.Failed(detail: "the phone is locked")
        default:
            throw KeystoreError.Failed(detail: "Keychain read failed (\(status))")
        }
    }
}
