import Foundation
import Observation
import SatchelFFI

/// A kit as a tile on the home screen.
public struct KitTile: Equatable, Sendable, Identifiable {
    public let id: String
    public let name: String
    /// What is in it, in words ("10 Syringe 1 mL 29G, 2 Cooker").
    public let contents: String
}
