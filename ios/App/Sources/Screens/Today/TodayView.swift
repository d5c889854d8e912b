import SatchelKit
import SwiftUI

struct TodayView: View {
    let model: TodayViewModel
    let strings: Strings

    var body: some View {
        List {
            Section(header: Text(model.headline ?? strings(.shiftEmpty))) {
                ForEach(model.rows) { row in
                    VStack(alignment: .leading) {
                        HStack {
                            Text("\(row.time)  \(row.zone)").strikethrough(row.voided)
                            Spacer()
                            Text(row.status)
                        }
                        Text(row.supplies).font(.subheadline)
                    }
                    .contentShape(Rectangle())
                    .onTapGesture { Task { await model.tap(row.id) } }
                    .swipeActions { if !row.voided { Button(strings(.void), role: .destructive) { model.askVoid(row.id) } } }
                }
            }
        }
        .alert(strings(.voidConfirmTitle), isPresented: Binding(get: { model.confirmingVoid != nil }, set: { if !$0 { model.cancelVoid() } })) {
            Button(strings(.void), role: .destructive) { Task { await model.confirmVoid() } }
            Button(strings(.cancel), role: .cancel) { model.cancelVoid() }
        } message: { Text(strings(.voidConfirmText)) }
        .task { await model.refresh() }
    }
}
