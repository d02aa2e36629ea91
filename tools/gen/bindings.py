#!/usr/bin/env python3
"""Generates the Swift bindings of GFL's contracts (Sources/GFLContracts/Generated/<Name>Contract.swift) from the
compiler artifacts Contracts/build/<Name>.json.

    tools/gen/bindings.py [--out DIR]

Every function becomes a typed method (views return decoded Swift values, state-changing functions send a
transaction through `ChainAccess`), every event a struct with a decoding initialiser and a typed `eth_getLogs` query,
every tuple a struct. Tuple structs take their names from the `struct` declarations of the Vyper source (matched by
field names), since Vyper's ABI does not carry them. The output depends only on the artifacts and the sources, so a
test can regenerate into a temporary directory and compare (Tests/ContractsTests/GeneratedBindingsTests.swift).

Plain Python 3, no packages needed.
"""
import argparse
import json
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CONTRACTS = ["Controller", "Storage", "Receipts", "Distillation"]


def camel(name):
    return name[:1].upper() + name[1:]


def lower_camel(name):
    return name[:1].lower() + name[1:]


SWIFT_KEYWORDS = {"in", "is", "as", "func", "var", "let", "class", "struct", "enum", "protocol", "return", "self",
                  "default", "case", "switch", "repeat", "where", "operator", "init", "internal", "public", "private"}


def ident(name):
    return "`%s`" % name if name in SWIFT_KEYWORDS else name


def vyper_structs(source_path):
    """struct name -> list of field names, from `struct X:` blocks of a Vyper source."""
    structs = {}
    lines = open(source_path).read().splitlines()
    i = 0
    while i < len(lines):
        m = re.match(r"^struct (\w+):\s*$", lines[i])
        if m:
            fields = []
            i += 1
            while i < len(lines) and re.match(r"^\s+\w+\s*:", lines[i]):
                fields.append(re.match(r"^\s+(\w+)\s*:", lines[i]).group(1))
                i += 1
            structs[m.group(1)] = fields
        else:
            i += 1
    return structs


class Gen:
    def __init__(self, name, artifact, structs):
        self.name = name
        self.type_name = name + "Contract"
        self.artifact = artifact
        self.abi = artifact["abi"]
        self.structs = structs          # from the source
        self.tuples = {}                # struct name -> components (the ones we emit)

    # ---------------------------------------------------------------- types

    def tuple_name(self, components, hint):
        names = [c["name"] for c in components]
        for sname, fields in self.structs.items():
            if fields == names:
                chosen = sname
                break
        else:
            chosen = camel(hint) + "Result"
        if chosen not in self.tuples:
            self.tuples[chosen] = components
        return chosen

    def swift_type(self, p, hint):
        t = p["type"]
        if t.endswith("[]"):
            inner = dict(p, type=t[:-2])
            return "[" + self.swift_type(inner, hint) + "]"
        m = re.match(r"^(.*)\[(\d+)\]$", t)
        if m:
            inner = dict(p, type=m.group(1))
            return "[" + self.swift_type(inner, hint) + "]"
        if t == "tuple":
            return self.tuple_name(p["components"], hint)
        if t == "address":
            return "Address"
        if t == "bool":
            return "Bool"
        if t == "string":
            return "String"
        if t == "bytes":
            return "[UInt8]"
        if re.match(r"^bytes\d+$", t):
            return "[UInt8]"
        m = re.match(r"^uint(\d+)$", t)
        if m:
            bits = int(m.group(1))
            return {8: "UInt8", 16: "UInt16", 32: "UInt32", 64: "UInt64"}.get(bits, "UInt256")
        m = re.match(r"^int(\d+)$", t)
        if m:
            return "UInt256"  # two's complement word; no signed values in our contracts
        raise SystemExit("bindings.py: unsupported ABI type %s" % t)

    def abi_type_expr(self, p):
        """Swift expression of the ABIType."""
        t = p["type"]
        if t.endswith("[]"):
            return ".array(" + self.abi_type_expr(dict(p, type=t[:-2])) + ")"
        m = re.match(r"^(.*)\[(\d+)\]$", t)
        if m:
            return ".fixedArray(%s, %s)" % (self.abi_type_expr(dict(p, type=m.group(1))), m.group(2))
        if t == "tuple":
            return ".tuple([" + ", ".join(self.abi_type_expr(c) for c in p["components"]) + "])"
        for simple in ("address", "bool", "string", "bytes"):
            if t == simple:
                return "." + simple
        m = re.match(r"^bytes(\d+)$", t)
        if m:
            return ".fixedBytes(%s)" % m.group(1)
        m = re.match(r"^(u?)int(\d+)$", t)
        if m:
            return ".%s(%s)" % ("uint" if m.group(1) else "int", m.group(2))
        raise SystemExit("bindings.py: unsupported ABI type %s" % t)

    def param_expr(self, p):
        comps = ""
        if "components" in p:
            comps = ", components: [" + ", ".join(self.param_expr(c) for c in p["components"]) + "]"
        indexed = ", indexed: true" if p.get("indexed") else ""
        return "ABIParameter(name: %s, type: %s%s%s)" % (json.dumps(p.get("name", "")), self.abi_type_expr(p),
                                                          comps, indexed)

    def encode_expr(self, p, var, hint):
        """Swift expression turning a Swift value into an ABIValue."""
        t = p["type"]
        if t.endswith("[]") or re.match(r"^.*\[\d+\]$", t):
            inner_t = t[:-2] if t.endswith("[]") else re.match(r"^(.*)\[\d+\]$", t).group(1)
            inner = self.encode_expr(dict(p, type=inner_t), "$0", hint)
            return ".array(%s.map { %s })" % (var, inner)
        if t == "tuple":
            return "%s.abiValue" % var
        if t == "address":
            return ".address(%s)" % var
        if t == "bool":
            return ".bool(%s)" % var
        if t == "string":
            return ".string(%s)" % var
        if t == "bytes":
            return ".bytes(%s)" % var
        if re.match(r"^bytes\d+$", t):
            return ".fixedBytes(%s)" % var
        sw = self.swift_type(p, hint)
        if t.startswith("uint"):
            return ".uint(%s)" % (var if sw == "UInt256" else "UInt256(UInt64(%s))" % var)
        return ".int(%s)" % var

    def decode_lines(self, p, src, dest, path, hint, indent):
        """Swift statements that decode ABIValue `src` into a new constant `dest`."""
        pad = " " * indent
        t = p["type"]
        sw = self.swift_type(p, hint)
        if t.endswith("[]") or re.match(r"^.*\[\d+\]$", t):
            inner_t = t[:-2] if t.endswith("[]") else re.match(r"^(.*)\[\d+\]$", t).group(1)
            inner = dict(p, type=inner_t)
            items = dest + "Items"
            lines = [pad + "let %s = try ABIRead.array(%s, %s)" % (items, src, path),
                     pad + "var %s: %s = []" % (dest, sw),
                     pad + "%s.reserveCapacity(%s.count)" % (dest, items),
                     pad + "for (i, item) in %s.enumerated() {" % items]
            lines += self.decode_lines(inner, "item", dest + "Item", '%s + "[\\(i)]"' % path, hint, indent + 4)
            lines.append(pad + "    %s.append(%sItem)" % (dest, dest))
            lines.append(pad + "}")
            return lines
        if t == "tuple":
            return [pad + "let %s = try %s(abi: %s, path: %s)" % (dest, sw, src, path)]
        reader = {"Address": "address", "Bool": "bool", "String": "string", "UInt256": "uint256", "UInt8": "uint8",
                  "UInt16": "uint16", "UInt32": "uint32", "UInt64": "uint64"}.get(sw)
        if sw == "[UInt8]":
            reader = "bytes"
        if t.startswith("int"):
            reader = "int256"
        return [pad + "let %s = try ABIRead.%s(%s, %s)" % (dest, reader, src, path)]

    # ---------------------------------------------------------------- pieces

    def functions(self):
        return [e for e in self.abi if e["type"] == "function"]

    def events(self):
        return [e for e in self.abi if e["type"] == "event"]

    def arg_list(self, inputs):
        """(declaration, encoded values) for a function's inputs; Vyper getters' argN are unlabelled."""
        decls, values = [], []
        for i, p in enumerate(inputs):
            name = p["name"] or "arg%d" % i
            label = "_ " + ident(name) if re.match(r"^arg\d+$", name) else ident(name)
            decls.append("%s: %s" % (label, self.swift_type(p, name)))
            values.append(self.encode_expr(p, ident(name), name))
        return decls, values

    def emit_function(self, f, out):
        name = f["name"]
        decls, values = self.arg_list(f["inputs"])
        sig = "%s(%s)" % (name, ",".join(self.abi_type_canonical(p) for p in f["inputs"]))
        outs = f.get("outputs", [])
        view = f["stateMutability"] in ("view", "pure")
        args = "[" + ", ".join(values) + "]"
        if view:
            if len(outs) == 1:
                ret = self.swift_type(outs[0], name)
            elif len(outs) == 0:
                ret = "Void"
            else:
                ret = self.tuple_name(outs, name)
            out.append("    /// `%s` (%s): an `eth_call` at `block`." % (sig, f["stateMutability"]))
            params = ", ".join(decls + ["at block: BlockTag = .latest"])
            out.append("    public func %s(%s) async throws(ContractError) -> %s {" % (ident(name), params, ret))
            out.append("        let out = try await binding.call(Functions.%s, %s, at: block)" % (name, args))
            if len(outs) == 1:
                out += self.decode_lines(outs[0], "out[0]", "value", json.dumps(name), name, 8)
                out.append("        return value")
            elif len(outs) > 1:
                out.append("        return try %s(abi: .tuple(out), path: %s)" % (ret, json.dumps(name)))
            out.append("    }")
            out.append("")
        else:
            out.append("    /// Sends `%s` (%s) signed by `key` and waits for the receipt; a revert throws"
                       % (sig, f["stateMutability"]))
            out.append("    /// `ContractError.reverted` with the reason.")
            params = ", ".join(decls + ["from key: PrivateKey", "gas: UInt64? = nil"])
            out.append("    @discardableResult")
            out.append("    public func %s(%s) async throws(ContractError) -> ContractReceipt {" % (ident(name), params))
            out.append("        try await binding.transact(Functions.%s, %s, from: key, gas: gas)" % (name, args))
            out.append("    }")
            out.append("")
            if outs:
                # What the transaction would return, from an eth_call with the same sender: for reading a
                # return value (a job id) before or instead of sending.
                if len(outs) == 1:
                    ret = self.swift_type(outs[0], name)
                else:
                    ret = self.tuple_name(outs, name)
                out.append("    /// What `%s` would return if `sender` sent it now (an `eth_call`; nothing is sent)." % sig)
                params = ", ".join(decls + ["sender: Address", "at block: BlockTag = .latest"])
                out.append("    public func %sResult(%s) async throws(ContractError) -> %s {" % (name, params, ret))
                out.append("        let out = try await binding.call(Functions.%s, %s, from: sender, at: block)"
                           % (name, args))
                if len(outs) == 1:
                    out += self.decode_lines(outs[0], "out[0]", "value", json.dumps(name), name, 8)
                    out.append("        return value")
                else:
                    out.append("        return try %s(abi: .tuple(out), path: %s)" % (ret, json.dumps(name)))
                out.append("    }")
                out.append("")

    def abi_type_canonical(self, p):
        t = p["type"]
        if t.startswith("tuple"):
            return "(" + ",".join(self.abi_type_canonical(c) for c in p["components"]) + ")" + t[len("tuple"):]
        return t

    def emit_event(self, e, out):
        name = e["name"]
        inputs = e["inputs"]
        sig = "%s(%s)" % (name, ",".join(self.abi_type_canonical(p) for p in inputs))
        out.append("    /// The `%s` event." % sig)
        out.append("    public struct %s: Sendable, Equatable {" % name)
        out.append("        public static let event = ABIEvent(name: %s, inputs: [" % json.dumps(name))
        for p in inputs:
            out.append("            %s," % self.param_expr(p))
        out.append("        ])")
        for p in inputs:
            value_type = p["type"] not in ("string", "bytes") and not p["type"].endswith("]") \
                and not p["type"].startswith("tuple")
            sw = self.swift_type(p, name) if (not p.get("indexed") or value_type) else "Hash32"
            note = "  // indexed: only its hash is in the log" if sw == "Hash32" and p.get("indexed") else ""
            out.append("        public var %s: %s%s" % (ident(p["name"]), sw, note))
        out.append("        /// Where the log was: block, transaction, index, emitting contract.")
        out.append("        public var log: ContractLog")
        out.append("")
        out.append("        /// Decodes a log of this event; throws when the topics or data do not match it.")
        out.append("        public init(log: ContractLog) throws(ContractError) {")
        out.append("            let fields = try ABIRead.eventFields(Self.event, log)")
        for i, p in enumerate(inputs):
            value_type = p["type"] not in ("string", "bytes") and not p["type"].endswith("]") \
                and not p["type"].startswith("tuple")
            path = json.dumps("%s.%s" % (name, p["name"]))
            if p.get("indexed") and not value_type:
                out.append("            self.%s = try ABIRead.hashed(fields[%d], %s)" % (p["name"], i, path))
            else:
                out.append("            let v%d = try ABIRead.eventValue(fields[%d], %s)" % (i, i, path))
                out += self.decode_lines(p, "v%d" % i, "d%d" % i, path, name, 12)
                out.append("            self.%s = d%d" % (p["name"], i))
        out.append("            self.log = log")
        out.append("        }")
        out.append("    }")
        out.append("")

    def emit_event_query(self, e, out):
        name = e["name"]
        indexed = [p for p in e["inputs"] if p.get("indexed")]
        decls, topics = [], []
        for p in indexed:
            value_type = p["type"] not in ("string", "bytes") and not p["type"].endswith("]") \
                and not p["type"].startswith("tuple")
            if not value_type:
                topics.append("nil")
                continue
            sw = self.swift_type(p, name)
            decls.append("%s: %s? = nil" % (ident(p["name"]), sw))
            topics.append("try ABIRead.topic(%s.event.inputs[%d].type, %s.map { %s })"
                          % (name, e["inputs"].index(p), ident(p["name"]), self.encode_expr(p, "$0", name)))
        out.append("    /// `%s` logs of this contract between two blocks, optionally only those whose indexed fields"
                   % name)
        out.append("    /// match (an `eth_getLogs` with topic filters).")
        params = ", ".join(decls + ["fromBlock: BlockTag = .earliest", "toBlock: BlockTag = .latest"])
        out.append("    public func %sEvents(%s) async throws(ContractError) -> [%s] {" % (lower_camel(name), params, name))
        out.append("        let topics: [[Hash32]?] = [[%s.event.topic0]%s]"
                   % (name, "".join(", " + t for t in topics)))
        out.append("        var result: [%s] = []" % name)
        out.append("        for log in try await binding.logs(topics: topics, fromBlock: fromBlock, toBlock: toBlock) {")
        out.append("            result.append(try %s(log: log))" % name)
        out.append("        }")
        out.append("        return result")
        out.append("    }")
        out.append("")

    def emit_tuples(self, out):
        # Resolve nested tuple names first, so that the set is complete before emitting.
        while True:
            before = len(self.tuples)
            for comps in list(self.tuples.values()):
                for c in comps:
                    self.swift_type(c, c["name"])
            if len(self.tuples) == before:
                break
        for sname in sorted(self.tuples):
            comps = self.tuples[sname]
            out.append("    /// The `%s` tuple `(%s)`." % (sname, ",".join(self.abi_type_canonical(c) for c in comps)))
            out.append("    public struct %s: Sendable, Equatable {" % sname)
            for c in comps:
                out.append("        public var %s: %s" % (ident(c["name"]), self.swift_type(c, c["name"])))
            out.append("")
            inits = ", ".join("%s: %s" % (ident(c["name"]), self.swift_type(c, c["name"])) for c in comps)
            out.append("        public init(%s) {" % inits)
            for c in comps:
                out.append("            self.%s = %s" % (c["name"], ident(c["name"])))
            out.append("        }")
            out.append("")
            out.append("        /// Decodes the tuple; `path` names it in errors.")
            out.append("        public init(abi value: ABIValue, path: String) throws(ContractError) {")
            out.append("            let f = try ABIRead.tuple(value, count: %d, path)" % len(comps))
            for i, c in enumerate(comps):
                out += self.decode_lines(c, "f[%d]" % i, "d%d" % i, 'path + ".%s"' % c["name"], c["name"], 12)
                out.append("            self.%s = d%d" % (c["name"], i))
            out.append("        }")
            out.append("")
            out.append("        /// The tuple as an ABI value.")
            vals = ", ".join(self.encode_expr(c, ident(c["name"]), c["name"]) for c in comps)
            out.append("        public var abiValue: ABIValue { .tuple([%s]) }" % vals)
            out.append("    }")
            out.append("")

    def generate(self):
        a = self.artifact
        body = []
        # Functions (collect tuple types as a side effect).
        fn_lines = []
        for f in self.functions():
            self.emit_function(f, fn_lines)
        ev_lines = []
        for e in self.events():
            self.emit_event(e, ev_lines)
        q_lines = []
        for e in self.events():
            self.emit_event_query(e, q_lines)
        tuple_lines = []
        self.emit_tuples(tuple_lines)

        out = []
        out.append("// Generated by tools/gen/bindings.py from Contracts/build/%s.json: do not edit." % self.name)
        out.append("// Source sha256 %s, compiled with %s for %s." % (a["sourceSha256"], a["compiler"], a["evmVersion"]))
        out.append("import Primitives")
        out.append("import RPCClient")
        out.append("")
        out.append("/// Typed binding of `Contracts/%s.vy` at one address on one chain." % self.name)
        out.append("public struct %s: Sendable {" % self.type_name)
        out.append("    /// The address and chain every call goes to.")
        out.append("    public let binding: ContractBinding")
        out.append("    public var address: Address { binding.address }")
        out.append("")
        out.append("    public init(address: Address, chain: any ChainAccess) {")
        out.append("        binding = ContractBinding(address: address, chain: chain, errors: %s.errors)" % self.type_name)
        out.append("    }")
        out.append("")
        out.append("    /// The compiler artifact: ABI JSON, creation, runtime and blueprint bytecode.")
        out.append("    public static let artifact = ContractArtifact(")
        out.append("        name: %s," % json.dumps(self.name))
        out.append("        abiJSON: %s," % json.dumps(json.dumps(a["abi"], separators=(",", ":"), sort_keys=True)))
        out.append("        bytecodeHex: %s," % json.dumps(a["bytecode"]))
        out.append("        runtimeBytecodeHex: %s," % json.dumps(a["runtimeBytecode"]))
        out.append("        blueprintBytecodeHex: %s," % json.dumps(a["blueprintBytecode"]))
        out.append("        sourceSha256: %s, compiler: %s, evmVersion: %s)"
                   % (json.dumps(a["sourceSha256"]), json.dumps(a["compiler"]), json.dumps(a["evmVersion"])))
        out.append("")
        errors = [e for e in self.abi if e["type"] == "error"]
        out.append("    /// Custom errors the contract declares (Vyper reverts with `Error(string)` reasons instead).")
        out.append("    public static let errors: [ABIErrorDefinition] = [%s]" % ", ".join(
            "ABIErrorDefinition(name: %s, inputs: [%s])" % (json.dumps(e["name"]),
                                                             ", ".join(self.param_expr(p) for p in e["inputs"]))
            for e in errors))
        out.append("")
        ctor = next((e for e in self.abi if e["type"] == "constructor"), None)
        if ctor:
            decls, values = self.arg_list(ctor["inputs"])
            out.append("    /// ABI-encoded constructor arguments, appended to creation (or blueprint-created) code.")
            out.append("    public static func constructorArguments(%s) throws(ContractError) -> [UInt8] {"
                       % ", ".join(decls))
            out.append("        try ABIRead.encode([%s], [%s])" % (", ".join(self.abi_type_expr(p) for p in ctor["inputs"]),
                                                                   ", ".join(values)))
            out.append("    }")
            out.append("")
        out.append("    /// The contract's functions.")
        out.append("    public enum Functions {")
        for f in self.functions():
            out.append("        public static let %s = ABIFunction(" % f["name"])
            out.append("            name: %s," % json.dumps(f["name"]))
            out.append("            inputs: [%s]," % ", ".join(self.param_expr(p) for p in f["inputs"]))
            out.append("            outputs: [%s]," % ", ".join(self.param_expr(p) for p in f.get("outputs", [])))
            out.append("            stateMutability: .%s)" % f["stateMutability"])
        out.append("        /// Every function, in ABI order.")
        out.append("        public static let all: [ABIFunction] = [%s]" % ", ".join(f["name"] for f in self.functions()))
        out.append("    }")
        out.append("")
        out.append("    // MARK: Functions")
        out.append("")
        out += fn_lines
        out.append("    // MARK: Event queries")
        out.append("")
        out += q_lines
        out.append("    /// Every log of this contract between two blocks, decoded; logs of unknown events are skipped.")
        out.append("    public func events(fromBlock: BlockTag = .earliest, toBlock: BlockTag = .latest) "
                   "async throws(ContractError) -> [Event] {")
        out.append("        var result: [Event] = []")
        out.append("        for log in try await binding.logs(topics: [], fromBlock: fromBlock, toBlock: toBlock) {")
        out.append("            if let e = try Event(log: log) { result.append(e) }")
        out.append("        }")
        out.append("        return result")
        out.append("    }")
        out.append("}")
        main_file = "\n".join(out) + "\n"
        out = out[:5]  # the header and imports
        out.append("extension %s {" % self.type_name)
        out.append("    // MARK: Events")
        out.append("")
        out += ev_lines
        out.append("    /// Any event of the contract.")
        out.append("    public enum Event: Sendable, Equatable {")
        for e in self.events():
            out.append("        case %s(%s)" % (lower_camel(e["name"]), e["name"]))
        out.append("")
        out.append("        /// Decodes a log by its first topic; nil for a log of an event this contract does not declare.")
        out.append("        public init?(log: ContractLog) throws(ContractError) {")
        out.append("            guard let topic0 = log.topics.first else { return nil }")
        out.append("            switch topic0 {")
        for e in self.events():
            out.append("            case %s.event.topic0: self = .%s(try %s(log: log))"
                       % (e["name"], lower_camel(e["name"]), e["name"]))
        out.append("            default: return nil")
        out.append("            }")
        out.append("        }")
        out.append("")
        out.append("        /// Where the log was.")
        out.append("        public var log: ContractLog {")
        out.append("            switch self {")
        for e in self.events():
            out.append("            case .%s(let e): return e.log" % lower_camel(e["name"]))
        out.append("            }")
        out.append("        }")
        out.append("    }")
        out.append("")
        out.append("    /// Every event, in ABI order.")
        out.append("    public static let events: [ABIEvent] = [%s]" % ", ".join(e["name"] + ".event" for e in self.events()))
        out.append("}")
        out.append("")
        if tuple_lines:
            out.append("extension %s {" % self.type_name)
            out.append("    // MARK: Tuples")
            out.append("")
            out += tuple_lines
            while out[-1] == "":
                out.pop()
            out.append("}")
        while out[-1] == "":
            out.pop()
        return main_file, "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=os.path.join(ROOT, "Sources", "GFLContracts", "Generated"))
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    for name in CONTRACTS:
        with open(os.path.join(ROOT, "Contracts", "build", name + ".json")) as f:
            artifact = json.load(f)
        structs = vyper_structs(os.path.join(ROOT, "Contracts", name + ".vy"))
        main_file, types_file = Gen(name, artifact, structs).generate()
        for suffix, text in (("Contract.swift", main_file), ("Contract+Types.swift", types_file)):
            dest = os.path.join(args.out, name + suffix)
            with open(dest, "w") as f:
                f.write(text)
            print("generated %s" % os.path.relpath(dest, os.getcwd()))


if __name__ == "__main__":
    main()
