import Foundation
import SatchelFFI
@testable import SatchelKit

/// The phone, as the tests play it: a clock they move, a network they cut, a keystore in
/// memory (`keys`, which they can tell to refuse).
final class TestPlatform: Platform, @unchecked Sendable {
    private let lock = NSLock()
    let storeDir: String
    let keys = MemoryKeystore()
    var keystore: any PhoneKeystore { keys }
    private var _clock = Date()
    private var _online = true
    private var _preferences = Preferences()
    private(set) var backgroundSync = false

    init() {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("satchel-phone-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        storeDir = dir.appendingPathComponent("store").path
    }

    private func locked<T>(_ f: () -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        return f()
    }

    var clock: Date {
        get { locked { _clock } }
        set { locked { _clock = newValue } }
    }
    var online: Bool {
        get { locked { _online } }
        set { locked { _online = newValue } }
    }

    func now() -> Date { clock }
    func isOnline() -> Bool { online }
    func isNight() -> Bool { false }
    func systemDark() -> Bool { false }
    func loadPreferences() -> Preferences { locked { _preferences } }
    func savePreferences(_ preferences: Preferences) { locked { _preferences = preferences } }
    func biometricsAvailable() -> Bool { true }
    func scheduleBackgroundSync() { locked { backgroundSync = true } }
    func cancelBackgroundSync() { locked { backgroundSync = false } }
}

/// A real `satchel-server` on 127.0.0.1 with a program set up by a real manager's store, as
/// in the Android tests. The binary is the checkout's target/debug/satchel-server.
final class Hub {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("satchel-hub-\(UUID().uuidString)")
    private(set) var manager: SatchelStore!
    private(set) var url = ""
    private var process: Process?
    private var port = 0

    static var binary: String {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<5 { url.deleteLastPathComponent() }
        return url.appendingPathComponent("target/debug/satchel-server").path
    }

    init() throws {
        setHttpClient(client: PlatformHttp.shared)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let hub = dir.appendingPathComponent("hub").path
        let initialise = Process()
        initialise.executableURL = URL(fileURLWithPath: Self.binary)
        initialise.arguments = ["init", "--data-dir", hub]
        let out = Pipe()
        initialise.standardOutput = out
        try initialise.run()
        initialise.waitUntilExit()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let token = text.split(separator: "\n").last.map(String.init) ?? ""
        try start(listen: "127.0.0.1:0")
        manager = try SatchelStore.create(
            dir: dir.appendingPathComponent("manager").path, role: .manager, pin: "manager passphrase", keystore: MemoryKeystore(), backgroundSync: false)
        try manager.sync().startProgram(server: url, token: token)
    }

    private func start(listen: String) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Self.binary)
        p.arguments = ["serve", "--data-dir", dir.appendingPathComponent("hub").path, "--listen", listen, "--insecure-loopback"]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try p.run()
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        let first = String(decoding: line, as: UTF8.self).split(separator: "\n").first.map(String.init) ?? ""
        guard first.hasPrefix("satchel-server listening on http://127.0.0.1:") else { throw HubError.didNotStart(first) }
        url = String(first.split(separator: " ").last ?? "")
        port = Int(url.split(separator: ":").last?.trimmingCharacters(in: CharacterSet(charactersIn: "/")) ?? "") ?? 0
        process = p
    }

    enum HubError: Error { case didNotStart(String) }

    private var enrolled = 0

    /// A one-time enrollment code for an outreach phone (the text of the QR code); by default
    /// labelled "Van 1", "Van 2", … in order, since each device's label must be its own.
    func enrollmentCode(_ label: String? = nil) throws -> String {
        enrolled += 1
        return try manager.sync().createEnrollment(label: label ?? "Van \(enrolled)", role: .outreach).code
    }

    /// Stops the hub at once, as a crash or a pulled cable would (a graceful stop would wait
    /// for the phones' idle keep-alive connections).
    func stop() {
        if let p = process, p.isRunning {
            kill(p.processIdentifier, SIGKILL)
            p.waitUntilExit()
        }
        process = nil
    }

    func restart() throws {
        stop()
        try start(listen: "127.0.0.1:\(port)")
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: dir)
    }
}

let pin = "2468"

/// A phone that joined `hub`, through the join view model (with Face ID / Touch ID if asked).
@MainActor
func joinedApp(_ hub: Hub, biometrics: Bool = false) async throws -> (AppViewModel, TestPlatform) {
    let platform = TestPlatform()
    let app = AppViewModel(platform: platform)
    app.join.code = try hub.enrollmentCode()
    app.join.pin = pin
    app.join.pinAgain = pin
    app.join.biometrics = biometrics
    await app.join.submit()
    return (app, platform)
}

/// Nine wrong PINs in a row, the last two hours ago: where half an hour of guesses and their
/// waits leave a phone, reached without waiting. The attempts file is plain text ("count
/// seconds"; docs/key-handling.md), kept beside the store.
func skipToNineWrongPins(_ platform: TestPlatform) throws {
    let twoHoursAgo = Int(Date().timeIntervalSince1970) - 7200
    try "9 \(twoHoursAgo)".write(toFile: platform.storeDir + "/satchel.attempts", atomically: true, encoding: .utf8)
}
