/// The Unicode classes the split patterns test, one per scalar.
///
/// `\s` is the White_Space property (as in Rust's `regex`, which tiktoken uses), `\p{L}` is
/// Lu/Ll/Lt/Lm/Lo, `\p{M}` is Mn/Mc/Me and `\p{N}` is Nd/Nl/No. No White_Space scalar is a
/// letter, mark or number, so one class per scalar is enough.
///
/// A struct over a byte rather than an enum: the scanner tests classes against bit sets in
/// its innermost loop, and this keeps that a shift and a mask.
struct ScalarClass: Equatable, Sendable {
    let rawValue: UInt8

    /// Anything else: punctuation, symbols, controls that aren't White_Space, unassigned.
    static let other = ScalarClass(rawValue: 0)
    /// White_Space other than `\r` and `\n`.
    static let space = ScalarClass(rawValue: 1)
    /// `\r` or `\n`, which several patterns single out.
    static let newline = ScalarClass(rawValue: 2)
    static let upper = ScalarClass(rawValue: 3) // Lu
    static let title = ScalarClass(rawValue: 4) // Lt
    static let modifier = ScalarClass(rawValue: 5) // Lm
    static let otherLetter = ScalarClass(rawValue: 6) // Lo
    static let lower = ScalarClass(rawValue: 7) // Ll
    static let mark = ScalarClass(rawValue: 8) // Mn, Mc, Me
    static let number = ScalarClass(rawValue: 9) // Nd, Nl, No
    /// Past the end of the text.
    static let end = ScalarClass(rawValue: 10)

    @inline(__always) var bit: UInt16 { 1 << UInt16(rawValue) }

    static let letters: UInt16 = upper.bit | title.bit | modifier.bit | otherLetter.bit | lower.bit
    static let whitespace: UInt16 = space.bit | newline.bit
    /// o200k's `[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]`.
    static let upperish: UInt16 = upper.bit | title.bit | modifier.bit | otherLetter.bit | mark.bit
    /// o200k's `[\p{Ll}\p{Lm}\p{Lo}\p{M}]`.
    static let lowerish: UInt16 = lower.bit | modifier.bit | otherLetter.bit | mark.bit
    /// `[^\s\p{L}\p{N}]` (marks included).
    static let punctuation: UInt16 = other.bit | mark.bit
    /// `[^\r\n\p{L}\p{N}]`, the optional lead of a word.
    static let wordLead: UInt16 = other.bit | mark.bit | space.bit

    @inline(__always) func isIn(_ set: UInt16) -> Bool { bit & set != 0 }

    static func of(_ scalar: Unicode.Scalar) -> ScalarClass {
        let properties = scalar.properties
        if properties.isWhitespace {
            return scalar == "\r" || scalar == "\n" ? .newline : .space
        }
        switch properties.generalCategory {
        case .uppercaseLetter: return .upper
        case .lowercaseLetter: return .lower
        case .titlecaseLetter: return .title
        case .modifierLetter: return .modifier
        case .otherLetter: return .otherLetter
        case .nonspacingMark, .spacingMark, .enclosingMark: return .mark
        case .decimalNumber, .letterNumber, .otherNumber: return .number
        default: return .other
        }
    }
}
