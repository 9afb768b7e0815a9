public import Foundation
internal import CLibCrypto

/// The certificate authority a lab trusts for EK certificates: a root (trusted) and the
/// intermediates that may sit between it and an EK certificate (untrusted: they must chain too).
/// For libvirt's vTPMs that is swtpm's local CA.
///
/// Verification is OpenSSL's `X509_verify_cert`, which accepts the TCG's critical
/// subject-alternative-name (the TPM's manufacturer, model and version) that some verifiers refuse.
///
/// ```swift
/// let authority = try EndorsementAuthority.swtpmLocalCA()   // /var/lib/swtpm-localca
/// let ek = try authority.verify(endorsementCertificate: certificateFromTheDevice)
/// ```
public struct EndorsementAuthority: Sendable {
    /// The trusted roots and the intermediates, DER.
    public let roots: [[UInt8]]
    public let intermediates: [[UInt8]]

    /// Reads the root certificate(s) and intermediates from PEM files.
    public init(rootCertificatePEM: URL, intermediatePEMs: [URL] = []) throws {
        roots = try Self.read(rootCertificatePEM).map { try $0.der() }
        intermediates = try intermediatePEMs.flatMap(Self.read).map { try $0.der() }
    }

    /// A CA as a lab file names it: a folder laid out as swtpm's local CA's (``swtpmLocalCA(directory:)``),
    /// or one PEM file holding the root (self-issued) and the intermediates, in any order.
    public init(contentsOf url: URL) throws {
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder), isFolder.boolValue {
            self = try Self.swtpmLocalCA(directory: url)
            return
        }
        let certificates = try Self.read(url)
        let roots = certificates.filter { $0.subject == $0.issuer }
        guard !roots.isEmpty else {
            throw AttestationError.unreadable(path: url.path, reason: "none of its \(certificates.count) certificates is a root (self-issued): "
                                              + "add the CA's root certificate (swtpm-localca-rootca-cert.pem)")
        }
        self.roots = try roots.map { try $0.der() }
        intermediates = try certificates.filter { $0.subject != $0.issuer }.map { try $0.der() }
    }

    /// Several CAs trusted at once: an EK certificate verifies when it chains to any of their roots.
    /// CAs may share names (every swtpm local CA is `CN=swtpm-localca`): OpenSSL matches an issuer
    /// by its key identifier too, so each certificate finds its own CA's.
    public init(combining authorities: [EndorsementAuthority]) {
        roots = authorities.flatMap(\.roots)
        intermediates = authorities.flatMap(\.intermediates)
    }

    /// swtpm's local CA, as `swtpm_localca` lays it out: `swtpm-localca-rootca-cert.pem` (the
    /// root) and `issuercert.pem` (the intermediate that signs EK certificates).
    public static func swtpmLocalCA(directory: URL = URL(fileURLWithPath: "/var/lib/swtpm-localca")) throws -> EndorsementAuthority {
        try EndorsementAuthority(rootCertificatePEM: directory.appendingPathComponent("swtpm-localca-rootca-cert.pem"),
                                 intermediatePEMs: [directory.appendingPathComponent("issuercert.pem")])
    }

    /// Verifies that the DER EK certificate chains to the root, and returns its key. Throws
    /// ``AttestationError/certificateDoesNotChain(subject:issuer:reason:depth:)`` with OpenSSL's
    /// reason when it does not, ``AttestationError/openSSL(_:)`` when it is not a certificate.
    public func verify(endorsementCertificate der: [UInt8]) throws -> VerifiedEndorsementKey {
        let certificate = try X509Certificate(der: der)
        let roots = try self.roots.map(X509Certificate.init(der:))
        let intermediates = try self.intermediates.map(X509Certificate.init(der:))
        ERR_clear_error()
        let store = try OpenSSLError.check(X509_STORE_new(), "X509_STORE_new")
        defer { X509_STORE_free(store) }
        for root in roots { try OpenSSLError.check(X509_STORE_add_cert(store, root.pointer), "X509_STORE_add_cert") }
        let untrusted = try OpenSSLError.check(pxelab_x509_stack_new(), "sk_X509_new_null")
        defer { pxelab_x509_stack_free(untrusted) }
        for intermediate in intermediates {
            // The stack frees what it holds: give it a reference of its own.
            try OpenSSLError.check(X509_up_ref(intermediate.pointer), "X509_up_ref")
            guard pxelab_x509_stack_push(untrusted, intermediate.pointer) > 0 else {
                X509_free(intermediate.pointer)
                throw AttestationError.openSSL(OpenSSLError.drain("sk_X509_push"))
            }
        }
        let context = try OpenSSLError.check(X509_STORE_CTX_new(), "X509_STORE_CTX_new")
        defer { X509_STORE_CTX_free(context) }
        try OpenSSLError.check(X509_STORE_CTX_init(context, store, certificate.pointer, untrusted), "X509_STORE_CTX_init")
        let verified = X509_verify_cert(context)
        guard verified == 1 else {
            let code = X509_STORE_CTX_get_error(context)
            // A negative answer is OpenSSL failing to verify at all, not the chain failing.
            if verified < 0 && code == X509_V_OK { throw AttestationError.openSSL(OpenSSLError.drain("X509_verify_cert")) }
            ERR_clear_error()
            throw AttestationError.certificateDoesNotChain(subject: certificate.subject, issuer: certificate.issuer,
                                                           reason: String(cString: X509_verify_cert_error_string(Int(code))),
                                                           depth: Int(X509_STORE_CTX_get_error_depth(context)))
        }
        return VerifiedEndorsementKey(certificate: der, subject: certificate.subject, issuer: certificate.issuer,
                                      key: try certificate.publicKey(), subjectPublicKeyInfo: try certificate.subjectPublicKeyInfo())
    }

    private static func read(_ file: URL) throws -> [X509Certificate] {
        let pem: Data
        do { pem = try Data(contentsOf: file) } catch { throw AttestationError.unreadable(path: file.path, reason: "\(error.localizedDescription)") }
        return try X509Certificate.certificates(pem: [UInt8](pem), source: file.path)
    }
}
