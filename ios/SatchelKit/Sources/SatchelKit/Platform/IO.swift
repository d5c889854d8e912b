import Foundation

/// Runs a library call off the main actor (FFI calls block).
func onIO<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await Task.detached(priority: .userInitiated) { try work() }.value
}
