import Foundation
import SatchelFFI
import Testing
@testable import SatchelKit

/// A worker's shift through the view models, over a real store and the real library, against
/// a real hub: the same scenarios as the Android app's UI tests.
@MainActor
@Suite(.serialized)
struct ShiftTests {
    @Test func joinRefusesATrivialPinThenLogsInTwoTapsAndUndoes() async throws {
        let hub = try Hub()
        let platform = TestPlatform()
        let app = AppViewModel(platform: platform)
        #expect(app.route == .join)
        app.join.code = try hub.enrollmentCode()
        app.join.pin = "1234"
        app.join.pinAgain = "1234"
        await app.join.submit()
        #expect(app.join.error == app.strings(.pinRun))
        #expect(!storeExists(dir: platform.storeDir), "no store before the PIN passes")

        app.join.pin = pin
        app.join.pinAgain = pin
        await app.join.submit()
        #expect(app.route == .main)
        #expect(platform.backgroundSync)
        #expect(platform.keys.uses == [.pin, .background], "background sync on from the join; no Face ID unless chosen")
        #expect(!app.settings.biometrics)
        #expect(app.log.kits.contains { $0.id == "standard" })

        // Tap one: the kit's sheet. Tap two: Save.
        await app.log.tap(kit: "standard")
        #expect(app.sheetOpen)
        #expect(app.review.items.contains { $0.id == "syringe-1ml" && $0.quantity > 0 })
        await app.review.save()
        #expect(!app.sheetOpen)
        #expect(app.notice?.text == app.strings(.saved))
        #expect(app.notice?.action == app.strings(.undo))
        #expect(app.today.rows.count == 1)
        #expect(app.today.headline == "1 encounter, 1 waiting to sync")

        await app.performNoticeAction()
        #expect(app.today.rows.first?.voided == true)
        #expect(app.today.summary?.encounters == 0)
    }

    @Test func todayCorrectsAndVoids() async throws {
        let hub = try Hub()
        let (app, _) = try await joinedApp(hub)
        await app.log.tap(kit: "naloxone")
        await app.review.save()
        let id = try #require(app.today.rows.first?.id)
        #expect(app.today.summary?.naloxoneDosesGiven == 2)

        await app.today.tap(id)
        #expect(app.review.correcting == id)
        app.review.step("naloxone-nasal", by: 1)
        await app.review.save()
        #expect(app.today.summary?.naloxoneDosesGiven == 4)
        #expect(app.today.summary?.encounters == 1)

        app.today.askVoid(id)
        await app.today.confirmVoid()
        #expect(app.today.rows.first?.voided == true)
        #expect(app.today.summary?.encounters == 0)
        // Whether the void itself reached the hub shows on the row.
        #expect(app.today.rows.first?.status == "Voided · Waiting")
        await app.sync.syncNow()
        await app.today.refresh()
        #expect(app.today.rows.first?.status == "Voided · Sent")
    }

    @Test func aNewCodeAsksTheProfileOnceAndANaloxoneKitAsksWhy() async throws {
        let hub = try Hub()
        let (app, _) = try await joinedApp(hub)
        // A kit without naloxone asks nothing about naloxone.
        await app.log.tap(kit: "standard")
        #expect(!app.review.asksNaloxoneKit)
        app.review.close()

        await app.log.tap(kit: "naloxone")
        #expect(app.review.asksNaloxoneKit, "the core asks why: a naloxone item is on the sheet")
        app.review.naloxoneKit = .first
        // A code new to this phone: the profile, each question at "ask later" until answered.
        await app.review.setParticipantCode("PF01AA")
        #expect(app.review.seenBefore == false && app.review.asksProfile)
        #expect(app.review.race == .notAsked && app.review.ethnicity == .notAsked)
        app.review.toggleRace("white")
        app.review.toggleRace("black")
        #expect(app.review.raceIds == ["black", "white"])
        app.review.residence = .chosen(ids: ["this-county"])
        app.review.toggleDelivered("hiv-test")
        app.review.setLinked("hiv-test", true)
        await app.review.save()
        #expect(app.today.rows.count == 1)
        let yesterday = ISO8601DateFormatter.string(from: Date().addingTimeInterval(-86_400), timeZone: .current, formatOptions: [.withFullDate])
        let tomorrow = ISO8601DateFormatter.string(from: Date().addingTimeInterval(86_400), timeZone: .current, formatOptions: [.withFullDate])
        let total = try app.openStore().reports().tally(from: yesterday, to: tomorrow, by: nil, zoneId: nil).total
        #expect(total.personsByRace == ["multiple": 1])
        #expect(total.personsByEthnicity == ["not_recorded": 1], "ethnicity left at ask later")
        #expect(total.personsByResidence == ["this-county": 1])
        #expect(total.servicesDelivered == ["hiv-test/linked_to_care": 1])
        #expect(total.naloxoneKits == ["first": 1])

        // The same code again: seen here, so the profile is not asked twice; the answers left
        // memory with the sheet.
        await app.log.tap(kit: "naloxone")
        #expect(app.review.race == .notAsked && app.review.residence == .notAsked)
        await app.review.setParticipantCode("PF01AA")
        #expect(app.review.seenBefore == true && !app.review.asksProfile && app.review.offersProfileUpdate)
        // Later, the person says they moved: the worker opens the profile and answers the one
        // question; the others stay at "ask later" and keep what was said before.
        app.review.updateProfile()
        #expect(app.review.asksProfile && !app.review.offersProfileUpdate)
        app.review.residence = .chosen(ids: ["out-of-state"])
        await app.review.save()
        #expect(app.today.rows.count == 2)
        let after = try app.openStore().reports().tally(from: yesterday, to: tomorrow, by: nil, zoneId: nil).total
        #expect(after.personsByResidence == ["out-of-state": 1], "one person, under the newest answer")
        #expect(after.personsByRace == ["multiple": 1], "the earlier race stands")
        // A new sheet starts closed again.
        await app.log.tap(kit: "naloxone")
        await app.review.setParticipantCode("PF01AA")
        #expect(!app.review.updatingProfile && !app.review.asksProfile && app.review.offersProfileUpdate)
        app.review.close()
    }

    @Test func sharpsComeBackByContainerAndTheShiftCountsTheEstimate() async throws {
        let hub = try Hub()
        let (app, _) = try await joinedApp(hub)
        await app.log.tap(kit: "standard")
        #expect(app.review.containers.map(\.id) == ["quart", "gallon"])
        let quart = try #require(app.review.containers.first)
        #expect(app.review.label(quart) == "\(quart.name) (about \(quart.syringesEach) syringes each)")
        app.review.step(container: "quart", by: 2)
        app.review.step(container: "gallon", by: -1)
        #expect(app.review.containers.map(\.count) == [2, 0])
        await app.review.save()
        #expect(app.today.summary?.sharpsContainers == 2)
        #expect(app.today.summary?.syringesEstimated == UInt32(2 * quart.syringesEach))

        // Corrected: the sheet opens with the two quarts; one is taken off.
        let id = try #require(app.today.rows.first?.id)
        await app.today.tap(id)
        #expect(app.review.containers.first?.count == 2)
        app.review.step(container: "quart", by: -1)
        await app.review.save()
        #expect(app.today.summary?.sharpsContainers == 1)
    }

    /// Leave now or delete everything: two taps from any screen, the open sheet included.
    @Test func quickExitIsTwoTapsFromAnyScreen() async throws {
        let hub = try Hub()
        let (app, _) = try await joinedApp(hub)
        await app.log.tap(kit: "standard")
        #expect(app.sheetOpen)
        app.openSafety()
        #expect(app.safetyOpen)
        app.quickExit()
        #expect(!app.hasOpenStore && app.route == .unlock && !app.sheetOpen && !app.safetyOpen)
        // The other language, one tap away at the PIN, with the store still locked.
        app.switchLanguage()
        #expect(app.strings(.unlockTitle) == Strings(.spanish)(.unlockTitle) && !app.hasOpenStore)
        app.switchLanguage()
        #expect(app.preferences.language == .english)
        for d in [2, 4, 6, 8] { app.unlock.digit(d) }
        await app.unlock.submit()
        #expect(app.sheetOpen && app.notice?.text == app.strings(.draftBack), "the half-filled sheet is back (D97)")
        app.review.close()
        await app.select(.stock)
        app.openSafety()
        app.closeSafety()
        #expect(!app.safetyOpen && app.hasOpenStore && app.tab == .stock)
    }

    /// Every stepper stops at the core's limit, so Save never refuses what the form let through.
    @Test func steppersStopWhereTheCoreWouldRefuse() async throws {
        let hub = try Hub()
        let (app, _) = try await joinedApp(hub)
        await app.log.tap(kit: "standard")
        for _ in 0..<10 {
            app.review.step(.overdoseReversals, by: 10)
            app.review.step(.collectingFor, by: 10)
            app.review.step(.naloxoneDosesUsed, by: 50)
        }
        #expect(app.review.count(.overdoseReversals) == Int(formLimits().overdoseReversals.max))
        let counts: [Int] = [app.review.count(.overdoseReversals), app.review.count(.collectingFor), app.review.count(.naloxoneDosesUsed)]
        #expect(counts == [20, 50, 100])
        // A contact logged late: dated back as far as the core allows (the shift, less an hour).
        for _ in 0..<30 { app.review.stepMinutesEarlier(by: 10) }
        #expect(app.review.minutesEarlier == Int(formLimits().minutesEarlier.max) && app.review.minutesEarlier == 660)
        let contactAt = app.review.contactAt
        await app.review.save()
        #expect(app.today.rows.count == 1 && app.review.error == nil)
        let saved = try #require(try app.openStore().encounters().recent(limit: 1).first)
        #expect(Int(saved.occurredAt.timeIntervalSince1970) / 60 == Int(contactAt.timeIntervalSince1970) / 60, "saved 11 hours earlier, to the minute")

        // Stock: a correction steps over 0, which the core refuses; a receipt never goes below 1.
        await app.stock.choose(location: "van-1")
        app.stock.begin(.adjust, item: "syringe-1ml")
        app.stock.step(by: 1)
        #expect(app.stock.entry?.quantity == 1)
        app.stock.cancel()
        app.stock.begin(.receive, item: "syringe-1ml")
        app.stock.step(by: -10)
        #expect(app.stock.entry?.quantity == 1)
        // Typed: letters dropped, held to the core's range, a minus only for a correction.
        app.stock.type(quantity: "99999999")
        #expect(app.stock.entry?.quantity == Int(formLimits().stockQuantity.max))
        app.stock.type(quantity: "-40")
        #expect(app.stock.entry?.quantity == 40)
        app.stock.cancel()
        app.stock.begin(.adjust, item: "syringe-1ml")
        app.stock.type(quantity: "-4x0")
        #expect(app.stock.entry?.quantity == -40)
        app.stock.cancel()
    }

    @Test func theProgramsNamesAreInTheWorkersLanguageAndEnglishIsMarkedWhereThereIsNoSpanish() async throws {
        let hub = try Hub()
        // A zone the manager wrote in English only.
        try hub.manager.program().putZoneForTesting(zone: Choice(id: "harbor", label: "Harbor", labelEs: nil, position: 9, active: true))
        _ = try hub.manager.sync().syncNow()
        let (app, _) = try await joinedApp(hub)
        // The program's settings arrive at the phone's sync.
        await app.sync.syncNow()
        app.updatePreferences { $0.language = .spanish }
        await app.log.refresh()
        let standard = try #require(app.log.kits.first { $0.id == "standard" })
        #expect(standard.name == "Kit estándar para inyectarse")
        #expect(standard.contents.contains("Jeringa 1 mL 29G"))
        await app.review.open(kit: "standard")
        #expect(app.review.kitName == "Kit estándar para inyectarse")
        #expect(app.review.items.contains { $0.name == "Jeringa 1 mL 29G" })
        let zones = app.review.zones.map(\.label)
        #expect(zones.contains("Centro") && zones.contains("Harbor (EN)"), "\(zones)")
        #expect(app.review.choices.referrals.contains { $0.label == "Salud mental" })
        // The language changed with the sheet open: its names follow, what was entered stays.
        app.review.step("syringe-1ml", by: 3)
        app.updatePreferences { $0.language = .english }
        #expect(app.review.kitName == "Standard injection kit" && app.review.zones.contains { $0.label == "Downtown" })
        #expect(app.review.items.first { $0.id == "syringe-1ml" }?.quantity == 13)
        app.updatePreferences { $0.language = .spanish }
        app.review.close()
        await app.stock.choose(location: "van-1")
        #expect(app.stock.locations.contains { $0.name == "Camioneta 1" })
        #expect(app.stock.rows.contains { $0.name == "Toallita con alcohol" })
        app.updatePreferences { $0.language = .english }
        await app.log.refresh()
        #expect(app.log.kits.contains { $0.name == "Standard injection kit" })
    }

    @Test func aReferralShowsWhereToGoAndTheCardSpeaksTheParticipantsLanguage() async throws {
        let hub = try Hub()
        let always = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"].map { Opening(day: $0, opens: "00:00", closes: "24:00") }
        let program = hub.manager.program()
        try program.putServiceForTesting(service: Service(
            id: "eastside-clinic", name: ServiceText(en: "Eastside Health Clinic", es: "Clínica de Salud Eastside"), referralTypes: ["moud"],
            area: ServiceText(en: "412 E Main St", es: "412 E Main St"), hours: always, phone: "(555) 010-2000", access: .walkIn,
            requiresId: false, requiresInsurance: false, requiresSobriety: false, languages: ["English", "Spanish"], notes: nil, active: true))
        try program.putServiceForTesting(service: Service(
            id: "harbor-shelter", name: ServiceText(en: "Harbor Shelter", es: nil), referralTypes: ["moud", "housing"],
            area: ServiceText(en: "Pier 4", es: nil), hours: [], phone: nil, access: .appointment,
            requiresId: true, requiresInsurance: false, requiresSobriety: true, languages: [], notes: nil, active: true))
        _ = try hub.manager.sync().syncNow()
        let (app, _) = try await joinedApp(hub)
        await app.sync.syncNow()
        await app.log.tap(kit: "standard")
        await app.review.setParticipantCode("MA12JS")
        await app.review.toggleReferral("moud")
        #expect(app.review.services.map(\.service.id) == ["eastside-clinic", "harbor-shelter"], "open first")
        #expect(app.review.services.last?.status == .unknown, "no hours listed")
        let shelter = try #require(app.review.services.last?.service)
        #expect(app.strings.doorSummary(shelter) == "By appointment · Photo ID needed · Asks that people come sober")
        #expect(app.strings.openStatus(.closed(opensDay: "mon", opensAt: "09:00")) == "Closed · opens Monday 09:00")
        #expect(Strings(.spanish).openStatus(.open(closes: "17:00")) == "Abierto hasta las 17:00")
        #expect(Strings(.spanish).serviceName(shelter) == "Harbor Shelter", "English stands in")

        // The card in Spanish for the participant while the app stays in English.
        await app.review.handOver("eastside-clinic")
        #expect(app.review.card?.title == "Eastside Health Clinic")
        await app.review.setCardLanguage(.spanish)
        let card = try #require(app.review.card)
        #expect(card.title == "Clínica de Salud Eastside")
        #expect(card.lines.contains("Puede ir sin cita"))
        #expect(app.strings(.save) == "Save")
        #expect(card.payload.hasPrefix("BEGIN:VCARD") && card.payload.contains("FN:Clínica de Salud Eastside"))
        #expect(!card.payload.contains("MA12JS"), "nothing of the participant")
        app.review.closeCard()
        #expect(app.review.card == nil)

        // Marked as suggested and saved: the phone's tally counts it by service only.
        app.review.toggleSuggested("eastside-clinic")
        await app.review.save()
        let day = ISO8601DateFormatter.string(from: Date(), timeZone: .current, formatOptions: [.withFullDate])
        let store = try app.openStore()
        let yesterday = ISO8601DateFormatter.string(from: Date().addingTimeInterval(-86_400), timeZone: .current, formatOptions: [.withFullDate])
        let tomorrow = ISO8601DateFormatter.string(from: Date().addingTimeInterval(86_400), timeZone: .current, formatOptions: [.withFullDate])
        let total = try store.reports().tally(from: yesterday, to: tomorrow, by: nil, zoneId: nil).total
        #expect(total.byService == ["eastside-clinic": 1], "\(day)")
    }

    @Test func wrongPinsMakeTheNextTryWaitEvenAfterARestart() async throws {
        let hub = try Hub()
        let (app, platform) = try await joinedApp(hub)
        app.lock()
        #expect(app.route == .unlock)
        for _ in 0..<5 {
            for d in [9, 0, 5, 1] { app.unlock.digit(d) }
            await app.unlock.submit()
        }
        #expect(app.unlock.waitSeconds > 0 && app.unlock.waitSeconds <= 30)
        #expect(app.unlock.wipeWarning == "After 10 wrong PINs in a row, Satchel deletes its data on this phone. Tries left: 5.")
        // Digits are refused during the wait.
        app.unlock.digit(2)
        #expect(app.unlock.entered == 0)

        // The app killed and started again: the wait is still there.
        let again = AppViewModel(platform: platform)
        #expect(again.route == .unlock)
        await again.unlock.refreshWait()
        #expect(again.unlock.waitSeconds > 0)
        #expect(again.unlock.wipeWarning == app.unlock.wipeWarning, "the limit is remembered while locked")
    }

    @Test func syncNowSendsEverythingAndAStoppedHubIsSaidPlainly() async throws {
        let hub = try Hub()
        let (app, platform) = try await joinedApp(hub)
        for kit in ["standard", "standard"] {
            await app.log.tap(kit: kit)
            await app.review.save()
        }
        // One waiting count, from the core, on Log, Today and Sync: the two contacts.
        await app.log.refresh()
        #expect(app.log.status == "2 contacts this shift · 2 waiting")
        #expect(app.today.summary?.waiting == 2)
        await app.select(.sync)
        #expect((app.sync.status?.pending ?? 0) > 0 && app.sync.status?.contactsWaiting == 2)
        #expect(app.sync.lines.first == "2 contacts waiting to be sent")
        await app.sync.syncNow()
        #expect(app.sync.status?.pending == 0)
        #expect(app.sync.lines.first == app.strings(.allSent))
        await app.log.refresh()
        #expect(app.log.status == "2 contacts this shift · all sent")

        hub.stop()
        await app.log.tap(kit: "smoking")
        await app.review.save()
        await app.sync.syncNow()
        #expect(app.sync.status?.lastError != nil)
        #expect((app.sync.status?.pending ?? 0) > 0, "nothing lost")
        #expect(app.sync.lines.contains { $0.hasPrefix("Last try failed") })

        platform.online = false
        await app.sync.refresh()
        #expect(app.sync.disabledReason == app.strings(.offlineExplain))
        await app.log.refresh()
        #expect(app.log.status.hasSuffix(" · offline"), "offline said on Log too")

        platform.online = true
        try hub.restart()
        await app.sync.syncNow()
        #expect(app.sync.status?.pending == 0)
        _ = try hub.manager.sync().syncNow()
        let span = (Calendar.current.date(byAdding: .day, value: -2, to: Date())!, Calendar.current.date(byAdding: .day, value: 2, to: Date())!)
        let day = { (d: Date) in ISO8601DateFormatter.string(from: d, timeZone: .current, formatOptions: [.withFullDate]) }
        let total = try hub.manager.reports().tally(from: day(span.0), to: day(span.1), by: nil, zoneId: nil).total
        #expect(total.encounters == 3, "the manager receives all three")
    }

    @Test func locksAfterTheTimeoutAndWhenTheScreenLocks() async throws {
        let hub = try Hub()
        let (app, platform) = try await joinedApp(hub)
        app.didEnterBackground()
        platform.clock = platform.clock.addingTimeInterval(60)
        app.willEnterForeground()
        #expect(app.hasOpenStore, "a minute away does not lock (2-minute default)")
        app.didEnterBackground()
        platform.clock = platform.clock.addingTimeInterval(121)
        app.willEnterForeground()
        #expect(!app.hasOpenStore)
        #expect(app.route == .unlock)
        for d in [2, 4, 6, 8] { app.unlock.digit(d) }
        await app.unlock.submit()
        #expect(app.route == .main)
        #expect(app.lockGraceSeconds == 60, "the program's grace, read from the store")
        // A phone that locks mid-shift: covered at once, the shift goes on within the grace.
        app.screenDidLock()
        #expect(app.covered && app.hasOpenStore)
        platform.clock = platform.clock.addingTimeInterval(30)
        app.screenDidUnlock()
        #expect(!app.covered && app.hasOpenStore && app.route == .main)
        // Locked past the grace: locked when it comes back.
        app.screenDidLock()
        platform.clock = platform.clock.addingTimeInterval(61)
        app.willEnterForeground()
        #expect(!app.hasOpenStore && !app.covered && app.route == .unlock)
        // A phone left locked locks the store by itself once the grace has passed.
        for d in [2, 4, 6, 8] { app.unlock.digit(d) }
        await app.unlock.submit()
        app.lockGraceSeconds = 1
        app.screenDidLock()
        try await Task.sleep(nanoseconds: 1_600_000_000)
        #expect(!app.hasOpenStore, "locked by the grace's timer")
        // A program that sets no grace locks at once.
        for d in [2, 4, 6, 8] { app.unlock.digit(d) }
        await app.unlock.submit()
        app.lockGraceSeconds = 0
        app.screenDidLock()
        #expect(!app.hasOpenStore)
    }

    @Test func aSheetOpenWhenThePhoneLocksComesBackAfterThePinWithoutTheCode() async throws {
        let hub = try Hub()
        let (app, platform) = try await joinedApp(hub)
        await app.review.open(kit: "standard")
        #expect(app.sheetOpen && !app.review.items.isEmpty)
        let items = app.review.items
        app.review.step(.syringesCollected, by: 10)
        await app.review.setParticipantCode("MA12JS")
        // Locked past the grace: the sheet goes, and nothing of it stays in memory.
        app.screenDidLock()
        platform.clock = platform.clock.addingTimeInterval(61)
        app.willEnterForeground()
        #expect(!app.hasOpenStore && !app.sheetOpen && app.review.participantCode.isEmpty)
        for d in [2, 4, 6, 8] { app.unlock.digit(d) }
        await app.unlock.submit()
        #expect(app.sheetOpen, "the sheet is back after the PIN")
        #expect(app.review.count(.syringesCollected) == 10 && app.review.items == items)
        #expect(app.review.kitName == "Standard injection kit")
        #expect(app.review.participantCode.isEmpty, "the code is typed again")
        #expect(app.notice?.text == app.strings(.draftBackRetypeCode))
        // Taken once.
        app.review.close()
        app.lock()
        for d in [2, 4, 6, 8] { app.unlock.digit(d) }
        await app.unlock.submit()
        #expect(!app.sheetOpen, "no draft the second time")
    }
}

/// Both languages define every key; Spanish is translated; no stigmatizing word.
struct StringsTests {
    /// The format specifiers of a text (`%@`, `%d`, `%1$@`), sorted.
    private func placeholders(_ text: String) -> [String] {
        var found: [String] = []
        var rest = Substring(text)
        while let start = rest.firstIndex(of: "%") {
            var spec = "%"
            var i = rest.index(after: start)
            while i < rest.endIndex, rest[i].isNumber || rest[i] == "$" || rest[i] == "l" {
                spec.append(rest[i])
                i = rest.index(after: i)
            }
            if i < rest.endIndex {
                spec.append(rest[i])
                i = rest.index(after: i)
            }
            found.append(spec)
            rest = rest[i...]
        }
        return found.sorted()
    }

    @Test func everyKeyIsInBothLanguages() {
        for language in Language.allCases {
            let s = Strings(language)
            let missing = Key.allCases.filter { s.lookup($0) == nil }
            #expect(missing.isEmpty, "\(language) lacks \(missing)")
        }
        let en = Strings(.english), es = Strings(.spanish)
        // The same placeholders in both languages, or String(format:) reads the wrong argument.
        for key in Key.allCases {
            #expect(placeholders(en(key)) == placeholders(es(key)), "\(key): \(en(key)) | \(es(key))")
        }
        let same = Key.allCases.filter { en($0) == es($0) }
        #expect(same.count <= 2, "untranslated: \(same)")
        for p in [PinProblem.notDigits, .length, .oneDigit, .run, .pattern, .common] {
            #expect(en.pinProblem(p) != es.pinProblem(p))
        }
        // A refused value is worded by its topic; the core's English reason never shows.
        for t in [InputTopic.participantCode, .time, .zone, .supplies, .profile, .naloxoneKit, .servicesDelivered, .counts, .pin, .other] {
            #expect(en.invalid(t) != es.invalid(t) && !es.invalid(t).contains("Please"))
        }
        let refused = SatchelError.InvalidInput(field: "occurred_at", reason: "is in the future; check the phone's clock", topic: .time)
        #expect(es.describe(refused) == es.invalid(.time) && !es.describe(refused).contains("future"))
    }

    @Test func wordsArePersonFirst() {
        // Person-first in both languages: the stigmatizing words and their other forms.
        let banned = ["clean", "dirty", "addict", "abuse", "junkie",
                      "limpia", "limpio", "sucia", "sucio", "adicto", "adicta", "drogadict", "abuso", "toxicómano"]
        for language in Language.allCases {
            let s = Strings(language)
            for key in Key.allCases {
                let text = s(key).lowercased()
                #expect(!banned.contains { text.contains($0) }, "\(key)")
            }
        }
    }

    @Test func plurals() {
        let en = Strings(.english)
        #expect(en.count(1, one: .shiftEncountersOne, other: .shiftEncountersOther) == "1 encounter")
        #expect(en.count(3, one: .shiftEncountersOne, other: .shiftEncountersOther) == "3 encounters")
        #expect(Strings(.spanish)(.wrongPin, 2) == "PIN incorrecto (2 seguidos).")
    }
}
