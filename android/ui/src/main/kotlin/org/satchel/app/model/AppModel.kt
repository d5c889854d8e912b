package org.satchel.app.model

import java.time.Duration
import java.time.Instant
import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.update
import kotlinx.coroutines.launch
import kotlinx.coroutines.withContext
import org.satchel.app.strings.English
import org.satchel.app.strings.Spanish
import org.satchel.app.strings.Strings
import org.satchel.ffi.DeviceRole
import org.satchel.ffi.SatchelException
import org.satchel.ffi.SatchelStore
import org.satchel.ffi.setHttpClient
import org.satchel.ffi.storeExists

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
    val platform: Platform,
    val scope: CoroutineScope,
    val io: CoroutineDispatcher = Dispatchers.IO,
) {
    private var store: SatchelStore? = null
    private var backgroundSince: Instant? = null
    private var noticeIds = 0L

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

    val strings: Strings get() = _state.value.strings

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
    fun openStore(): SatchelStore = store ?: throw SatchelException.Locked()

    internal fun hasStore(): Boolean = store != null

    /** Whether the store is open and unlocked now (the background worker syncs through it). */
    fun hasOpenStore(): Boolean = store?.isUnlocked() == true

    /** Runs a library call off the main thread. */
    suspend fun <T> onIo(block: () -> T): T = withContext(io) { block() }

    // --- Store life -----------------------------------------------------------------------

    /** Makes the store at setup (PIN, and the platform key when fingerprint unlock is on). */
    internal fun createStore(pin: String, platformKey: ByteArray?): SatchelStore {
        val created = SatchelStore.create(platform.storeDir, DeviceRole.OUTREACH, pin, platformKey)
        store = created
        return created
    }

    /** Opens and unlocks the store with the PIN, or raises the library's error. */
    internal fun unlockWithPin(pin: String) {
        val s = store ?: SatchelStore.open(platform.storeDir)
        try {
            s.unlockWithPin(pin)
        } catch (e: Exception) {
            if (store == null) s.close()
            throw e
        }
        store = s
    }

    internal fun unlockWithKey(key: ByteArray) {
        val s = store ?: SatchelStore.open(platform.storeDir)
        try {
            s.unlockWithPlatformKey(key)
        } catch (e: Exception) {
            if (store == null) s.close()
            throw e
        } finally {
            key.fill(0)
        }
        store = s
    }

    internal fun lockedStore(): SatchelStore = store ?: SatchelStore.open(platform.storeDir).also { store = it }

    /** After a successful unlock or join: the main screens, or the join screen if this phone
     *  has not joined a program yet. */
    internal fun afterUnlock() {
        val enrolled = store?.sync()?.use { it.status().enrolled } ?: false
        if (!enrolled) {
            join.codeOnly()
            _state.update { it.copy(route = Route.JOIN) }
            return
        }
        platform.scheduleBackgroundSync()
        _state.update { it.copy(route = Route.MAIN, tab = Tab.LOG, sheetOpen = false) }
        refreshAll()
    }

    /** Reloads what the main screens show. */
    fun refreshAll() {
        log.refresh()
        today.refresh()
        stock.refresh()
        sync.refresh()
    }

    /** Locks now: closes the database and wipes its key from memory. */
    fun lock() {
        store?.lock()
        review.close()
        _state.update {
            if (it.route == Route.MAIN) it.copy(route = Route.UNLOCK, sheetOpen = false, notice = null) else it
        }
        unlock.reset()
    }

    /** The app went to the background (or its window lost focus). */
    fun onBackground() {
        backgroundSince = platform.now()
    }

    /** The app came back: lock if it was away longer than the auto-lock timeout. */
    fun onForeground() {
        val since = backgroundSince ?: return
        backgroundSince = null
        val away = Duration.between(since, platform.now())
        if (away >= Duration.ofMinutes(_state.value.preferences.autoLockMinutes.toLong())) lock()
    }

    /** The screen turned off: lock at once. */
    fun onScreenOff() = lock()

    /** After quick delete: nothing left, back to joining. */
    internal fun afterWipe() {
        store?.close()
        store = null
        platform.cancelBackgroundSync()
        join.reset()
        _state.update { it.copy(route = Route.JOIN, tab = Tab.LOG, sheetOpen = false) }
        notify(strings.deleted)
    }

    // --- Navigation and preferences ------------------------------------------------------------

    fun selectTab(tab: Tab) {
        _state.update { it.copy(tab = tab, sheetOpen = false) }
        when (tab) {
            Tab.TODAY -> today.refresh()
            Tab.STOCK -> stock.refresh()
            Tab.SYNC -> sync.refresh()
            Tab.LOG -> log.refresh()
            Tab.SETTINGS -> {}
        }
    }

    internal fun showSheet(open: Boolean) = _state.update { it.copy(sheetOpen = open) }

    fun updatePreferences(change: (Preferences) -> Preferences) {
        val prefs = change(_state.value.preferences)
        platform.savePreferences(prefs)
        _state.update { it.copy(preferences = prefs, strings = stringsFor(prefs.language), dark = darkFor(prefs.theme)) }
    }

    /** Re-reads the clock for the dark-at-night theme (the app calls it when it resumes). */
    fun refreshTheme() = _state.update { it.copy(dark = darkFor(it.preferences.theme)) }

    fun notify(text: String, action: String? = null, onAction: (() -> Unit)? = null) {
        noticeIds += 1
        _state.update { it.copy(notice = Notice(text, action, onAction, noticeIds)) }
    }

    fun dismissNotice(id: Long) = _state.update { if (it.notice?.id == id) it.copy(notice = null) else it }

    /** The words for a library error, in the app's language. Never shows entered values. */
    fun describe(e: Throwable): String {
        val s = strings
        return when (e) {
            is SatchelException.WrongPin -> s.wrongPin(e.failedAttempts.toInt())
            is SatchelException.TryLater -> s.waitBeforeTry(e.seconds.toLong())
            is SatchelException.InvalidInput -> s.invalid(e.reason)
            is SatchelException.Offline -> s.offline
            is SatchelException.Refused -> "${s.refused}: ${e.detail}"
            is SatchelException.NotPermitted -> e.detail
            else -> s.somethingWrong
        }
    }

    /** Launches [block] on the model's scope; a library error becomes a notice. */
    internal fun launch(onError: (Throwable) -> Unit = { notify(describe(it)) }, block: suspend () -> Unit) {
        scope.launch {
            try {
                block()
            } catch (e: SatchelException) {
                onError(e)
            }
        }
    }
}
