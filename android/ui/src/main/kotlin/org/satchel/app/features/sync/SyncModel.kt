package org.satchel.app.features.sync

import org.satchel.app.model.Session
import org.satchel.app.model.Formats
import org.satchel.ffi.PhoneKeystore
import org.satchel.ffi.SatchelStore
import org.satchel.ffi.SyncState
import org.satchel.ffi.storeExists
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.update

data class SyncScreenState(
    val status: SyncState? = null,
    /** The status in words, one line each, as the screen shows them. */
    val lines: List<String> = emptyList(),
    /** Warnings for the manager (data set aside, records that never arrived). */
    val warnings: List<String> = emptyList(),
    val online: Boolean = false,
    val busy: Boolean = false,
)

/**
 * Sync in words: what is waiting, when it last worked, what went wrong, when it tries again.
 * "Sync now" pushes and pulls; after a sync the retention purge removes old, sent encounters.
 */
class SyncModel(private val app: Session) {
    private val _state = MutableStateFlow(SyncScreenState())
    val state: StateFlow<SyncScreenState> = _state

    fun refresh() {
        if (!app.hasStore()) return
        app.launch {
            val status = app.onIo { app.openStore().sync().use { it.status() } }
            show(status)
        }
    }

    private fun show(status: SyncState) {
        val s = app.strings
        val now = app.platform.now().epochSecond
        val lines = buildList {
            add(
                when {
                    status.pending == 0uL -> s.allSent
                    status.contactsWaiting > 0uL -> s.contactsWaiting(status.contactsWaiting.toLong())
                    else -> s.otherChangesWaiting
                },
            )
            val last = status.lastSuccess
            add(if (last == null) s.neverSynced else s.lastSuccess(ago(now - last)))
            status.lastError?.let { add(s.lastError(it)) }
            status.nextAttempt?.takeIf { it > now }?.let { add(s.nextTry(Formats.unixTime(it))) }
        }
        val warnings = buildList {
            if (status.quarantined > 0uL) add(s.setAside(status.quarantined.toLong()))
            if (status.holes > 0uL) add(s.neverArrived(status.holes.toLong()))
        }
        _state.update { it.copy(status = status, lines = lines, warnings = warnings, online = app.platform.isOnline()) }
    }

    private fun ago(seconds: Long): String {
        val minutes = seconds / 60
        return if (minutes < 1) app.strings.justNow else app.strings.minutesAgo(minutes)
    }

    /** Why "Sync now" is disabled, or `null` when it is not. */
    fun disabledReason(): String? = if (!_state.value.online) app.strings.offlineExplain else null

    fun syncNow() {
        if (_state.value.busy) return
        if (!app.platform.isOnline()) {
            _state.update { it.copy(online = false) }
            return
        }
        _state.update { it.copy(busy = true) }
        app.launch(onError = { e ->
            _state.update { it.copy(busy = false) }
            app.notify(app.describe(e))
            refresh()
        }) {
            val status = app.onIo { runSync(app) }
            _state.update { it.copy(busy = false) }
            show(status)
            app.refreshAll()
        }
    }

    /** What background sync did while the app was locked. */
    enum class Locked { SYNCED, NO_STORE, OFF, NOT_JOINED }

    companion object {
        /** One sync and the retention purge after it; what the background worker runs too. */
        fun runSync(app: Session): SyncState {
            val store = app.openStore()
            store.sync().use { sync ->
                sync.syncNow()
                return sync.status()
            }
        }

        /**
         * Background sync while the app is locked (the worker runs it off the main thread): only
         * when background sync is on for the store, it opens the store with the keystore's
         * background key (no prompt; usable only while the phone itself is unlocked), syncs,
         * purges, and locks it again at once, whatever happened. The library's errors (offline,
         * the keystore refusing while the phone is locked) reach the caller, to try again later.
         */
        fun syncWhileLocked(storeDir: String, keystore: PhoneKeystore): Locked {
            if (!storeExists(storeDir)) return Locked.NO_STORE
            SatchelStore.open(storeDir, keystore).use { store ->
                if (!store.hasBackgroundSync()) return Locked.OFF
                try {
                    store.unlockForBackground()
                    store.sync().use { sync ->
                        if (!sync.status().enrolled) return Locked.NOT_JOINED
                        sync.syncNow()
                    }
                    return Locked.SYNCED
                } finally {
                    store.lock()
                }
            }
        }
    }
}
