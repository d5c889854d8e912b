import SatchelKit
import SwiftUI

/// Join, unlock, or the tabs, with the review sheet and the "Saved · Undo" message. Each view
/// reads only its view model.
struct RootView: View {
    @Bindable var model: AppViewModel

    var body: some View {
        switch model.route {
        case .join: JoinView(model: model.join, strings: model.strings)
        case .unlock: UnlockView(model: model.unlock, strings: model.strings)
        case .main: tabs
        }
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
