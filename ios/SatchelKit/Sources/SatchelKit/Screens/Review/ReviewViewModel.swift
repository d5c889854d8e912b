import Foundation
import Observation
import SatchelFFI

/// The review sheet: prefilled from a kit (or the encounter being corrected), adjusted with
/// steppers and chips, saved in one tap. The core validates; the sheet shows its answer.
@MainActor
@Observable
public final class ReviewViewModel: ChildViewModel {
    /// The core's range for every number on the sheet: a stepper stops where Save would refuse.
    public static let limits = formLimits()
    public static var maxQuantity: Int { Int(limits.itemQuantity.max) }
    public static var maxContainers: Int { Int(limits.sharpsContainers.max) }

    /// The core's range of a counter.
    public static func range(_ counter: Counter) -> ClosedRange<Int> {
        let r = switch counter {
        case .syringesCollected: limits.syringesCollected
        case .overdoseReversals: limits.overdoseReversals
        case .naloxoneDosesUsed: limits.naloxoneDosesUsed
        case .collectingFor: limits.collectingFor
        }
        return Int(r.min)...Int(r.max)
    }
    /// `nil`: a new encounter; otherwise the encounter being corrected.
    public private(set) var correcting: String?
    public private(set) var kitName: String?
    @ObservationIgnored private var kitId: String?
    public private(set) var items: [SheetItem] = []
    public private(set) var addable: [SheetItem] = []
    public var contactType: ContactType = .street
    public var zoneId = ""
    public private(set) var zones: [Choice] = []
    public private(set) var participantCode = ""
    /// Whether the code was seen on this phone before; `nil` while none is typed.
    public private(set) var seenBefore: Bool?
    public var newParticipant = false
    public var ageBandId: String?
    public var genderId: String?
    public private(set) var referralIds: Set<String> = []
    public private(set) var substanceIds: Set<String> = []
    public private(set) var counters: [Counter: Int] = [:]
    /// The program's container types, each with how many came back.
    public private(set) var containers: [SheetContainer] = []
    /// Services of the directory that meet the chosen referral types, open ones first.
    public private(set) var services: [ServiceMatch] = []
    /// Services the worker marks as suggested (optional; reports count them by service only).
    public private(set) var suggested: Set<String> = []
    /// The hand-over card on screen, in `cardLanguage`: the participant's, not the app's.
    public private(set) var card: HandoverCard?
    public private(set) var cardLanguage: CardLanguage?
    @ObservationIgnored private var cardServiceId: String?
    public private(set) var busy = false
    public private(set) var error: String?
    public private(set) var choices = (ageBands: [Choice](), genders: [Choice](), referrals: [Choice](), substances: [Choice]())
    /// The participant profile's lists (an empty one is a question the program does not ask).
    public private(set) var profileLists = (races: [Choice](), ethnicities: [Choice](), residences: [Choice]())
    /// The profile's answers: "not asked" until the worker chooses ("ask later" is the default).
    public private(set) var race: ProfileAnswer = .notAsked
    public var ethnicity: ProfileAnswer = .notAsked
    public var residence: ProfileAnswer = .notAsked
    /// Services the program delivers on site, and those given now with their outcome.
    public private(set) var deliverable: [Choice] = []
    public private(set) var delivered: [String: Outcome] = [:]
    /// The core says the sheet asks why a naloxone kit is given (a naloxone item is on it).
    public private(set) var asksNaloxoneKit = false
    public var naloxoneKit: NaloxoneKit?
    /// When the sheet opened (a new contact) or when the contact happened (a correction).
    @ObservationIgnored private var occurredAt = Date()
    /// A contact logged late: how many minutes before the sheet opened it happened.
    public private(set) var minutesEarlier = 0

    /// When the contact happened, as it will be saved.
    public var contactAt: Date { occurredAt.addingTimeInterval(-Double(minutesEarlier) * 60) }

    /// The contact's time as the sheet shows it ("When: 21:40").
    public var contactTime: String { app?.strings(.contactAt, Formats.time(contactAt)) ?? Formats.time(contactAt) }

    /// A contact logged late: 5 minutes earlier or later a step, back to the core's limit.
    public func stepMinutesEarlier(by: Int) {
        guard correcting == nil else { return }
        let range = Self.limits.minutesEarlier
        minutesEarlier = min(max(minutesEarlier + 5 * by, Int(range.min)), Int(range.max))
    }
    @ObservationIgnored private weak var app: (any Session)?

    public init() {}
    func attach(_ app: AppViewModel) { self.app = app }

    /// Opens the sheet for a new contact, from a kit or blank: the core prefills it (D97).
    public func open(kit kitId: String?) async {
        await open { try $0.encounters().sheet(kitId: kitId) }
    }

    /// Opens the sheet on one of this phone's encounters, to correct it.
    public func open(correcting encounterId: String) async {
        await open { try $0.encounters().correctionSheet(encounterId: encounterId) }
    }

    /// Opens the sheet kept when the app locked, if any (after an unlock), and says so.
    public func restoreDraft() async {
        guard let app, let store = try? app.openStore() else { return }
        guard let sheet = try? await onIO({ try store.encounters().takeDraft() }) else { return }
        await show(sheet)
        app.notify(app.strings(sheet.codeToRetype ? .draftBackRetypeCode : .draftBack))
    }

    /// Keeps the open sheet in the store before it locks (the code is not kept; the worker types
    /// it again). Runs on the caller's thread: the lock waits for it.
    func keepDraft(_ store: SatchelStore) {
        guard app?.sheetOpen == true, !busy else { return }
        // Nothing saved is lost if this fails; the sheet goes as it did before drafts.
        try? store.encounters().keepDraft(draft: SheetDraft(input: input(), correcting: correcting, kitId: kitId))
    }

    private func open(_ sheet: @escaping @Sendable (SatchelStore) throws -> Sheet) async {
        guard let app, let store = try? app.openStore() else { return }
        do {
            await show(try await onIO { try sheet(store) })
        } catch {
            app.notify(app.strings.describe(error))
        }
    }

    /// The core's sheet as opened, for its names in both languages (the language can change).
    @ObservationIgnored private var opened: Sheet?

    /// The open sheet's names in the app's language (D98), at opening and when the language
    /// changes; what was entered stays.
    func relabel() {
        guard let sheet = opened else { return }
        let s = app?.strings ?? Strings(.english)
        let named = { (list: [Choice]) in list.map { c -> Choice in var c = c; c.label = s.programName(c.label, c.labelEs); return c } }
        let names = Dictionary((sheet.items + sheet.addable).map { ($0.id, s.programName($0.name, $0.nameEs)) }, uniquingKeysWith: { a, _ in a })
        let containerNames = Dictionary(sheet.containers.map { ($0.id, s.programName($0.name, $0.nameEs)) }, uniquingKeysWith: { a, _ in a })
        kitName = sheet.kitName.map { s.programName($0, sheet.kitNameEs) }
        items = items.map { SheetItem(id: $0.id, name: names[$0.id] ?? $0.name, quantity: $0.quantity) }
        addable = addable.map { SheetItem(id: $0.id, name: names[$0.id] ?? $0.name, quantity: $0.quantity) }
        containers = containers.map { SheetContainer(id: $0.id, name: containerNames[$0.id] ?? $0.name, syringesEach: $0.syringesEach, count: $0.count) }
        let lists = sheet.lists
        zones = named(lists.zones)
        choices = (named(lists.ageBands), named(lists.genders), named(lists.referralTypes), named(lists.substances))
        profileLists = (named(lists.races), named(lists.ethnicities), named(lists.residences))
        deliverable = named(lists.servicesDelivered)
    }

    private func show(_ sheet: Sheet) async {
        opened = sheet
        let input = sheet.input
        correcting = sheet.correcting
        kitId = sheet.kitId
        occurredAt = input.occurredAt
        minutesEarlier = 0
        // The names are put in the worker's language just below (relabel, D98).
        items = sheet.items.map { SheetItem(id: $0.id, name: $0.name, quantity: Int($0.quantity)) }
        addable = sheet.addable.map { SheetItem(id: $0.id, name: $0.name, quantity: 0) }
        containers = sheet.containers.map { SheetContainer(id: $0.id, name: $0.name, syringesEach: Int($0.syringesEach), count: Int($0.count)) }
        relabel()
        contactType = input.contactType
        zoneId = input.zoneId
        participantCode = ""
        seenBefore = nil
        newParticipant = input.newParticipant
        ageBandId = input.ageBandId
        genderId = input.genderId
        referralIds = Set(input.referralIds)
        substanceIds = Set(input.substanceIds)
        suggested = Set(input.suggestedServiceIds)
        counters = [.syringesCollected: Int(input.syringesCollected), .overdoseReversals: Int(input.overdoseReversals),
                    .naloxoneDosesUsed: Int(input.naloxoneDosesUsed), .collectingFor: Int(input.collectingFor)]
        delivered = Dictionary(input.servicesDelivered.map { ($0.serviceId, $0.outcome) }, uniquingKeysWith: { a, _ in a })
        naloxoneKit = input.naloxoneKit
        race = input.profile?.race ?? .notAsked
        ethnicity = input.profile?.ethnicity ?? .notAsked
        residence = input.profile?.residence ?? .notAsked
        // A draft's answers for a code seen before stay open to be saved.
        updatingProfile = input.profile != nil
        services = []
        card = nil
        cardServiceId = nil
        asksNaloxoneKit = false
        error = nil
        busy = false
        if !referralIds.isEmpty { await loadServices() }
        await refreshNaloxone()
        app?.showSheet(true)
    }

    public func close() {
        // The code and the profile's answers leave memory with the sheet.
        participantCode = ""
        race = .notAsked
        ethnicity = .notAsked
        residence = .notAsked
        updatingProfile = false
        busy = false
        app?.showSheet(false)
    }

    /// A stepper: ±1 on tap, ±10 on long press; never below 0 or above the maximum.
    public func step(_ itemId: String, by: Int) {
        guard let i = items.firstIndex(where: { $0.id == itemId }) else { return }
        items[i].quantity = min(max(items[i].quantity + by, 0), Self.maxQuantity)
        error = nil
    }

    public func add(_ itemId: String) {
        guard let i = addable.firstIndex(where: { $0.id == itemId }) else { return }
        var item = addable.remove(at: i)
        item.quantity = 1
        items.append(item)
    }

    private var givenItems: [ItemQuantity] {
        items.filter { $0.quantity > 0 }.map { ItemQuantity(itemId: $0.id, quantity: UInt32($0.quantity)) }
    }

    /// Asks the core whether the supplies on the sheet hold naloxone (then "first kit or
    /// refill?" shows). The view calls it after a stepper or an added item.
    public func refreshNaloxone() async {
        guard let store = try? app?.openStore() else { return }
        let asked = givenItems
        let asks = (try? await onIO { try store.program().asksNaloxoneKit(items: asked) }) ?? false
        if givenItems == asked { asksNaloxoneKit = asks }
    }

    /// The worker opened the profile of a code seen before, to update what the person said.
    public private(set) var updatingProfile = false

    private var hasProfile: Bool {
        !(profileLists.races.isEmpty && profileLists.ethnicities.isEmpty && profileLists.residences.isEmpty)
    }

    /// The profile is asked once, when a new encounter's code is new to this phone, or when the
    /// worker opens it for a code seen before (the newest answer counts; "ask later" keeps the
    /// earlier one).
    public var asksProfile: Bool {
        correcting == nil && hasProfile && (seenBefore == false || (seenBefore == true && updatingProfile))
    }

    /// A code seen before offers "Update what they told us", closed until tapped.
    public var offersProfileUpdate: Bool {
        correcting == nil && hasProfile && seenBefore == true && !updatingProfile
    }

    /// Opens the profile of a code seen before, every question at "ask later".
    public func updateProfile() { updatingProfile = true }

    /// The race ids chosen (none while not asked or declined).
    public var raceIds: Set<String> {
        if case let .chosen(ids) = race { return Set(ids) }
        return []
    }

    /// A race chip: several may be chosen; choosing one undoes "prefers not to say".
    public func toggleRace(_ id: String) {
        let ids = raceIds.symmetricDifference([id])
        race = ids.isEmpty ? .notAsked : .chosen(ids: profileLists.races.map(\.id).filter { ids.contains($0) })
    }

    /// "Ask later" or "Prefers not to say" for race.
    public func setRace(_ answer: ProfileAnswer) { race = answer }

    /// A service given on site: on (done) or off.
    public func toggleDelivered(_ id: String) {
        delivered[id] = delivered[id] == nil ? .done : nil
    }

    /// Whether a service given was followed by linkage to care.
    public func setLinked(_ id: String, _ linked: Bool) {
        guard delivered[id] != nil else { return }
        delivered[id] = linked ? .linkedToCare : .done
    }

    public func step(_ counter: Counter, by: Int) {
        let range = Self.range(counter)
        counters[counter] = min(max((counters[counter] ?? 0) + by, range.lowerBound), range.upperBound)
    }

    public func count(_ counter: Counter) -> Int { counters[counter] ?? 0 }

    /// Containers of one type: never below 0 (none) or above the core's limit.
    public func step(container id: String, by: Int) {
        guard let i = containers.firstIndex(where: { $0.id == id }) else { return }
        containers[i].count = min(max(containers[i].count + by, 0), Self.maxContainers)
    }

    /// The label of a container type's stepper, with the program's estimate.
    public func label(_ c: SheetContainer) -> String {
        app?.strings(.containersOf, c.name, c.syringesEach) ?? c.name
    }
    public func toggleReferral(_ id: String) async {
        referralIds.formSymmetricDifference([id])
        await loadServices()
    }

    /// The services that meet the chosen referral types, from the directory on this phone.
    private func loadServices() async {
        guard let store = try? app?.openStore() else { return }
        let ids = referralIds.sorted()
        // The core merges the types' services, each once, open ones first.
        let found = (try? await onIO { try store.program().servicesFor(referralTypeIds: ids) }) ?? []
        if referralIds.sorted() == ids { services = found }
    }

    /// Opens a service's hand-over card, in the language last chosen for a card (the app's at first).
    public func handOver(_ serviceId: String) async {
        let language = cardLanguage ?? (app?.preferences.language == .spanish ? .spanish : .english)
        await showCard(serviceId, language)
    }

    /// The participant's language for the card, switched apart from the app's.
    public func setCardLanguage(_ language: CardLanguage) async {
        guard let id = cardServiceId else { return }
        await showCard(id, language)
    }

    private func showCard(_ serviceId: String, _ language: CardLanguage) async {
        guard let app, let store = try? app.openStore() else { return }
        do {
            card = try await onIO { try store.program().handoverCard(serviceId: serviceId, language: language) }
            cardServiceId = serviceId
            cardLanguage = language
        } catch {
            app.notify(app.strings.describe(error))
        }
    }

    public func toggleSuggested(_ serviceId: String) { suggested.formSymmetricDifference([serviceId]) }

    public func closeCard() {
        card = nil
        cardServiceId = nil
    }
    public func toggleSubstance(_ id: String) { substanceIds.formSymmetricDifference([id]) }

    /// The participant's code; the "seen before" hint is asked of the store (nothing saved).
    public func setParticipantCode(_ code: String) async {
        participantCode = code
        seenBefore = nil
        updatingProfile = false
        guard !code.isEmpty, let store = try? app?.openStore() else { return }
        let seen = try? await onIO { try store.encounters().participantSeen(participantCode: code) }
        if participantCode == code { seenBefore = seen }
    }

    private func input() -> EncounterInput {
        EncounterInput(
            occurredAt: contactAt,
            contactType: contactType,
            zoneId: zoneId,
            geohash: nil,
            participantCode: participantCode.isEmpty ? nil : participantCode,
            newParticipant: newParticipant,
            ageBandId: ageBandId,
            genderId: genderId,
            items: givenItems,
            syringesCollected: UInt32(count(.syringesCollected)),
            sharpsContainers: containers.filter { $0.count > 0 }.map { ContainerCount(containerId: $0.id, count: UInt32($0.count)) },
            referralIds: referralIds.sorted(),
            // Only services still listed for the chosen referral types.
            suggestedServiceIds: services.map(\.service.id).filter { suggested.contains($0) }.sorted(),
            substanceIds: substanceIds.sorted(),
            overdoseReversals: UInt32(count(.overdoseReversals)),
            naloxoneDosesUsed: UInt32(count(.naloxoneDosesUsed)),
            collectingFor: UInt32(count(.collectingFor)),
            servicesDelivered: deliverable.filter { delivered[$0.id] != nil }
                .map { DeliveredService(serviceId: $0.id, outcome: delivered[$0.id]!) },
            naloxoneKit: asksNaloxoneKit ? naloxoneKit : nil,
            profile: asksProfile && [race, ethnicity, residence].contains(where: { $0 != .notAsked })
                ? ProfileInput(race: race, ethnicity: ethnicity, residence: residence) : nil
        )
    }

    /// Saves durably, then offers Undo for a new encounter.
    public func save() async {
        guard let app, !busy, let store = try? app.openStore() else { return }
        busy = true
        error = nil
        let input = input()
        let correcting = self.correcting
        do {
            let id = try await onIO { () -> String in
                let encounters = store.encounters()
                if let correcting {
                    try encounters.correct(encounterId: correcting, input: input)
                    return correcting
                }
                return try encounters.log(input: input)
            }
            close()
            await app.refreshAll()
            if correcting == nil {
                app.notify(app.strings(.saved), action: app.strings(.undo)) { [weak self] in await self?.undo(id) }
            } else {
                app.notify(app.strings(.saved))
            }
        } catch {
            busy = false
            self.error = app.strings.describe(error)
        }
    }

    /// Undo of a save: voids the encounter (it counts nowhere; its supplies go back).
    public func undo(_ encounterId: String) async {
        guard let app, let store = try? app.openStore() else { return }
        do {
            try await onIO { try store.encounters().void(encounterId: encounterId) }
            await app.refreshAll()
            app.notify(app.strings(.undone))
        } catch {
            app.notify(app.strings.describe(error))
        }
    }
}
