import ArgumentParser
import Primitives

/// The `gfl` command: one binary for the chain node, wallet, contracts, store, trainers and benchmarks.
@main
struct GFL: AsyncParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "gfl",
        abstract: "GFL: decentralised federated learning on an Ethereum-compatible chain.",
        discussion: """
        GFL runs federated-learning jobs with no central server: trainers coordinate through smart \
        contracts on a local Ethereum-compatible chain and exchange encrypted models through an \
        IPFS-compatible content store.
        """,
        version: GFL.version,
        subcommands: [
            Version.self,
            NodeCommand.self,
            WalletCommand.self,
            DeployCommand.self,
            CallCommand.self,
            SendCommand.self,
            ExplorerCommand.self,
            StateTestCommand.self,
            Train.self,
            Store.self,
            KeccakCommand.self,
            SigCommand.self,
            ABICommand.self,
            ToWei.self,
            FromWei.self,
            Bench.self,
            DemoCommand.self,
            JobCommand.self,
            ModelTimeCommand.self,
            TrainerCommand.self,
        ]
    )
}

/// `gfl version`: the version of this binary and of the native libraries it uses.
struct Version: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the version of gfl.")

    @Flag(help: "Print machine-readable JSON.") var json = false

    func run() throws {
        if json {
            print(#"{"version":"\#(GFL.version)"}"#)
        } else {
            print("gfl \(GFL.version)")
        }
    }
}
