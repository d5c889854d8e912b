package org.satchel.app.features.review

import org.satchel.app.model.Session
import org.satchel.app.model.Formats
import org.satchel.app.model.Language
import org.satchel.ffi.CardLanguage
import org.satchel.ffi.Choice
import org.satchel.ffi.ContactType
import org.satchel.ffi.ContainerCount
import org.satchel.ffi.DeliveredService
import org.satchel.ffi.EncounterInput
import org.satchel.ffi.Encounters
import org.satchel.ffi.HandoverCard
import org.satchel.ffi.ItemQuantity
import org.satchel.ffi.NaloxoneKit
import org.satchel.ffi.NumberRange
import org.satchel.ffi.Outcome
import org.satchel.ffi.ProfileAnswer
import org.satchel.ffi.ProfileInput
import org.satchel.ffi.SatchelException
import org.satchel.ffi.SatchelStore
import org.satchel.ffi.ServiceMatch
import org.satchel.ffi.Sheet
import org.satchel.ffi.SheetDraft
import org.satchel.ffi.formLimits
import java.time.Instant
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.update

/** One supply on the sheet. */
data class SheetItem(val id: String, val name: String, val quantity: Int)

/** A sharps container type on the sheet: returned syringes counted by container, not one by one. */
data class SheetContainer(val id: String, val name: String, val syringesEach: Int, val count: Int)

data class ReviewState(
    /** `null`: a new encounter; otherwise the encounter being corrected. */
    val correcting: String? = null,
    val kitName: String? = null,
    val kitId: String? = null,
    /** When the sheet opened (a new contact) or when the contact happened (a correction). */
    val occurredAt: Instant = Instant.EPOCH,
    /** A contact logged late: how many minutes before [occurredAt] it happened. */
    val minutesEarlier: Int = 0,
    val items: List<SheetItem> = emptyList(),
    /** Catalog items not on the sheet yet (for "Add a supply"). */
    val addable: List<SheetItem> = emptyList(),
    val contactType: ContactType = ContactType.STREET,
    val zoneId: String = "",
    val zones: List<Choice> = emptyList(),
    val participantCode: String = "",
    /** Whether the code was seen on this phone before; `null` while no code is typed. */
    val seenBefore: Boolean? = null,
    val newParticipant: Boolean = false,
    val ageBandId: String? = null,
    val ageBands: List<Choice> = emptyList(),
    val genderId: String? = null,
    val genders: List<Choice> = emptyList(),
    val referralIds: Set<String> = emptySet(),
    val referralTypes: List<Choice> = emptyList(),
    val substanceIds: Set<String> = emptySet(),
    val substances: List<Choice> = emptyList(),
    val syringesCollected: Int = 0,
    /** The program's container types, each with how many came back. */
    val containers: List<SheetContainer> = emptyList(),
    val overdoseReversals: Int = 0,
    val naloxoneDosesUsed: Int = 0,
    val collectingFor: Int = 0,
    val busy: Boolean = false,
    val error: String? = null,
    /** Services of the directory that meet the chosen referral types, open ones first. */
    val services: List<ServiceMatch> = emptyList(),
    /** Services the worker marks as suggested (optional; reports count them by service only). */
    val suggested: Set<String> = emptySet(),
    /** The hand-over card on screen, in [cardLanguage] (the participant's, not the app's). */
    val card: HandoverCard? = null,
    val cardServiceId: String? = null,
    val cardLanguage: CardLanguage? = null,
    /** The participant profile's lists (an empty one is a question the program does not ask). */
    val races: List<Choice> = emptyList(),
    val ethnicities: List<Choice> = emptyList(),
    val residences: List<Choice> = emptyList(),
    /** The profile's answers, "not asked" until the worker chooses ("ask later" is the default). */
    val race: ProfileAnswer = ProfileAnswer.NotAsked,
    val ethnicity: ProfileAnswer = ProfileAnswer.NotAsked,
    val residence: ProfileAnswer = ProfileAnswer.NotAsked,
    /** Services the program delivers on site, and those given now with their outcome. */
    val deliverable: List<Choice> = emptyList(),
    val delivered: Map<String, Outcome> = emptyMap(),
    /** The core says the sheet asks why a naloxone kit is given (a naloxone item is on it). */
    val asksNaloxoneKit: Boolean = false,
    val naloxoneKit: NaloxoneKit? = null,
    /** The worker opened the profile of a code seen before, to update what the person said. */
    val updatingProfile: Boolean = false,
) {
    private val hasProfile: Boolean
        get() = races.isNotEmpty() || ethnicities.isNotEmpty() || residences.isNotEmpty()

    /**
     * The profile is asked once, when a new encounter's code is new to this phone, or when the
     * worker opens it for a code seen before (the newest answer counts; "ask later" keeps the
     * earlier one).
     */
    val asksProfile: Boolean
        get() = correcting == null && hasProfile && (seenBefore == false || (seenBefore == true && updatingProfile))

    /** A code seen before offers "Update what they told us", closed until tapped. */
    val offersProfileUpdate: Boolean
        get() = correcting == null && hasProfile && seenBefore == true && !updatingProfile

    /** When the contact happened, as it will be saved. */
    val contactAt: Instant
        get() = occurredAt.minusSeconds(minutesEarlier * 60L)

    /** The race ids chosen (none while not asked or declined). */
    val raceIds: Set<String>
        get() = (race as? ProfileAnswer.Chosen)?.ids?.toSet() ?: emptySet()
}

/** The counters on the sheet that are not supplies. */
enum class Counter { SYRINGES_COLLECTED, OVERDOSE_REVERSALS, NALOXONE_DOSES_USED, COLLECTING_FOR }

/**
 * The review sheet: prefilled from a kit (or from the encounter being corrected), adjusted with
 * steppers and chips, saved in one tap. The core validates; the sheet only shows its answer.
 */
class ReviewModel(private val app: Session) {
    private val _state = MutableStateFlow(ReviewState())
    val state: StateFlow<ReviewState> = _state

    /** The core's range for every number on the sheet: a stepper stops where Save would refuse. */
    private val limits by lazy { formLimits() }

    /** Opens the sheet for a new contact, from a kit or blank: the core prefills it (D97). */
    fun openKit(kitId: String?) = open { it.sheet(kitId) }

    /** Opens the sheet on one of this phone's encounters, to correct it. */
    fun openCorrection(encounterId: String) = open { it.correctionSheet(encounterId) }

    /** Opens the sheet kept when the app locked, if any (after an unlock), and says so. */
    fun restoreDraft() {
        app.launch(onError = {}) {
            val sheet = app.onIo { app.openStore().encounters().use { it.takeDraft() } } ?: return@launch
            show(sheet)
            app.notify(if (sheet.codeToRetype) app.strings.draftBackRetypeCode else app.strings.draftBack)
        }
    }

    /**
     * Keeps the open sheet in the store before it locks (the code is not kept; the worker
     * types it again). Runs on the caller's thread: the lock waits for it.
     */
    internal fun keepDraft(store: SatchelStore) {
        val s = _state.value
        if (!app.sheetOpen || s.busy) return
        try {
            store.encounters().use { it.keepDraft(SheetDraft(input(s), s.correcting, s.kitId)) }
        } catch (_: SatchelException) {
            // Nothing is lost that was saved; the sheet goes as it did before drafts.
        }
    }

    private fun open(sheet: (Encounters) -> Sheet) {
        app.launch {
            show(app.onIo { app.openStore().encounters().use(sheet) })
        }
    }

    /** The core's sheet as opened, for its names in both languages (the language can change). */
    private var opened: Sheet? = null

    /** The open sheet's names in the app's language (D98), at opening and when the language
     *  changes; what was entered stays. */
    fun relabel() {
        val sheet = opened ?: return
        val s = app.strings
        val items = (sheet.items + sheet.addable).associate { it.id to s.programName(it.name, it.nameEs) }
        val containers = sheet.containers.associate { it.id to s.programName(it.name, it.nameEs) }
        val lists = sheet.lists
        fun List<Choice>.named() = map { it.copy(label = s.programName(it.label, it.labelEs)) }
        _state.update { st ->
            st.copy(
                kitName = sheet.kitName?.let { s.programName(it, sheet.kitNameEs) },
                items = st.items.map { it.copy(name = items[it.id] ?: it.name) },
                addable = st.addable.map { it.copy(name = items[it.id] ?: it.name) },
                containers = st.containers.map { it.copy(name = containers[it.id] ?: it.name) },
                zones = lists.zones.named(), ageBands = lists.ageBands.named(), genders = lists.genders.named(),
                referralTypes = lists.referralTypes.named(), substances = lists.substances.named(), races = lists.races.named(),
                ethnicities = lists.ethnicities.named(), residences = lists.residences.named(), deliverable = lists.servicesDelivered.named(),
            )
        }
    }

    private fun show(sheet: Sheet) {
        opened = sheet
        val input = sheet.input
        _state.value = ReviewState(
            correcting = sheet.correcting,
            kitId = sheet.kitId,
            occurredAt = input.occurredAt,
            // The names are put in the worker's language just below (relabel, D98).
            items = sheet.items.map { SheetItem(it.id, it.name, it.quantity.toInt()) },
            addable = sheet.addable.map { SheetItem(it.id, it.name, 0) },
            containers = sheet.containers.map { SheetContainer(it.id, it.name, it.syringesEach.toInt(), it.count.toInt()) },
            contactType = input.contactType,
            zoneId = input.zoneId,
            newParticipant = input.newParticipant,
            ageBandId = input.ageBandId,
            genderId = input.genderId,
            referralIds = input.referralIds.toSet(),
            suggested = input.suggestedServiceIds.toSet(),
            substanceIds = input.substanceIds.toSet(),
            syringesCollected = input.syringesCollected.toInt(),
            overdoseReversals = input.overdoseReversals.toInt(),
            naloxoneDosesUsed = input.naloxoneDosesUsed.toInt(),
            collectingFor = input.collectingFor.toInt(),
            delivered = input.servicesDelivered.associate { it.serviceId to it.outcome },
            naloxoneKit = input.naloxoneKit,
            race = input.profile?.race ?: ProfileAnswer.NotAsked,
            ethnicity = input.profile?.ethnicity ?: ProfileAnswer.NotAsked,
            residence = input.profile?.residence ?: ProfileAnswer.NotAsked,
            // A draft's answers for a code seen before stay open to be saved.
            updatingProfile = input.profile != null,
        )
        relabel()
        if (input.referralIds.isNotEmpty()) loadServices()
        app.showSheet(true)
        refreshNaloxone()
    }

    fun close() {
        // The code and the profile's answers leave memory with the sheet.
        _state.update {
            it.copy(
                participantCode = "", busy = false, card = null, cardServiceId = null,
                race = ProfileAnswer.NotAsked, ethnicity = ProfileAnswer.NotAsked, residence = ProfileAnswer.NotAsked,
                updatingProfile = false,
            )
        }
        app.showSheet(false)
    }

    /** The services that meet the chosen referral types, from the directory on this phone. */
    private fun loadServices() {
        val ids = _state.value.referralIds.sorted()
        app.launch(onError = { e -> _state.update { it.copy(error = app.describe(e)) } }) {
            // The core merges the types' services, each once, open ones first.
            val services = app.onIo { app.openStore().program().use { it.servicesFor(ids) } }
            _state.update { if (it.referralIds.sorted() == ids) it.copy(services = services) else it }
        }
    }

    /** Opens the hand-over card of a service, in the language last chosen for a card (the app's at first). */
    fun handOver(serviceId: String) {
        val language = _state.value.cardLanguage
            ?: if (app.preferences.language == Language.SPANISH) CardLanguage.SPANISH else CardLanguage.ENGLISH
        showCard(serviceId, language)
    }

    /** The participant's language for the card, switched apart from the app's. */
    fun setCardLanguage(language: CardLanguage) {
        val id = _state.value.cardServiceId ?: return
        showCard(id, language)
    }

    private fun showCard(serviceId: String, language: CardLanguage) {
        app.launch {
            val card = app.onIo { app.openStore().program().use { it.handoverCard(serviceId, language) } }
            _state.update { it.copy(card = card, cardServiceId = serviceId, cardLanguage = language) }
        }
    }

    fun closeCard() = _state.update { it.copy(card = null, cardServiceId = null) }

    fun toggleSuggested(serviceId: String) = _state.update { it.copy(suggested = it.suggested.toggle(serviceId)) }

    /** A stepper: +1/−1 on tap, ±10 on long press. Never below 0 (off the sheet) or above the core's limit. */
    fun step(itemId: String, by: Int) {
        _state.update { s ->
            s.copy(items = s.items.map { if (it.id == itemId) it.copy(quantity = (it.quantity + by).coerceIn(0, limits.itemQuantity.max.toInt())) else it }, error = null)
        }
        refreshNaloxone()
    }

    fun addItem(itemId: String) {
        _state.update { s ->
            val item = s.addable.firstOrNull { it.id == itemId } ?: return@update s
            s.copy(items = s.items + item.copy(quantity = 1), addable = s.addable - item)
        }
        refreshNaloxone()
    }

    /** Asks the core whether the supplies on the sheet hold naloxone (then "first kit or refill?" shows). */
    private fun refreshNaloxone() {
        val items = _state.value.items.filter { it.quantity > 0 }.map { ItemQuantity(it.id, it.quantity.toUInt()) }
        app.launch(onError = {}) {
            val asks = app.onIo { app.openStore().program().use { it.asksNaloxoneKit(items) } }
            _state.update { s ->
                val now = s.items.filter { it.quantity > 0 }.map { ItemQuantity(it.id, it.quantity.toUInt()) }
                if (now == items) s.copy(asksNaloxoneKit = asks) else s
            }
        }
    }

    fun setNaloxoneKit(kit: NaloxoneKit?) = _state.update { it.copy(naloxoneKit = kit) }

    /** A service given on site: on (done) or off. */
    fun toggleDelivered(id: String) = _state.update { s ->
        s.copy(delivered = if (id in s.delivered) s.delivered - id else s.delivered + (id to Outcome.DONE))
    }

    /** Whether a service given was followed by linkage to care. */
    fun setLinked(id: String, linked: Boolean) = _state.update { s ->
        if (id !in s.delivered) s else s.copy(delivered = s.delivered + (id to if (linked) Outcome.LINKED_TO_CARE else Outcome.DONE))
    }

    /** A race chip: several may be chosen; choosing one undoes "prefers not to say". */
    fun toggleRace(id: String) = _state.update { s ->
        val ids = s.raceIds.toggle(id)
        s.copy(race = if (ids.isEmpty()) ProfileAnswer.NotAsked else ProfileAnswer.Chosen(s.races.map { it.id }.filter { it in ids }))
    }

    /** Opens the profile of a code seen before, every question at "ask later". */
    fun updateProfile() = _state.update { it.copy(updatingProfile = true) }
    fun setRace(answer: ProfileAnswer) = _state.update { it.copy(race = answer) }
    fun setEthnicity(answer: ProfileAnswer) = _state.update { it.copy(ethnicity = answer) }
    fun setResidence(answer: ProfileAnswer) = _state.update { it.copy(residence = answer) }

    fun stepCounter(counter: Counter, by: Int) = _state.update { s ->
        fun c(v: Int, range: NumberRange) = (v + by).coerceIn(range.min.toInt(), range.max.toInt())
        when (counter) {
            Counter.SYRINGES_COLLECTED -> s.copy(syringesCollected = c(s.syringesCollected, limits.syringesCollected))
            Counter.OVERDOSE_REVERSALS -> s.copy(overdoseReversals = c(s.overdoseReversals, limits.overdoseReversals))
            Counter.NALOXONE_DOSES_USED -> s.copy(naloxoneDosesUsed = c(s.naloxoneDosesUsed, limits.naloxoneDosesUsed))
            Counter.COLLECTING_FOR -> s.copy(collectingFor = c(s.collectingFor, limits.collectingFor))
        }
    }

    /** Containers of one type: never below 0 (none) or above the core's limit. */
    fun stepContainer(containerId: String, by: Int) = _state.update { s ->
        s.copy(containers = s.containers.map { if (it.id == containerId) it.copy(count = (it.count + by).coerceIn(0, limits.sharpsContainers.max.toInt())) else it })
    }

    /** The contact's time as the sheet shows it ("21:40"). */
    fun contactTime(s: ReviewState): String = Formats.time(s.contactAt, app.platform)

    /** A contact logged late: 5 minutes earlier or later a tap, back to the core's limit. */
    fun stepMinutesEarlier(by: Int) = _state.update { s ->
        if (s.correcting != null) s
        else s.copy(minutesEarlier = (s.minutesEarlier + 5 * by).coerceIn(limits.minutesEarlier.min.toInt(), limits.minutesEarlier.max.toInt()))
    }

    fun setContactType(c: ContactType) = _state.update { it.copy(contactType = c) }
    fun setZone(id: String) = _state.update { it.copy(zoneId = id) }
    fun setNewParticipant(on: Boolean) = _state.update { it.copy(newParticipant = on) }
    fun setAgeBand(id: String?) = _state.update { it.copy(ageBandId = id) }
    fun setGender(id: String?) = _state.update { it.copy(genderId = id) }
    fun toggleReferral(id: String) {
        _state.update { it.copy(referralIds = it.referralIds.toggle(id)) }
        loadServices()
    }
    fun toggleSubstance(id: String) = _state.update { it.copy(substanceIds = it.substanceIds.toggle(id)) }

    /** The participant's code: the "seen before" hint is asked of the store (nothing is saved). */
    fun setParticipantCode(code: String) {
        _state.update { it.copy(participantCode = code, seenBefore = null, updatingProfile = false) }
        if (code.isBlank()) return
        app.launch(onError = {}) {
            val seen = app.onIo { app.openStore().encounters().use { it.participantSeen(code) } }
            _state.update { if (it.participantCode == code) it.copy(seenBefore = seen) else it }
        }
    }

    private fun Set<String>.toggle(id: String) = if (id in this) this - id else this + id

    private fun input(s: ReviewState) = EncounterInput(
        occurredAt = s.contactAt,
        contactType = s.contactType,
        zoneId = s.zoneId,
        geohash = null,
        participantCode = s.participantCode.ifBlank { null },
        newParticipant = s.newParticipant,
        ageBandId = s.ageBandId,
        genderId = s.genderId,
        items = s.items.filter { it.quantity > 0 }.map { ItemQuantity(it.id, it.quantity.toUInt()) },
        syringesCollected = s.syringesCollected.toUInt(),
        sharpsContainers = s.containers.filter { it.count > 0 }.map { ContainerCount(it.id, it.count.toUInt()) },
        referralIds = s.referralIds.sorted(),
        // Only services still listed for the chosen referral types.
        suggestedServiceIds = s.services.map { it.service.id }.filter { it in s.suggested }.sorted(),
        substanceIds = s.substanceIds.sorted(),
        overdoseReversals = s.overdoseReversals.toUInt(),
        naloxoneDosesUsed = s.naloxoneDosesUsed.toUInt(),
        collectingFor = s.collectingFor.toUInt(),
        servicesDelivered = s.deliverable.filter { it.id in s.delivered }.map { DeliveredService(it.id, s.delivered.getValue(it.id)) },
        naloxoneKit = s.naloxoneKit.takeIf { s.asksNaloxoneKit },
        profile = ProfileInput(s.race, s.ethnicity, s.residence)
            .takeIf { s.asksProfile && listOf(s.race, s.ethnicity, s.residence).any { it != ProfileAnswer.NotAsked } },
    )

    /** Saves the encounter (or its correction) durably, then offers Undo for a new one. */
    fun save() {
        val s = _state.value
        if (s.busy) return
        _state.update { it.copy(busy = true, error = null) }
        app.launch(onError = { e -> _state.update { it.copy(busy = false, error = app.describe(e)) } }) {
            val id = app.onIo {
                app.openStore().encounters().use { enc ->
                    if (s.correcting != null) {
                        enc.correct(s.correcting, input(s))
                        s.correcting
                    } else {
                        enc.log(input(s))
                    }
                }
            }
            close()
            app.refreshAll()
            if (s.correcting == null) {
                app.notify(app.strings.saved, app.strings.undo) { undo(id) }
            } else {
                app.notify(app.strings.saved)
            }
        }
    }

    /** Undo of a save: voids the encounter (it counts nowhere; its supplies go back). */
    fun undo(encounterId: String) {
        app.launch {
            app.onIo { app.openStore().encounters().use { it.void(encounterId) } }
            app.refreshAll()
            app.notify(app.strings.undone)
        }
    }
}
