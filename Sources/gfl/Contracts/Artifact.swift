import Foundation
import Primitives

/// A compiled contract: ABI and creation bytecode, from a `Contracts/build/*.json` artifact, a solc/foundry-style
/// JSON (`abi` + `bytecode` or `bytecode.object`), or a Vyper source compiled with the pinned compiler.
struct Artifact {
    var name: String
    var abiJSON: String
    var abi: ABIContract
    var bytecode: [UInt8]

    static func load(_ path: String) throws -> Artifact {
        if path.hasSuffix(".vy") { return try compileVyper(path) }
        guard let data = FileManager.default.contents(atPath: path) else { throw CLIError("cannot read \(path)") }
        guard let obj = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw CLIError("\(path) is not a JSON object (expected an artifact with \"abi\" and \"bytecode\")")
        }
        guard let abiObj = obj["abi"] else { throw CLIError("\(path) has no \"abi\" field") }
        var code: String?
        if let s = obj["bytecode"] as? String { code = s }
        if let o = obj["bytecode"] as? [String: Any] { code = o["object"] as? String }
        guard let code else { throw CLIError("\(path) has no \"bytecode\" field") }
        let abiData = try JSONSerialization.data(withJSONObject: abiObj)
        let abiText = String(decoding: abiData, as: UTF8.self)
        let name = obj["name"] as? String ?? URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        return Artifact(name: name, abiJSON: abiText, abi: try ABIContract(json: abiText),
                        bytecode: try Hex.decode(code.hasPrefix("0x") ? code : "0x" + code))
    }

    /// The pinned Vyper compiler: $GFL_VYPER, tools/.venv/bin/vyper below the current directory or the binary's
    /// checkout, or `vyper` on PATH.
    static func vyperPath() -> String? {
        let env = ProcessInfo.processInfo.environment
        if let v = env["GFL_VYPER"] { return v }
        var candidates = [FileManager.default.currentDirectoryPath + "/tools/.venv/bin/vyper"]
        // The binary lives somewhere below <checkout>/.build/: look for the checkout's venv above it.
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<5 {
            dir = dir.deletingLastPathComponent()
            candidates.append(dir.appendingPathComponent("tools/.venv/bin/vyper").path)
        }
        for dir in (env["PATH"] ?? "").split(separator: ":") { candidates.append("\(dir)/vyper") }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    static func compileVyper(_ path: String) throws -> Artifact {
        guard FileManager.default.fileExists(atPath: path) else { throw CLIError("cannot read \(path)") }
        guard let vyper = vyperPath() else {
            throw CLIError("the Vyper compiler is not installed: run tools/setup (it installs vyper 0.4.3 into tools/.venv) or set GFL_VYPER")
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: vyper)
        p.arguments = ["--evm-version", "cancun", "-f", "abi,bytecode", path]
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            let lines = String(decoding: stderr, as: UTF8.self).split(separator: "\n").suffix(6).joined(separator: "\n")
            throw CLIError("vyper failed on \(path):\n\(lines)")
        }
        let lines = String(decoding: stdout, as: UTF8.self).split(separator: "\n").map(String.init)
        guard lines.count >= 2 else { throw CLIError("unexpected vyper output for \(path)") }
        return Artifact(name: URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent,
                        abiJSON: lines[0], abi: try ABIContract(json: lines[0]), bytecode: try Hex.decode(lines[1]))
    }
}

/// ABIs of contracts deployed with `gfl deploy`, kept in ~/.gfl/abi/<address>.json (or $GFL_HOME/abi), so the
/// explorer and `gfl call --abi` can decode calls and logs of known contracts on any node.
enum ABIRegistry {
    static var directory: URL {
        let env = ProcessInfo.processInfo.environment
        let home = env["GFL_HOME"].map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".gfl")
        return home.appendingPathComponent("abi")
    }

    static func save(address: Address, name: String, abiJSON: String) {
        let dir = directory
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let body = "{\"name\":\(jsonString(name)),\"abi\":\(abiJSON)}"
        try? Data(body.utf8).write(to: dir.appendingPathComponent("\(Hex.encode(address.bytes)).json"), options: .atomic)
    }

    /// (name, ABI) for a known contract.
    static func lookup(_ address: Address) -> (String, ABIContract)? {
        let file = directory.appendingPathComponent("\(Hex.encode(address.bytes)).json")
        guard let data = FileManager.default.contents(atPath: file.path),
              let obj = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let abi = obj["abi"], let abiData = try? JSONSerialization.data(withJSONObject: abi),
              let contract = try? ABIContract(json: String(decoding: abiData, as: UTF8.self)) else { return nil }
        return (obj["name"] as? String ?? "contract", contract)
    }
}
