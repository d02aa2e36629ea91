import ArgumentParser
import Foundation
import Primitives
#if canImport(Glibc)
import Glibc
#endif

/// Where a password comes from: `--password-file`, the `GFL_PASSWORD` environment variable, or a prompt with echo
/// off. Never from a command-line argument, so passwords stay out of shell history.
struct PasswordOptions: ParsableArguments {
    @Option(help: "Read the key-file password from the first line of this file.")
    var passwordFile: String?

    /// A password source reading `file`; `env: false` ignores GFL_PASSWORD (for a second, different password).
    init(passwordFile: String?, env: Bool) {
        self.passwordFile = passwordFile
        self.useEnvironment = env
    }

    init() {}

    private var useEnvironment = true

    enum CodingKeys: String, CodingKey { case passwordFile }

    /// The password, asking on the terminal when neither the file nor GFL_PASSWORD gives one.
    func password(prompt: String = "Password: ", confirm: Bool = false) throws -> String {
        if let path = passwordFile {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw CLIError("cannot read password file \(path)")
            }
            return String(text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
        }
        if useEnvironment, let env = ProcessInfo.processInfo.environment["GFL_PASSWORD"] { return env }
        guard isatty(STDIN_FILENO) != 0 else {
            throw CLIError("no password given: use --password-file FILE or set GFL_PASSWORD (stdin is not a terminal)")
        }
        let first = readHidden(prompt)
        if confirm {
            guard readHidden("Repeat password: ") == first else { throw CLIError("passwords do not match") }
        }
        return first
    }
}

/// Reads a line from the terminal with echo turned off.
func readHidden(_ prompt: String) -> String {
    FileHandle.standardError.write(Data(prompt.utf8))
    var old = termios()
    tcgetattr(STDIN_FILENO, &old)
    var quiet = old
    quiet.c_lflag &= ~tcflag_t(ECHO)
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet)
    defer {
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &old)
        FileHandle.standardError.write(Data("\n".utf8))
    }
    return readLine(strippingNewline: true) ?? ""
}

/// A one-line error for the user (printed by ArgumentParser as `Error: …`, exit code 1).
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}
