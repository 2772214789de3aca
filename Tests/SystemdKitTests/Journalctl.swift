import CondenserTestSupport

/// Runs `command` and returns its standard output.
func run(_ command: String, _ arguments: [String]) throws -> String {
    try ChildProcess.run(command, arguments).output
}
