package org.satchel.app.model

import org.satchel.app.features.join.JoinModel
import org.satchel.app.features.log.LogModel
import org.satchel.app.features.review.ReviewModel
import org.satchel.app.features.settings.SettingsModel
import org.satchel.app.features.stock.StockModel
import org.satchel.app.features.sync.SyncModel
import org.satchel.app.features.today.TodayModel
import org.satchel.app.features.unlock.UnlockModel
import org.satchel.app.strings.English
import org.satchel.app.strings.Spanish
import org.satchel.app.strings.Strings
import org.satchel.ffi.DeviceRole
import org.satchel.ffi.ProgramSettings
import org.satchel.ffi.SatchelException
import org.satchel.ffi.SatchelStore
import org.satchel.ffi.setHttpClient
import org.satchel.ffi.storeExists
import java.time.Duration
import java.time.Instant
import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.Job
import kotlinx.coroutines.delay
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.update
import kotlinx.coroutines.launch
import kotlinx.coroutines.withContext

/** Where the app is: joining a program, locked, or in use. */
enum class Route { JOIN, UNLOCK, MAIN }

/** The tabs of the app in use. */
enum class Tab { LOG, TODAY, STOCK, SYNC, SETTINGS }

/** A short message at the bottom, with an optional action (Undo). */
data class Notice(val text: String, val action: String? = null, val onAction: (() -> Unit)? = null, val id: Long = 0)

data class AppState(
    val route: Route,
    val tab: Tab = Tab.LOG,
    val preferences: Preferences,
    val strings: Strings,
    val dark: Boolean,
    /** The review sheet is open (from a kit tile, or to correct an encounter). */
    val sheetOpen: Boolean = false,
    val notice: Notice? = null,
    /** The screen turned off within the program's lock grace: the window shows nothing until
     *  the screen is back (or the store locks). */
    val covered: Boolean = false,
    /** The safety panel (leave now, quick delete) is open over the screen. */
    val safetyOpen: Boolean = false,
    /** Quick exit asked the platform to leave for the home screen (it says when it did). */
    val leave: Boolean = false,
)

/**
 * The app's root state holder: which screen shows, the open store while unlocked, locking on
 * timeout and screen-off, and the per-screen models. Plain Kotlin over the generated bindings:
 * every rule (PIN, lockout, validation, the shift's sums) comes from the core.
 *
 * Calls into the library block, so they run on [io]; state changes are published through
 * [state] for the screens to show.
 */
class AppModel(
    override val platform: Platform,
    override val scope: CoroutineScope,
    val io: CoroutineDispatcher = Dispatchers.IO,
) : Session {
    private var store: SatchelStore? = null
    private var backgroundSince: Instant? = null
    private var noticeIds = 0L
    /** The program's lock grace after screen-off (D94), read when the store is unlocked. */
    internal var lockGraceSeconds = 60L
    private var screenOffSince: Instant? = null
    private var graceTimer: Job? = null

    init {
        // Sync goes through the phone's HTTP stack; the Activity and the background worker
        // share this model, so setting it here covers both.
        setHttpClient(PlatformHttp)
    }

    private val _state = MutableStateFlow(initialState())
    val state: StateFlow<AppState> = _state

    val join = JoinModel(this)
    val unlock = UnlockModel(this)
    val log = LogModel(this)
    val review = ReviewModel(this)
    val today = TodayModel(this)
    val stock = StockModel(this)
    val sync = SyncModel(this)
    val settings = SettingsModel(this)

    init {
        // A locked phone at start: the PIN screen reads the wait and whether fingerprint is on.
        if (_state.value.route == Route.UNLOCK) unlock.refreshWait()
    }

    override val strings: Strings get() = _state.value.strings
    override val preferences: Preferences get() = _state.value.preferences
    override val programSettings: ProgramSettings? get() = log.settings
    override val sheetOpen: Boolean get() = _state.value.sheetOpen

    private fun initialState(): AppState {
        val prefs = platform.loadPreferences()
        val route = if (storeExists(platform.storeDir)) Route.UNLOCK else Route.JOIN
        return AppState(route = route, preferences = prefs, strings = stringsFor(prefs.language), dark = darkFor(prefs.theme))
    }

    private fun stringsFor(language: Language): Strings = when (language) {
        Language.ENGLISH -> English
        Language.SPANISH -> Spanish
    }

    private fun darkFor(theme: ThemeChoice): Boolean = when (theme) {
        ThemeChoice.DARK_AT_NIGHT -> platform.isNight()
        ThemeChoice.SYSTEM -> platform.systemDark()
        ThemeChoice.DARK -> true
        ThemeChoice.LIGHT -> false
    }

    /** The unlocked store; screens are only shown while there is one. */
    override fun openStore(): SatchelStore = store ?: throw SatchelException.Locked()

    override fun hasStore(): Boolean = store != null

    /** Whether the store is open and unlocked now (the background worker syncs through it). */
    fun hasOpenStore(): Boolean = store?.isUnlocked() == true

    /** Runs a library call off the main thread. */
    override suspend fun <T> onIo(block: () -> T): T = withContext(io) { block() }

    // --- Store life -----------------------------------------------------------------------

    /**
     * Makes the store at setup with the PIN and the phone's keystore (a new PIN key in it), and
     * with [backgroundSync], a background key so that sync runs while the app is locked.
     */
    internal fun createStore(pin: String, backgroundSync: Boolean): SatchelStore {
        val created = SatchelStore.create(platform.storeDir, DeviceRole.OUTREACH, pin, platform.keystore, backgroundSync)
        store = created
        return created
    }

    /** Opens and unlocks the store with the PIN (and the keystore's PIN key), or raises the
     *  library's error. */
    internal fun unlockWithPin(pin: String) = unlockWith { it.unlockWithPin(pin) }

    /** Unlocks with fingerprint: the keystore shows the prompt and blocks this (IO) thread. */
    internal fun unlockWithBiometrics() = unlockWith { it.unlockWithBiometrics() }

    private fun unlockWith(unlock: (SatchelStore) -> Unit) {
        val s = store ?: SatchelStore.open(platform.storeDir, platform.keystore)
        try {
            unlock(s)
        } catch (e: Exception) {
            if (store == null) s.close()
            throw e
        }
        store = s
    }

    /** The store, opened but maybe locked: for what can be read or changed without the PIN
     *  (the wait, the ways of unlocking, turning fingerprint off). */
    internal fun lockedStore(): SatchelStore =
        store ?: SatchelStore.open(platform.storeDir, platform.keystore).also { store = it }

    /** After a successful unlock or join: the main screens, or the join screen if this phone
     *  has not joined a program yet. */
    internal fun afterUnlock() {
        val enrolled = store?.sync()?.use { it.status().enrolled } ?: false
        if (!enrolled) {
            join.codeOnly()
            _state.update { it.copy(route = Route.JOIN) }
            return
        }
        // The program's wipe limit, kept for the locked PIN screen to say (it can only be read
        // from the unlocked store).
        val program = store?.program()?.use { it.settings() }
        program?.let { lockGraceSeconds = it.lockGraceSeconds.toLong() }
        val wipeAfter = program?.wipeAfterFailedPins?.toInt()
        if (wipeAfter != null && wipeAfter != _state.value.preferences.wipeAfterFailedPins) {
            updatePreferences { it.copy(wipeAfterFailedPins = wipeAfter) }
        }
        platform.scheduleBackgroundSync()
        _state.update { it.copy(route = Route.MAIN, tab = Tab.LOG, sheetOpen = false) }
        refreshAll()
        settings.refresh()
        review.restoreDraft()
    }

    /** Reloads what the main screens show (nothing while locked: the screens are not shown). */
    override fun refreshAll() {
        if (!hasOpenStore()) return
        log.refresh()
        today.refresh()
        stock.refresh()
        sync.refresh()
    }

    /** Locks now: closes the database and wipes its key from memory. */
    fun lock() {
        screenOffSince = null
        graceTimer?.cancel()
        // An open sheet is kept for the next unlock (D97), in the store, before it locks.
        store?.takeIf { it.isUnlocked() }?.let { review.keepDraft(it) }
        store?.lock()
        review.close()
        _state.update {
            val covered = it.copy(covered = false, safetyOpen = false)
            if (it.route == Route.MAIN) covered.copy(route = Route.UNLOCK, sheetOpen = false, notice = null) else covered
        }
        unlock.reset()
    }

    /** The safety panel, one tap from any screen: leave now, or quick delete. */
    fun openSafety() = _state.update { it.copy(safetyOpen = true) }

    fun closeSafety() {
        settings.cancelQuickDelete()
        _state.update { it.copy(safetyOpen = false) }
    }

    /** Quick exit: locks at once (an open sheet is kept as a draft for the next unlock) and
     *  asks the platform to leave for the home screen. */
    fun quickExit() {
        settings.cancelQuickDelete()
        lock()
        _state.update { it.copy(leave = true) }
    }

    /** The platform left for the home screen. */
    fun left() = _state.update { it.copy(leave = false) }

    /** The app went to the background (or its window lost focus). */
    fun onBackground() {
        backgroundSince = platform.now()
    }

    /** The app came back: lock if the screen was off past the grace, or the app away longer
     *  than the auto-lock timeout. */
    fun onForeground() {
        onScreenOn()
        val since = backgroundSince ?: return
        backgroundSince = null
        val away = Duration.between(since, platform.now())
        if (away >= Duration.ofMinutes(_state.value.preferences.autoLockMinutes.toLong())) lock()
    }

    /**
     * The screen turned off: the window is covered at once, and the store locks once the
     * program's grace has passed with the screen still off (at once when it is 0; D94), so a
     * screen that times out mid-shift does not cost the PIN again.
     */
    fun onScreenOff() {
        if (lockGraceSeconds <= 0 || !hasOpenStore()) return lock()
        if (screenOffSince == null) screenOffSince = platform.now()
        _state.update { it.copy(covered = true) }
        graceTimer?.cancel()
        graceTimer = scope.launch {
            delay(lockGraceSeconds * 1000)
            if (screenOffSince != null) lock()
        }
    }

    /** The screen is back (or the app): within the grace, the shift goes on where it was. */
    fun onScreenOn() {
        val since = screenOffSince ?: return
        screenOffSince = null
        graceTimer?.cancel()
        if (Duration.between(since, platform.now()).seconds >= lockGraceSeconds) lock()
        else _state.update { it.copy(covered = false) }
    }

    /** After quick delete: nothing left, back to joining. */
    internal fun afterWipe() {
        forgetStore()
        join.reset()
        notify(strings.deleted)
    }

    /**
     * The library wiped the store after the program's limit of wrong PINs in a row (its keystore
     * keys first, then every file): back to the join screen, which says what happened.
     */
    internal fun afterWipedByWrongPins(failedAttempts: Int) {
        forgetStore()
        join.reset(info = strings.wiped(failedAttempts))
    }

    private fun forgetStore() {
        store?.close()
        store = null
        review.close()
        platform.cancelBackgroundSync()
        updatePreferences { it.withoutStore() }
        unlock.clear()
        _state.update { it.copy(route = Route.JOIN, tab = Tab.LOG, sheetOpen = false, notice = null) }
    }

    // --- Navigation and preferences ------------------------------------------------------------

    fun selectTab(tab: Tab) {
        _state.update { it.copy(tab = tab, sheetOpen = false) }
        when (tab) {
            Tab.TODAY -> today.refresh()
            Tab.STOCK -> stock.refresh()
            Tab.SYNC -> sync.refresh()
            Tab.LOG -> log.refresh()
            Tab.SETTINGS -> settings.refresh()
        }
    }

    override fun showSheet(open: Boolean) = _state.update { it.copy(sheetOpen = open) }

    override fun openSheet(kitId: String?) = review.openKit(kitId)
    override fun openCorrection(encounterId: String) = review.openCorrection(encounterId)
    override fun closeSheet() = review.close()

    /**
     * The phone's Back, one step at a time: the hand-over card closes to its sheet, the review
     * sheet closes as Cancel does, another tab goes back to Log. Returns false on Log and on
     * the join and PIN screens, where Back leaves the app as the system does.
     */
    fun back(): Boolean {
        val s = _state.value
        return when {
            s.route != Route.MAIN -> false
            s.sheetOpen && review.state.value.card != null -> { review.closeCard(); true }
            s.sheetOpen -> { review.close(); true }
            s.tab != Tab.LOG -> { selectTab(Tab.LOG); true }
            else -> false
        }
    }

    fun updatePreferences(change: (Preferences) -> Preferences) {
        val before = _state.value.preferences
        val prefs = change(before)
        platform.savePreferences(prefs)
        _state.update { it.copy(preferences = prefs, strings = stringsFor(prefs.language), dark = darkFor(prefs.theme)) }
        // The program's names are in the worker's language (D98): the screens follow a change.
        if (prefs.language != before.language) {
            review.relabel()
            refreshAll()
        }
    }

    /** Re-reads the clock for the dark-at-night theme (the app calls it when it resumes). */
    fun refreshTheme() = _state.update { it.copy(dark = darkFor(it.preferences.theme)) }

    override fun notify(text: String, action: String?, onAction: (() -> Unit)?) {
        noticeIds += 1
        _state.update { it.copy(notice = Notice(text, action, onAction, noticeIds)) }
    }

    fun dismissNotice(id: Long) = _state.update { if (it.notice?.id == id) it.copy(notice = null) else it }

    /** The words for a library error, in the app's language. Never shows entered values. */
    override fun describe(e: Throwable): String {
        val s = strings
        return when (e) {
            is SatchelException.WrongPin -> s.wrongPin(e.failedAttempts.toInt())
            is SatchelException.TryLater -> s.waitBeforeTry(e.seconds.toLong())
            is SatchelException.Wiped -> s.wiped(e.failedAttempts.toInt())
            is SatchelException.BiometricsCancelled -> s.fingerprintCancelled
            is SatchelException.BiometricsChanged -> s.fingerprintChanged
            is SatchelException.KeystoreFailed, is SatchelException.WrongKey -> s.keystoreFailed
            is SatchelException.InvalidInput -> s.invalidTopic(e.topic)
            is SatchelException.Offline -> s.offline
            is SatchelException.Refused -> "${s.refused}: ${e.detail}"
            is SatchelException.NotPermitted -> s.notPermitted
            else -> s.somethingWrong
        }
    }

    /** Launches [block] on the model's scope; a library error becomes a notice. */
    override fun launch(onError: (Throwable) -> Unit, block: suspend () -> Unit) {
        scope.launch {
            try {
                block()
            } catch (e: SatchelException) {
                onError(e)
            }
        }
    }
}
