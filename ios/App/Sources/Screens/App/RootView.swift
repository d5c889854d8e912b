import SatchelKit
import SwiftUI

/// Join, unlock, or the tabs, with the review sheet and the "Saved · Undo" message. Each view
/// reads only its view model.
struct RootView: View {
    @Bindable var model: AppViewModel

    var body: some View {
        switch model.route {
        case .join: JoinView(model: model.join, strings: model.strings).overlay(alignment: .topTrailing) { languageSwitch }
        case .unlock: UnlockView(model: model.unlock, strings: model.strings).overlay(alignment: .topTrailing) { languageSwitch }
        case .main:
            if model.safetyOpen {
                SafetyView(model: model, strings: model.strings)
            } else {
                tabs.overlay(alignment: .topTrailing) {
                    // Leave now or delete everything: one tap from any tab.
                    Button { model.openSafety() } label: { Image(systemName: "lock.fill") }
                        .accessibilityLabel(model.strings(.safetyOpen))
                        .frame(minWidth: 44, minHeight: 44)
                        .padding(.trailing, 8)
                }
            }
        }
    }

    /// The other language, one tap away before the store is open.
    private var languageSwitch: some View {
        Button(model.preferences.language.other.name) { model.switchLanguage() }
            .frame(minWidth: 44, minHeight: 44)
            .padding(.trailing, 8)
    }

    private var tabs: some View {
        TabView(selection: Binding(get: { model.tab }, set: { tab in Task { await model.select(tab) } })) {
            LogView(model: model.log, strings: model.strings)
                .tabItem { Label(model.strings(.tabLog), systemImage: "house") }.tag(Tab.log)
            TodayView(model: model.today, strings: model.strings)
                .tabItem { Label(model.strings(.tabToday), systemImage: "list.bullet") }.tag(Tab.today)
            StockView(model: model.stock, strings: model.strings)
                .tabItem { Label(model.strings(.tabStock), systemImage: "shippingbox") }.tag(Tab.stock)
            SyncView(model: model.sync, strings: model.strings)
                .tabItem { Label(model.strings(.tabSync), systemImage: "arrow.triangle.2.circlepath") }.tag(Tab.sync)
            SettingsView(model: model.settings, preferences: model.preferences, strings: model.strings)
                .tabItem { Label(model.strings(.tabSettings), systemImage: "gearshape") }.tag(Tab.settings)
        }
        .sheet(isPresented: Binding(get: { model.sheetOpen }, set: { if !$0 { model.review.close() } })) {
            ReviewView(model: model.review, strings: model.strings)
        }
        .safeAreaInset(edge: .bottom) {
            if let notice = model.notice {
                HStack {
                    Text(notice.text)
                    Spacer()
                    if let action = notice.action {
                        Button(action) { Task { await model.performNoticeAction() } }.frame(minHeight: 44)
                    }
                }
                .padding()
                .background(.thinMaterial)
                .task(id: notice.id) {
                    try? await Task.sleep(for: .seconds(6))
                    model.dismissNotice(notice.id)
                }
            }
        }
    }
}

/// Leave now (locks at once), or quick delete with its slide and countdown; Cancel goes back.
struct SafetyView: View {
    @Bindable var model: AppViewModel
    let strings: Strings
    @State private var slide = 0.0

    var body: some View {
        Form {
            Section(strings(.safetyTitle)) {
                Text(strings(.quickExitExplain))
                Button(strings(.quickExit)) { model.quickExit() }.frame(maxWidth: .infinity, minHeight: 56)
            }
            Section(strings(.quickDelete)) {
                Text(strings(.quickDeleteExplain))
                if let left = model.settings.deleteCountdown {
                    Text("\(left)").font(.largeTitle).foregroundStyle(.red)
                    Button(strings(.cancel)) { model.settings.cancelQuickDelete() }.frame(maxWidth: .infinity, minHeight: 56)
                } else {
                    Slider(value: $slide, in: 0...1) { editing in
                        if !editing {
                            if slide > 0.95 { model.settings.startQuickDelete() }
                            slide = 0
                        }
                    }
                    .tint(.red)
                }
            }
            Button(strings(.cancel)) { model.closeSafety() }.frame(maxWidth: .infinity, minHeight: 44)
        }
    }
}
