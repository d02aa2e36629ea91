import ArgumentParser
import ContentStore
import ContentStoreServer
import Foundation
import Primitives

/// `gfl store …`: the content-addressed model store (IPFS-exact CIDs; local LevelDB store or any kubo-style API).
struct Store: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Add, read, pin and serve files in the content-addressed model store.",
        discussion: """
        CIDs are the ones `ipfs add` gives (262,144-byte chunks, balanced DAG, 174 links, dag-pb leaves).
        Commands use the local store (--repo) unless --api names a GFL node or a kubo daemon.
        """,
        subcommands: [StoreAdd.self, StoreCat.self, StoreGet.self, StorePin.self, StoreUnpin.self, StoreGC.self,
                      StoreStat.self, StoreFetch.self, StoreServe.self]
    )
}

struct StoreAdd: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "add", abstract: "Add a file; print its CID.")

    @OptionGroup var location: StoreLocation
    @Argument(help: "The file to add.") var file: String
    @Flag(name: .shortAndLong, help: "Print only the CID, like `ipfs add -q`.") var quiet = false
    @Option(help: "CID version to print: 0 (Qm…) or 1 (bafy…, the same dag-pb DAG).") var cidVersion = 0
    @Flag(help: "Print {\"Name\",\"Hash\",\"Size\"} as JSON.") var json = false
    @Flag(help: "Do not pin the file.") var noPin = false
    @Flag(help: "Only compute the CID; store nothing.") var onlyHash = false
    @Option(help: "Encrypt the file (ECIES, secp256k1) to this public key (hex, 33/64/65 bytes) before adding.")
    var encryptFor: String?

    func validate() throws {
        guard cidVersion == 0 || cidVersion == 1 else { throw ValidationError("--cid-version must be 0 or 1") }
    }

    func run() throws {
        let name = (file as NSString).lastPathComponent
        let added: AddedFile
        if let pub = encryptFor {
            let key = try Hex.decode(pub)
            let plain = [UInt8](try Data(contentsOf: URL(fileURLWithPath: file)))
            let sealed = try ECIES.seal(plain, to: key)
            added = try addBytes(sealed, name: name)
        } else if onlyHash {
            added = try computeCID(path: file)
        } else if let client = try location.client() {
            let pin = !noPin
            let r = try runBlocking { try await client.add(path: file, pin: pin) }
            added = AddedFile(cid: try parseCID(r.Hash), cumulativeSize: UInt64(r.Size) ?? 0, fileSize: 0)
        } else {
            added = try location.openLocal().add(path: file, pin: !noPin)
        }
        let cid = cidVersion == 1 ? added.cid.v1 : added.cid
        if json {
            let r = AddResponse(Name: name, Hash: cid.string, Size: String(added.cumulativeSize))
            print(r.jsonLine)
        } else if quiet {
            print(cid.string)
        } else {
            print("added \(cid.string) \(name)")
        }
    }

    private func addBytes(_ bytes: [UInt8], name: String) throws -> AddedFile {
        if onlyHash { return try computeCID(bytes: bytes) }
        if let client = try location.client() {
            let pin = !noPin
            let r = try runBlocking { try await client.add(bytes: bytes, name: name, pin: pin) }
            return AddedFile(cid: try parseCID(r.Hash), cumulativeSize: UInt64(r.Size) ?? 0, fileSize: UInt64(bytes.count))
        }
        return try location.openLocal().add(bytes: bytes, pin: !noPin)
    }
}

/// Reads a whole file from the local store or the API, decrypting when asked.
private func readAll(_ location: StoreLocation, _ cid: CID, decryptWith: String?) throws -> [UInt8] {
    let bytes: [UInt8]
    if let client = try location.client() {
        bytes = try runBlocking { try await client.cat(cid) }
    } else {
        bytes = try location.openLocal().cat(cid)
    }
    guard let keyFile = decryptWith else { return bytes }
    return try ECIES.open(bytes, privateKey: try readKeyFile(keyFile, bytes: 32))
}

struct StoreCat: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "cat", abstract: "Write a file's bytes to standard output.")

    @OptionGroup var location: StoreLocation
    @Argument(help: "The file's CID.") var cid: String
    @Option(help: "Decrypt with the private key (hex) in this file (for files added with --encrypt-for).")
    var decryptWith: String?

    func run() throws {
        let id = try parseCID(cid)
        if decryptWith == nil && location.api == nil {
            // Stream straight from the store: memory stays at one block.
            let reader = try location.openLocal().reader(id)
            while let piece = try reader.next() { writeStdout(piece) }
            return
        }
        writeStdout(try readAll(location, id, decryptWith: decryptWith))
    }
}

struct StoreGet: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "get", abstract: "Save a file to disk.")

    @OptionGroup var location: StoreLocation
    @Argument(help: "The file's CID.") var cid: String
    @Option(name: .shortAndLong, help: "Output path.") var output: String
    @Option(help: "Decrypt with the private key (hex) in this file.") var decryptWith: String?

    func run() throws {
        let id = try parseCID(cid)
        if decryptWith == nil && location.api == nil {
            try location.openLocal().get(id, to: output)
        } else {
            try Data(try readAll(location, id, decryptWith: decryptWith)).write(to: URL(fileURLWithPath: output))
        }
    }
}

struct StorePin: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "pin", abstract: "Pin a CID (recursively).")
    @OptionGroup var location: StoreLocation
    @Argument var cid: String

    func run() throws {
        let id = try parseCID(cid)
        if let client = try location.client() { try runBlocking { try await client.pin(id) } } else { try location.openLocal().pin(id) }
        print("pinned \(id)")
    }
}

struct StoreUnpin: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "unpin", abstract: "Remove a pin.")
    @OptionGroup var location: StoreLocation
    @Argument var cid: String

    func run() throws {
        let id = try parseCID(cid)
        if let client = try location.client() { try runBlocking { try await client.unpin(id) } } else { try location.openLocal().unpin(id) }
        print("unpinned \(id)")
    }
}

struct StoreGC: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "gc", abstract: "Delete blocks no pin reaches.")
    @OptionGroup var location: StoreLocation

    func run() throws {
        let n: Int
        if let client = try location.client() { n = try runBlocking { try await client.gc() } } else { n = try location.openLocal().gc().count }
        print("removed \(n) blocks")
    }
}

struct StoreStat: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "stat", abstract: "Block count, bytes and pins of the store.")
    @OptionGroup var location: StoreLocation
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let s: StoreStats
        if let client = try location.client() { s = try runBlocking { try await client.stats() } } else { s = try location.openLocal().stats() }
        if json {
            print(#"{"blocks":\#(s.blocks),"bytes":\#(s.bytes),"pins":\#(s.pins)}"#)
        } else {
            print("blocks \(s.blocks)\nbytes  \(s.bytes)\npins   \(s.pins)")
        }
    }
}

struct StoreFetch: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fetch", abstract: "Copy a CID's blocks from a peer's API into the local store, verifying each.")
    @OptionGroup var location: StoreLocation
    @Argument var cid: String
    @Option(help: "The peer's API URL (as recorded on chain).") var from: String

    func run() throws {
        let id = try parseCID(cid)
        let peer = try StoreClient(url: from)
        let fetcher = PeerFetcher(store: try location.openLocal())
        let n = try runBlocking { try await fetcher.fetch(id, from: peer) }
        print("fetched \(n) blocks of \(id)")
    }
}

struct StoreServe: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Serve the local store over kubo's HTTP API.")
    @OptionGroup var location: StoreLocation
    @Option(help: "Address to bind (loopback by default).") var host = "127.0.0.1"
    @Option(help: "Port (kubo's API uses 5001; 0 picks a free one).") var port = 5001

    func run() throws {
        let app = StoreServer.application(store: try location.openLocal(), host: host, port: port) { bound in
            FileHandle.standardOutput.write(Data("serving \(host):\(bound) (/api/v0)\n".utf8))
        }
        try runBlocking { try await app.runService() }
    }
}
