import Foundation
import SatchelFFI

/// What a screen of the unlocked app (Log, the review sheet, Today, Stock, Sync) may use: the
/// open store, the worker's language and preferences, a message to the worker, and the few
/// hand-overs between screens. `AppViewModel` conforms; these view models hold only this, never
/// the root or their siblings. Join, Unlock and Settings drive the store's own life (create,
/// unlock, keys, quick delete) and keep the root. The same contract as Android's `Session`.
@MainActor
protocol Session: AnyObject {
    var platform: any Platform { get }
    /// The texts in the worker's language now.
    var strings: Strings { get }
    var preferences: Preferences { get }
    /// The program's settings as Log last read them, or `nil` before.
    var programSettings: ProgramSettings? { get }
    var sheetOpen: Bool { get }

    /// The unlocked store; throws `Locked` when there is none.
    func openStore() throws -> SatchelStore
    /// A short message at the bottom, with an optional action (Undo).
    func notify(_ text: String, action: String?, onAction: (@MainActor () async -> Void)?)
    func showSheet(_ open: Bool)
    /// Hand-overs: the sheet for a new contact (from a kit or blank), or to correct one.
    func openSheet(kit: String?) async
    func openCorrection(_ encounterId: String) async
    /// After a change every screen shows: they read the store again.
    func refreshAll() async
}

extension Session {
    func notify(_ text: String) { notify(text, action: nil, onAction: nil) }
}

extension AppViewModel: Session {
    var programSettings: ProgramSettings? { log.settings }
    func openSheet(kit: String?) async { await review.open(kit: kit) }
    func openCorrection(_ encounterId: String) async { await review.open(correcting: encounterId) }
}
