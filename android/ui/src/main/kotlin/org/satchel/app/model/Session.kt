package org.satchel.app.model

import kotlinx.coroutines.CoroutineScope
import org.satchel.app.strings.Strings
import org.satchel.ffi.ProgramSettings
import org.satchel.ffi.SatchelStore

/**
 * What a feature of the unlocked app (Log, the review sheet, Today, Stock, Sync) may use: the
 * open store, the worker's language and preferences, library calls off the main thread, a
 * message to the worker, and the few hand-overs between features. `AppModel` implements it;
 * these features never hold the root or reach their siblings. Join, Unlock and Settings drive
 * the store's own life (create, unlock, keys, quick delete) and keep the root.
 */
interface Session {
    val platform: Platform
    val scope: CoroutineScope
    /** The texts in the worker's language now. */
    val strings: Strings
    val preferences: Preferences

    /** The unlocked store; raises `Locked` when there is none. */
    fun openStore(): SatchelStore
    fun hasStore(): Boolean

    /** Runs a library call off the main thread. */
    suspend fun <T> onIo(block: () -> T): T

    /** Launches [block]; a library error becomes a message unless [onError] says otherwise. */
    fun launch(onError: (Throwable) -> Unit = { notify(describe(it)) }, block: suspend () -> Unit)

    /** A short message at the bottom, with an optional action (Undo). */
    fun notify(text: String, action: String? = null, onAction: (() -> Unit)? = null)

    /** The words for a library error, in the worker's language. */
    fun describe(e: Throwable): String

    /** The program's settings as Log last read them, or `null` before. */
    val programSettings: ProgramSettings?

    /** Whether the review sheet is open, and opening or closing it. */
    val sheetOpen: Boolean
    fun showSheet(open: Boolean)

    /** Hand-overs: the sheet for a new contact (from a kit or blank), or to correct one. */
    fun openSheet(kitId: String?)
    fun openCorrection(encounterId: String)
    fun closeSheet()

    /** After a change every screen shows: they read the store again. */
    fun refreshAll()
}
