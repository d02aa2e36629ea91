import ArgumentParser
import Federation
import Foundation
import Learning

/// `gfl model-time`: the BCFL per-round latency model h(k, λ) for given settings (Federation's `BCFLTimeModel`).
struct ModelTimeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model-time",
        abstract: "Predict seconds per round of blockchain FL with Top-k compressed updates (BCFL's h(k, λ)).",
        discussion: """
        Cui, Su and Zhou (BCFL, IEEE JSAC 2022) model one round of blockchain FL:

          h(k, λ) = T_cmp + T_up + T_cr + T_bg + T_dn

          T_cmp  local training                  --compute-seconds
          T_up   upload one k-sparse update      S(k) / B
          T_cr   cross-verification by miners    N·(M−1)/M · S(k) / B
          T_bg   block generation with forks     N_b/λ + t_p
          T_dn   download the block of updates   N · S(k) / B

          S(k)   = k·(4 + ⌈log2 d⌉/8) bytes: a float32 and an index per value
          k      = fraction·d
          N_b    = exp(λ·(M−1)/M·t_p) = 1/(1 − p_fork), expected block intervals

        N nodes, M miners, B bandwidth, λ = 1/block-time, t_p the propagation
        delay of a block. A fork (another miner finds a block within t_p)
        costs another block interval: short block times make forks likely,
        long ones make every round wait, so with forks h has an optimum in λ.
        With one miner (GFL's dev chain has a single sealer) there are no
        forks. Sources/Federation/TimeModel.swift states every assumption.

        Examples:
          gfl model-time --model lenet --nodes 10 --miners 4 \\
              --block-time 1 --propagation-seconds 0.2
          gfl model-time --parameters 1000000 --fraction 0.05 \\
              --bandwidth 1.5 --compute-seconds 4 --json
        """)

    @Option(help: "d: parameters of the model (or give --model).") var parameters: Int?
    @Option(help: "A model preset whose parameter count is d: \(ModelSpec.presetNames.joined(separator: ", ")) (or a spec text).")
    var model: String?
    @Option(help: "Top-k fraction: k = fraction·d coordinates kept per update (0…1).") var fraction: Double = 0.01
    @Option(help: "N: nodes (clients) uploading an update each round.") var nodes: Int = 10
    @Option(help: "M: miners verifying updates and competing for blocks.") var miners: Int = 1
    @Option(help: "B: link bandwidth in MB/s (10^6 bytes per second), for upload and download.") var bandwidth: Double = 10
    @Option(help: "1/λ: mean block time in seconds.") var blockTime: Double = 1
    @Option(help: "T_cmp: local training time per round in seconds.") var computeSeconds: Double = 0
    @Option(help: "t_p: block propagation delay in seconds (forks need t_p > 0 and more than one miner).")
    var propagationSeconds: Double = 0
    @Flag(help: "Print one JSON object instead of the table.") var json = false

    func validate() throws {
        if parameters == nil && model == nil { throw ValidationError("give --parameters d or --model NAME") }
        if parameters != nil && model != nil { throw ValidationError("give either --parameters or --model, not both") }
        if !(0...1).contains(fraction) { throw ValidationError("--fraction must be between 0 and 1, got \(fraction)") }
    }

    func run() throws {
        let d: Int
        if let parameters {
            d = parameters
        } else {
            do { d = try ModelSpec.named(model ?? "").parameterCount } catch {
                throw CLIError("--model: \(error)")
            }
        }
        let t: BCFLTimeModel
        do {
            t = try BCFLTimeModel(parameters: d, kept: (fraction * Double(d)).rounded(), clients: nodes, miners: miners,
                                  bandwidth: bandwidth * 1_000_000, blockTime: blockTime, computeSeconds: computeSeconds,
                                  propagationSeconds: propagationSeconds)
        } catch { throw CLIError("\(error)") }
        let b = t.breakdown
        if json {
            let object: [String: Any] = [
                "parameters": d, "k": t.kept, "fraction": fraction, "nodes": nodes, "miners": miners,
                "bandwidthBytesPerSecond": t.bandwidth, "blockTime": blockTime, "blockRate": t.blockRate,
                "computeSeconds": computeSeconds, "propagationSeconds": propagationSeconds,
                "bytesPerCoordinate": t.bytesPerCoordinate, "updateBytes": t.updateBytes,
                "forkProbability": t.forkProbability, "expectedBlockIntervals": t.expectedBlockIntervals,
                "seconds": [
                    "compute": b.compute, "upload": b.upload, "crossVerification": b.crossVerification,
                    "mining": b.mining, "propagation": b.propagation, "download": b.download, "total": b.total,
                ] as [String: Any],
            ]
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
            return
        }
        func f(_ x: Double) -> String { String(format: "%10.4f", x) }
        print("d = \(d), k = \(Int(t.kept)) (fraction \(fraction)), N = \(nodes), M = \(miners), B = \(bandwidth) MB/s, "
              + "1/λ = \(blockTime) s, t_p = \(propagationSeconds) s")
        print("update S(k) = \(Int(t.kept)) × \(t.bytesPerCoordinate) B = \(Int(t.updateBytes.rounded())) bytes; "
              + String(format: "p_fork = %.4f, expected block intervals %.4f", t.forkProbability, t.expectedBlockIntervals))
        print("")
        print("component                    seconds")
        print("T_cmp  local computation  \(f(b.compute))")
        print("T_up   upload             \(f(b.upload))")
        print("T_cr   cross-verification \(f(b.crossVerification))")
        print("T_bg   mining (N_b/λ)     \(f(b.mining))")
        print("       block propagation  \(f(b.propagation))")
        print("T_dn   download           \(f(b.download))")
        print("h(k, λ) total             \(f(b.total))")
    }
}
