import SatchelFFI
import SatchelKit
import SwiftUI

/// The iOS app: the view models from SatchelKit, the iOS-only platform, and thin views. It
/// covers its window when it leaves the foreground (the app switcher shows nothing) and when the
/// phone locks, locks after the timeout and once the program's grace passes with the phone
/// locked (D94), and posts no notification.
@main
struct SatchelApp: App {
    @State private var model = AppViewModel(platform: IOSPlatform.shared)
    @Environment(\.scenePhase) private var phase

    init() {
        // Before anything syncs, the background task included (AppViewModel sets it too).
        setHttpClient(client: PlatformHttp.shared)
        IOSPlatform.shared.registerBackgroundSync { IOSPlatform.shared.model }
    }

    var body: some Scene {
        WindowGroup {
            RootView(model: model)
                .overlay { if phase != .active || model.covered { PrivacyCover() } }
                .preferredColorScheme(model.dark ? .dark : .light)
                .environment(\.locale, Locale(identifier: model.preferences.language.rawValue))
                .onReceive(NotificationCenter.default.publisher(for: UIApplication.protectedDataWillBecomeUnavailableNotification)) { _ in
                    model.screenDidLock()
                }
                .onReceive(NotificationCenter.default.publisher(for: UIApplication.protectedDataDidBecomeAvailableNotification)) { _ in
                    model.screenDidUnlock()
                }
                .task { IOSPlatform.shared.model = model }
        }
        .onChange(of: phase) { _, new in
            switch new {
            case .background: model.didEnterBackground()
            case .active: model.willEnterForeground()
            default: break
            }
        }
    }
}

/// What the app switcher and a glance over the shoulder see.
struct PrivacyCover: View {
    var body: some View {
        ZStack {
            Color(.systemBackground).ignoresSafeArea()
            Image(systemName: "lock.fill").font(.largeTitle).accessibilityLabel("Satchel")
        }
    }
}
