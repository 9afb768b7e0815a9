import NIOCore

/// What a transfer runs with, from the RRQ's options (RFC 2347) and the server's limits: the
/// options the server takes are acknowledged in an OACK, in this order; unknown or out-of-range
/// ones are left out, as RFC 2347 says, and the transfer runs with RFC 1350's defaults for them.
struct Negotiation {
    /// RFC 1350's block size, when no `blksize` is agreed.
    static let defaultBlockSize = 512
    /// RFC 2348's range; the upper end is what fits in one UDP datagram (with IPv4's headers).
    static let blockSizes = 8...65464
    /// RFC 2349's range, in seconds.
    static let timeouts = 1...255
    /// RFC 7440's range.
    static let windowSizes = 1...65535

    var blockSize = Self.defaultBlockSize
    var windowSize = 1
    var timeout: TimeAmount
    /// The options acknowledged; none means no OACK, the transfer starting with DATA 1.
    var acknowledged: [(name: String, value: String)] = []

    init(options: [String: String], fileSize: Int, configuration: TFTPServer.Configuration) {
        timeout = configuration.timeout
        if let asked = options["blksize"].flatMap(Self.number), asked >= Self.blockSizes.lowerBound {
            // A larger size than the server allows is answered with the server's (RFC 2348).
            blockSize = min(asked, Self.blockSizes.upperBound, configuration.maximumBlockSize)
            acknowledged.append(("blksize", String(blockSize)))
        }
        if let asked = options["timeout"].flatMap(Self.number), Self.timeouts.contains(asked) {
            timeout = .seconds(Int64(asked))
            acknowledged.append(("timeout", String(asked)))
        }
        // A client asks with 0 on RRQ (RFC 2349), atftp with "enable": the value is not read.
        // The answer is the size the client will receive.
        if options["tsize"] != nil {
            acknowledged.append(("tsize", String(fileSize)))
        }
        if let asked = options["windowsize"].flatMap(Self.number), Self.windowSizes.contains(asked) {
            windowSize = min(asked, configuration.maximumWindowSize)
            acknowledged.append(("windowsize", String(windowSize)))
        }
    }

    /// A decimal number of at most 10 digits, as options carry them.
    private static func number(_ text: String) -> Int? {
        guard !text.isEmpty, text.utf8.count <= 10, text.utf8.allSatisfy({ (0x30...0x39).contains($0) }) else { return nil }
        return Int(text)
    }
}
