internal import CLibCrypto

/// An OpenSSL `X509`, owned: freed when the last reference goes.
final class X509Certificate {
    let pointer: OpaquePointer

    private init(owning pointer: OpaquePointer) { self.pointer = pointer }

    deinit { X509_free(pointer) }

    /// Parses one DER certificate; trailing bytes are an error, not ignored.
    convenience init(der: [UInt8]) throws {
        guard !der.isEmpty else { throw AttestationError.openSSL(OpenSSLError(function: "d2i_X509", reasons: ["no bytes"])) }
        ERR_clear_error()
        let (pointer, consumed) = try LibCrypto.withDERPointer(der) { cursor in
            let start = cursor
            let certificate = try OpenSSLError.check(d2i_X509(nil, &cursor, der.count), "d2i_X509")
            return (certificate, cursor.map { $0 - start! } ?? 0)
        }
        self.init(owning: pointer)
        guard consumed == der.count else {
            throw AttestationError.openSSL(OpenSSLError(function: "d2i_X509", reasons: ["\(der.count - consumed) bytes after the certificate"]))
        }
    }

    /// Every certificate of a PEM text, in order; `source` names it in errors. No certificate at all is an error.
    static func certificates(pem: [UInt8], source: String) throws -> [X509Certificate] {
        ERR_clear_error()
        let bio = try OpenSSLError.check(pem.withUnsafeBytes { BIO_new_mem_buf($0.baseAddress, Int32($0.count)) }, "BIO_new_mem_buf")
        defer { BIO_free(bio) }
        var certificates: [X509Certificate] = []
        while true {
            guard let certificate = PEM_read_bio_X509(bio, nil, nil, nil) else {
                // The end of the text reads as "no start line": the end, once a certificate was read.
                let last = ERR_peek_last_error()
                if !certificates.isEmpty, ERR_GET_LIB(last) == ERR_LIB_PEM, ERR_GET_REASON(last) == PEM_R_NO_START_LINE {
                    ERR_clear_error()
                    return certificates
                }
                throw AttestationError.unreadable(path: source, reason: "\(OpenSSLError.drain("PEM_read_bio_X509"))")
            }
            certificates.append(X509Certificate(owning: certificate))
        }
    }

    /// The subject's distinguished name as RFC 2253 writes it (`CN=swtpm-localca`).
    var subject: String { Self.text(of: X509_get_subject_name(pointer)) }
    var issuer: String { Self.text(of: X509_get_issuer_name(pointer)) }

    /// The certificate itself, DER.
    func der() throws -> [UInt8] { try Self.encode("i2d_X509") { i2d_X509(pointer, $0) } }

    /// The certificate's public key as a DER `SubjectPublicKeyInfo`.
    func subjectPublicKeyInfo() throws -> [UInt8] {
        ERR_clear_error()
        let key = try OpenSSLError.check(X509_get0_pubkey(pointer), "X509_get0_pubkey")
        return try Self.encode("i2d_PUBKEY") { i2d_PUBKEY(key, $0) }
    }

    /// The certificate's public key: an RSA modulus and exponent, or an EC curve and point.
    func publicKey() throws -> VerifiedEndorsementKey.PublicKey {
        ERR_clear_error()
        let key = try OpenSSLError.check(X509_get0_pubkey(pointer), "X509_get0_pubkey")
        switch EVP_PKEY_get_base_id(key) {
        case EVP_PKEY_RSA:
            let exponent = try Self.integer(key, "e")
            guard exponent.count <= 4 else { throw AttestationError.unsupported("an RSA exponent over 32 bits") }
            return .rsa(modulus: try Self.integer(key, "n"), exponent: exponent.reduce(0) { $0 << 8 | UInt32($1) })
        case EVP_PKEY_EC:
            var group = [CChar](repeating: 0, count: 80)
            var length = 0
            try OpenSSLError.check(EVP_PKEY_get_utf8_string_param(key, "group", &group, group.count, &length), "EVP_PKEY_get_utf8_string_param")
            var point = [UInt8](repeating: 0, count: 1 + 2 * 66)
            try OpenSSLError.check(EVP_PKEY_get_octet_string_param(key, "pub", &point, point.count, &length), "EVP_PKEY_get_octet_string_param")
            guard length > 1, length % 2 == 1, point[0] == 0x04 else { throw AttestationError.unsupported("an EC point that is not uncompressed") }
            let coordinate = (length - 1) / 2
            return .ecc(curve: String(decoding: group.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self),
                        x: Array(point[1...coordinate].drop { $0 == 0 }), y: Array(point[(1 + coordinate)..<length].drop { $0 == 0 }))
        case let type:
            throw AttestationError.unsupported("an EK certificate key of OpenSSL type \(type) (only RSA and EC)")
        }
    }

    /// A big-number parameter of a key (`n`, `e`), big-endian without leading zeros.
    private static func integer(_ key: OpaquePointer, _ name: String) throws -> [UInt8] {
        var number: OpaquePointer?
        try OpenSSLError.check(EVP_PKEY_get_bn_param(key, name, &number), "EVP_PKEY_get_bn_param(\(name))")
        defer { BN_free(number) }
        var bytes = [UInt8](repeating: 0, count: (Int(BN_num_bits(number)) + 7) / 8)
        _ = BN_bn2bin(number, &bytes)
        return bytes
    }

    /// Runs an `i2d_*` function twice: for the length, then into a buffer of that length.
    private static func encode(_ function: String, _ i2d: (UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>?) -> Int32) throws -> [UInt8] {
        ERR_clear_error()
        let length = i2d(nil)
        try OpenSSLError.check(length, function)
        var der = [UInt8](repeating: 0, count: Int(length))
        try der.withUnsafeMutableBufferPointer { buffer in
            var cursor = buffer.baseAddress
            try OpenSSLError.check(i2d(&cursor), function)
        }
        return der
    }

    /// An `X509_NAME` as text; a name OpenSSL cannot print is shown as such rather than failing
    /// the verification it only describes.
    private static func text(of name: OpaquePointer?) -> String {
        guard let name, let bio = BIO_new(BIO_s_mem()) else { return "(unprintable name)" }
        defer { BIO_free(bio) }
        guard pxelab_print_name_rfc2253(bio, name) >= 0 else {
            ERR_clear_error()
            return "(unprintable name)"
        }
        var bytes = [UInt8](repeating: 0, count: Int(BIO_ctrl_pending(bio)))
        let read = BIO_read(bio, &bytes, Int32(bytes.count))
        return String(decoding: bytes.prefix(max(0, Int(read))), as: UTF8.self)
    }
}
