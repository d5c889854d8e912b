import Foundation
import SatchelFFI
import Testing

/// A worker's shift through the generated Swift bindings, as the iOS app drives them.
struct ShiftTests {
    let pin = "2468"
    let keystore = MemoryKeystore()

    func tempStore() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir.appendingPathComponent("store").path
    }

    func street(items: [ItemQuantity] = [], participantCode: String? = "MA12JS", zoneId: String = "downtown") -> EncounterInput {
        EncounterInput(
            occurredAt: Date(),
            contactType: .street,
            zoneId: zoneId,
            participantCode: participantCode,
            ageBandId: "25-34",
            genderId: "woman",
            items: items,
            syringesCollected: 12,
            referralIds: ["moud"],
            substanceIds: ["opioids"]
        )
    }

    func level(_ stock: Stock, _ item: String) throws -> Int64 {
        try stock.levels(locationId: "van-1").first { $0.itemId == item }?.level ?? 0
    }

    @Test func aFullShift() throws {
        let path = try tempStore()
        let store = try SatchelStore.create(dir: path, role: .outreach, pin: pin, keystore: keystore, backgroundSync: false)
        let stock = store.stock()
        let encounters = store.encounters()
        try stock.setDeviceLocation(locationId: "van-1")
        try stock.receive(locationId: "van-1", itemId: "syringe-1ml", quantity: 500)
        try stock.receive(locationId: "van-1", itemId: "naloxone-nasal", quantity: 12)

        let first = try encounters.logFromKit(kitId: "standard", adjustments: [ItemQuantity(itemId: "syringe-1ml", quantity: 20)], input: street())
        let second = try encounters.logFromKit(kitId: "naloxone", adjustments: [], input: street(participantCode: "ZZ01AB"))
        #expect(try level(stock, "syringe-1ml") == 480)
        #expect(try level(stock, "naloxone-nasal") == 11)
        #expect(try encounters.participantSeen(participantCode: "ma-12-js"))

        try encounters.correct(encounterId: first, input: street(items: [ItemQuantity(itemId: "syringe-1ml", quantity: 10)], participantCode: nil))
        #expect(try level(stock, "syringe-1ml") == 490)
        let corrected = try #require(try encounters.get(encounterId: first))
        #expect(corrected.version == 2 && corrected.hasParticipant)
        try encounters.void(encounterId: second)
        #expect(try level(stock, "naloxone-nasal") == 12)
        #expect(try encounters.recent(limit: 10).first { $0.encounterId == second }?.voided == true)

        try stock.transfer(fromLocationId: "office", toLocationId: "van-1", itemId: "naloxone-nasal", quantity: 3)
        try stock.adjust(locationId: "van-1", itemId: "naloxone-nasal", delta: -2, reason: .expired)
        try stock.count(locationId: "van-1", itemId: "fentanyl-strip", level: 4)
        #expect(try level(stock, "naloxone-nasal") == 13)
        #expect(try stock.lowStock().contains { $0.itemId == "fentanyl-strip" && $0.level == 4 })

        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "America/New_York")!
        let day = { (offset: Int) -> String in
            let d = calendar.date(byAdding: .day, value: offset, to: Date())!
            let c = calendar.dateComponents([.year, .month, .day], from: d)
            return String(format: "%04d-%02d-%02d", c.year!, c.month!, c.day!)
        }
        let report = try store.reports().tally(from: day(-1), to: day(1), by: .week, zoneId: nil)
        #expect(report.total.encounters == 1)
        #expect(report.total.items["syringe-1ml"]?.units == 10)
        #expect(report.total.byZone == ["downtown": 1])
        #expect(try store.program().settings().kits.contains { $0.id == "standard" })

        store.lock()
        #expect(throws: SatchelError.Locked) { try encounters.recent(limit: 10) }
        let reopened = try SatchelStore.open(dir: path, keystore: keystore)
        try reopened.unlockWithPin(pin: pin)
        #expect(try reopened.encounters().recent(limit: 10).count == 2)
    }

    @Test func everyErrorIsTyped() throws {
        let path = try tempStore()
        let store = try SatchelStore.create(dir: path, role: .outreach, pin: pin, keystore: keystore, backgroundSync: false)
        let encounters = store.encounters()
        #expect(throws: SatchelError.InvalidInput(field: "items.quantity", reason: "must be from 1 to 1000", topic: .supplies)) {
            try encounters.log(input: street(items: [ItemQuantity(itemId: "syringe-1ml", quantity: 0)]))
        }
        do {
            _ = try encounters.log(input: street(items: [ItemQuantity(itemId: "unicorn", quantity: 1)]))
            Issue.record("an unknown item was accepted")
        } catch SatchelError.InvalidInput(let field, _, _) {
            #expect(field == "items")
        }
        do {
            try encounters.void(encounterId: "0190a000-0000-7000-8000-000000000000")
            Issue.record("voiding a missing encounter succeeded")
        } catch SatchelError.NotFound {}
        #expect(try encounters.recent(limit: 10).isEmpty)

        store.lock()
        #expect(throws: SatchelError.WrongPin(failedAttempts: 1)) { try store.unlockWithPin(pin: "0000") }
        do {
            _ = try SatchelStore.create(dir: path, role: .outreach, pin: pin, keystore: MemoryKeystore(), backgroundSync: false)
            Issue.record("a store was created over another")
        } catch SatchelError.StoreState {}
        do {
            _ = try SatchelStore.open(dir: try tempStore(), keystore: keystore)
            Issue.record("a missing store opened")
        } catch SatchelError.StoreState {}
        do {
            try store.unlockWithBiometrics()
            Issue.record("fingerprint unlock worked without being turned on")
        } catch SatchelError.StoreState {}
        #expect(throws: SatchelError.Locked) { try store.setBiometricUnlock(on: true) }
    }

    @Test func theKeystoreDoubleIsHmacSha256() {
        let hex = { (bytes: [UInt8]) in bytes.map { String(format: "%02x", $0) }.joined() }
        #expect(hex(sha256(Array("abc".utf8))) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(hex(sha256(Array(String(repeating: "a", count: 1000).utf8))) == "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3")
        // RFC 4231, test case 2.
        #expect(hex(hmacSha256(key: Array("Jefe".utf8), message: Array("what do ya want for nothing?".utf8)))
            == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }

    @Test func fingerprintAndBackgroundUnlockGoThroughTheKeystore() throws {
        let path = try tempStore()
        let store = try SatchelStore.create(dir: path, role: .outreach, pin: pin, keystore: keystore, backgroundSync: true)
        #expect(try store.hasBackgroundSync() && !store.hasBiometricUnlock())
        #expect(keystore.uses == [.pin, .background])
        try store.setBiometricUnlock(on: true)
        #expect(try store.hasBiometricUnlock())
        #expect(keystore.uses == [.pin, .biometric, .background])

        store.lock()
        try store.unlockWithBiometrics()
        #expect(store.isUnlocked())
        store.lock()
        try store.unlockForBackground()
        #expect(store.isUnlocked())
        store.lock()

        // Another phone (or the same files without this phone's keys) opens nothing, and a
        // keystore answering with the wrong length is refused, not trusted.
        let stranger = try SatchelStore.open(dir: path, keystore: MemoryKeystore())
        do {
            try stranger.unlockWithPin(pin: pin)
            Issue.record("the files opened without the phone's keystore")
        } catch SatchelError.KeystoreFailed {}
        do {
            try SatchelStore.open(dir: path, keystore: ShortKeystore()).unlockWithPin(pin: pin)
            Issue.record("a short answer was accepted")
        } catch SatchelError.KeystoreFailed {}

        // Background sync off: its key is gone and the background unlock refused.
        try store.unlockWithPin(pin: pin)
        try store.setBackgroundSync(on: false)
        #expect(try !store.hasBackgroundSync())
        #expect(!keystore.uses.contains(.background))
        store.lock()
        do {
            try store.unlockForBackground()
            Issue.record("background unlock worked with background sync off")
        } catch SatchelError.StoreState {}
        #expect(!store.isUnlocked())
    }

    @Test func aCancelledPromptIsNotAWrongAttempt() throws {
        let path = try tempStore()
        let store = try SatchelStore.create(dir: path, role: .outreach, pin: pin, keystore: keystore, backgroundSync: false)
        try store.setBiometricUnlock(on: true)
        store.lock()
        #expect(throws: SatchelError.WrongPin(failedAttempts: 1)) { try store.unlockWithPin(pin: "9051") }

        keystore.refuse(.biometric, with: .Cancelled)
        #expect(throws: SatchelError.BiometricsCancelled) { try store.unlockWithBiometrics() }
        #expect(store.failedAttempts() == 1, "a cancelled prompt counts nothing")
        #expect(try store.unlockWaitSeconds() == 0)

        keystore.refuse(.biometric, with: .Invalidated)
        #expect(throws: SatchelError.BiometricsChanged) { try store.unlockWithBiometrics() }
        #expect(store.failedAttempts() == 1, "changed biometrics count nothing")
        #expect(!store.isUnlocked())

        // Turned off while locked (the old key is useless), then on again after the PIN.
        try store.setBiometricUnlock(on: false)
        #expect(try !store.hasBiometricUnlock())
        #expect(!keystore.uses.contains(.biometric))
        keystore.refuse(.biometric, with: nil)
        try store.unlockWithPin(pin: pin)
        #expect(store.failedAttempts() == 0)
        try store.setBiometricUnlock(on: true)
        store.lock()
        try store.unlockWithBiometrics()
        #expect(store.isUnlocked())
    }

    @Test func theProgramsLimitOfWrongPinsWipesTheStore() throws {
        let path = try tempStore()
        let store = try SatchelStore.create(dir: path, role: .outreach, pin: pin, keystore: keystore, backgroundSync: true)
        #expect(try store.program().settings().wipeAfterFailedPins == 10)
        _ = try store.encounters().log(input: street())
        store.lock()
        try skipToNineWrongPins(path)
        #expect(store.failedAttempts() == 9)
        #expect(throws: SatchelError.Wiped(failedAttempts: 10)) { try store.unlockWithPin(pin: "9051") }
        #expect(!storeExists(dir: path))
        #expect(try FileManager.default.contentsOfDirectory(atPath: path).isEmpty)
        #expect(keystore.uses.isEmpty, "the keystore's keys go first")
    }

    @Test func aPanicArrivesAsAnError() {
        do {
            try checkPanicIsCaught()
            Issue.record("no error")
        } catch SatchelError.Internal(let detail) {
            #expect(detail.contains("deliberate panic"))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func panicWipeLeavesNothing() throws {
        let path = try tempStore()
        let store = try SatchelStore.create(dir: path, role: .outreach, pin: pin, keystore: keystore, backgroundSync: true)
        try store.setBiometricUnlock(on: true)
        _ = try store.encounters().log(input: street())
        #expect(keystore.uses == [.pin, .biometric, .background])
        try store.wipe()
        #expect(!storeExists(dir: path))
        #expect(try FileManager.default.contentsOfDirectory(atPath: path).isEmpty)
        #expect(keystore.uses.isEmpty, "wipe destroys the keystore's keys too")
        try panicWipe(dir: path, keystore: keystore) // nothing left to wipe is fine
    }

    @Test func panicWipeWithoutUnlockingDestroysTheKeysAndFiles() throws {
        let path = try tempStore()
        let store = try createStoreWithCost(dir: path, role: .outreach, pin: pin, keystore: keystore, backgroundSync: true, mKib: 64, t: 1)
        _ = try store.encounters().log(input: street())
        store.lock()
        #expect(keystore.uses == [.pin, .background])
        try panicWipe(dir: path, keystore: keystore)
        #expect(!storeExists(dir: path))
        #expect(try FileManager.default.contentsOfDirectory(atPath: path).isEmpty)
        #expect(keystore.uses.isEmpty)
        do {
            try store.unlockWithPin(pin: pin)
            Issue.record("a wiped store unlocked")
        } catch SatchelError.StoreState {}
    }

    @Test func syncBeforeEnrollmentIsRefusedWithoutTheNetwork() throws {
        let store = try SatchelStore.create(dir: try tempStore(), role: .outreach, pin: pin, keystore: keystore, backgroundSync: false)
        let sync = store.sync()
        #expect(try !sync.status().enrolled)
        do {
            _ = try sync.syncNow()
            Issue.record("an unenrolled store synced")
        } catch SatchelError.NotPermitted {}
        do {
            try sync.enroll(code: "https://not-a-code")
            Issue.record("a bad code was accepted")
        } catch SatchelError.InvalidInput(let field, _, _) {
            #expect(field == "enrollment code")
        }
        #expect(try sync.status().consecutiveFailures == 0)
    }

    /// Nine wrong PINs in a row, the last two hours ago: the state a worker's phone is in after
    /// half an hour of guesses and their waits, reached without waiting. The attempts file is
    /// plain text ("count seconds"; docs/key-handling.md), kept beside the store.
    func skipToNineWrongPins(_ path: String) throws {
        let twoHoursAgo = Int(Date().timeIntervalSince1970) - 7200
        try "9 \(twoHoursAgo)".write(toFile: path + "/satchel.attempts", atomically: true, encoding: .utf8)
    }
}

/// A keystore whose answer is 5 bytes, not 32.
final class ShortKeystore: PhoneKeystore, @unchecked Sendable {
    func createKey(keyUse: KeyUse) throws {}
    func derive(keyUse: KeyUse, salt: Data) throws -> Data { Data("short".utf8) }
    func destroyKey(keyUse: KeyUse) throws {}
}
