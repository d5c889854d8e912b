import Foundation
import SatchelFFI
import Testing

/// A worker's shift through the generated Swift bindings, as the iOS app drives them.
struct ShiftTests {
    let pin = "2468"

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
        let store = try SatchelStore.create(dir: path, role: .outreach, pin: pin, platformKey: nil)
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
        let reopened = try SatchelStore.open(dir: path)
        try reopened.unlockWithPin(pin: pin)
        #expect(try reopened.encounters().recent(limit: 10).count == 2)
    }

    @Test func everyErrorIsTyped() throws {
        let path = try tempStore()
        let store = try SatchelStore.create(dir: path, role: .outreach, pin: pin, platformKey: nil)
        let encounters = store.encounters()
        #expect(throws: SatchelError.InvalidInput(field: "items.quantity", reason: "must be from 1 to 1000")) {
            try encounters.log(input: street(items: [ItemQuantity(itemId: "syringe-1ml", quantity: 0)]))
        }
        do {
            _ = try encounters.log(input: street(items: [ItemQuantity(itemId: "unicorn", quantity: 1)]))
            Issue.record("an unknown item was accepted")
        } catch SatchelError.InvalidInput(let field, _) {
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
            _ = try SatchelStore.create(dir: path, role: .outreach, pin: pin, platformKey: nil)
            Issue.record("a store was created over another")
        } catch SatchelError.StoreState {}
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
        let store = try SatchelStore.create(dir: path, role: .outreach, pin: pin, platformKey: nil)
        _ = try store.encounters().log(input: street())
        try store.wipe()
        #expect(!storeExists(dir: path))
        #expect(try FileManager.default.contentsOfDirectory(atPath: path).isEmpty)
    }

    @Test func syncBeforeEnrollmentIsRefusedWithoutTheNetwork() throws {
        let store = try SatchelStore.create(dir: try tempStore(), role: .outreach, pin: pin, platformKey: nil)
        let sync = store.sync()
        #expect(try !sync.status().enrolled)
        do {
            _ = try sync.syncNow()
            Issue.record("an unenrolled store synced")
        } catch SatchelError.NotPermitted {}
        do {
            try sync.enroll(code: "https://not-a-code")
            Issue.record("a bad code was accepted")
        } catch SatchelError.InvalidInput(let field, _) {
            #expect(field == "enrollment code")
        }
        #expect(try sync.status().consecutiveFailures == 0)
    }
}
