import ArgumentParser
import ExplorerWeb
import Foundation
import GFLContracts
import Logging
import Primitives
import RPCClient

extension ABIRegistry {
    /// The registry as the web explorer reads it: looked up on every use, so contracts deployed later are found.
    static var book: ContractBook {
        ContractBook(lookup: { address in lookup(address).map { KnownContract(name: $0.0, abi: $0.1) } },
                     addressNamed: { name in address(named: name) })
    }

    /// The address of the newest registry entry called `name`.
    static func address(named name: String) -> Address? {
        let fm = FileManager.default
        guard let files = try? fm.contentsOfDirectory(at: directory, includingPropertiesForKeys: [.contentModificationDateKey]) else {
            return nil
        }
        var best: (Address, Date)?
        for f in files where f.pathExtension == "json" {
            guard let a = try? Address(hex: f.deletingPathExtension().lastPathComponent), lookup(a)?.0 == name else { continue }
            let date = (try? f.resourceValues(forKeys: [.contentModificationDateKey]).contentModificationDate) ?? .distantPast
            if best == nil || date > best!.1 { best = (a, date) }
        }
        return best?.0
    }
}

/// `--controller ADDR`, else the ABI registry's entry named Controller.
func resolveController(_ text: String?) throws -> Address {
    if let text { return try Address(hex: text) }
    guard let a = ABIRegistry.address(named: "Controller") else {
        throw CLIError("no GFL Controller known: pass --controller ADDR (or register it under the name Controller)")
    }
    return a
}

extension ExplorerCommand {
    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Serve the explorer as web pages: blocks, transactions, addresses, search and GFL jobs.",
            discussion: "Prints 'explorer listening on http://ADDR:PORT' once it listens (--port 0 picks a free port).")
        @OptionGroup var node: RPCOptions
        @Option(help: "TCP port (0: any free port).") var port: Int = 8080
        @Option(help: "Address to bind.") var addr: String = "127.0.0.1"
        @Option(help: "GFL Controller address (default: the ABI registry's entry named Controller).") var controller: String?
        @Option(help: "Folder with run reports (metrics.json) to show per-round accuracy on job pages.") var reports: String?
        @Option(help: "Blocks scanned for an address's recent transactions.") var scanBlocks: Int = 200
        @Option(help: "Receipts contract (DFL accuracy receipts): job pages then show what each node's models scored.")
        var receipts: String?

        func validate() throws {
            guard (0...65535).contains(port) else { throw ValidationError("--port must be 0…65535") }
            guard scanBlocks > 0 else { throw ValidationError("--scan-blocks must be positive") }
            if let controller, (try? Address(hex: controller)) == nil { throw ValidationError("--controller is not an address: \(controller)") }
            if let receipts, (try? Address(hex: receipts)) == nil { throw ValidationError("--receipts is not an address: \(receipts)") }
            if let reports {
                var dir: ObjCBool = false
                guard FileManager.default.fileExists(atPath: reports, isDirectory: &dir), dir.boolValue else {
                    throw ValidationError("--reports \(reports) is not a folder")
                }
            }
        }

        func run() async throws {
            let client = try node.client()
            let config = ExplorerConfig(rpcURL: client.rpc.url, controller: try controller.map { try Address(hex: $0) },
                                        reportsDirectory: reports.map { URL(fileURLWithPath: $0) }, contracts: ABIRegistry.book,
                                        addressScanBlocks: scanBlocks, receipts: try receipts.map { try Address(hex: $0) })
            var log = Logger(label: "gfl.explorer")
            log.logLevel = .notice
            let host = addr
            let app = ExplorerSite(config: config).application(host: host, port: port, logger: log) { bound in
                // Written unbuffered: scripts and tests wait for this line on a pipe.
                FileHandle.standardOutput.write(Data("explorer listening on http://\(host):\(bound)\n".utf8))
            }
            do { try await app.runService() } catch {
                if "\(error)".contains("Address already in use") {
                    throw CLIError("\(host):\(port) is already in use: pick another --port (0 picks a free one)")
                }
                throw CLIError("the explorer could not serve on \(host):\(port): \(error)")
            }
        }
    }

    struct Job: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "A GFL job: its record, ring, rounds (submissions, forwards, distillation, aggregators) and events.")
        @OptionGroup var node: RPCOptions
        @Argument(help: "Job id (1, 2, …).") var id: String
        @Option(help: "GFL Controller address (default: the ABI registry's entry named Controller).") var controller: String?
        @Option(help: "Folder with run reports (metrics.json) holding per-round accuracy.") var reports: String?
        @Option(help: "Receipts contract (DFL accuracy receipts): adds each node's receipt count, mean accuracy and last round.")
        var receipts: String?
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            guard let jobId = UInt256(id), !jobId.isZero else { throw CLIError("job id must be a positive number, got '\(id)'") }
            let address = try resolveController(controller)
            let client = try node.client()
            let receiptsAddress: Address?
            do { receiptsAddress = try receipts.map { try Address(hex: $0) } } catch {
                throw CLIError("--receipts is not an address: \(receipts ?? "")")
            }
            let view: JobView
            var receiptEntries: (contract: Address, entries: [NodeReceipts])?
            do {
                guard !(try await client.code(address)).isEmpty else { throw CLIError("no contract at \(address.checksummed) on this chain") }
                let c = ControllerContract(address: address, chain: RPCChain(client: client))
                let record = try await c.jobs(jobId)
                guard record.storage != .zero else {
                    let count = try await c.jobCount()
                    throw CLIError("no job \(jobId) on Controller \(address.checksummed) (it has \(count) jobs)")
                }
                view = try await JobView.load(c, jobId: jobId)
                if let receiptsAddress {
                    guard !(try await client.code(receiptsAddress)).isEmpty else {
                        throw CLIError("no contract at the Receipts address \(receiptsAddress.checksummed) on this chain")
                    }
                    let contract = ReceiptsContract(address: receiptsAddress, chain: RPCChain(client: client))
                    receiptEntries = (receiptsAddress, try await NodeReceipts.load(contract, view: view))
                }
            } catch let e as CLIError { throw e } catch { throw explain(error) }
            let accuracy = reports.map { AccuracyReports.load(from: URL(fileURLWithPath: $0)).accuracy(job: jobId.description) } ?? []
            if json {
                print(JobText.json(view, controller: address, accuracy: accuracy, receipts: receiptEntries).description)
            } else {
                print(JobText.render(view, controller: address, accuracy: accuracy, receipts: receiptEntries))
            }
        }
    }
}
