/// A bench that could not measure: what went wrong, for the user.
package struct BenchError: Error, CustomStringConvertible {
    package var description: String

    package init(_ description: String) {
        self.description = description
    }
}
