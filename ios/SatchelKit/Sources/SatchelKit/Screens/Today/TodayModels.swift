import Foundation
import Observation
import SatchelFFI

/// One row of Today: enough to recognise the encounter, and its sync state.
public struct TodayRow: Equatable, Sendable, Identifiable {
    public let id: String
    public let time: String
    public let zone: String
    public let supplies: String
    public let voided: Bool
    public let synced: Bool
    /// "Waiting", "Sent", and for a void whether the void itself was sent ("Voided · Waiting").
    public let status: String
}
