package org.satchel.app.strings

import org.satchel.ffi.InputTopic
import org.satchel.ffi.NaloxoneKit
import org.satchel.ffi.OpenStatus
import org.satchel.ffi.Service
import org.satchel.ffi.ServiceAccess

object English : Strings {
    override val languageName = "English"
    override val appName = "Satchel"

    override val joinTitle = "Join your program"
    override val joinExplain = "Scan the code your program manager shows you, or paste its text. Then choose a PIN for this phone."
    override val enrollmentCode = "Enrollment code"
    override val scanCode = "Scan code"
    override val choosePin = "Choose a PIN (4 to 8 digits)"
    override val confirmPin = "Enter the PIN again"
    override val pinsDiffer = "The two PINs are not the same."
    override fun pinProblem(p: org.satchel.ffi.PinProblem) = when (p) {
        org.satchel.ffi.PinProblem.NOT_DIGITS -> "Use digits only."
        org.satchel.ffi.PinProblem.LENGTH -> "Use 4 to 8 digits."
        org.satchel.ffi.PinProblem.ONE_DIGIT -> "One digit repeated is guessed first. Choose another PIN."
        org.satchel.ffi.PinProblem.RUN -> "Digits in a row are guessed first. Choose another PIN."
        org.satchel.ffi.PinProblem.PATTERN -> "A repeated pattern is guessed first. Choose another PIN."
        org.satchel.ffi.PinProblem.COMMON -> "This is one of the most common PINs. Choose another."
    }
    override val useFingerprint = "Unlock with fingerprint too"
    override val join = "Join"
    override val joining = "Joining…"
    override val joinCodeOnly = "This phone has a PIN but has not joined a program yet. Enter the enrollment code."
    override val fingerprintNotOn = "Fingerprint unlock is not on. You can turn it on in Settings."

    override val unlockTitle = "Satchel is locked"
    override val enterPin = "Enter your PIN"
    override val unlock = "Unlock"
    override val unlockWithFingerprint = "Use fingerprint"
    override val deleteDigit = "Delete last digit"
    override fun digit(d: Int) = "Digit $d"
    override fun wrongPin(failed: Int) = "Wrong PIN ($failed in a row)."
    override fun waitBeforeTry(seconds: Long) = "Too many wrong PINs. Try again in $seconds s."
    override fun wipeWarning(limit: Int, left: Int) =
        "After $limit wrong PINs in a row, Satchel erases its data on this phone. " +
            (if (left == 1) "1 try left." else "$left tries left.")
    override fun wiped(failed: Int) =
        "After $failed wrong PINs in a row, Satchel deleted its data on this phone, as your program set. " +
            "Entries not yet sent are lost. Ask your program manager for a new code to join again."
    override val fingerprintCancelled = "Fingerprint unlock was cancelled."
    override val fingerprintChanged = "The fingerprints on this phone changed, so fingerprint unlock is off. Unlock with your PIN."
    override val fingerprintOfferAgain = "Turn fingerprint unlock on again?"
    override val turnOn = "Turn on"
    override val fingerprintPrompt = "Confirm with your fingerprint"
    override val keystoreFailed = "This phone's secure key storage did not answer. Nothing changed; try again."

    override val tabLog = "Log"
    override val tabToday = "Today"
    override val tabStock = "Stock"
    override val tabSync = "Sync"
    override val tabSettings = "Settings"

    override val chooseKit = "Tap what you handed out"
    override val noKits = "Your program has no kits yet."
    override val otherSupplies = "Other supplies"
    override fun kitTile(name: String, items: Int) = "$name, $items items"

    override val reviewTitle = "Check and save"
    override val correctTitle = "Correct encounter"
    override val items = "Supplies"
    override fun itemCount(name: String, count: Int) = "$name: $count"
    override fun addOne(name: String) = "One more $name (hold for ten)"
    override fun removeOne(name: String) = "One less $name (hold for ten)"
    override val addItem = "Add a supply"
    override val contactType = "Contact"
    override val zone = "Zone"
    override val participantCode = "Participant code (optional)"
    override val participantCodeHint = "The code is never stored; only a reference that does not reveal it."
    override val seenBefore = "Seen before on this phone"
    override val notSeenBefore = "Not seen before on this phone"
    override val newParticipant = "New participant"
    override val ageBand = "Age"
    override val gender = "Gender"
    override val notRecorded = "Not asked"
    override val referrals = "Referrals"
    override val substances = "Substances used"
    override val syringesCollected = "Used syringes collected"
    override val overdoseReversals = "Overdose reversals the participant reports"
    override val naloxoneDosesUsed = "Naloxone doses used in an overdose reversal"
    override val collectingFor = "Collecting for others"
    override val save = "Save"
    override val cancel = "Cancel"
    override val saved = "Saved"
    override val undo = "Undo"
    override val undone = "Removed"
    override val draftBack = "The contact you were logging is back"
    override val draftBackRetypeCode = "The contact you were logging is back. Type the code again."
    override fun contactAt(time: String) = "When: $time"
    override val minutesEarlier = "Minutes ago (logged late)"
    override fun contactTypeName(id: String) = when (id) {
        "STREET" -> "Street"
        "MOBILE_UNIT" -> "Mobile unit"
        "DROP_IN" -> "Drop-in"
        "PEER_DELIVERY" -> "Peer delivery"
        "PHONE_TEXT" -> "Phone or text"
        else -> id
    }

    override val todayTitle = "This shift"
    override fun shiftHeadline(encounters: Int, waiting: Int) =
        (if (encounters == 1) "1 encounter" else "$encounters encounters") +
            (if (waiting > 0) ", $waiting waiting to sync" else ", all sent")
    override val shiftEmpty = "Nothing logged this shift yet."
    override val waiting = "Waiting"
    override val sent = "Sent"
    override val voided = "Voided"
    override val void = "Void"
    override val voidConfirmTitle = "Void this encounter?"
    override val voidConfirmText = "It will count nowhere and its supplies go back to stock."
    override val correct = "Correct"
    override fun naloxoneDoses(n: Int) = "$n naloxone doses"
    override val servicesTitle = "Where to go"
    override val handOver = "Hand this over"
    private val days = mapOf("mon" to "Monday", "tue" to "Tuesday", "wed" to "Wednesday", "thu" to "Thursday", "fri" to "Friday", "sat" to "Saturday", "sun" to "Sunday")
    override fun openStatus(s: OpenStatus) = when (s) {
        is OpenStatus.Open -> s.closes?.let { "Open until $it" } ?: "Open"
        is OpenStatus.Closed -> if (s.opensDay != null) "Closed · opens ${days[s.opensDay] ?: s.opensDay} ${s.opensAt}" else "Closed"
        OpenStatus.Unknown -> "Hours not listed: call or ask"
    }
    override fun doorSummary(s: Service) = listOfNotNull(
        when (s.access) {
            ServiceAccess.WALK_IN -> "Walk in"
            ServiceAccess.APPOINTMENT -> "By appointment"
            ServiceAccess.WALK_IN_OR_APPOINTMENT -> "Walk in or by appointment"
        },
        if (s.requiresId) "Photo ID needed" else "No ID needed",
        "Insurance needed".takeIf { s.requiresInsurance },
        "Asks that people come sober".takeIf { s.requiresSobriety },
    ).joinToString(" · ")
    override fun serviceName(s: Service) = s.name.en
    override fun programName(en: String, es: String?) = en
    override val cardLanguage = "Card language"
    override val qrNote = "Scan to save this service's details on your phone. Nothing about you is in it."
    override val back = "Back"
    override val suggested = "Suggested"
    override fun syringesBack(n: Int) = "$n used syringes collected"
    override fun containersOf(name: String, syringesEach: Int) = "$name (about $syringesEach syringes each)"
    override fun containersBack(n: Int, syringes: Int) =
        if (n == 1) "1 sharps container returned (about $syringes syringes)" else "$n sharps containers returned (about $syringes syringes)"

    override val profileTitle = "About this person (asked once)"
    override val profileHint = "Optional: skip it, or ask later."
    override val updateProfile = "Update what they told us about themselves"
    override val profileUpdateTitle = "About this person (update)"
    override val race = "Race (all that apply)"
    override val ethnicity = "Ethnicity"
    override val residence = "Lives in"
    override val askLater = "Ask later"
    override val declined = "Prefers not to say"
    override val deliveredTitle = "Given here"
    override fun linkedToCare(service: String) = "$service: linked to care"
    override val naloxoneKitTitle = "This naloxone kit is"
    override fun naloxoneKitName(kit: NaloxoneKit) = when (kit) {
        NaloxoneKit.FIRST -> "Their first"
        NaloxoneKit.REFILL_USED -> "Refill: used on someone"
        NaloxoneKit.REFILL_LOST -> "Refill: lost"
        NaloxoneKit.REFILL_CONFISCATED -> "Refill: taken by police"
        NaloxoneKit.REFILL_EXPIRED -> "Refill: expired"
        NaloxoneKit.REFILL_OTHER -> "Refill: other reason"
    }

    override val stockTitle = "Stock"
    override val chooseLocation = "Where do you hand out supplies from?"
    override val noLocation = "No stock location chosen."
    override val low = "Low"
    override fun lowStockText(level: Long, threshold: Int) = "Low: $level left (restock at $threshold)"
    override fun outOfStockText(threshold: Int) = "Out: none left (restock at $threshold)"
    override val typeQuantity = "Or type the number"
    override val safetyOpen = "Leave or delete"
    override val safetyTitle = "Leave now"
    override val quickExit = "Lock and leave"
    override val quickExitExplain = "Locks Satchel at once and goes to the home screen. Nothing is lost: your PIN opens it again."
    override fun level(level: Long) = "$level left"
    override val receive = "Receive"
    override val count = "Count"
    override val adjust = "Adjust"
    override val transfer = "Transfer"
    override val quantity = "Quantity"
    override val reason = "Reason"
    override val toLocation = "To"
    override fun reasonName(id: String) = when (id) {
        "EXPIRED" -> "Expired"
        "DAMAGED" -> "Damaged"
        "LOST" -> "Lost"
        else -> "Other"
    }
    override val confirm = "Confirm"

    override val syncTitle = "Sync"
    override fun recordsWaiting(n: Long) = if (n == 1L) "1 record waiting to be sent" else "$n records waiting to be sent"
    override val allSent = "Everything is sent"
    override fun contactsWaiting(n: Long) = if (n == 1L) "1 contact waiting to be sent" else "$n contacts waiting to be sent"
    override val otherChangesWaiting = "Stock and settings changes waiting to be sent"
    override fun logStatus(contacts: Int, waiting: Long, online: Boolean) =
        listOfNotNull(
            if (contacts == 1) "1 contact this shift" else "$contacts contacts this shift",
            if (waiting == 0L) "all sent" else "$waiting waiting",
            "offline".takeIf { !online },
        ).joinToString(" · ")
    override fun lastSuccess(ago: String) = "Last synced $ago"
    override val neverSynced = "Not synced yet"
    override fun lastError(message: String) = "Last try failed: $message"
    override fun nextTry(at: String) = "Next try at $at"
    override fun setAside(n: Long) = "$n pieces of another phone's data could not be read here. Tell your program manager."
    override fun neverArrived(n: Long) = "$n runs of another phone's records never arrived. Tell your program manager."
    override val syncNow = "Sync now"
    override val syncing = "Syncing…"
    override val offlineExplain = "No connection. Entries are safe on this phone and sync when it is online."
    override fun minutesAgo(n: Long) = if (n == 1L) "1 minute ago" else "$n minutes ago"
    override val justNow = "just now"

    override val settingsTitle = "Settings"
    override val language = "Language"
    override val theme = "Theme"
    override val themeNight = "Dark at night"
    override val themeSystem = "As the phone"
    override val themeDark = "Always dark"
    override val themeLight = "Always light"
    override val autoLock = "Lock after"
    override fun minutes(n: Int) = if (n == 1) "1 minute" else "$n minutes"
    override val unlockAndSync = "Unlock and sync"
    override val fingerprintSetting = "Unlock with fingerprint"
    override val backgroundSync = "Sync while Satchel is locked"
    override val backgroundSyncExplain = "Sends entries in the background while this phone is unlocked and online, even when Satchel is locked."
    override val changePin = "Change PIN"
    override val currentPin = "Current PIN"
    override val newPin = "New PIN"
    override val pinChanged = "PIN changed"
    override val quickDelete = "Quick delete"
    override val quickDeleteExplain = "Deletes everything Satchel keeps on this phone, at once. Entries not yet sent are lost."
    override val slideToDelete = "Slide to delete everything"
    override fun deletingIn(seconds: Int) = "Deleting in $seconds s"
    override val deleted = "Everything on this phone was deleted."

    override val offline = "No connection. Nothing is lost; try again when online."
    override val refused = "The server said no"
    override fun invalid(reason: String) = "Please check: $reason."
    override fun invalidTopic(topic: InputTopic) = when (topic) {
        InputTopic.PARTICIPANT_CODE -> "Please check the participant code."
        InputTopic.TIME -> "Please check the time: the phone's clock may be wrong."
        InputTopic.ZONE -> "Please choose a zone."
        InputTopic.SUPPLIES -> "Please check the supplies."
        InputTopic.PROFILE -> "Please check the answers about the person."
        InputTopic.NALOXONE_KIT -> "Please check why the naloxone kit was given."
        InputTopic.SERVICES_DELIVERED -> "Please check the services given here."
        InputTopic.COUNTS -> "Please check the numbers."
        InputTopic.PIN -> "Please check the PIN."
        InputTopic.OTHER -> "Please check what you entered."
    }
    override val notPermitted = "This cannot be changed from this phone, or was changed already."
    override val somethingWrong = "Something went wrong. Nothing was half-saved."
}
