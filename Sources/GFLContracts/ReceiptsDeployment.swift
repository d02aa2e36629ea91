import Primitives
import RPCClient

/// Deploys and attaches `Contracts/Receipts.vy`, the per-chain registry of DFL accuracy receipts. Kept apart from
/// `GFLDeployment` so that chains without receipts are unaffected: call `deploy` after the Controller exists.
public enum ReceiptsDeployment {
    /// Deploys Receipts pointing at `controller` (one transaction from `key`) and returns its binding.
    /// Throws `ContractError.deployment` when `controller` does not answer as a Controller (a Receipts contract bound
    /// to a wrong address would accept nothing, since every check asks the Controller).
    public static func deploy(on chain: any ChainAccess, from key: PrivateKey,
                              controller: Address) async throws(ContractError) -> ReceiptsContract {
        do { _ = try await ControllerContract(address: controller, chain: chain).storageBlueprint() } catch {
            throw .deployment("Receipts: \(controller) does not answer as a GFL Controller (\(error)); deploy the Controller first")
        }
        let creation = try ReceiptsContract.artifact.bytecode() + ReceiptsContract.constructorArguments(controller_: controller)
        let address = try await GFLDeployment.create(creation, "Receipts", on: chain, from: key)
        return ReceiptsContract(address: address, chain: chain)
    }

    /// Binds to a Receipts contract deployed earlier; throws when it has no code or answers for another Controller
    /// than `controller` (when given).
    public static func attach(_ address: Address, on chain: any ChainAccess,
                              controller: Address? = nil) async throws(ContractError) -> ReceiptsContract {
        let receipts = ReceiptsContract(address: address, chain: chain)
        let actual: Address
        do { actual = try await receipts.controller() } catch {
            throw .deployment("Receipts: \(address) does not answer controller() (\(error)); is it a Receipts contract?")
        }
        if let controller, actual != controller {
            throw .deployment("Receipts at \(address) belongs to Controller \(actual), not \(controller)")
        }
        return receipts
    }
}
