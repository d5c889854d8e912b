import Foundation
import SatchelFFI
import Testing
@testable import SatchelKit

/// The phone's keystore through the view models: Face ID / Touch ID unlock (a cancelled prompt,
/// changed biometrics), background sync while locked, and the wipe at the program's limit of
/// wrong PINs. The keystore is the in-memory double; the Secure Enclave is not run here.
@MainActor
@Suite(.serialized)
struct KeystoreTests {
    @Test func faceIDUnlocksACancelledPromptCountsNothingAndChangedBiometricsAreOfferedAgain() async throws {
        let hub = try Hub()
        let (app, platform) = try await joinedApp(hub, biometrics: true)
        #expect(app.route == .main)
        #expect(platform.keys.uses == [.pin, .biometric, .background])
        #expect(app.settings.biometrics)

        app.lock()
        await app.unlock.refreshWait()
        #expect(app.unlock.biometrics)
        platform.keys.refuse(.biometric, with: .Cancelled)
        await app.unlock.useBiometrics()
        #expect(app.route == .unlock)
        #expect(app.unlock.error == nil, "a cancelled prompt says nothing")
        #expect(!app.unlock.busy)
        #expect(try app.lockedStore().failedAttempts() == 0, "and counts nothing")

        platform.keys.refuse(.biometric, with: nil)
        await app.unlock.useBiometrics()
        #expect(app.route == .main)

        // The phone's fingers or face changed: the key is dead, so it is turned off; the PIN
        // opens, and turning it on again is offered.
        app.lock()
        await app.unlock.refreshWait()
        platform.keys.refuse(.biometric, with: .Invalidated)
        await app.unlock.useBiometrics()
        #expect(app.route == .unlock)
        #expect(app.unlock.error == app.strings(.biometricsChanged))
        #expect(!app.unlock.biometrics)
        #expect(!platform.keys.uses.contains(.biometric))
        #expect(try app.lockedStore().failedAttempts() == 0)
        platform.keys.refuse(.biometric, with: nil)
        for d in [2, 4, 6, 8] { app.unlock.digit(d) }
        await app.unlock.submit()
        #expect(app.route == .main)
        #expect(app.notice?.text == app.strings(.biometricsOffer))
        #expect(app.notice?.action == app.strings(.turnOn))
        await app.performNoticeAction()
        #expect(app.settings.biometrics)
        #expect(platform.keys.uses.contains(.biometric))

        // Off in Settings: its key is destroyed and the lock screen no longer offers it.
        await app.settings.setBiometrics(false)
        #expect(!app.settings.biometrics)
        #expect(!platform.keys.uses.contains(.biometric))
        app.lock()
        await app.unlock.refreshWait()
        #expect(!app.unlock.biometrics)
        await app.unlock.useBiometrics()
        #expect(app.route == .unlock)
    }

    @Test func aCancelledPromptAtJoinJoinsWithoutFaceID() async throws {
        let hub = try Hub()
        let platform = TestPlatform()
        platform.keys.refuse(.biometric, with: .Cancelled)
        let app = AppViewModel(platform: platform)
        app.join.code = try hub.enrollmentCode()
        app.join.pin = pin
        app.join.pinAgain = pin
        app.join.biometrics = true
        await app.join.submit()
        #expect(app.route == .main)
        #expect(app.join.error == nil)
        #expect(app.notice == nil, "a cancelled prompt says nothing")
        #expect(!app.settings.biometrics)
    }

    @Test func backgroundSyncOpensALockedStoreOnlyWhileItIsOn() async throws {
        let hub = try Hub()
        let (app, platform) = try await joinedApp(hub)
        await app.log.tap(kit: "standard")
        await app.review.save()
        app.lock()
        let (dir, keystore) = (platform.storeDir, platform.keystore)
        let background = { try await Task.detached { try SyncViewModel.syncWhileLocked(dir: dir, keystore: keystore) }.value }

        let state = try #require(try await background())
        #expect(state.pending == 0)
        #expect(!app.hasOpenStore, "the app's store stays locked")
        _ = try hub.manager.sync().syncNow()
        let day = { (d: Date) in ISO8601DateFormatter.string(from: d, timeZone: .current, formatOptions: [.withFullDate]) }
        let total = try hub.manager.reports().tally(
            from: day(Date().addingTimeInterval(-172_800)), to: day(Date().addingTimeInterval(172_800)), by: nil, zoneId: nil).total
        #expect(total.encounters == 1, "the shift reached the server while the app was locked")

        // Background sync off: the locked store is not opened, and its key is gone.
        for d in [2, 4, 6, 8] { app.unlock.digit(d) }
        await app.unlock.submit()
        await app.select(.settings)
        #expect(app.settings.backgroundSync, "on from the join")
        await app.settings.setBackgroundSync(false)
        #expect(!app.settings.backgroundSync)
        await app.log.tap(kit: "standard")
        await app.review.save()
        app.lock()
        #expect(try await background() == nil)
        #expect(!platform.keys.uses.contains(.background))
        for d in [2, 4, 6, 8] { app.unlock.digit(d) }
        await app.unlock.submit()
        await app.sync.refresh()
        #expect((app.sync.status?.pending ?? 0) > 0, "nothing was sent in the background")
    }

    @Test func theProgramsLimitOfWrongPinsDeletesEverythingAndGoesBackToJoin() async throws {
        let hub = try Hub()
        let (app, platform) = try await joinedApp(hub, biometrics: true)
        #expect(app.preferences.wipeAfterFailedPins == 10, "remembered at the unlock")
        await app.log.tap(kit: "standard")
        await app.review.save()
        app.lock()
        try skipToNineWrongPins(platform)
        await app.unlock.refreshWait()
        #expect(app.unlock.waitSeconds == 0)
        for d in [9, 0, 5, 1] { app.unlock.digit(d) }
        await app.unlock.submit()
        #expect(app.route == .join)
        #expect(app.join.info == app.strings(.wiped, 10))
        #expect(app.join.info?.hasPrefix("After 10 wrong PINs in a row, Satchel deleted its data on this phone") == true)
        #expect(!app.join.codeOnly, "a new PIN is chosen")
        #expect(!storeExists(dir: platform.storeDir))
        #expect(platform.keys.uses.isEmpty, "the keystore's keys went first")
        #expect(!platform.backgroundSync)

        // The phone joins again from scratch.
        app.join.code = try hub.enrollmentCode("Van 1 again")
        app.join.pin = pin
        app.join.pinAgain = pin
        await app.join.submit()
        #expect(app.route == .main)
        #expect(app.join.info == nil)
        #expect(app.today.rows.isEmpty)
    }
}
