package org.satchel.android

import android.app.Application
import androidx.work.Configuration
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.SupervisorJob
import org.satchel.app.model.AppModel
import org.satchel.ffi.PhoneKeystore

/** Holds the one [AppModel] for the process, so the Activity and the worker share the store. */
open class SatchelApplication : Application(), Configuration.Provider {
    lateinit var platform: AndroidPlatform
        private set
    lateinit var model: AppModel
        private set

    override fun onCreate() {
        super.onCreate()
        // Before the store is opened: the earlier versions' platform key is no longer used.
        AndroidKeystore.forgetLegacyPlatformKey(this)
        platform = AndroidPlatform(this, keystore())
        model = AppModel(platform, CoroutineScope(SupervisorJob() + Dispatchers.Main.immediate))
        // The fingerprint prompt speaks the app's language.
        (platform.keystore as? AndroidKeystore)?.strings = { model.strings }
    }

    /**
     * WorkManager starts when the background sync is first scheduled or run, not with every
     * start of the app (its start-up initializer is removed in the manifest).
     */
    override val workManagerConfiguration: Configuration get() = Configuration.Builder().build()

    /** The phone's Android Keystore; the JVM tests, on a framework without one, give theirs. */
    protected open fun keystore(): PhoneKeystore = AndroidKeystore(this)
}
