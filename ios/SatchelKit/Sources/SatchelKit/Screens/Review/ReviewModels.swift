import Foundation
import Observation
import SatchelFFI

/// One supply on the sheet.
public struct SheetItem: Equatable, Sendable, Identifiable {
    public let id: String
    public let name: String
    public var quantity: Int
}

/// A sharps container type on the sheet: returned syringes counted by container, not one by one.
public struct SheetContainer: Equatable, Sendable, Identifiable {
    public let id: String
    public let name: String
    public let syringesEach: Int
    public var count: Int
}

/// The counters on the sheet that are not supplies.
public enum Counter: CaseIterable, Sendable { case syringesCollected, overdoseReversals, naloxoneDosesUsed, collectingFor }
