/// Small helpers for human-readable CLI output.

extension String {
    /// Pads with spaces on the right to at least `width` characters.
    func padded(_ width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
    /// Pads with spaces on the left to at least `width` characters.
    func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
