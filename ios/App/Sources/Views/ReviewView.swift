import SatchelFFI
import SatchelKit
import SwiftUI

/// The review sheet: steppers for the supplies, chips for the rest, Save pinned at the bottom
/// so that it stays on screen at any Dynamic Type size.
struct ReviewView: View {
    @Bindable var model: ReviewViewModel
    let strings: Strings

    var body: some View {
        NavigationStack {
            Form {
                Section(strings(.items)) {
                    ForEach(model.items) { item in
                        Stepper(value: Binding(get: { item.quantity }, set: { model.step(item.id, by: $0 - item.quantity) }), in: 0...ReviewViewModel.maxQuantity) {
                            Text("\(item.name): \(item.quantity)")
                        }
                        .accessibilityLabel(item.name)
                    }
                }
                Section {
                    Picker(strings(.contactType), selection: $model.contactType) {
                        ForEach([ContactType.street, .mobileUnit, .dropIn, .peerDelivery, .phoneText], id: \.self) { Text(strings.contactType($0)).tag($0) }
                    }
                    Picker(strings(.zone), selection: $model.zoneId) { ForEach(model.zones, id: \.id) { Text($0.label).tag($0.id) } }
                    Toggle(strings(.newParticipant), isOn: $model.newParticipant)
                }
                ForEach(Counter.allCases, id: \.self) { counter in
                    Stepper("\(strings.counter(counter)): \(model.count(counter))", onIncrement: { model.step(counter, by: 1) }, onDecrement: { model.step(counter, by: -1) })
                }
                ForEach(model.containers) { c in
                    Stepper("\(model.label(c)): \(c.count)", onIncrement: { model.step(container: c.id, by: 1) }, onDecrement: { model.step(container: c.id, by: -1) })
                }
                if let error = model.error { Text(error).foregroundStyle(.red) }
            }
            .navigationTitle(model.kitName ?? strings(model.correcting == nil ? .reviewTitle : .correctTitle))
            .toolbar { ToolbarItem(placement: .cancellationAction) { Button(strings(.cancel)) { model.close() } } }
            .safeAreaInset(edge: .bottom) {
                Button { Task { await model.save() } } label: {
                    Text(strings(.save)).font(.title3.bold()).frame(maxWidth: .infinity, minHeight: 56)
                }
                .buttonStyle(.borderedProminent)
                .disabled(model.busy)
                .padding()
            }
        }
    }
}
