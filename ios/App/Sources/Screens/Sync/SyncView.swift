import SatchelKit
import SwiftUI

struct SyncView: View {
    let model: SyncViewModel
    let strings: Strings

    var body: some View {
        List {
            ForEach(model.lines, id: \.self) { Text($0) }
            ForEach(model.warnings, id: \.self) { Text($0).foregroundStyle(.red) }
            Button(model.busy ? strings(.syncing) : strings(.syncNow)) { Task { await model.syncNow() } }
                .disabled(!model.online || model.busy)
                .frame(minHeight: 44)
            if let reason = model.disabledReason { Text(reason) }
        }
        .task { await model.refresh() }
    }
}
