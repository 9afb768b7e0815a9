import Foundation
import Glibc

// A small driver for headless Chromium over the DevTools protocol (CDP), for tests of the live
// dashboard in a real browser.
//
// Chromium is started with `--remote-debugging-pipe`: it reads CDP commands from its fd 3 and
// writes responses and events to its fd 4, each message JSON followed by a NUL byte. A reader
// thread splits what arrives into messages, hands each response to the task waiting for its id,
// and keeps the errors a page reports (uncaught exceptions, `console.error`). Every command has a
// timeout, so a hung browser fails a test instead of hanging it.

/// What went wrong driving the browser: it is missing, it died, a command failed or timed out, or
/// a script in the page threw.
public struct BrowserError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// A headless Chromium process driven over the DevTools protocol. Start one with ``launch()``,
/// open pages with ``open(_:)``, and ``close()`` it when done (deinit closes it too).
public final class HeadlessChromium: @unchecked Sendable {
    /// How long any one command may take before it fails.
    public static let commandTimeout: Double = 60

    private let connection: CDPConnection
    private let pid: pid_t
    private let profile: URL
    private let state = NSLock()
    private var closed = false

    private init(connection: CDPConnection, pid: pid_t, profile: URL) {
        self.connection = connection
        self.pid = pid
        self.profile = profile
    }

    deinit { close() }

    /// Starts Chromium: `PXELAB_CHROMIUM` if set, else `/usr/bin/chromium`, headless, with a
    /// fresh temporary profile and a 1280×900 window.
    public static func launch() throws -> HeadlessChromium {
        let path = ProcessInfo.processInfo.environment["PXELAB_CHROMIUM"] ?? "/usr/bin/chromium"
        guard access(path, X_OK) == 0 else {
            throw BrowserError("chromium is not installed: make test installs it (apt-get install chromium)"
                               + (path == "/usr/bin/chromium" ? "" : " [PXELAB_CHROMIUM=\(path) is not executable]"))
        }
        // A write to the pipe of a browser that died must fail with EPIPE, not kill the tests.
        signal(SIGPIPE, SIG_IGN)

        let profile = FileManager.default.temporaryDirectory
            .appendingPathComponent("pxelab-chromium-\(UUID().uuidString.prefix(8))", isDirectory: true)
        try FileManager.default.createDirectory(at: profile, withIntermediateDirectories: true)

        // Both pipes' ends live at fds >= 10 with close-on-exec, so the child's dup2 onto 3 and 4
        // never collides with them, and only fds 3 and 4 (and 0-2) survive into Chromium.
        let commands = try makePipe()    // we write [1], Chromium reads [0] as its fd 3
        let responses = try makePipe()   // Chromium writes [1] as its fd 4, we read [0]

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, commands.read, 3)
        posix_spawn_file_actions_adddup2(&actions, responses.write, 4)
        try addCloseFrom(5, to: &actions)

        let arguments = [path, "--headless", "--no-sandbox", "--disable-gpu", "--remote-debugging-pipe",
                         "--user-data-dir=\(profile.path)", "--window-size=1280,900",
                         "--no-first-run", "--no-default-browser-check", "--disable-dev-shm-usage",
                         "--disable-extensions", "--disable-background-networking", "about:blank"]
        let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = ProcessInfo.processInfo.environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for pointer in argv + envp { free(pointer) } }

        var pid: pid_t = 0
        let status = posix_spawn(&pid, path, &actions, nil, argv, envp)
        // The child has its copies; ours of its ends must go, or we would never see EOF.
        Glibc.close(commands.read)
        Glibc.close(responses.write)
        guard status == 0 else {
            Glibc.close(commands.write)
            Glibc.close(responses.read)
            try? FileManager.default.removeItem(at: profile)
            throw BrowserError("could not start \(path): \(String(cString: strerror(status)))")
        }
        let connection = CDPConnection(writeFD: commands.write, readFD: responses.read)
        connection.startReading()
        return HeadlessChromium(connection: connection, pid: pid, profile: profile)
    }

    /// Opens a new page (tab) and navigates it to `url`, returning once the document has loaded
    /// (`document.readyState` is `complete`).
    public func open(_ url: String) async throws -> Page {
        let target = try await connection.send("Target.createTarget", ["url": "about:blank"])
        guard let targetID = target["targetId"] as? String else { throw BrowserError("Target.createTarget gave no targetId") }
        let attached = try await connection.send("Target.attachToTarget", ["targetId": targetID, "flatten": true])
        guard let sessionID = attached["sessionId"] as? String else { throw BrowserError("Target.attachToTarget gave no sessionId") }
        let page = Page(browser: self, connection: connection, targetID: targetID, sessionID: sessionID)
        _ = try await connection.send("Page.enable", session: sessionID)
        _ = try await connection.send("Runtime.enable", session: sessionID)
        try await page.navigate(url)
        return page
    }

    /// Ends the browser: asks it to close, kills it if it has not exited within two seconds, and
    /// removes its temporary profile. Safe to call more than once.
    public func close() {
        state.lock()
        let wasClosed = closed
        closed = true
        state.unlock()
        if wasClosed { return }

        connection.post("Browser.close")
        var status: Int32 = 0
        var exited = false
        for _ in 0..<40 {
            if waitpid(pid, &status, WNOHANG) == pid { exited = true; break }
            usleep(50_000)
        }
        if !exited {
            kill(pid, SIGKILL)
            _ = waitpid(pid, &status, 0)
        }
        connection.shutdown()
        try? FileManager.default.removeItem(at: profile)
    }

    /// A pipe whose ends are moved to fds >= 10, close-on-exec (Glibc's module does not export
    /// `pipe2`, so the originals are open without it for a moment).
    private static func makePipe() throws -> (read: Int32, write: Int32) {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw BrowserError("pipe: \(String(cString: strerror(errno)))") }
        let read = fcntl(fds[0], F_DUPFD_CLOEXEC, 10)
        let write = fcntl(fds[1], F_DUPFD_CLOEXEC, 10)
        Glibc.close(fds[0])
        Glibc.close(fds[1])
        guard read >= 0, write >= 0 else { throw BrowserError("fcntl: \(String(cString: strerror(errno)))") }
        return (read, write)
    }
}

/// A page (tab) of a ``HeadlessChromium``: evaluate scripts, wait for conditions, click, navigate
/// and take screenshots.
public final class Page: @unchecked Sendable {
    private let browser: HeadlessChromium   // keeps the browser alive while a page is in use
    private let connection: CDPConnection
    /// The page's target id and the flat-mode session its commands go to.
    public let targetID: String
    public let sessionID: String

    fileprivate init(browser: HeadlessChromium, connection: CDPConnection, targetID: String, sessionID: String) {
        self.browser = browser
        self.connection = connection
        self.targetID = targetID
        self.sessionID = sessionID
    }

    /// What the page reported as errors so far: uncaught exceptions and unhandled rejections
    /// (`Runtime.exceptionThrown`) and `console.error` calls, oldest first.
    public var errors: [String] { connection.errors(of: sessionID) }

    /// Evaluates a script expression in the page (awaiting it if it is a promise) and returns its
    /// value as JSON gives it (String, NSNumber/Int/Double/Bool, arrays, dictionaries, or nil for
    /// `undefined`/`null`). Throws with the exception's text if the script throws or rejects.
    public func evaluate(_ expression: String) async throws -> sending Any? {
        try await evaluate(expression, timeout: HeadlessChromium.commandTimeout)
    }

    private func evaluate(_ expression: String, timeout: Double) async throws -> sending Any? {
        let reply = try await connection.send("Runtime.evaluate",
                                              ["expression": expression, "returnByValue": true, "awaitPromise": true],
                                              session: sessionID, timeout: timeout)
        if let details = reply["exceptionDetails"] as? [String: Any] {
            let exception = details["exception"] as? [String: Any]
            let text = (exception?["description"] as? String) ?? (exception?["value"] as? String).map { "Uncaught \($0)" }
                ?? (details["text"] as? String) ?? "exception"
            throw BrowserError("script failed: \(text)")
        }
        let result = reply["result"] as? [String: Any]
        let value = result?["value"]
        return value is NSNull ? nil : value
    }

    /// Waits until a JavaScript boolean expression is true in the page. The check runs inside the
    /// page, on every DOM mutation and every 100 ms, as one promise: no polling from Swift. Fails
    /// after `timeout` seconds with `description` and the expression; an exception thrown by the
    /// expression counts as false. If the page loads another document meanwhile (which destroys
    /// the promise), the wait starts again in the new document for the time that is left.
    public func waitUntil(_ condition: String, timeout: Double = 60, _ description: String) async throws {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            let left = max(deadline.timeIntervalSinceNow, 0)
            let script = """
            new Promise((resolve, reject) => {
              const check = () => { try { return !!(\(condition)); } catch (e) { return false; } };
              if (check()) { resolve(true); return; }
              let done = false;
              const finish = (ok) => {
                if (done) return;
                done = true; observer.disconnect(); clearInterval(interval); clearTimeout(timer);
                ok ? resolve(true) : reject(new Error("timed out after \(timeout) s waiting for " + \(jsString(description))
                                                      + ": " + \(jsString(condition))));
              };
              const observer = new MutationObserver(() => { if (check()) finish(true); });
              observer.observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
              const interval = setInterval(() => { if (check()) finish(true); }, 100);
              const timer = setTimeout(() => finish(false), \(Int(left * 1000)));
            })
            """
            do {
                _ = try await evaluate(script, timeout: left + 30)
                return
            } catch let error as BrowserError {
                let navigated = ["navigated or closed", "context was destroyed", "Cannot find context"]
                    .contains { error.description.contains($0) }
                if navigated && deadline.timeIntervalSinceNow > 0.1 {
                    try await Task.sleep(for: .milliseconds(50))   // lets the new document get a context
                    continue
                }
                throw BrowserError("waitUntil(\(description)): \(firstLine(error.description))")
            }
        }
    }

    /// Clicks the first element matching a CSS selector with a real mouse press and release at
    /// its centre, after scrolling it into view. An element that is not there or not visible yet
    /// (no size) is waited for, in the page, up to `timeout` seconds; then the click throws.
    public func click(_ selector: String, timeout: Double = 5) async throws {
        let script = """
        new Promise((resolve, reject) => {
          const find = () => {
            const element = document.querySelector(\(jsString(selector)));
            if (!element) return null;
            const box = element.getBoundingClientRect();
            return box.width > 0 && box.height > 0 ? element : null;
          };
          const done = (element) => {
            observer.disconnect(); clearInterval(interval); clearTimeout(timer);
            element.scrollIntoView({ block: "center", inline: "center", behavior: "instant" });
            const box = element.getBoundingClientRect();
            resolve({ x: box.left + box.width / 2, y: box.top + box.height / 2 });
          };
          const check = () => { const element = find(); if (element) done(element); };
          const observer = new MutationObserver(check);
          const interval = setInterval(check, 100);
          const timer = setTimeout(() => {
            observer.disconnect(); clearInterval(interval);
            reject(new Error(document.querySelector(\(jsString(selector)))
              ? "click: " + \(jsString(selector)) + " has no size (hidden?)" : "click: no element matches " + \(jsString(selector))));
          }, \(Int(timeout * 1000)));
          observer.observe(document, { subtree: true, childList: true, attributes: true });
          check();
        })
        """
        let box: [String: Any]
        do {
            box = try await evaluate(script, timeout: timeout + 30) as? [String: Any] ?? [:]
        } catch let error as BrowserError {
            throw BrowserError(firstLine(error.description).replacingOccurrences(of: "script failed: Error: ", with: ""))
        }
        let x = number(box["x"]), y = number(box["y"])
        _ = try await connection.send("Input.dispatchMouseEvent", ["type": "mouseMoved", "x": x, "y": y], session: sessionID)
        for type in ["mousePressed", "mouseReleased"] {
            _ = try await connection.send("Input.dispatchMouseEvent",
                                          ["type": type, "x": x, "y": y, "button": "left", "buttons": type == "mousePressed" ? 1 : 0,
                                           "clickCount": 1],
                                          session: sessionID)
        }
    }

    /// A PNG screenshot of the page's viewport.
    public func screenshot() async throws -> Data {
        let reply = try await connection.send("Page.captureScreenshot", ["format": "png"], session: sessionID)
        guard let base64 = reply["data"] as? String, let data = Data(base64Encoded: base64) else {
            throw BrowserError("Page.captureScreenshot gave no image")
        }
        return data
    }

    /// Navigates to `url`. A navigation to another document returns once its load event has
    /// fired; a same-document one (a new `#fragment`) returns when the fragment has changed.
    public func navigate(_ url: String) async throws {
        let reply = try await connection.send("Page.navigate", ["url": url], session: sessionID)
        if let error = reply["errorText"] as? String, !error.isEmpty {
            throw BrowserError("navigating to \(url) failed: \(error)")
        }
        if reply["loaderId"] != nil {
            try await waitUntil("document.readyState === 'complete'", timeout: 30, "\(url) to load")
        }
    }

    /// Sends any DevTools protocol command to this page's session and returns its result, for
    /// what the methods above do not cover (e.g. `Performance.getMetrics`, `Emulation.*`).
    public func command(_ method: String, _ params: [String: Any] = [:]) async throws -> sending [String: Any] {
        try await connection.send(method, params, session: sessionID)
    }

    /// Closes the page (tab).
    public func close() async throws {
        _ = try await connection.send("Target.closeTarget", ["targetId": targetID])
    }

    private func number(_ value: Any?) -> Double {
        switch value {
        case let value as Double: value
        case let value as Int: Double(value)
        case let value as NSNumber: value.doubleValue
        default: 0
        }
    }
}

/// An error's first line: the message without the stack of a script we generated.
private func firstLine(_ text: String) -> String {
    String(text.prefix { $0 != "\n" })
}

/// A string as a JavaScript string literal (JSON is a subset of JavaScript).
private func jsString(_ string: String) -> String {
    let data = try! JSONSerialization.data(withJSONObject: [string], options: [.fragmentsAllowed])
    let array = String(decoding: data, as: UTF8.self)
    return String(array.dropFirst().dropLast())
}

/// A JSON object handed from the reader thread to the task that waits for it.
private struct Reply: @unchecked Sendable {
    let object: [String: Any]
}

/// The two pipes to Chromium: numbered commands out, responses (by id) and events in.
private final class CDPConnection: @unchecked Sendable {
    private let writeFD: Int32
    private let readFD: Int32
    private let lock = NSLock()
    private let writeLock = NSLock()
    private var writeClosed = false   // under writeLock: the fd number may be reused once closed
    private var nextID = 1
    private var pending: [Int: CheckedContinuation<Reply, any Error>] = [:]
    private var ended: String?
    private var pageErrors: [String: [String]] = [:]

    init(writeFD: Int32, readFD: Int32) {
        self.writeFD = writeFD
        self.readFD = readFD
    }

    /// Starts the thread that reads Chromium's messages until its end of the pipe closes.
    func startReading() {
        let thread = Thread { [self] in readLoop() }
        thread.name = "chromium-cdp-reader"
        thread.start()
    }

    /// Sends a command and waits for its result (the response's `result` object).
    func send(_ method: String, _ params: [String: Any] = [:], session: String? = nil,
              timeout: Double = HeadlessChromium.commandTimeout) async throws -> sending [String: Any] {
        let message = try encode(method, params, session: session)
        let reply = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Reply, any Error>) in
            lock.lock()
            if let ended {
                lock.unlock()
                continuation.resume(throwing: BrowserError("\(method): \(ended)"))
                return
            }
            let id = nextID
            nextID += 1
            pending[id] = continuation
            lock.unlock()

            var framed = message(id)
            framed.append(0)
            if let problem = write(framed) {
                fail(id, BrowserError("\(method): cannot write to chromium: \(problem)"))
                return
            }
            DispatchQueue.global().asyncAfter(deadline: .now() + timeout) { [self] in
                fail(id, BrowserError("\(method): chromium did not answer within \(timeout) s"))
            }
        }
        if let error = reply.object["error"] as? [String: Any] {
            throw BrowserError("\(method) failed: \(error["message"] as? String ?? "\(error)")")
        }
        return reply.object["result"] as? [String: Any] ?? [:]
    }

    /// Sends a command without waiting for its answer (used to close the browser).
    func post(_ method: String) {
        lock.lock()
        let id = nextID
        nextID += 1
        lock.unlock()
        guard let message = try? encode(method, [:], session: nil) else { return }
        var framed = message(id)
        framed.append(0)
        _ = write(framed)
    }

    /// Closes our end of the command pipe and fails whatever still waits (the reader thread
    /// closes the other pipe when Chromium's end of it closes).
    func shutdown() {
        writeLock.lock()
        if !writeClosed { Glibc.close(writeFD) }
        writeClosed = true
        writeLock.unlock()
        endAll("chromium was closed")
    }

    func errors(of session: String) -> [String] {
        lock.lock()
        defer { lock.unlock() }
        return pageErrors[session] ?? []
    }

    /// The message for a command, given its id.
    private func encode(_ method: String, _ params: [String: Any], session: String?) throws -> (Int) -> Data {
        // Validate the parameters now, so that a bad value throws here rather than in a closure.
        _ = try JSONSerialization.data(withJSONObject: params)
        return { id in
            var object: [String: Any] = ["id": id, "method": method, "params": params]
            if let session { object["sessionId"] = session }
            return (try? JSONSerialization.data(withJSONObject: object)) ?? Data()
        }
    }

    /// Writes all of `data`, or says why it could not.
    private func write(_ data: Data) -> String? {
        writeLock.lock()
        defer { writeLock.unlock() }
        if writeClosed { return "the browser was closed" }
        return data.withUnsafeBytes { (buffer: UnsafeRawBufferPointer) -> String? in
            var offset = 0
            while offset < buffer.count {
                let written = Glibc.write(writeFD, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return String(cString: strerror(errno))
                }
                offset += written
            }
            return nil
        }
    }

    private func fail(_ id: Int, _ error: BrowserError) {
        lock.lock()
        let continuation = pending.removeValue(forKey: id)
        lock.unlock()
        continuation?.resume(throwing: error)
    }

    private func endAll(_ reason: String) {
        lock.lock()
        if ended == nil { ended = reason }
        let waiting = pending
        pending = [:]
        lock.unlock()
        for (_, continuation) in waiting { continuation.resume(throwing: BrowserError(reason)) }
    }

    private func readLoop() {
        var buffer = Data()
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(readFD, $0.baseAddress!, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { break }
            buffer.append(contentsOf: chunk[0..<count])
            while let end = buffer.firstIndex(of: 0) {
                let message = buffer[buffer.startIndex..<end]
                buffer = Data(buffer[(end + 1)...])
                handle(message)
            }
        }
        Glibc.close(readFD)
        endAll("chromium exited")
    }

    /// Routes one message: a response to its waiting task, an error event to its page's list;
    /// anything else (other events, junk) is ignored.
    private func handle(_ message: Data) {
        guard let object = (try? JSONSerialization.jsonObject(with: message)) as? [String: Any] else { return }
        if let id = (object["id"] as? NSNumber)?.intValue {
            lock.lock()
            let continuation = pending.removeValue(forKey: id)
            lock.unlock()
            continuation?.resume(returning: Reply(object: object))
            return
        }
        guard let method = object["method"] as? String, let session = object["sessionId"] as? String,
              let params = object["params"] as? [String: Any] else { return }
        var error: String?
        switch method {
        case "Runtime.exceptionThrown":
            let details = params["exceptionDetails"] as? [String: Any]
            let exception = details?["exception"] as? [String: Any]
            error = (exception?["description"] as? String) ?? (details?["text"] as? String) ?? "exception"
        case "Runtime.consoleAPICalled" where params["type"] as? String == "error":
            let arguments = params["args"] as? [[String: Any]] ?? []
            error = "console.error: " + arguments.map { argument in
                if let value = argument["value"] { return "\(value)" }
                return argument["description"] as? String ?? "?"
            }.joined(separator: " ")
        default:
            break
        }
        guard let error else { return }
        lock.lock()
        pageErrors[session, default: []].append(error)
        lock.unlock()
    }
}
