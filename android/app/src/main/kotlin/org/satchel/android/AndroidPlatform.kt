package org.satchel.android

import android.content.Context
import android.content.res.Configuration
import android.net.ConnectivityManager
import android.net.NetworkCapabilities
import androidx.biometric.BiometricManager
import androidx.biometric.BiometricManager.Authenticators.BIOMETRIC_STRONG
import androidx.fragment.app.FragmentActivity
import androidx.work.BackoffPolicy
import androidx.work.Constraints
import androidx.work.ExistingPeriodicWorkPolicy
import androidx.work.NetworkType
import androidx.work.PeriodicWorkRequestBuilder
import androidx.work.WorkManager
import java.io.File
import java.time.Instant
import java.time.LocalTime
import java.util.concurrent.TimeUnit
import org.satchel.app.model.Language
import org.satchel.app.model.Platform
import org.satchel.app.model.Preferences
import org.satchel.app.model.ThemeChoice
import org.satchel.ffi.PhoneKeystore

/**
 * The [Platform] on a phone: Keystore, WorkManager, connectivity, SharedPreferences. [keystore]
 * is the phone's Android Keystore; the JVM tests on Android's framework, which has no Keystore
 * provider, give one of their own.
 */
class AndroidPlatform(private val context: Context, override val keystore: PhoneKeystore = AndroidKeystore(context)) : Platform {
    private val prefs = context.getSharedPreferences("satchel", Context.MODE_PRIVATE)

    /** The Activity the fingerprint prompt shows over (set by [MainActivity] while it exists). */
    var activity: FragmentActivity?
        get() = (keystore as? AndroidKeystore)?.activity
        set(value) {
            (keystore as? AndroidKeystore)?.activity = value
        }

    override val storeDir: String = File(context.noBackupFilesDir, "store").path

    override fun now(): Instant = Instant.now()

    override fun isOnline(): Boolean {
        val cm = context.getSystemService(ConnectivityManager::class.java) ?: return false
        val caps = cm.getNetworkCapabilities(cm.activeNetwork) ?: return false
        return caps.hasCapability(NetworkCapabilities.NET_CAPABILITY_VALIDATED)
    }

    override fun isNight(): Boolean = LocalTime.now().let { it.hour >= 19 || it.hour < 7 }

    override fun systemDark(): Boolean =
        context.resources.configuration.uiMode and Configuration.UI_MODE_NIGHT_MASK == Configuration.UI_MODE_NIGHT_YES

    override fun loadPreferences() = Preferences(
        language = runCatching { Language.valueOf(prefs.getString("language", null)!!) }.getOrDefault(Language.ENGLISH),
        theme = runCatching { ThemeChoice.valueOf(prefs.getString("theme", null)!!) }.getOrDefault(ThemeChoice.DARK_AT_NIGHT),
        autoLockMinutes = prefs.getInt("autoLockMinutes", 2),
        wipeAfterFailedPins = prefs.getInt("wipeAfterFailedPins", -1).takeIf { it >= 0 },
    )

    override fun savePreferences(preferences: Preferences) {
        val editor = prefs.edit()
            .putString("language", preferences.language.name)
            .putString("theme", preferences.theme.name)
            .putInt("autoLockMinutes", preferences.autoLockMinutes)
            // Earlier versions kept whether fingerprint unlock was on; the store says it now.
            .remove("fingerprint")
        val wipeAfter = preferences.wipeAfterFailedPins
        if (wipeAfter == null) editor.remove("wipeAfterFailedPins") else editor.putInt("wipeAfterFailedPins", wipeAfter)
        editor.apply()
    }

    override fun biometricsAvailable(): Boolean =
        BiometricManager.from(context).canAuthenticate(BIOMETRIC_STRONG) == BiometricManager.BIOMETRIC_SUCCESS

    override fun scheduleBackgroundSync() {
        val request = PeriodicWorkRequestBuilder<SyncWorker>(30, TimeUnit.MINUTES)
            .setConstraints(Constraints.Builder().setRequiredNetworkType(NetworkType.CONNECTED).build())
            // A run that found the phone locked (the background key works only while it is
            // unlocked) or offline tries again 5, 10, 15… minutes later.
            .setBackoffCriteria(BackoffPolicy.LINEAR, 5, TimeUnit.MINUTES)
            .build()
        // UPDATE: a schedule from an earlier version takes this one's backoff, keeping its timing.
        WorkManager.getInstance(context).enqueueUniquePeriodicWork(SyncWorker.NAME, ExistingPeriodicWorkPolicy.UPDATE, request)
    }

    override fun cancelBackgroundSync() {
        WorkManager.getInstance(context).cancelUniqueWork(SyncWorker.NAME)
    }
}
