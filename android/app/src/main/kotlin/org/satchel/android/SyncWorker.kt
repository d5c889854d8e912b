package org.satchel.android

import android.content.Context
import androidx.work.CoroutineWorker
import androidx.work.WorkerParameters
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.withContext
import org.satchel.ffi.SatchelStore
import org.satchel.ffi.storeExists

/**
 * Background sync: unique periodic work with a network constraint. It syncs through the open
 * store while the app is unlocked; when the app is locked it opens the store with the platform
 * key (only if the worker turned fingerprint unlock on), syncs, purges, and locks it again.
 * It shows no notification, so nothing about the work can appear on the lock screen.
 */
class SyncWorker(context: Context, params: WorkerParameters) : CoroutineWorker(context, params) {
    companion object {
        const val NAME = "satchel-sync"
    }

    override suspend fun doWork(): Result = withContext(Dispatchers.IO) {
        val app = (applicationContext as SatchelApplication).model
        if (app.hasOpenStore()) {
            return@withContext runCatching { org.satchel.app.model.SyncModel.runSync(app) }
                .fold({ Result.success() }, { Result.retry() })
        }
        val platform = AndroidPlatform(applicationContext)
        if (!storeExists(platform.storeDir)) return@withContext Result.success()
        val key = PlatformKey(applicationContext).read() ?: return@withContext Result.success()
        SatchelStore.open(platform.storeDir).use { store ->
            try {
                store.unlockWithPlatformKey(key)
                store.sync().use { it.syncNow() }
                store.purgeExpired()
                Result.success()
            } catch (e: Exception) {
                Result.retry()
            } finally {
                key.fill(0)
                store.lock()
            }
        }
    }
}
