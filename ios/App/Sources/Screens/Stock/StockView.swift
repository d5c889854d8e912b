import SatchelKit
import SwiftUI

/// Stock at the phone's location; a low item says "Low" in words and in red.
struct StockView: View {
    @Bindable var model: StockViewModel
    let strings: Strings

    var body: some View {
        List {
            if model.locationId == nil {
                Section(strings(.chooseLocation)) {
                    ForEach(model.locations, id: \.id) { location in
                        Button(location.name) { Task { await model.choose(location: location.id) } }.frame(minHeight: 44)
                    }
                }
            }
            ForEach(model.rows) { row in
                VStack(alignment: .leading) {
                    Label(row.name, systemImage: row.low ? "exclamationmark.triangle.fill" : "shippingbox")
                    Text(model.levelText(row)).foregroundStyle(row.low ? .red : .primary)
                }
                .swipeActions {
                    Button(strings(.receive)) { model.begin(.receive, item: row.id) }
                    Button(strings(.count)) { model.begin(.count, item: row.id) }
                    Button(strings(.adjust)) { model.begin(.adjust, item: row.id) }
                    if model.locations.count > 1 { Button(strings(.transfer)) { model.begin(.transfer, item: row.id) } }
                }
            }
        }
        .sheet(isPresented: Binding(get: { model.entry != nil }, set: { if !$0 { model.cancel() } })) {
            if let entry = model.entry {
                Form {
                    Stepper("\(entry.quantity)", onIncrement: { model.step(by: 1) }, onDecrement: { model.step(by: -1) })
                    TextField(strings(.typeQuantity), text: Binding(get: { "\(entry.quantity)" }, set: { model.type(quantity: $0) }))
                        .keyboardType(.numbersAndPunctuation)
                    if entry.action == .transfer {
                        Picker(strings(.toLocation), selection: Binding(get: { entry.toLocationId ?? "" }, set: { model.entry?.toLocationId = $0 })) {
                            ForEach(model.locations.filter { $0.id != model.locationId }, id: \.id) { Text($0.name).tag($0.id) }
                        }
                    }
                    if let error = model.error { Text(error).foregroundStyle(.red) }
                    Button(strings(.save)) { Task { await model.confirm() } }.frame(minHeight: 44)
                    Button(strings(.cancel), role: .cancel) { model.cancel() }
                }
            }
        }
        .task { await model.refresh() }
    }
}
