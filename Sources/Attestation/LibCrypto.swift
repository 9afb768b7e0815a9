internal import CLibCrypto

/// The OpenSSL primitives TPM2_MakeCredential is built from, each failure an ``OpenSSLError``
/// with OpenSSL's reasons. swift-crypto has them all but one: its RSA-OAEP takes no label, and
/// the TPM's is "IDENTITY".
enum LibCrypto {
    /// `count` bytes from OpenSSL's CSPRNG.
    static func randomBytes(_ count: Int) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        try OpenSSLError.check(RAND_bytes(&bytes, Int32(count)), "RAND_bytes")
        return bytes
    }

    /// HMAC-SHA256 of `data` under `key`.
    static func hmacSHA256(key: [UInt8], _ data: [UInt8]) throws -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        ERR_clear_error()
        _ = try OpenSSLError.check(HMAC(EVP_sha256(), key, Int32(key.count), data, data.count, &digest, &length), "HMAC")
        return Array(digest.prefix(Int(length)))
    }

    /// AES in CFB mode with 128-bit feedback (the TPM's `TPM_ALG_CFB`), 128- or 256-bit key,
    /// encrypting: no padding, the output as long as the input.
    static func aesCFBEncrypt(key: [UInt8], iv: [UInt8], _ plaintext: [UInt8]) throws -> [UInt8] {
        ERR_clear_error()
        let cipher = try OpenSSLError.check(key.count == 32 ? EVP_aes_256_cfb128() : EVP_aes_128_cfb128(), "EVP_aes_cfb128")
        let context = try OpenSSLError.check(EVP_CIPHER_CTX_new(), "EVP_CIPHER_CTX_new")
        defer { EVP_CIPHER_CTX_free(context) }
        try OpenSSLError.check(EVP_EncryptInit_ex(context, cipher, nil, key, iv), "EVP_EncryptInit_ex")
        var output = [UInt8](repeating: 0, count: plaintext.count + 16)
        var written: Int32 = 0
        try OpenSSLError.check(EVP_EncryptUpdate(context, &output, &written, plaintext, Int32(plaintext.count)), "EVP_EncryptUpdate")
        var finished: Int32 = 0
        try output.withUnsafeMutableBufferPointer { buffer in
            try OpenSSLError.check(EVP_EncryptFinal_ex(context, buffer.baseAddress! + Int(written), &finished), "EVP_EncryptFinal_ex")
        }
        return Array(output.prefix(Int(written + finished)))
    }

    /// RSA-OAEP encryption with SHA-256 (for the OAEP hash and MGF1) and a label, to the RSA key
    /// of a DER `SubjectPublicKeyInfo`.
    static func rsaOAEPEncrypt(subjectPublicKeyInfo: [UInt8], label: [UInt8], _ plaintext: [UInt8]) throws -> [UInt8] {
        ERR_clear_error()
        let key = try withDERPointer(subjectPublicKeyInfo) { pointer in
            try OpenSSLError.check(d2i_PUBKEY(nil, &pointer, subjectPublicKeyInfo.count), "d2i_PUBKEY")
        }
        defer { EVP_PKEY_free(key) }
        let context = try OpenSSLError.check(EVP_PKEY_CTX_new(key, nil), "EVP_PKEY_CTX_new")
        defer { EVP_PKEY_CTX_free(context) }
        try OpenSSLError.check(EVP_PKEY_encrypt_init(context), "EVP_PKEY_encrypt_init")
        try OpenSSLError.check(EVP_PKEY_CTX_set_rsa_padding(context, RSA_PKCS1_OAEP_PADDING), "EVP_PKEY_CTX_set_rsa_padding")
        try OpenSSLError.check(EVP_PKEY_CTX_set_rsa_oaep_md(context, EVP_sha256()), "EVP_PKEY_CTX_set_rsa_oaep_md")
        try OpenSSLError.check(EVP_PKEY_CTX_set_rsa_mgf1_md(context, EVP_sha256()), "EVP_PKEY_CTX_set_rsa_mgf1_md")
        try OpenSSLError.check(pxelab_set_rsa_oaep_label(context, label, Int32(label.count)), "EVP_PKEY_CTX_set0_rsa_oaep_label")
        var length = 0
        try OpenSSLError.check(EVP_PKEY_encrypt(context, nil, &length, plaintext, plaintext.count), "EVP_PKEY_encrypt")
        var ciphertext = [UInt8](repeating: 0, count: length)
        try OpenSSLError.check(EVP_PKEY_encrypt(context, &ciphertext, &length, plaintext, plaintext.count), "EVP_PKEY_encrypt")
        return Array(ciphertext.prefix(length))
    }

    /// Calls a `d2i_*` function with a pointer to `der`'s bytes, which it advances.
    static func withDERPointer<Result>(_ der: [UInt8], _ body: (inout UnsafePointer<UInt8>?) throws -> Result) rethrows -> Result {
        try der.withUnsafeBufferPointer { buffer in
            var pointer = buffer.baseAddress
            return try body(&pointer)
        }
    }
}
