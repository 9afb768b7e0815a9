import NIOCore

/// RFC 1350's opcodes, with RFC 2347's OACK.
enum Opcode: UInt16 {
    case rrq = 1, wrq, data, ack, error, oack
}

/// RFC 1350's error codes (RFC 2347 adds 8, "option negotiation failed", which only clients send).
enum ErrorCode: UInt16 {
    case notDefined = 0, fileNotFound, accessViolation, diskFull, illegalOperation, unknownTransferID
}

/// A packet as a client sends it: the server reads requests on its port and ACKs and ERRORs on a
/// transfer's.
enum ClientPacket {
    case request(RequestPacket)
    case ack(block: UInt16)
    case error(code: UInt16, message: String)
    /// DATA or OACK: what only a server sends.
    case serverOnly

    /// Reads one datagram; nil when it is not a TFTP packet.
    init?(parsing datagram: ByteBuffer) {
        var buffer = datagram
        guard let raw = buffer.readInteger(as: UInt16.self), let opcode = Opcode(rawValue: raw) else { return nil }
        switch opcode {
        case .rrq, .wrq:
            guard let request = RequestPacket(isWrite: opcode == .wrq, fields: &buffer) else { return nil }
            self = .request(request)
        case .ack:
            // Trailing bytes are tolerated: some clients pad their ACKs.
            guard let block = buffer.readInteger(as: UInt16.self) else { return nil }
            self = .ack(block: block)
        case .error:
            guard let code = buffer.readInteger(as: UInt16.self) else { return nil }
            // The message's NUL is not required: the error ends the transfer whatever it says.
            let text = buffer.readableBytesView.prefix { $0 != 0 }
            self = .error(code: code, message: String(decoding: text, as: UTF8.self))
        case .data, .oack:
            self = .serverOnly
        }
    }
}

/// An RRQ or WRQ: `filename NUL mode NUL` then RFC 2347's `option NUL value NUL` pairs.
struct RequestPacket {
    let isWrite: Bool
    /// The filename's bytes as sent (checked by ``RequestPath``).
    let filename: [UInt8]
    /// Lowercased, as RFC 1350 compares modes.
    let mode: String
    /// Option names lowercased, values as sent, the first of a repeated name kept.
    let options: [String: String]

    init?(isWrite: Bool, fields buffer: inout ByteBuffer) {
        guard let filename = Self.field(&buffer), !filename.isEmpty, let mode = Self.field(&buffer) else { return nil }
        self.isWrite = isWrite
        self.filename = filename
        self.mode = String(decoding: mode, as: UTF8.self).lowercased()
        var options: [String: String] = [:]
        // A last option without its value (or without its NUL) is left out, as other servers do.
        while let name = Self.field(&buffer), let value = Self.field(&buffer) {
            let key = String(decoding: name, as: UTF8.self).lowercased()
            if options[key] == nil { options[key] = String(decoding: value, as: UTF8.self) }
        }
        self.options = options
    }

    /// The bytes up to the next NUL, which is consumed; nil when there is no NUL.
    private static func field(_ buffer: inout ByteBuffer) -> [UInt8]? {
        guard let end = buffer.readableBytesView.firstIndex(of: 0) else { return nil }
        let bytes = buffer.readBytes(length: end - buffer.readerIndex)
        buffer.moveReaderIndex(forwardBy: 1)
        return bytes
    }
}

extension ByteBuffer {
    /// A DATA packet's header: the block's bytes follow.
    mutating func writeDataHeader(block: UInt16) {
        writeMultipleIntegers(Opcode.data.rawValue, block)
    }

    mutating func writeErrorPacket(_ code: ErrorCode, _ message: String) {
        writeInteger(Opcode.error.rawValue)
        writeInteger(code.rawValue)
        writeString(message)
        writeInteger(UInt8(0))
    }

    /// An OACK acknowledging `options`, in their order.
    mutating func writeOACK(_ options: [(name: String, value: String)]) {
        writeInteger(Opcode.oack.rawValue)
        for option in options {
            writeString(option.name)
            writeInteger(UInt8(0))
            writeString(option.value)
            writeInteger(UInt8(0))
        }
    }
}

extension ByteBufferAllocator {
    func errorPacket(_ code: ErrorCode, _ message: String) -> ByteBuffer {
        var buffer = self.buffer(capacity: 5 + message.utf8.count)
        buffer.writeErrorPacket(code, message)
        return buffer
    }
}
