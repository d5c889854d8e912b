import Foundation
import Observation
import SatchelFFI

/// The app's root view model: which screen shows, the open store while unlocked, locking on
/// timeout and screen lock, and one view model per screen. Every rule (PIN, the wait after
/// wrong PINs, validation, the shift's sums) comes from the core through the bindings; this
/// is the same contract as the Android app's `AppModel`.
@MainActor
@Observable
public final class AppViewModel {
    public private(set) var route: Route
    public private(set) var tab: Tab = .log
    public private(set) var preferences: Preferences
    public private(set) var strings: Strings
    public private(set) var dark: Bool
    public private(set) var sheetOpen = false
    public private(set) var notice: Notice?

    public let platform: any Platform
    public let join = JoinViewModel()
    public let unlock = UnlockViewModel()
    public let log = LogViewModel()
    public let review = ReviewViewModel()
    public let today = TodayViewModel()
    public let sync = SyncViewModel()
    public let stock = StockViewModel()
    public let settings = SettingsViewModel()

    @ObservationIgnored private(set) var store: SatchelStore?
    @ObservationIgnored private var backgroundSince: Date?
    /// The program's lock grace after the phone locks (D94), read when the store is unlocked.
    @ObservationIgnored var lockGraceSeconds = 60
    @ObservationIgnored private var screenLockedSince: Date?
    @ObservationIgnored private var graceTask: Task<Void, Never>?
    /// The phone locked within the grace: the window shows nothing until it is back.
    public private(set) var covered = false
    /// The safety panel (leave now, quick delete), one tap from any screen.
    public private(set) var safetyOpen = false
    @ObservationIgnored private var noticeAction: (@MainActor () async -> Void)?
    @ObservationIgnored private var noticeCount = 0

    public init(platform: any Platform) {
        self.platform = platform
        // Sync goes through the phone's HTTP stack; the background task shares this model.
        setHttpClient(client: PlatformHttp.shared)
        let prefs = platform.loadPreferences()
        preferences = prefs
        strings = Strings(prefs.language)
        dark = Self.dark(prefs.theme, platform)
        route = storeExists(dir: platform.storeDir) ? .unlock : .join
        for child in [join, unlock, log, review, today, sync, stock, settings] as [any ChildViewModel] {
            child.attach(self)
        }
        join.fingerprintAvailable = platform.biometricsAvailable()
    }

    private static func dark(_ theme: ThemeChoice, _ platform: any Platform) -> Bool {
        switch theme {
        case .darkAtNight: platform.isNight()
        case .system: platform.systemDark()
        case .dark: true
        case .light: false
        }
    }

    /// The unlocked store; screens are only shown while there is one.
    func openStore() throws -> SatchelStore {
        guard let store else { throw SatchelError.Locked }
        return store
    }

    var hasStore: Bool { store != nil }

    /// Whether the store is open and unlocked (the background task syncs through it).
    public var hasOpenStore: Bool { store?.isUnlocked() ?? false }

    /// Makes the store with the worker's PIN and the phone's keystore. Background sync is on
    /// from the start (a background key in the keystore): it is how a shift logged offline
    /// reaches the server while the app is locked.
    func createStore(pin: String) async throws {
        let (dir, keystore) = (platform.storeDir, platform.keystore)
        store = try await onIO { try SatchelStore.create(dir: dir, role: .outreach, pin: pin, keystore: keystore, backgroundSync: true) }
    }

    func lockedStore() throws -> SatchelStore {
        if let store { return store }
        let opened = try SatchelStore.open(dir: platform.storeDir, keystore: platform.keystore)
        store = opened
        return opened
    }

    /// After a successful unlock or join: the main screens, or joining if this phone has not
    /// joined a program yet (logging is offered only then).
    func afterUnlock() async {
        let state = try? await onIO { [store] () -> (enrolled: Bool, wipeAfter: UInt32?, grace: UInt32?) in
            guard let store else { return (false, nil, nil) }
            let settings = try? store.program().settings()
            return (try store.sync().status().enrolled, settings?.wipeAfterFailedPins, settings?.lockGraceSeconds)
        }
        if let grace = state?.grace { lockGraceSeconds = Int(grace) }
        // The lock screen tells the program's limit of wrong PINs; it cannot read it while locked.
        if let limit = state?.wipeAfter, Int(limit) != preferences.wipeAfterFailedPins {
            updatePreferences { $0.wipeAfterFailedPins = Int(limit) }
        }
        guard state?.enrolled == true else {
            join.askCodeOnly()
            route = .join
            return
        }
        platform.scheduleBackgroundSync()
        route = .main
        tab = .log
        sheetOpen = false
        await settings.refresh()
        await refreshAll()
        await review.restoreDraft()
    }

    public func refreshAll() async {
        await log.refresh()
        await today.refresh()
        await stock.refresh()
        await sync.refresh()
    }

    /// Locks now: closes the database and wipes its key from memory.
    public func lock() {
        screenLockedSince = nil
        graceTask?.cancel()
        covered = false
        safetyOpen = false
        // An open sheet is kept for the next unlock (D97), in the store, before it locks.
        if let store, store.isUnlocked() { review.keepDraft(store) }
        store?.lock()
        review.close()
        sheetOpen = false
        if route == .main { route = .unlock }
        notice = nil
        unlock.reset()
    }

    /// The safety panel, one tap from any screen: leave now, or quick delete.
    public func openSafety() { safetyOpen = true }

    public func closeSafety() {
        settings.cancelQuickDelete()
        safetyOpen = false
    }

    /// Quick exit: locks at once (an open sheet goes with it; what was saved stays). iOS has no
    /// way for an app to send itself to the home screen: the lock screen and the cover are left.
    public func quickExit() {
        settings.cancelQuickDelete()
        lock()
    }

    /// The app went to the background (the scene phase left `.active`).
    public func didEnterBackground() { backgroundSince = platform.now() }

    /// The app came back: lock if the phone was locked past the grace, or the app away longer
    /// than the auto-lock timeout.
    public func willEnterForeground() {
        screenDidUnlock()
        guard let since = backgroundSince else { return }
        backgroundSince = nil
        if platform.now().timeIntervalSince(since) >= Double(preferences.autoLockMinutes * 60) { lock() }
    }

    /// The phone locked (protected data about to become unavailable; the store's open file
    /// stays readable, `completeUnlessOpen`): the window is covered at once, and the store locks
    /// once the program's grace has passed with the phone still locked (at once when it is 0;
    /// D94), so a screen that times out mid-shift does not cost the PIN again.
    public func screenDidLock() {
        guard lockGraceSeconds > 0, hasOpenStore else { return lock() }
        if screenLockedSince == nil { screenLockedSince = platform.now() }
        covered = true
        graceTask?.cancel()
        let grace = UInt64(lockGraceSeconds)
        graceTask = Task { [weak self] in
            try? await Task.sleep(nanoseconds: grace * 1_000_000_000)
            guard !Task.isCancelled, let self, self.screenLockedSince != nil else { return }
            self.lock()
        }
    }

    /// The phone is unlocked again (or the app back): within the grace, the shift goes on.
    public func screenDidUnlock() {
        guard let since = screenLockedSince else { return }
        screenLockedSince = nil
        graceTask?.cancel()
        if platform.now().timeIntervalSince(since) >= Double(lockGraceSeconds) { lock() } else { covered = false }
    }

    /// Everything of the store is gone, its keys in the keystore first: after quick delete
    /// (said in a notice), or after the program's limit of wrong PINs (`wrongPins`; the join
    /// screen says what happened and what to do). Back to joining.
    func afterWipe(wrongPins: UInt32? = nil) {
        store = nil
        platform.cancelBackgroundSync()
        join.reset(info: wrongPins.map { strings(.wiped, Int($0)) })
        unlock.reset()
        route = .join
        sheetOpen = false
        notice = nil
        noticeAction = nil
        if wrongPins == nil { notify(strings(.deleted)) }
    }

    public func select(_ tab: Tab) async {
        self.tab = tab
        sheetOpen = false
        switch tab {
        case .log: await log.refresh()
        case .today: await today.refresh()
        case .sync: await sync.refresh()
        case .stock: await stock.refresh()
        case .settings: await settings.refresh()
        }
    }

    func showSheet(_ open: Bool) { sheetOpen = open }

    /// Joining or at the PIN: the other language, one tap away, before any store is open (a
    /// phone handed over from a colleague who reads the other one).
    public func switchLanguage() {
        updatePreferences { $0.language = $0.language.other }
    }

    public func updatePreferences(_ change: (inout Preferences) -> Void) {
        var prefs = preferences
        change(&prefs)
        let languageChanged = prefs.language != preferences.language
        platform.savePreferences(prefs)
        preferences = prefs
        strings = Strings(prefs.language)
        dark = Self.dark(prefs.theme, platform)
        // The program's names are in the worker's language (D98): the screens follow a change.
        if languageChanged {
            review.relabel()
            Task { await refreshAll() }
        }
    }

    func notify(_ text: String, action: String? = nil, onAction: (@MainActor () async -> Void)? = nil) {
        noticeCount += 1
        notice = Notice(text: text, action: action, id: noticeCount)
        noticeAction = onAction
    }

    /// The notice's action was tapped (Undo).
    public func performNoticeAction() async {
        let action = noticeAction
        notice = nil
        noticeAction = nil
        await action?()
    }

    public func dismissNotice(_ id: Int) {
        if notice?.id == id {
            notice = nil
            noticeAction = nil
        }
    }
}

/// A screen's view model, attached to the root once.
@MainActor
protocol ChildViewModel: AnyObject {
    func attach(_ app: AppViewModel)
}
