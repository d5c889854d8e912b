import Foundation
import Observation
import SatchelFFI

/// Stock at the phone's location: levels, low items (in words and colour), and movements.
@MainActor
@Observable
public final class StockViewModel: ChildViewModel {
    public private(set) var locationId: String?
    public private(set) var locations: [StockLocation] = []
    public private(set) var rows: [StockRow] = []
    public var entry: StockEntry?
    public private(set) var error: String?
    @ObservationIgnored private weak var app: (any Session)?

    public init() {}
    func attach(_ app: AppViewModel) { self.app = app }

    /// "Low: 3 left (restock at 10)" or "40 left".
    public func levelText(_ row: StockRow) -> String {
        guard let s = app?.strings else { return "" }
        if row.out { return s(.outOfStock, Int(row.threshold)) }
        return row.low ? s(.lowStock, Int(row.level), Int(row.threshold)) : s(.stockLeft, Int(row.level))
    }

    public func refresh() async {
        guard let app, let store = try? app.openStore() else { return }
        let cached = app.programSettings
        guard let (settings, location, rows) = try? await onIO({ () -> (ProgramSettings, String?, [StockRow]) in
            let stock = store.stock()
            let settings = try cached ?? store.program().settings()
            let location = try stock.deviceLocation()
            return (settings, location, try location.map { try stock.rows(locationId: $0) } ?? [])
        }) else { return }
        let s = app.strings
        locationId = location
        locations = settings.locations.filter(\.active).map { l -> StockLocation in var l = l; l.name = s.programName(l.name, l.nameEs); return l }
        self.rows = rows.map { r -> StockRow in var r = r; r.name = s.programName(r.name, r.nameEs); return r }
    }

    public func choose(location id: String) async {
        guard let store = try? app?.openStore() else { return }
        _ = try? await onIO { try store.stock().setDeviceLocation(locationId: id) }
        await refresh()
    }

    public func begin(_ action: StockAction, item: String) {
        guard let row = rows.first(where: { $0.id == item }) else { return }
        let start = switch action {
        case .count: Int(max(row.level, 0))
        case .adjust: -1
        default: 1
        }
        entry = StockEntry(action: action, itemId: item, quantity: start, toLocationId: locations.first { $0.id != locationId }?.id)
        error = nil
    }

    /// The core's range for an entry: a stepper or a typed number stops where Save would refuse.
    private static func range(_ action: StockAction) -> NumberRange {
        let limits = ReviewViewModel.limits
        return switch action {
        case .adjust: limits.stockAdjustment
        case .count: limits.stockLevel
        default: limits.stockQuantity
        }
    }

    /// The number typed (receiving 1,000 syringes is not 100 presses): digits only, a minus sign
    /// first for a correction, held to the core's range.
    public func type(quantity text: String) {
        guard var e = entry else { return }
        let digits = String(text.filter(\.isNumber).prefix(9))
        let sign: Int64 = e.action == .adjust && text.trimmingCharacters(in: .whitespaces).hasPrefix("-") ? -1 : 1
        let r = Self.range(e.action)
        e.quantity = Int(min(max((Int64(digits) ?? 0) * sign, r.min), r.max))
        entry = e
    }

    public func step(by: Int) {
        guard var e = entry else { return }
        let r = Self.range(e.action)
        e.quantity = Int(min(max(Int64(e.quantity) + Int64(by), r.min), r.max))
        // A correction is never 0: step over it.
        if e.action == .adjust && e.quantity == 0 { e.quantity = by > 0 ? 1 : -1 }
        entry = e
    }

    public func cancel() {
        entry = nil
        error = nil
    }

    public func confirm() async {
        guard let app, let e = entry, let here = locationId, let store = try? app.openStore() else { return }
        do {
            try await onIO {
                let stock = store.stock()
                switch e.action {
                case .receive: try stock.receive(locationId: here, itemId: e.itemId, quantity: UInt32(max(e.quantity, 0)))
                case .count: try stock.count(locationId: here, itemId: e.itemId, level: UInt32(max(e.quantity, 0)))
                case .adjust: try stock.adjust(locationId: here, itemId: e.itemId, delta: Int64(e.quantity), reason: e.reason)
                case .transfer: try stock.transfer(fromLocationId: here, toLocationId: e.toLocationId ?? "", itemId: e.itemId, quantity: UInt32(max(e.quantity, 0)))
                }
            }
            entry = nil
            error = nil
            await refresh()
            await app.refreshAll()
        } catch {
            self.error = app.strings.describe(error)
        }
    }
}
