import SatchelKit
import SwiftUI

/// Language, theme, auto-lock, Face ID / Touch ID, background sync, change PIN, quick delete
/// (slide, 5-second countdown, Cancel).
struct SettingsView: View {
    @Bindable var model: SettingsViewModel
    let preferences: Preferences
    let strings: Strings
    @State private var slide: CGFloat = 0

    var body: some View {
        Form {
            Picker(strings(.language), selection: Binding(get: { preferences.language }, set: { model.set(language: $0) })) {
                ForEach(Language.allCases, id: \.self) { Text($0.name).tag($0) }
            }
            Picker(strings(.theme), selection: Binding(get: { preferences.theme }, set: { model.set(theme: $0) })) {
                ForEach(ThemeChoice.allCases, id: \.self) { Text(strings.theme($0)).tag($0) }
            }
            Picker(strings(.autoLock), selection: Binding(get: { preferences.autoLockMinutes }, set: { model.set(autoLockMinutes: $0) })) {
                ForEach(Preferences.autoLockChoices, id: \.self) { Text("\($0) min").tag($0) }
            }
            Section {
                if model.biometricsAvailable || model.biometrics {
                    Toggle(strings(.useFaceID), isOn: Binding(get: { model.biometrics }, set: { on in Task { await model.setBiometrics(on) } }))
                        .disabled(model.switching)
                }
                Toggle(isOn: Binding(get: { model.backgroundSync }, set: { on in Task { await model.setBackgroundSync(on) } })) {
                    VStack(alignment: .leading) {
                        Text(strings(.backgroundSync))
                        Text(strings(.backgroundSyncExplain)).font(.footnote).foregroundStyle(.secondary)
                    }
                }
                .disabled(model.switching)
            }
            Section(strings(.changePin)) {
                SecureField(strings(.currentPin), text: $model.currentPin).keyboardType(.numberPad)
                SecureField(strings(.newPin), text: $model.newPin).keyboardType(.numberPad)
                SecureField(strings(.confirmPin), text: $model.newPinAgain).keyboardType(.numberPad)
                if let error = model.pinError { Text(error).foregroundStyle(.red) }
                Button(strings(.save)) { Task { await model.changePin() } }
            }
            Section(strings(.quickDelete)) {
                Text(strings(.quickDeleteExplain))
                if let left = model.deleteCountdown {
                    Text("\(left)").font(.largeTitle).foregroundStyle(.red)
                    Button(strings(.cancel)) { model.cancelQuickDelete() }.frame(maxWidth: .infinity, minHeight: 56)
                } else {
                    Slider(value: $slide, in: 0...1) { editing in
                        if !editing {
                            if slide > 0.95 { model.startQuickDelete() }
                            slide = 0
                        }
                    }
                    .tint(.red)
                }
            }
        }
        .task { await model.refresh() }
    }
}
