// swift-tools-version:6.0
// SatchelKit: everything of the iOS app but its SwiftUI views — one @Observable view model
// per screen, navigation, formatting, the strings, and protocols for what only iOS has
// (the keystore, background tasks, biometrics, clock). It sits on the generated bindings
// (SatchelFFI + the C module satchel_ffiFFI), which bindings/tests/swift/run.sh copies into
// Sources/ from bindings/generated (git-ignored); on Linux the library is linked with the path
// that script hands in. On Apple platforms the app links the XCFramework instead (ios/App).
import PackageDescription

var kitDependencies: [Target.Dependency] = ["SatchelFFI"]
var targets: [Target] = [
    .target(name: "satchel_ffiFFI", path: "Sources/satchel_ffiFFI"),
    .target(
        name: "SatchelFFI",
        dependencies: ["satchel_ffiFFI"],
        path: "Sources/SatchelFFI",
        linkerSettings: [.linkedLibrary("satchel_ffi")]
    ),
]
#if os(Linux)
// Swift 6.0.3 on Linux: a test runner using Observation fails to link without this one symbol
// (a toolchain bug fixed in 6.2). Not built on Apple platforms.
targets.append(.target(name: "LinuxThreadingFix", path: "Sources/LinuxThreadingFix"))
kitDependencies.append("LinuxThreadingFix")
#endif
targets += [
    .target(
        name: "SatchelKit",
        dependencies: kitDependencies,
        path: "Sources/SatchelKit",
        resources: [.process("Resources")]
    ),
    .testTarget(name: "SatchelKitTests", dependencies: ["SatchelKit"], path: "Tests/SatchelKitTests"),
]

let package = Package(
    name: "SatchelKit",
    defaultLocalization: "en",
    platforms: [.iOS(.v17), .macOS(.v14)],
    products: [.library(name: "SatchelKit", targets: ["SatchelKit"])],
    targets: targets,
    swiftLanguageModes: [.v6]
)
