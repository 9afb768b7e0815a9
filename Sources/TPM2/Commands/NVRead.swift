extension TPM {
    /// The most `TPM2_NV_Read` is asked for at once: every TPM's `TPM_PT_NV_BUFFER_MAX` is at
    /// least this (the PC Client profile's minimum is 512, swtpm's 2048; 1024 is what tools use).
    static let nvReadChunk = 1024

    /// An NV index's whole contents, read with `TPM2_NV_Read` in chunks, authorized with the
    /// empty password of the index itself (`TPMA_NV_AUTHREAD`) or of the owner (`TPMA_NV_OWNERREAD`).
    func nvRead(_ nvPublic: NVPublic, chunkSize: Int = nvReadChunk) throws -> [UInt8] {
        let authorization: TPMHandle
        if nvPublic.attributes & NVPublic.authRead != 0 {
            authorization = nvPublic.index
        } else if nvPublic.attributes & NVPublic.ownerRead != 0 {
            authorization = .owner
        } else {
            throw TPMError.unsupported("reading NV index \(nvPublic.index): neither AUTHREAD nor OWNERREAD is set")
        }
        var contents: [UInt8] = []
        while contents.count < nvPublic.dataSize {
            let size = min(chunkSize, nvPublic.dataSize - contents.count)
            var parameters = TPMWriter()
            parameters.write(UInt16(size))
            parameters.write(UInt16(contents.count))
            var response = try execute(TPMCommand(.nvRead, handles: [authorization, nvPublic.index],
                                                  sessions: [.password], parameters: parameters))
            let chunk = try response.parameters.readSized()
            try response.parameters.expectEnd()
            guard chunk.count == size else {
                throw TPMError.malformed("\(TPMCommandCode.nvRead) response", "\(chunk.count) bytes for \(size) asked at offset \(contents.count)")
            }
            contents += chunk
        }
        return contents
    }
}
