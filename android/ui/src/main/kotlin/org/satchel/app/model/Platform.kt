package org.satchel.app.model

import java.time.Instant
import org.satchel.ffi.PhoneKeystore

/** Languages the app speaks, chosen in the app, independent of the phone's language. */
enum class Language { ENGLISH, SPANISH }

/** How dark the app is. Dark at night by default: outreach happens at night, and a bright screen
 *  draws eyes and ruins night vision. */
enum class ThemeChoice { DARK_AT_NIGHT, SYSTEM, DARK, LIGHT }

/** What the worker set in Settings, and the program's wipe limit for the PIN screen. Nothing
 *  here is about participants. */
data class Preferences(
    val language: Language = Language.ENGLISH,
    val theme: ThemeChoice = ThemeChoice.DARK_AT_NIGHT,
    /** Lock after this long in the background. */
    val autoLockMinutes: Int = 2,
    /**
     * The program's limit of wrong PINs in a row before the phone erases its data (0: never),
     * as last read from the unlocked store, so the locked PIN screen can say it; `null` until
     * the store was first unlocked. The only preference about the store: deleted with it.
     * Whether fingerprint unlock and background sync are on is read from the store itself.
     */
    val wipeAfterFailedPins: Int? = null,
) {
    /** These preferences once the store is gone (quick delete, or wiped after wrong PINs). */
    fun withoutStore(): Preferences = copy(wipeAfterFailedPins = null)

    companion object {
        val AUTO_LOCK_CHOICES = listOf(1, 2, 5, 10)
    }
}

/**
 * What only the phone can do. The Android layer implements it with the Keystore, WorkManager,
 * SharedPreferences and the connectivity manager; tests and the desktop preview with plain
 * Kotlin. Nothing here holds participant data.
 */
interface Platform {
    /** The folder the store lives in (app-private storage). */
    val storeDir: String

    fun now(): Instant

    /** Whether the phone is online now (the connectivity manager's validated network). */
    fun isOnline(): Boolean

    /** Whether it is night where the phone is (for the dark-at-night theme). */
    fun isNight(): Boolean

    /** Whether the phone's own setting asks for dark. */
    fun systemDark(): Boolean

    fun loadPreferences(): Preferences

    fun savePreferences(preferences: Preferences)

    /** Whether fingerprint (or face) unlock can be offered on this phone. */
    fun biometricsAvailable(): Boolean

    /**
     * The phone's hardware keystore (AndroidKeyStore, StrongBox where the phone has one). The
     * library asks it for every unlock: the PIN together with the PIN key, fingerprint through
     * the biometric key (its `derive` shows the prompt and blocks the calling thread, so the
     * library is only ever called off the main thread), background sync through the
     * background key. No key or answer of it is kept in the app.
     */
    val keystore: PhoneKeystore

    /** Schedules the periodic background sync (unique work, network required). */
    fun scheduleBackgroundSync()

    fun cancelBackgroundSync()
}
