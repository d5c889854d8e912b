import Foundation
import Observation
import SatchelFFI

/// A row of the Stock screen, as the core gives it (the catalog joined with the levels, low or
/// out decided once, in the core).
extension StockRow: Identifiable {
    public var id: String { itemId }
}

public enum StockAction: Sendable { case receive, count, adjust, transfer }

/// The movement being entered.
public struct StockEntry: Equatable, Sendable {
    public let action: StockAction
    public let itemId: String
    /// Received, counted or transferred units; for `.adjust` a signed change.
    public var quantity: Int
    public var reason: AdjustReason = .expired
    public var toLocationId: String?
}
