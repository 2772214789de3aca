/// The Unicode classes the split patterns test, one per scalar.
///
/// `\s` is the White_Space property (as in Rust's `regex`, which tiktoken uses), `\p{L}` is
/// Lu/Ll/Lt/Lm/Lo, `\p{M}` is Mn/Mc/Me and `\p{N}` is Nd/Nl/No. No White_Space scalar is a
/// letter, mark or number, so one class per scalar is enough.
enum ScalarClass: UInt8 {
    /// Anything else: punctuation, symbols, controls that aren't White_Space, unassigned.
    case other = 0
    /// White_Space other than `\r` and `\n`.
    case space
    /// `\r` or `\n`, which several patterns single out.
    case newline
    case upper   // Lu
    case title   // Lt
    case modifier // Lm
    case otherLetter // Lo
    case lower   // Ll
    case mark    // Mn, Mc, Me
    case number  // Nd, Nl, No
    /// Past the end of the text.
    case end

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
