/// Paths to values inside an encoding (`arg 2[3].x`), collected as errors unwind out of containers.

/// A step in the path to a value: an argument, an array element or a tuple field.
enum ABIPathComponent: Equatable {
    case arg(Int)
    case index(Int)
    case field(Int)
}

/// What went wrong inside the codec, with the path collected innermost-first while unwinding.
struct ABIPathError: Error {
    enum Kind {
        case value(String)
        case count(expected: Int, got: Int)
        case data(ABIDecodingFailure)
        case text(String, reason: String)
    }
    var path: [ABIPathComponent] = []
    var kind: Kind

    init(_ kind: Kind) { self.kind = kind }

    /// Adds an outer path step (called as the error unwinds out of a container).
    func inside(_ c: ABIPathComponent) -> ABIPathError {
        var e = self
        e.path.append(c)
        return e
    }

    /// The public error, with the path rendered as `arg 2[3].x`; tuple fields use the names from `names`
    /// (the parameters of the outermost tuple) where they are known, else their index.
    func abiError(names: [ABIParameter]?) -> ABIError {
        let p = ABIPathError.render(path.reversed(), names: names)
        switch kind {
        case .value(let r): return .invalidValue(path: p, reason: r)
        case .count(let e, let g): return .wrongCount(path: p, expected: e, got: g)
        case .data(let f): return .invalidData(path: p, failure: f)
        case .text(let t, let r): return .invalidArgument(path: p, text: t, reason: r)
        }
    }

    static func render(_ steps: some Sequence<ABIPathComponent>, names: [ABIParameter]?) -> String {
        var out = ""
        // The parameters that the next `.field` step indexes into, when known.
        var fields = names
        for step in steps {
            switch step {
            case .arg(let i):
                if !out.isEmpty { out += " " }
                out += "arg \(i)"
                if let f = fields, i < f.count {
                    if !f[i].name.isEmpty { out += " (\(f[i].name))" }
                    fields = f[i].components
                } else {
                    fields = nil
                }
            case .index(let i):
                out += "[\(i)]"
            case .field(let i):
                if let f = fields, i < f.count, !f[i].name.isEmpty {
                    out += "." + f[i].name
                    fields = f[i].components
                } else {
                    out += ".\(i)"
                    fields = fields.flatMap { i < $0.count ? $0[i].components : nil }
                }
            }
        }
        // A path not starting at an argument is inside a lone value: `value[1].x`.
        return out.hasPrefix("arg") ? out : "value" + out
    }
}

/// Element types of a sequence: all the same (arrays) or one per element (tuples).
enum ABIElements {
    case same(ABIType)
    case each([ABIType])

    @inline(__always)
    subscript(i: Int) -> ABIType {
        switch self {
        case .same(let t): return t
        case .each(let ts): return ts[i]
        }
    }
}
