import Logging

#if canImport(Glibc)
import Glibc
#endif

/// The process's open-file limit (RLIMIT_NOFILE).
enum DescriptorLimit {
    /// Raises the soft limit to the hard one, as nothing here uses `select` (whose
    /// descriptor sets are why soft limits start at 1024), then warns when what is left
    /// can't hold `maxConnections` clients, each with its upstream connection.
    static func raiseAndCheck(maxConnections: Int, logger: Logger) {
        var limit = rlimit()
        guard getrlimit(resource, &limit) == 0 else { return }
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = limit.rlim_max
            if setrlimit(resource, &raised) == 0 { limit = raised }
        }
        // Each client connection may hold an upstream one too; some are the process's own.
        let needed = UInt64(maxConnections) * 2 + 64
        if UInt64(limit.rlim_cur) < needed {
            logger.warning(
                "The descriptor limit is below what limits.max_connections needs: beyond it, new connections wait until others end",
                metadata: [
                    "descriptors": "\(limit.rlim_cur)", "needed": "\(needed)",
                    "limits.max_connections": "\(maxConnections)",
                    "fix": "raise LimitNOFILE (ulimit -n) or lower limits.max_connections",
                ])
        }
    }

    private static var resource: __rlimit_resource_t { __rlimit_resource_t(RLIMIT_NOFILE.rawValue) }
}
