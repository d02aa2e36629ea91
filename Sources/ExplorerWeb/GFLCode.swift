import GFLContracts
import Primitives

/// Recognises the GFL contracts by their deployed code, so the explorer can name and decode them on any chain
/// without an ABI registry entry.
public enum GFLCode {
    /// What a contract's runtime code is.
    public enum Kind: Sendable, Equatable {
        case controller, storage, other
    }

    /// Vyper appends a contract's immutables (the Controller's blueprint address, a Storage's controller and job id)
    /// after the compiled runtime code, so deployed code starts with the artifact's runtime bytecode.
    public static func kind(of code: [UInt8]) -> Kind {
        guard !code.isEmpty else { return .other }
        if matches(code, controllerRuntime) { return .controller }
        if matches(code, storageRuntime) { return .storage }
        return .other
    }

    static func matches(_ code: [UInt8], _ runtime: [UInt8]) -> Bool {
        !runtime.isEmpty && code.count >= runtime.count && code[..<runtime.count].elementsEqual(runtime)
    }

    static let controllerRuntime: [UInt8] = (try? ControllerContract.artifact.runtimeBytecode()) ?? []
    static let storageRuntime: [UInt8] = (try? StorageContract.artifact.runtimeBytecode()) ?? []
}

extension GFLCode.Kind {
    var codeKind: CodeKind {
        switch self {
        case .controller: return .controller
        case .storage: return .storage(job: nil)
        case .other: return .other
        }
    }
}
