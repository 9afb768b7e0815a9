public import Foundation
import Crypto
public import LabService
import NIOSSL
import SwiftASN1
import X509

/// The Redfish service's TLS material, made on first use in the lab folder: a lab certificate
/// authority (`redfish-ca.pem`, the file clients trust: sushy's `verify`, curl's `--cacert`) and a
/// server certificate it signs for loopback and the address the service listens on. Made again
/// only when missing, or when the server certificate does not name the listen address.
public struct RedfishTLS: Sendable {
    /// The CA certificate clients trust.
    public let authorityFile: URL
    let certificatePEM: String
    let keyPEM: String

    /// The material in `directory`, made where missing, for a service listening on `host`.
    public init(in directory: LabDirectory, host: String, now: Date = Date()) throws {
        authorityFile = directory.path("redfish-ca.pem")
        let authorityKey = try Certificate.PrivateKey(pemEncoded: Secret.stored(at: directory.path("redfish-ca.key"), make: Self.newKey))
        let authorityName = try DistinguishedName {
            OrganizationName("pxelab")
            CommonName("pxelab lab CA (\(directory.lab))")
        }
        let authority = try Certificate(pemEncoded: Secret.stored(at: authorityFile) {
            try Self.authority(name: authorityName, key: authorityKey, now: now).serializeAsPEM().pemString
        })
        let serverKeyPEM = try Secret.stored(at: directory.path("redfish.key"), make: Self.newKey)
        let serverKey = try Certificate.PrivateKey(pemEncoded: serverKeyPEM)
        let certificateFile = directory.path("redfish.pem")
        var server = try? Certificate(pemEncoded: String(contentsOf: certificateFile, encoding: .utf8))
        if server.map({ !Self.names($0, host) || $0.issuer != authority.subject }) ?? true {
            let made = try Self.server(host: host, key: serverKey, issuer: authority, issuerKey: authorityKey, now: now)
            try directory.writeAtomically(Data(made.serializeAsPEM().pemString.utf8), to: certificateFile)
            server = made
        }
        certificatePEM = try server!.serializeAsPEM().pemString
        keyPEM = serverKeyPEM
    }

    static func newKey() throws -> String {
        try Certificate.PrivateKey(P256.Signing.PrivateKey()).serializeAsPEM().pemString
    }

    /// NIOSSL's server configuration for the material.
    func serverConfiguration() throws -> TLSConfiguration {
        TLSConfiguration.makeServerConfiguration(
            certificateChain: [.certificate(try NIOSSLCertificate(bytes: Array(certificatePEM.utf8), format: .pem))],
            privateKey: .privateKey(try NIOSSLPrivateKey(bytes: Array(keyPEM.utf8), format: .pem)))
    }

    static func authority(name: DistinguishedName, key: Certificate.PrivateKey, now: Date) throws -> Certificate {
        try Certificate(version: .v3, serialNumber: .init(), publicKey: key.publicKey,
                        notValidBefore: now.addingTimeInterval(-3_600), notValidAfter: now.addingTimeInterval(20 * 365 * 86_400),
                        issuer: name, subject: name, signatureAlgorithm: .ecdsaWithSHA256,
                        extensions: try Certificate.Extensions {
                            Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                            Critical(KeyUsage(keyCertSign: true, cRLSign: true))
                        }, issuerPrivateKey: key)
    }

    static func server(host: String, key: Certificate.PrivateKey, issuer: Certificate, issuerKey: Certificate.PrivateKey,
                       now: Date) throws -> Certificate {
        var names: [GeneralName] = [.dnsName("localhost"), .ipAddress(ASN1OctetString(contentBytes: [127, 0, 0, 1])),
                                    .ipAddress(ASN1OctetString(contentBytes: ArraySlice(repeating: 0, count: 15) + [1]))]
        if let address = IPAddress(host), address.bytes != [127, 0, 0, 1] {
            names.append(.ipAddress(ASN1OctetString(contentBytes: ArraySlice(address.bytes))))
        } else if IPAddress(host) == nil, host != "localhost" {
            names.append(.dnsName(host))
        }
        return try Certificate(version: .v3, serialNumber: .init(), publicKey: key.publicKey,
                               notValidBefore: now.addingTimeInterval(-3_600), notValidAfter: now.addingTimeInterval(2 * 365 * 86_400),
                               issuer: issuer.subject, subject: try DistinguishedName { OrganizationName("pxelab"); CommonName(host) },
                               signatureAlgorithm: .ecdsaWithSHA256,
                               extensions: try Certificate.Extensions {
                                   Critical(BasicConstraints.notCertificateAuthority)
                                   Critical(KeyUsage(digitalSignature: true))
                                   try ExtendedKeyUsage([.serverAuth])
                                   SubjectAlternativeNames(names)
                               }, issuerPrivateKey: issuerKey)
    }

    /// Whether a server certificate names `host`.
    static func names(_ certificate: Certificate, _ host: String) -> Bool {
        guard let alternatives = try? certificate.extensions.subjectAlternativeNames else { return false }
        let address = IPAddress(host)
        return alternatives.contains { name in
            switch name {
            case .dnsName(let dns): dns == host
            case .ipAddress(let bytes): address.map { Array(bytes.bytes) == $0.bytes } ?? false
            default: false
            }
        }
    }
}

/// An IPv4 or IPv6 address's bytes.
struct IPAddress: Equatable {
    let bytes: [UInt8]

    init?(_ text: String) {
        var v4 = in_addr(), v6 = in6_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            bytes = withUnsafeBytes(of: &v4) { Array($0) }
        } else if inet_pton(AF_INET6, text, &v6) == 1 {
            bytes = withUnsafeBytes(of: &v6) { Array($0) }
        } else {
            return nil
        }
    }
}
