package org.satchel.app.strings

import org.satchel.ffi.InputTopic
import org.satchel.ffi.NaloxoneKit
import org.satchel.ffi.OpenStatus
import org.satchel.ffi.Service

/**
 * Every text the app shows, in one interface: each language is an object implementing it, so
 * the compiler refuses a language that lacks a string. Words are person-first and
 * non-judgmental ("participant", "sterile", "used"), in both languages.
 */
interface Strings {
    val languageName: String
    val appName: String

    // Join
    val joinTitle: String
    val joinExplain: String
    val enrollmentCode: String
    val scanCode: String
    val choosePin: String
    val confirmPin: String
    val pinsDiffer: String
    fun pinProblem(p: org.satchel.ffi.PinProblem): String
    val useFingerprint: String
    val join: String
    val joining: String
    val joinCodeOnly: String
    /** Fingerprint unlock was chosen at join but not turned on (prompt closed, sensor failed). */
    val fingerprintNotOn: String

    // Unlock
    val unlockTitle: String
    val enterPin: String
    val unlock: String
    val unlockWithFingerprint: String
    val deleteDigit: String
    fun digit(d: Int): String
    fun wrongPin(failed: Int): String
    fun waitBeforeTry(seconds: Long): String
    /** On the PIN screen once wrong PINs make tries wait: the program's limit, and tries left. */
    fun wipeWarning(limit: Int, left: Int): String
    /** On the join screen after the phone's data was erased at the program's limit. */
    fun wiped(failed: Int): String
    val fingerprintCancelled: String
    /** The phone's fingerprints changed, so the fingerprint key no longer works. */
    val fingerprintChanged: String
    /** Offered after a PIN unlock when fingerprint unlock stopped working. */
    val fingerprintOfferAgain: String
    val turnOn: String
    /** Under the app's name on the phone's fingerprint prompt (to unlock, or to turn it on). */
    val fingerprintPrompt: String
    /** The phone's keystore did not answer (not a wrong PIN). */
    val keystoreFailed: String

    // Navigation
    val tabLog: String
    val tabToday: String
    val tabStock: String
    val tabSync: String
    val tabSettings: String

    // Log
    val chooseKit: String
    val noKits: String
    val otherSupplies: String
    fun kitTile(name: String, items: Int): String

    // Review sheet
    val reviewTitle: String
    val correctTitle: String
    val items: String
    fun itemCount(name: String, count: Int): String
    fun addOne(name: String): String
    fun removeOne(name: String): String
    val addItem: String
    val contactType: String
    val zone: String
    val participantCode: String
    val participantCodeHint: String
    val seenBefore: String
    val notSeenBefore: String
    val newParticipant: String
    val ageBand: String
    val gender: String
    val notRecorded: String
    val referrals: String
    val substances: String
    val syringesCollected: String
    val overdoseReversals: String
    val naloxoneDosesUsed: String
    val collectingFor: String
    val save: String
    val cancel: String
    val saved: String
    val undo: String
    val undone: String
    /** After an unlock: the sheet open at the lock is back (D97). */
    val draftBack: String
    /** The same, when a participant code had been typed: a draft never keeps it. */
    val draftBackRetypeCode: String
    /** The sheet's time row: when the contact happened ("When: 21:40"). */
    fun contactAt(time: String): String
    /** The stepper that dates a contact logged late. */
    val minutesEarlier: String
    fun contactTypeName(id: String): String

    // Today
    val todayTitle: String
    fun shiftHeadline(encounters: Int, waiting: Int): String
    val shiftEmpty: String
    val waiting: String
    val sent: String
    val voided: String
    val void: String
    val voidConfirmTitle: String
    val voidConfirmText: String
    val correct: String
    fun naloxoneDoses(n: Int): String
    fun syringesBack(n: Int): String
    /** The services directory under the referral chips: where to send someone. */
    val servicesTitle: String
    val handOver: String
    /** Whether a service is open now ("Open until 17:00", "Closed · opens Monday 09:00"). */
    fun openStatus(s: OpenStatus): String
    /** How to get in and what the door asks for, in short. */
    fun doorSummary(s: Service): String
    /** A service's name in the app's language (English where the program wrote no Spanish). */
    fun serviceName(s: Service): String
    /** A name the program wrote (a kit, an item, a zone, a list entry, a place): the Spanish one
     *  in Spanish, and where there is none the English one, marked (D98). */
    fun programName(en: String, es: String?): String
    val cardLanguage: String
    val qrNote: String
    val back: String
    /** Marks a service as suggested to the participant (counted only by service). */
    val suggested: String
    /** A sharps container type on the review sheet, with the program's estimate per container. */
    fun containersOf(name: String, syringesEach: Int): String
    /** Containers returned this shift and the syringes they hold by estimate. */
    fun containersBack(n: Int, syringes: Int): String

    // The participant profile (asked once, when the code is new here), services given on site,
    // and why a naloxone kit is given.
    val profileTitle: String
    val profileHint: String
    val updateProfile: String
    val profileUpdateTitle: String
    val race: String
    val ethnicity: String
    val residence: String
    val askLater: String
    val declined: String
    val deliveredTitle: String
    fun linkedToCare(service: String): String
    val naloxoneKitTitle: String
    fun naloxoneKitName(kit: NaloxoneKit): String

    // Stock
    val stockTitle: String
    val chooseLocation: String
    val noLocation: String
    val low: String
    fun lowStockText(level: Long, threshold: Int): String

    // Safety: leave now or delete everything, one tap from any screen.
    val safetyOpen: String
    val safetyTitle: String
    val quickExit: String
    val quickExitExplain: String
    fun outOfStockText(threshold: Int): String
    val typeQuantity: String
    fun level(level: Long): String
    val receive: String
    val count: String
    val adjust: String
    val transfer: String
    val quantity: String
    val reason: String
    val toLocation: String
    fun reasonName(id: String): String
    val confirm: String

    // Sync
    val syncTitle: String
    fun recordsWaiting(n: Long): String
    fun contactsWaiting(n: Long): String
    val otherChangesWaiting: String
    /** The status line on Log: contacts this shift, waiting, and offline when it is. */
    fun logStatus(contacts: Int, waiting: Long, online: Boolean): String
    val allSent: String
    fun lastSuccess(ago: String): String
    val neverSynced: String
    fun lastError(message: String): String
    fun nextTry(at: String): String
    fun setAside(n: Long): String
    fun neverArrived(n: Long): String
    val syncNow: String
    val syncing: String
    val offlineExplain: String
    fun minutesAgo(n: Long): String
    val justNow: String

    // Settings
    val settingsTitle: String
    val language: String
    val theme: String
    val themeNight: String
    val themeSystem: String
    val themeDark: String
    val themeLight: String
    val autoLock: String
    fun minutes(n: Int): String
    val unlockAndSync: String
    val fingerprintSetting: String
    val backgroundSync: String
    val backgroundSyncExplain: String
    val changePin: String
    val currentPin: String
    val newPin: String
    val pinChanged: String
    val quickDelete: String
    val quickDeleteExplain: String
    val slideToDelete: String
    fun deletingIn(seconds: Int): String
    val deleted: String

    // Errors
    val offline: String
    val refused: String
    fun invalid(reason: String): String
    /** A value the core refused, worded by what it is about (the core's English reason is never shown). */
    fun invalidTopic(topic: InputTopic): String
    /** A change only the phone that made it may make, or one already made. */
    val notPermitted: String
    val somethingWrong: String
}

