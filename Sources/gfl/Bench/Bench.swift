import ArgumentParser

/// `gfl bench …`: benchmarks that print figures. Benchmarks are never tests: nothing here asserts a time.
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure the speed of GFL's parts (build with -c release for real figures).",
        subcommands: [BenchPrimitives.self, BenchChainData.self, BenchEVM.self, BenchChain.self, BenchContracts.self]
    )
}
