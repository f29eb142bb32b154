extension StringProtocol {
    /// Without leading and trailing spaces, tabs, CR and LF: how config
    /// lines, lock files, keys and specifiers are read.
    public var trimmingSpaces: Substring {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" || f == "\r" || f == "\n" || f == "\r\n" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" || l == "\r" || l == "\n" || l == "\r\n" { s = s.dropLast() }
        return s
    }
}
