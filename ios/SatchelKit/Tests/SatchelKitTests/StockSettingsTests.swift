import Foundation
import SatchelFFI
import Testing
@testable import SatchelKit

@MainActor
@Suite(.serialized)
struct StockSettingsTests {
    @Test func stockReceivesAndMarksLowItemsInWords() async throws {
        let hub = try Hub()
        let (app, _) = try await joinedApp(hub)
        await app.select(.stock)
        #expect(app.stock.locationId == nil)
        await app.stock.choose(location: "van-1")
        let syringes = try #require(app.stock.rows.first { $0.id == "syringe-1ml" })
        #expect(syringes.low && syringes.out)
        #expect(app.stock.levelText(syringes) == "Out: none left (restock at 200)")

        app.stock.begin(.receive, item: "syringe-1ml")
        for _ in 0..<30 { app.stock.step(by: 10) }
        await app.stock.confirm()
        let after = try #require(app.stock.rows.first { $0.id == "syringe-1ml" })
        #expect(after.level == 301 && !after.low)
        #expect(app.stock.levelText(after) == "301 left")
        #expect(app.stock.rows.first { $0.id == "naloxone-nasal" }?.low == true)

        // A kit logged from van 1 takes its supplies from there.
        await app.log.tap(kit: "standard")
        let taken = app.review.items.first { $0.id == "syringe-1ml" }?.quantity ?? 0
        await app.review.save()
        #expect(app.stock.rows.first { $0.id == "syringe-1ml" }?.level == Int64(301 - taken))

        app.stock.begin(.adjust, item: "syringe-1ml")
        app.stock.entry?.reason = .damaged
        await app.stock.confirm()
        #expect(app.stock.rows.first { $0.id == "syringe-1ml" }?.level == Int64(300 - taken))

        // Counted down to 5: low, not out.
        app.stock.begin(.count, item: "syringe-1ml")
        app.stock.entry?.quantity = 5
        await app.stock.confirm()
        let five = try #require(app.stock.rows.first { $0.id == "syringe-1ml" })
        #expect(five.low && !five.out)
        #expect(app.stock.levelText(five) == "Low: 5 left (restock at 200)")
    }

    @Test func changePinFollowsTheCoreRules() async throws {
        let hub = try Hub()
        let (app, _) = try await joinedApp(hub)
        app.settings.currentPin = pin
        app.settings.newPin = "1111"
        app.settings.newPinAgain = "1111"
        await app.settings.changePin()
        #expect(app.settings.pinError == app.strings(.pinOneDigit))
        app.settings.newPin = "8042"
        app.settings.newPinAgain = "8042"
        await app.settings.changePin()
        #expect(app.settings.pinError == nil)
        app.lock()
        for d in [8, 0, 4, 2] { app.unlock.digit(d) }
        await app.unlock.submit()
        #expect(app.route == .main)
    }

    @Test func quickDeleteCanBeCancelledThenRemovesEveryFileAndTheKeys() async throws {
        let hub = try Hub()
        let platform = TestPlatform()
        let app = AppViewModel(platform: platform)
        app.join.code = try hub.enrollmentCode()
        app.join.pin = pin
        app.join.pinAgain = pin
        app.join.biometrics = true
        await app.join.submit()
        #expect(platform.keys.uses == [.pin, .biometric, .background])
        await app.log.tap(kit: "standard")
        await app.review.save()
        let files = { (try? FileManager.default.contentsOfDirectory(atPath: platform.storeDir)) ?? [] }
        #expect(!files().isEmpty)

        app.settings.startQuickDelete(tick: .milliseconds(20))
        #expect(app.settings.deleteCountdown == SettingsViewModel.deleteSeconds)
        app.settings.cancelQuickDelete()
        try await Task.sleep(for: .milliseconds(200))
        #expect(!files().isEmpty, "cancelled: nothing deleted")
        #expect(app.route == .main)

        app.settings.startQuickDelete(tick: .milliseconds(20))
        await app.settings.waitForQuickDelete()
        #expect(files().isEmpty, "left: \(files())")
        #expect(platform.keys.uses.isEmpty, "the keystore's keys are destroyed too")
        #expect(app.route == .join)
        #expect(!storeExists(dir: platform.storeDir))
    }
}
