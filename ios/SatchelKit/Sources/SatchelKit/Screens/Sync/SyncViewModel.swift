import Foundation
import Observation
import SatchelFFI

/// Sync in words: what is waiting, when it last worked, what went wrong, when it tries again.
/// "Sync now" pushes and pulls; the retention purge runs after each sync.
@MainActor
@Observable
public final class SyncViewModel: ChildViewModel {
    public private(set) var status: SyncState?
    /// The status in words, one line each.
    public private(set) var lines: [String] = []
    /// Warnings for the manager (data set aside, records that never arrived).
    public private(set) var warnings: [String] = []
    public private(set) var online = false
    public private(set) var busy = false
    @ObservationIgnored private weak var app: (any Session)?

    public init() {}
    func attach(_ app: AppViewModel) { self.app = app }

    /// Why "Sync now" is disabled, or `nil` when it is not.
    public var disabledReason: String? { online ? nil : app?.strings(.offlineExplain) }

    public func refresh() async {
        guard let app, let store = try? app.openStore() else { return }
        if let status = try? await onIO({ try store.sync().status() }) { show(status) }
    }

    private func show(_ status: SyncState) {
        guard let app else { return }
        let s = app.strings
        let now = Int64(app.platform.now().timeIntervalSince1970)
        self.status = status
        let waiting = status.pending == 0 ? s(.allSent)
            : status.contactsWaiting > 0 ? s.count(Int(status.contactsWaiting), one: .contactsWaitingOne, other: .contactsWaitingOther)
            : s(.otherChangesWaiting)
        var lines = [waiting]
        if let last = status.lastSuccess {
            let minutes = Int((now - last) / 60)
            lines.append(s(.lastSuccess, minutes < 1 ? s(.justNow) : s.count(minutes, one: .minutesAgoOne, other: .minutesAgoOther)))
        } else {
            lines.append(s(.neverSynced))
        }
        if let error = status.lastError { lines.append(s(.lastError, error)) }
        if let next = status.nextAttempt, next > now {
            lines.append(s(.nextTry, Formats.time(Date(timeIntervalSince1970: TimeInterval(next)))))
        }
        self.lines = lines
        warnings = (status.quarantined > 0 ? [s(.setAside, Int(status.quarantined))] : [])
            + (status.holes > 0 ? [s(.neverArrived, Int(status.holes))] : [])
        online = app.platform.isOnline()
    }

    public func syncNow() async {
        guard let app, !busy else { return }
        guard app.platform.isOnline() else {
            online = false
            return
        }
        guard let store = try? app.openStore() else { return }
        busy = true
        do {
            let status = try await onIO { try Self.runSync(store) }
            busy = false
            show(status)
            await app.refreshAll()
        } catch {
            busy = false
            app.notify(app.strings.describe(error))
            await refresh()
        }
    }

    /// One sync and the retention purge after it; what the background task runs too.
    public nonisolated static func runSync(_ store: SatchelStore) throws -> SyncState {
        let sync = store.sync()
        _ = try sync.syncNow()
        return try sync.status()
    }

    /// The background task's sync while the app is locked: a store handle of its own, opened
    /// with the keystore's background key (usable only while the phone is unlocked), one sync
    /// and the purge, then locked again at once. `nil` without a store, or when background sync
    /// is off for it (the key is never asked for then).
    public nonisolated static func syncWhileLocked(dir: String, keystore: any PhoneKeystore) throws -> SyncState? {
        guard storeExists(dir: dir) else { return nil }
        let store = try SatchelStore.open(dir: dir, keystore: keystore)
        guard try store.hasBackgroundSync() else { return nil }
        try store.unlockForBackground()
        defer { store.lock() }
        return try runSync(store)
    }
}
