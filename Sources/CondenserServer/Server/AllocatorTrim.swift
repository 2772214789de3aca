import Dispatch
import Synchronization

#if canImport(Glibc)
/// glibc's `malloc_trim` (malloc.h, which the Glibc module leaves out).
@_silgen_name("malloc_trim")
private func mallocTrim(_ pad: Int) -> Int32
#endif

/// Asks the allocator to return its free pages to the system. Memory freed by a burst of
/// requests otherwise stays resident (glibc keeps it in its arenas for reuse), so the
/// daemon would sit at its peak between bursts.
enum AllocatorTrim {
    private static let running = Atomic(false)
    private static let scheduled = Atomic(false)
    /// How long the daemon must have had no connection before an idle trim.
    static let idleDelay: DispatchTimeInterval = .seconds(2)

    /// Trims now, on a utility thread (a pass over the heap, never on a cooperative
    /// thread); a trim already running covers this request.
    static func now() {
        guard !running.exchange(true, ordering: .acquiring) else { return }
        DispatchQueue.global(qos: .utility).async {
            #if canImport(Glibc)
            _ = mallocTrim(0)
            #endif
            running.store(false, ordering: .releasing)
        }
    }

    /// Trims `idleDelay` from now if `isIdle` still says so then: for the moment the
    /// last connection closes.
    static func whenIdle(_ isIdle: @escaping @Sendable () -> Bool) {
        guard !scheduled.exchange(true, ordering: .acquiring) else { return }
        DispatchQueue.global(qos: .utility).asyncAfter(deadline: .now() + idleDelay) {
            scheduled.store(false, ordering: .releasing)
            if isIdle() { now() }
        }
    }
}
