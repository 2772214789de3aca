import Synchronization

/// The end of the shutdown grace period: runs an action once it passes, unless
/// cancelled first because everything finished in time.
final class GraceDeadline: Sendable {
    private let task = Mutex<Task<Void, Never>?>(nil)

    func start(after grace: Duration, _ action: @escaping @Sendable () -> Void) {
        let timer = Task {
            guard (try? await Task.sleep(for: grace)) != nil else { return }
            action()
        }
        task.withLock { $0 = timer }
    }

    func cancel() {
        task.withLock { $0?.cancel() }
    }
}
