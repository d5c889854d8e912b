// swift-tools-version:6.0
// The Swift binding tests: the generated Swift (copied into Sources/ by run.sh) against the
// real library, with Swift Testing.
import PackageDescription

let package = Package(
    name: "SatchelFFITests",
    targets: [
        .target(name: "satchel_ffiFFI", path: "Sources/satchel_ffiFFI"),
        .target(
            name: "SatchelFFI",
            dependencies: ["satchel_ffiFFI"],
            path: "Sources/SatchelFFI",
            swiftSettings: [.swiftLanguageMode(.v5)],
            linkerSettings: [.linkedLibrary("satchel_ffi")]
        ),
        .testTarget(name: "SatchelFFITests", dependencies: ["SatchelFFI"], path: "Tests/SatchelFFITests"),
    ]
)
