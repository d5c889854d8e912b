import Foundation
import Observation
import SatchelFFI

/// Today: the shift's encounters (the core's last 12 hours), newest first, and its summary.
@MainActor
@Observable
public final class TodayViewModel: ChildViewModel {
    public private(set) var summary: ShiftSummary?
    public private(set) var rows: [TodayRow] = []
    /// The encounter waiting for the worker to confirm its void.
    public private(set) var confirmingVoid: String?
    @ObservationIgnored private weak var app: (any Session)?

    public init() {}
    func attach(_ app: AppViewModel) { self.app = app }

    /// "3 encounters, 1 waiting to sync", in the app's language.
    public var headline: String? {
        guard let app, let summary else { return nil }
        let s = app.strings
        let n = Int(summary.encounters)
        let count = s.count(n, one: .shiftEncountersOne, other: .shiftEncountersOther)
        return count + ", " + (summary.waiting > 0 ? s(.shiftWaiting, Int(summary.waiting)) : s(.shiftAllSent))
    }

    public func refresh() async {
        guard let app, let store = try? app.openStore() else { return }
        guard let (summary, list) = try? await onIO({ () -> (ShiftSummary, [EncounterSummary]) in
            let e = store.encounters()
            return (try e.shiftSummary(), try e.shift())
        }) else { return }
        let settings = app.programSettings
        let s = app.strings
        let names = Dictionary((settings?.items ?? []).map { ($0.id, s.programName($0.name, $0.nameEs)) }, uniquingKeysWith: { a, _ in a })
        let zones = Dictionary((settings?.zones ?? []).map { ($0.id, s.programName($0.label, $0.labelEs)) }, uniquingKeysWith: { a, _ in a })
        self.summary = summary
        rows = list.map { e in
            TodayRow(
                id: e.encounterId,
                time: Formats.time(e.occurredAt),
                zone: zones[e.zoneId] ?? e.zoneId,
                supplies: e.items.map { "\($0.quantity) × \(names[$0.itemId] ?? $0.itemId)" }.joined(separator: ", "),
                voided: e.voided,
                synced: e.synced,
                status: e.voided ? "\(s(.voided)) · \(s(e.synced ? .sent : .waiting))" : s(e.synced ? .sent : .waiting)
            )
        }
    }

    public func tap(_ id: String) async {
        guard let row = rows.first(where: { $0.id == id }), !row.voided else { return }
        await app?.openCorrection(id)
    }

    public func askVoid(_ id: String) { confirmingVoid = id }
    public func cancelVoid() { confirmingVoid = nil }

    public func confirmVoid() async {
        guard let id = confirmingVoid, let app, let store = try? app.openStore() else { return }
        confirmingVoid = nil
        do {
            try await onIO { try store.encounters().void(encounterId: id) }
            await app.refreshAll()
        } catch {
            app.notify(app.strings.describe(error))
        }
    }
}
