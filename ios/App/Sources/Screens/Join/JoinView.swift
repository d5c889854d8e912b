import SatchelKit
import SwiftUI

struct JoinView: View {
    @Bindable var model: JoinViewModel
    let strings: Strings
    @State private var scanning = false

    var body: some View {
        Form {
            if let info = model.info {
                Section { Text(info) }
            }
            Section {
                Text(model.codeOnly ? strings(.joinCodeOnly) : strings(.joinExplain))
                SecureField(strings(.enrollmentCode), text: $model.code)
                Button(strings(.scanCode)) { scanning = true }
            }
            if !model.codeOnly {
                Section {
                    SecureField(strings(.choosePin), text: $model.pin).keyboardType(.numberPad)
                    SecureField(strings(.confirmPin), text: $model.pinAgain).keyboardType(.numberPad)
                    if model.fingerprintAvailable { Toggle(strings(.useFaceID), isOn: $model.biometrics) }
                }
            }
            if let error = model.error { Text(error).foregroundStyle(.red) }
            Button(model.busy ? strings(.joining) : strings(.join)) { Task { await model.submit() } }
                .disabled(model.busy)
                .frame(maxWidth: .infinity, minHeight: 50)
        }
        .navigationTitle(strings(.joinTitle))
        .sheet(isPresented: $scanning) {
            QRScannerView { text in
                scanning = false
                model.scanned(text)
            }
        }
    }
}
