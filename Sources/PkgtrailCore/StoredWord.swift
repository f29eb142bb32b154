/// An enum stored in event bodies as a word. An event written by a later
/// pkgtrail may carry a word this one does not know: it is kept as written
/// (`other`), never refused, so old and new logs both read. Each conforming
/// enum lists its known words once; reading and writing follow from that.
public protocol StoredWord: Equatable, Sendable, CustomStringConvertible {
    /// The words this pkgtrail knows, each with its case.
    static var words: [(word: String, value: Self)] { get }
    /// A word this pkgtrail does not know (an enum's `case other(String)`).
    static func other(_ word: String) -> Self
    /// The word of an `other`, nil for a known case.
    var otherWord: String? { get }
}

extension StoredWord {
    public init(_ word: String) {
        self = Self.words.first { $0.word == word }?.value ?? .other(word)
    }

    /// The word stored in bodies.
    public var description: String {
        otherWord ?? Self.words.first { $0.value == self }?.word ?? ""
    }
}
