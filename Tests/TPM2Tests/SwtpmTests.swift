import Foundation
import Testing
import TestSupport
@testable import TPM2

/// TPM2 against a real TPM 2.0: swtpm, manufactured by swtpm_setup with its local CA as libvirt
/// does for a vTPM.
@Suite("TPM2 on swtpm", .needs(.swtpm))
struct SwtpmTests {
    @Test("the EK certificate comes out of NV 0x01c00002, in chunks of any size, as swtpm_setup wrote it")
    func endorsementCertificate() async throws {
        let (read, inSmallChunks) = try await SwtpmLab.withTPM(.certified) { tpm in
            let index = try tpm.nvReadPublic(.rsaEndorsementCertificate)
            return (try tpm.endorsementCertificate(), try index.map { try tpm.nvRead($0, chunkSize: 100) })
        }
        let written = try [UInt8](Data(contentsOf: SwtpmLab.shared().endorsementCertificate(.certified)))
        let certificate = try #require(read)
        #expect(certificate == written)
        #expect(inSmallChunks == written)  // eleven TPM2_NV_Reads, the last one short
        #expect(certificate.prefix(2) == [0x30, 0x82])  // a DER SEQUENCE with a two-byte length
    }

    @Test("a TPM without an EK certificate has none: endorsementCertificate() is nil")
    func noEndorsementCertificate() async throws {
        let (certificate, key) = try await SwtpmLab.withTPM(.uncertified) { tpm in
            return (try tpm.endorsementCertificate(), try tpm.endorsementKey())
        }
        #expect(certificate == nil)
        #expect(key.type == .rsa)
    }

    @Test("the TCG's default EK template recreates the EK persisted at 0x81010001")
    func endorsementKeyTemplate() async throws {
        let (persisted, created) = try await SwtpmLab.withTPM(.certified) { tpm in
            let created = try tpm.createPrimary(in: .endorsement, template: TPMTemplate.endorsementKeyRSA2048)
            try tpm.flushContext(created.handle)
            return (try tpm.endorsementKey(), created.public)
        }
        #expect(persisted == created)
        #expect(persisted.authPolicy == TPMTemplate.endorsementPolicy)
        guard case .rsa(let modulus, let exponent) = persisted.key else { Issue.record("not RSA"); return }
        #expect(modulus.count == 256 && exponent == 65537)
    }

    @Test("an AK is a restricted signing key whose name the TPM and SHA-256 agree on", arguments: [AttestationKey.Algorithm.rsa2048, .eccP256])
    func attestationKey(algorithm: AttestationKey.Algorithm) async throws {
        let (key, flushedAgain) = try await SwtpmLab.withTPM(.certified) { tpm in
            let key = try tpm.makeAttestationKey(algorithm)
            try tpm.flush(key)
            return (key, Result { try tpm.flush(key) })
        }
        #expect(key.public.attributes == [.fixedTPM, .fixedParent, .sensitiveDataOrigin, .userWithAuth, .restricted, .sign])
        #expect(key.public.scheme?.hash == .sha256)
        #expect(try key.public.name() == key.name)
        #expect(key.handle.rawValue >> 24 == 0x80)  // transient
        // A flushed key is gone: the TPM says which handle it does not know.
        guard case .failure(TPMError.response(.flushContext, let code)) = flushedAgain else {
            Issue.record("flushing twice: \(flushedAgain)")
            return
        }
        #expect(code.base == .handle || code.base == .value)
    }

    @Test("TPM2_Startup on a started TPM is no failure")
    func startupTwice() async throws {
        try await SwtpmLab.withTPM(.certified) { tpm in
            try tpm.startup()
        }
    }

    @Test("the EK's public area cut anywhere, or with a byte too many, throws")
    func truncatedPublicArea() async throws {
        let area = try await SwtpmLab.withTPM(.certified) { tpm in
            try tpm.endorsementKey().publicArea
        }
        #expect(try TPMPublic(publicArea: area).type == .rsa)
        for length in 0..<area.count {
            #expect(throws: TPMError.self) { _ = try TPMPublic(publicArea: Array(area.prefix(length))) }
        }
        #expect(throws: TPMError.self) { _ = try TPMPublic(publicArea: area + [0]) }
    }

    @Test("a socket to a port nothing listens on fails naming the endpoint")
    func refusedConnection() throws {
        let port = try SwtpmProcess.unusedPort()
        #expect(throws: TPMError.self) { _ = try TPMSocket(port: port) }
        do { _ = try TPMSocket(port: port) } catch {
            #expect("\(error)".hasPrefix("127.0.0.1:\(port): connect: "))
        }
    }
}
