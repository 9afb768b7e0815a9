/// What the device's own iPXE script tells it: the kernel command line's `pxelab.*` values.
public struct BootScript: Sendable, Equatable {
    public var endpoint: String
    public var device: String
    public var token: String
    public var mode: String
    /// The boot source override this boot honours, as `Pxe-Once`; nil for none.
    public var override: String?

    /// Reads the `kernel` line of a per-device script; nil for a script without one (the
    /// "unknown device" script).
    public init?(script: String) {
        guard let kernel = script.split(separator: "\n").first(where: { $0.hasPrefix("kernel ") }) else { return nil }
        var values: [String: String] = [:]
        for word in kernel.split(separator: " ") where word.hasPrefix("pxelab.") {
            let pair = word.dropFirst("pxelab.".count).split(separator: "=", maxSplits: 1)
            if pair.count == 2 { values[String(pair[0])] = String(pair[1]) }
        }
        guard let endpoint = values["endpoint"], let device = values["device"], let token = values["token"],
              let mode = values["mode"] else { return nil }
        self.init(endpoint: endpoint, device: device, token: token, mode: mode,
                  override: values["override"].flatMap { $0 == "none" ? nil : $0 })
    }

    public init(endpoint: String, device: String, token: String, mode: String, override: String? = nil) {
        self.endpoint = endpoint
        self.device = device
        self.token = token
        self.mode = mode
        self.override = override
    }

    /// The kernel command line of a real guest carries the same values.
    public init?(kernelCommandLine: String) {
        self.init(script: "kernel " + kernelCommandLine)
    }
}
