import Foundation
import Observation
import SatchelFFI

/// Where the app is: joining a program, locked, or in use.
public enum Route: Sendable { case join, unlock, main }

/// The tabs of the app in use.
public enum Tab: CaseIterable, Sendable { case log, today, stock, sync, settings }

/// A short message at the bottom, with an optional action (Undo).
public struct Notice: Equatable, Sendable {
    public let text: String
    public let action: String?
    public let id: Int
}
