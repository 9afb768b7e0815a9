/// The public area of an NV index (`TPMS_NV_PUBLIC`, Part 2 §13.5): what `TPM2_NV_Read` needs to
/// know to read it.
struct NVPublic: Equatable {
    let index: TPMHandle
    let nameAlgorithm: TPMAlgorithm
    let attributes: UInt32
    let dataSize: Int

    /// `TPMA_NV_OWNERREAD` and `TPMA_NV_AUTHREAD` (Part 2 §13.4): who may read with a password.
    static let ownerRead: UInt32 = 1 << 17
    static let authRead: UInt32 = 1 << 18
}

extension TPM {
    /// `TPM2_NV_ReadPublic(nvIndex)`; nil when the index is not defined (`TPM_RC_HANDLE` on handle 1).
    func nvReadPublic(_ index: TPMHandle) throws -> NVPublic? {
        guard var response = try executeUnlessAbsent(TPMCommand(.nvReadPublic, handles: [index])) else { return nil }
        var area = TPMReader(try response.parameters.readSized(), context: "TPMS_NV_PUBLIC")
        let nvIndex = TPMHandle(try area.readUInt32())
        let nameAlgorithm = try area.readAlgorithm()
        let attributes = try area.readUInt32()
        _ = try area.readSized()  // authPolicy
        let nvPublic = NVPublic(index: nvIndex, nameAlgorithm: nameAlgorithm, attributes: attributes, dataSize: Int(try area.readUInt16()))
        try area.expectEnd()
        _ = try response.parameters.readSized()  // nvName
        try response.parameters.expectEnd()
        guard nvPublic.index == index else {
            throw TPMError.malformed("\(TPMCommandCode.nvReadPublic) response", "it describes \(nvPublic.index), not \(index)")
        }
        return nvPublic
    }
}
