package org.satchel.android

import androidx.work.Configuration
import androidx.work.testing.SynchronousExecutor
import androidx.work.testing.WorkManagerTestInitHelper
import org.satchel.app.MemoryKeystore
import org.satchel.ffi.PhoneKeystore

/**
 * The real application but for two platform pieces Android's framework on the JVM lacks:
 * the Android Keystore provider (keys are held in memory, [MemoryKeystore], as the screens'
 * tests do) and the phone's job scheduler (WorkManager's test driver decides when a scheduled
 * work's constraints and delays are met; the work itself, the worker and its database are
 * WorkManager's own).
 */
class TestApplication : SatchelApplication() {
    override fun keystore(): PhoneKeystore = MemoryKeystore()

    override fun onCreate() {
        super.onCreate()
        WorkManagerTestInitHelper.initializeTestWorkManager(
            this,
            Configuration.Builder().setExecutor(SynchronousExecutor()).build(),
        )
    }
}
