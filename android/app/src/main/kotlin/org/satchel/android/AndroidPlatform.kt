package org.satchel.android

import android.content.Context
import android.content.res.Configuration
import android.net.ConnectivityManager
import android.net.NetworkCapabilities
import androidx.biometric.BiometricManager
import androidx.biometric.BiometricManager.Authenticators.BIOMETRIC_STRONG
import androidx.biometric.BiometricPrompt
import androidx.core.content.ContextCompat
import androidx.fragment.app.FragmentActivity
import androidx.work.Constraints
import androidx.work.ExistingPeriodicWorkPolicy
import androidx.work.NetworkType
import androidx.work.PeriodicWorkRequestBuilder
import androidx.work.WorkManager
import java.io.File
import java.time.Instant
import java.time.LocalTime
import java.util.concurrent.TimeUnit
import kotlin.coroutines.resume
import kotlinx.coroutines.suspendCancellableCoroutine
import org.satchel.app.model.Language
import org.satchel.app.model.Platform
import org.satchel.app.model.Preferences
import org.satchel.app.model.ThemeChoice

/** The [Platform] on a phone: Keystore, WorkManager, connectivity, SharedPreferences. */
class AndroidPlatform(private val context: Context, var activity: FragmentActivity? = null) : Platform {
    private val prefs = context.getSharedPreferences("satchel", Context.MODE_PRIVATE)
    private val key = PlatformKey(context)

    override val storeDir: String = File(context.noBackupFilesDir, "store").path

    override fun now(): Instant = Instant.now()

    override fun isOnline(): Boolean {
        val cm = context.getSystemService(ConnectivityManager::class.java)
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
        fingerprint = prefs.getBoolean("fingerprint", false),
    )

    override fun savePreferences(preferences: Preferences) {
        prefs.edit()
            .putString("language", preferences.language.name)
            .putString("theme", preferences.theme.name)
            .putInt("autoLockMinutes", preferences.autoLockMinutes)
            .putBoolean("fingerprint", preferences.fingerprint)
            .apply()
    }

    override fun biometricsAvailable(): Boolean =
        BiometricManager.from(context).canAuthenticate(BIOMETRIC_STRONG) == BiometricManager.BIOMETRIC_SUCCESS

    override fun createPlatformKey(): ByteArray = key.create()

    /** Shows the biometric prompt, then reads the key. */
    override suspend fun readPlatformKey(): ByteArray? {
        val activity = activity ?: return null
        val passed = suspendCancellableCoroutine { cont ->
            val prompt = BiometricPrompt(
                activity,
                ContextCompat.getMainExecutor(activity),
                object : BiometricPrompt.AuthenticationCallback() {
                    override fun onAuthenticationSucceeded(result: BiometricPrompt.AuthenticationResult) = cont.resume(true)
                    override fun onAuthenticationError(code: Int, message: CharSequence) = cont.resume(false)
                },
            )
            prompt.authenticate(
                BiometricPrompt.PromptInfo.Builder()
                    .setTitle("Satchel")
                    .setNegativeButtonText("PIN")
                    .setAllowedAuthenticators(BIOMETRIC_STRONG)
                    .build(),
            )
        }
        return if (passed) key.read() else null
    }

    override fun deletePlatformKey() = key.delete()

    override fun scheduleBackgroundSync() {
        val request = PeriodicWorkRequestBuilder<SyncWorker>(30, TimeUnit.MINUTES)
            .setConstraints(Constraints.Builder().setRequiredNetworkType(NetworkType.CONNECTED).build())
            .build()
        WorkManager.getInstance(context).enqueueUniquePeriodicWork(SyncWorker.NAME, ExistingPeriodicWorkPolicy.KEEP, request)
    }

    override fun cancelBackgroundSync() {
        WorkManager.getInstance(context).cancelUniqueWork(SyncWorker.NAME)
    }
}
