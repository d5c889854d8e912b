import SatchelKit
import SwiftUI

/// The PIN pad: large keys, no system keyboard; keys off during the wait after wrong PINs, and
/// then the program's limit before the phone's data is deleted. Face ID / Touch ID when on.
struct UnlockView: View {
    let model: UnlockViewModel
    let strings: Strings

    var body: some View {
        VStack(spacing: 16) {
            Text(strings(.unlockTitle)).font(.title2.bold())
            Text(model.entered == 0 ? strings(.enterPin) : String(repeating: "●", count: model.entered)).font(.title)
            if model.waitSeconds > 0 {
                Text(strings(.waitBeforeTry, Int(model.waitSeconds))).foregroundStyle(.red)
                    .task(id: model.waitSeconds) {
                        try? await Task.sleep(for: .seconds(1))
                        await model.refreshWait()
                    }
            } else if let error = model.error {
                Text(error).foregroundStyle(.red)
            }
            if let warning = model.wipeWarning {
                Text(warning).font(.footnote).multilineTextAlignment(.center)
            }
            ForEach([[1, 2, 3], [4, 5, 6], [7, 8, 9]], id: \.self) { row in
                HStack(spacing: 16) { ForEach(row, id: \.self) { key($0) } }
            }
            HStack(spacing: 16) {
                Button { model.backspace() } label: { Image(systemName: "delete.left").frame(width: 72, height: 72) }
                    .accessibilityLabel(strings(.deleteDigit))
                key(0)
                Button("OK") { Task { await model.submit() } }
                    .frame(width: 72, height: 72)
                    .disabled(model.entered == 0 || model.waitSeconds > 0)
            }
            if model.biometrics {
                Button(strings(.unlockWithBiometrics)) { Task { await model.useBiometrics() } }.frame(minHeight: 44)
            }
        }
        .task { await model.refreshWait() }
    }

    private func key(_ d: Int) -> some View {
        Button("\(d)") { model.digit(d) }
            .font(.title)
            .frame(width: 72, height: 72)
            .background(Circle().fill(.tint.opacity(0.15)))
            .disabled(model.waitSeconds > 0)
            .accessibilityLabel("\(d)")
    }
}
