package org.satchel.app.model

import java.time.Instant

/** Languages the app speaks, chosen in the app, independent of the phone's language. */
enum class Language { ENGLISH, SPANISH }

/** How dark the app is. Dark at night by default: outreach happens at night, and a bright screen
 *  draws eyes and ruins night vision. */
enum class ThemeChoice { DARK_AT_NIGHT, SYSTEM, DARK, LIGHT }

/** What the worker set in Settings. Nothing here is about participants. */
data class Preferences(
    val language: Language = Language.ENGLISH,
    val theme: ThemeChoice = ThemeChoice.DARK_AT_NIGHT,
    /** Lock after this long in the background. */
    val autoLockMinutes: Int = 2,
    /** A platform key was made for fingerprint unlock. */
    val fingerprint: Boolean = false,
) {
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

    /** Makes 32 random bytes, keeps them wrapped by a Keystore key, and returns them once. */
    fun createPlatformKey(): ByteArray

    /** Reads the platform key after the biometric prompt; `null` when cancelled or missing. */
    suspend fun readPlatformKey(): ByteArray?

    /** Removes the Keystore key (quick delete). */
    fun deletePlatformKey()

    /** Schedules the periodic background sync (unique work, network required). */
    fun scheduleBackgroundSync()

    fun cancelBackgroundSync()
}
