import Foundation
extension RDFLNode {
    func dflRound(_ r: Int, local: [Float], record: inout NodeRoundRecord) async throws -> [Float] {
        throw FederationError.config("dfl not wired yet")
    }
    func fdRound(_ r: Int, local: [Float], record: inout NodeRoundRecord) async throws -> [Float] {
        throw FederationError.config("fd-1bit not wired yet")
    }
}
