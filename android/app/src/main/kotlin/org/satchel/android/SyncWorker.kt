package org.satchel.android

import org.satchel.app.features.sync.SyncModel
import org.satchel.ffi.SatchelException
import android.app.KeyguardManager
import android.content.Context
import android.os.Build
import androidx.work.CoroutineWorker
import androidx.work.WorkerParameters
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.withContext

/**
 * Background sync: unique periodic work with a network constraint. It syncs through the open
 * store while the app is unlocked. When the app is locked, and only if background sync is on for
 * the store (Settings; on from the join), it opens the store with the keystore's background key,
 * syncs, purges, and locks it again ([SyncModel.syncWhileLocked]). That key works only while the
 * phone itself is unlocked, so a run that finds the phone locked tries again later.
 * It shows no notification, so nothing about the work can appear on the lock screen.
 */
class SyncWorker(context: Context, params: WorkerParameters) : CoroutineWorker(context, params) {
    companion object {
        const val NAME = "satchel-sync"
    }

    override suspend fun doWork(): Result = withContext(Dispatchers.IO) {
        val application = applicationContext as SatchelApplication
        val app = application.model
        if (app.hasOpenStore()) {
            // Today, Log and Sync show what the run sent.
            return@withContext runCatching { SyncModel.runSync(app) }
                .fold({ app.refreshAll(); Result.success() }, { Result.retry() })
        }
        // The background key works only while the phone is unlocked (API 28+): try again later.
        val keyguard = applicationContext.getSystemService(KeyguardManager::class.java)
        if (Build.VERSION.SDK_INT >= 28 && keyguard?.isDeviceLocked == true) return@withContext Result.retry()
        val platform = application.platform
        try {
            // SYNCED, or nothing to do (no store, background sync off, not joined yet).
            SyncModel.syncWhileLocked(platform.storeDir, platform.keystore)
            Result.success()
        } catch (e: SatchelException) {
            // Offline, the server away, the phone locked meanwhile: nothing is lost; later.
            Result.retry()
        }
    }
}
