package org.satchel.android

import android.app.KeyguardManager
import android.content.Intent
import android.content.res.Configuration
import android.net.ConnectivityManager
import android.net.NetworkCapabilities
import android.os.Looper
import android.view.WindowManager
import androidx.work.NetworkType
import androidx.work.WorkInfo
import androidx.work.WorkManager
import androidx.work.testing.WorkManagerTestInitHelper
import java.time.LocalDate
import org.junit.Assert.assertEquals
import org.junit.Assert.assertTrue
import org.junit.Test
import org.junit.runner.RunWith
import org.robolectric.Robolectric
import org.robolectric.RobolectricTestRunner
import org.robolectric.Shadows.shadowOf
import org.robolectric.annotation.Config
import org.robolectric.annotation.GraphicsMode
import org.robolectric.shadows.ShadowNetworkCapabilities
import org.satchel.app.Hub
import org.satchel.app.model.Route
import org.satchel.app.model.Tab

/**
 * A worker's first minutes on Android 15's framework: the real Activity and screens, the host
 * build of the library, a real hub. The keystore is held in memory ([TestApplication]).
 */
@RunWith(RobolectricTestRunner::class)
@Config(sdk = [35], application = TestApplication::class, qualifiers = "w411dp-h891dp-xxhdpi")
@GraphicsMode(GraphicsMode.Mode.NATIVE)
class ShiftOnAndroidTest {
    /** Runs the main thread's queue (the app's model lives on it) until [condition] holds. */
    private fun waitFor(what: String, timeoutMs: Long = 30_000, condition: () -> Boolean) {
        val end = System.currentTimeMillis() + timeoutMs
        while (true) {
            shadowOf(Looper.getMainLooper()).idle()
            if (condition()) return
            if (System.currentTimeMillis() > end) throw AssertionError("waited ${timeoutMs / 1000} s for $what")
            Thread.sleep(20)
        }
    }

    @Test
    fun joinLogKeepASheetAcrossRotationGoBackSyncLockAndSyncInTheBackground(): Unit = Hub().use { hub ->
        val controller = Robolectric.buildActivity(MainActivity::class.java).setup()
        val activity = controller.get()
        val app = activity.application as SatchelApplication
        val model = app.model
        // A validated network, as a phone with signal has.
        val cm = activity.getSystemService(ConnectivityManager::class.java)!!
        shadowOf(cm).setNetworkCapabilities(
            cm.activeNetwork,
            ShadowNetworkCapabilities.newInstance().also { shadowOf(it).addCapability(NetworkCapabilities.NET_CAPABILITY_VALIDATED) },
        )
        assertTrue("online", app.platform.isOnline())

        // Join with the code's text pasted, a PIN chosen twice.
        model.join.setCode(hub.enrollmentCode())
        model.join.setPin("2468")
        model.join.setPinAgain("2468")
        model.join.join()
        waitFor("joined") { model.state.value.route == Route.MAIN && model.log.state.value.kits.isNotEmpty() }
        // Joining schedules the background sync: one unique periodic work that needs a network.
        val work = WorkManager.getInstance(activity).getWorkInfosForUniqueWork(SyncWorker.NAME).get()
        assertEquals(1, work.size)
        assertEquals(WorkInfo.State.ENQUEUED, work[0].state)
        assertEquals(NetworkType.CONNECTED, work[0].constraints.requiredNetworkType)

        // Two taps: the kit, then Save. Today shows it.
        model.review.openKit(model.log.state.value.kits.first().id)
        waitFor("the review sheet") { model.state.value.sheetOpen && model.review.state.value.items.isNotEmpty() }
        model.review.save()
        waitFor("saved") { !model.state.value.sheetOpen }
        model.today.refresh()
        waitFor("today's row") { model.today.state.value.rows.size == 1 }

        // A second sheet, changed, then the phone turned: the Activity is made again and the
        // sheet is as the worker left it (its state lives in the application's model).
        model.review.openKit(model.log.state.value.kits.last().id)
        waitFor("the second sheet") { model.state.value.sheetOpen && model.review.state.value.items.isNotEmpty() }
        model.review.step(model.review.state.value.items.first().id, 2)
        val sheet = model.review.state.value
        controller.configurationChange(Configuration(activity.resources.configuration).apply {
            orientation = Configuration.ORIENTATION_LANDSCAPE
            screenWidthDp = 891
            screenHeightDp = 411
        })
        shadowOf(Looper.getMainLooper()).idle()
        assertTrue("a new Activity", controller.get() !== activity)
        assertTrue("the sheet is still open", model.state.value.sheetOpen)
        assertEquals(sheet, model.review.state.value)
        model.review.save()
        waitFor("the second saved") { !model.state.value.sheetOpen }

        // Back: a sheet closes as Cancel does (nothing saved), another tab goes back to Log,
        // and on Log the system has it (the app leaves; nothing is lost).
        val rotated = controller.get()
        model.review.openKit(model.log.state.value.kits.first().id)
        waitFor("a third sheet") { model.state.value.sheetOpen }
        rotated.onBackPressedDispatcher.onBackPressed()
        waitFor("the sheet closed by Back") { !model.state.value.sheetOpen }
        model.selectTab(Tab.TODAY)
        rotated.onBackPressedDispatcher.onBackPressed()
        waitFor("Log again") { model.state.value.tab == Tab.LOG }
        assertTrue("Back on Log is the system's", !model.back())
        model.today.refresh()
        waitFor("two rows in Today") { model.today.state.value.rows.size == 2 }

        // Sync: the manager receives both.
        model.sync.refresh()
        waitFor("online in Sync") { model.sync.state.value.online }
        model.sync.syncNow()
        waitFor("synced") { model.sync.state.value.status?.pending == 0uL && !model.sync.state.value.busy }
        // What the manager's store holds of these days, after a pull from the hub.
        val today = LocalDate.now()
        val managerEncounters = {
            hub.manager.sync().use { it.syncNow() }
            hub.manager.reports().use { it.tally(today.minusDays(2).toString(), today.plusDays(2).toString(), null, null).total.encounters }
        }
        assertEquals(2uL, managerEncounters())

        // A third contact, not synced yet, then the screen turns off: the registered receiver
        // covers the window at once, and the store locks once the program's grace (60 s by
        // default, D94) has passed with the screen still off.
        model.review.openKit(model.log.state.value.kits.first().id)
        waitFor("the third sheet") { model.state.value.sheetOpen && model.review.state.value.items.isNotEmpty() }
        model.review.save()
        waitFor("the third saved") { !model.state.value.sheetOpen }
        controller.get().sendBroadcast(Intent(Intent.ACTION_SCREEN_OFF))
        waitFor("covered") { model.state.value.covered }
        assertTrue("open within the grace", model.hasOpenStore())
        shadowOf(Looper.getMainLooper()).idleFor(java.time.Duration.ofSeconds(61))
        waitFor("locked") { model.state.value.route == Route.UNLOCK }
        assertTrue("the store is closed", !model.hasOpenStore())
        assertTrue(controller.get().window.attributes.flags and WindowManager.LayoutParams.FLAG_SECURE != 0)

        // The background sync, run by WorkManager itself once its network constraint is met
        // (its test driver stands in for the phone's job scheduler). On a locked phone the
        // background key does not work: the run asks to try again and sends nothing. Once the
        // phone is unlocked, the retry (after its backoff) opens the store with that key, sends
        // the third contact, and locks it again.
        val workManager = WorkManager.getInstance(app)
        val driver = WorkManagerTestInitHelper.getTestDriver(app)!!
        val id = workManager.getWorkInfosForUniqueWork(SyncWorker.NAME).get().single().id
        val keyguard = app.getSystemService(KeyguardManager::class.java)!!
        shadowOf(keyguard).setIsDeviceLocked(true)
        driver.setAllConstraintsMet(id)
        waitFor("a run on the locked phone") { workManager.getWorkInfoById(id).get()!!.runAttemptCount == 1 }
        assertEquals(WorkInfo.State.ENQUEUED, workManager.getWorkInfoById(id).get()!!.state)
        assertTrue("still locked", !model.hasOpenStore())
        assertEquals(2uL, managerEncounters())

        shadowOf(keyguard).setIsDeviceLocked(false)
        // The backoff's wait over (the driver counts it as the period's delay), the network
        // still there.
        driver.setPeriodDelayMet(id)
        driver.setAllConstraintsMet(id)
        waitFor("the retry on the unlocked phone") { workManager.getWorkInfoById(id).get()!!.runAttemptCount == 0 }
        assertEquals(WorkInfo.State.ENQUEUED, workManager.getWorkInfoById(id).get()!!.state)
        assertTrue("locked again after the run", !model.hasOpenStore())
        assertEquals(3uL, managerEncounters())
        controller.pause().stop().destroy()
    }
}
