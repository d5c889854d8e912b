import Foundation
import Observation
import SatchelFFI

/// Home: the program's kits as large tiles; one tap opens the review sheet.
@MainActor
@Observable
public final class LogViewModel: ChildViewModel {
    public private(set) var programName = ""
    public private(set) var kits: [KitTile] = []
    /// The status line: contacts this shift, waiting (the core's count, as Today and Sync show
    /// it), and offline when it is.
    public private(set) var status = ""
    @ObservationIgnored private(set) var settings: ProgramSettings?
    @ObservationIgnored private weak var app: (any Session)?

    public init() {}
    func attach(_ app: AppViewModel) { self.app = app }

    public func refresh() async {
        guard let app, let store = try? app.openStore(),
              let (settings, shift) = try? await onIO({ (try store.program().settings(), try store.encounters().shiftSummary()) })
        else { return }
        status = app.strings.logStatus(contacts: Int(shift.encounters), waiting: Int(shift.waiting), online: app.platform.isOnline())
        self.settings = settings
        let s = app.strings
        let names = Dictionary(settings.items.map { ($0.id, s.programName($0.name, $0.nameEs)) }, uniquingKeysWith: { a, _ in a })
        programName = settings.name
        kits = settings.kits.filter(\.active).map { kit in
            KitTile(id: kit.id, name: s.programName(kit.name, kit.nameEs), contents: kit.items.map { "\($0.quantity) \(names[$0.itemId] ?? $0.itemId)" }.joined(separator: ", "))
        }
    }

    /// A tile was tapped: the review sheet, prefilled from the kit (`nil`: other supplies).
    public func tap(kit: String?) async { await app?.openSheet(kit: kit) }
}
