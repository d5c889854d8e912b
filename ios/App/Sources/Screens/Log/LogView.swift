import SatchelKit
import SwiftUI

/// Home: the kits as large tiles; one tap opens the sheet, Save is the second.
struct LogView: View {
    let model: LogViewModel
    let strings: Strings

    var body: some View {
        ScrollView {
            // Where the shift stands, and offline when it is, without leaving Log.
            Text(model.status).foregroundStyle(model.status.contains(strings(.logOffline)) ? .red : .secondary)
                .frame(maxWidth: .infinity, alignment: .leading)
            Text(strings(.chooseKit)).font(.headline).frame(maxWidth: .infinity, alignment: .leading)
            LazyVGrid(columns: [GridItem(.adaptive(minimum: 150))], spacing: 12) {
                ForEach(model.kits) { kit in
                    Button { Task { await model.tap(kit: kit.id) } } label: {
                        VStack(alignment: .leading) {
                            Text(kit.name).font(.headline)
                            Text(kit.contents).font(.subheadline)
                        }
                        .frame(maxWidth: .infinity, minHeight: 112, alignment: .topLeading)
                        .padding()
                        .background(RoundedRectangle(cornerRadius: 16).fill(.tint.opacity(0.2)))
                    }
                    .accessibilityLabel(kit.name)
                }
            }
            Button(strings(.otherSupplies)) { Task { await model.tap(kit: nil) } }.frame(minHeight: 44)
        }
        .padding()
        .task { await model.refresh() }
    }
}
