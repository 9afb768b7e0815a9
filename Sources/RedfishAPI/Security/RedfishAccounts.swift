import Crypto
import Foundation
import HummingbirdBcrypt
import LabService
import Synchronization

/// The service's accounts (Redfish's ManagerAccount): the lab's `admin`, whose password is kept
/// owner-only in `<lab folder>/redfish.password`, and accounts made through the AccountService.
/// They are kept in `<lab folder>/redfish-accounts.json` (owner-only, replaced whole at every
/// change, before the change is in force: a change that cannot be written is refused), so they
/// outlive the service as a BMC's do; sessions do not. A password is kept as a bcrypt hash; it is
/// checked with bcrypt once per credential (a login, or the first Basic request with it), never
/// per request: a credential that passed is remembered by a SHA-256 of it until its account changes.
final class RedfishAccounts: Sendable {
    struct Account: Sendable, Codable {
        let id: String
        var userName: String
        var roleID: Role
        var enabled: Bool
        var locked: Bool
        var passwordHash: String
    }

    /// Redfish's predefined roles.
    enum Role: String, Sendable, Codable, CaseIterable {
        case administrator = "Administrator"
        case `operator` = "Operator"
        case readOnly = "ReadOnly"

        var privileges: [String] {
            switch self {
            case .administrator: ["Login", "ConfigureManager", "ConfigureUsers", "ConfigureSelf", "ConfigureComponents"]
            case .operator: ["Login", "ConfigureSelf", "ConfigureComponents"]
            case .readOnly: ["Login", "ConfigureSelf"]
            }
        }
    }

    /// bcrypt's cost: about 60 ms a check here, paid once per credential.
    static let cost: UInt8 = 10
    static let adminUser = "admin"

    /// What the accounts file holds.
    private struct Stored: Codable {
        var accounts: [Account]
        var nextID: Int
    }

    private struct State {
        var stored: Stored
        /// The admin's password, as `redfish.password` holds it.
        var adminPassword: String
        /// SHA-256 of "user\0password" of the credentials bcrypt accepted.
        var verified: Set<Data> = []
        var accounts: [Account] {
            get { stored.accounts }
            set { stored.accounts = newValue }
        }
    }
    private let state: Mutex<State>
    private let directory: LabDirectory
    private let accountsFile: URL
    private let passwordFile: URL

    /// The accounts of the lab folder's `redfish-accounts.json`, or the lab's admin alone (its
    /// password made on first use in `redfish.password`) before the first change. A file that
    /// cannot be read is an error naming it.
    init(in directory: LabDirectory) throws {
        self.directory = directory
        accountsFile = directory.path("redfish-accounts.json")
        passwordFile = directory.path("redfish.password")
        let password = try Secret.stored(at: passwordFile) { String(Secret.make().prefix(24)) }
        let stored: Stored
        if FileManager.default.fileExists(atPath: accountsFile.path) {
            do {
                stored = try JSONDecoder().decode(Stored.self, from: Data(contentsOf: accountsFile))
            } catch {
                throw LabError.unreadable(file: accountsFile.path, problem: "\(error)")
            }
            guard stored.accounts.contains(where: { $0.userName == Self.adminUser }) else {
                throw LabError.unreadable(file: accountsFile.path, problem: "it has no '\(Self.adminUser)' account")
            }
        } else {
            stored = Stored(accounts: [Account(id: "1", userName: Self.adminUser, roleID: .administrator, enabled: true, locked: false,
                                               passwordHash: Bcrypt.hash(password, cost: Self.cost))], nextID: 2)
        }
        state = Mutex(State(stored: stored, adminPassword: password))
    }

    /// The admin account's password (for tests and for the operator to read from the file).
    var adminPassword: String { state.withLock { $0.adminPassword } }

    /// Applies a change to a copy, writes it, then puts it in force: a change the file does not
    /// take is not made.
    private func change<Result>(_ body: (inout State) throws(RedfishError) -> Result) throws(RedfishError) -> Result {
        try state.withLock { (state) throws(RedfishError) -> Result in
            var next = state
            let result = try body(&next)
            do {
                try directory.writeAtomically(Data(try JSONEncoder().encode(next.stored)), to: accountsFile)
            } catch {
                throw RedfishError.internalError("the accounts could not be written to \(accountsFile.path): \(error)")
            }
            if next.adminPassword != state.adminPassword {
                do {
                    try directory.writeAtomically(Data((next.adminPassword + "\n").utf8), to: passwordFile)
                } catch {
                    // The accounts go back as they were, so the two files agree.
                    try? directory.writeAtomically(Data(try JSONEncoder().encode(state.stored)), to: accountsFile)
                    throw RedfishError.internalError("the admin password could not be written to \(passwordFile.path): \(error)")
                }
            }
            state = next
            return result
        }
    }

    var all: [Account] { state.withLock { $0.accounts } }

    func account(id: String) -> Account? { state.withLock { $0.accounts.first { $0.id == id } } }

    /// The enabled account of credentials seen to pass before (a SHA-256 of them, no bcrypt), or nil.
    func known(user: String, password: String) -> Account? {
        let key = Self.key(user, password)
        return state.withLock { state in
            state.verified.contains(key) ? state.accounts.first { $0.userName == user && $0.enabled && !$0.locked } : nil
        }
    }

    static func key(_ user: String, _ password: String) -> Data {
        Data(SHA256.hash(data: Data("\(user)\u{0}\(password)".utf8)))
    }

    /// The enabled account these credentials name, or nil. bcrypt runs only for a credential not
    /// seen to pass before (it blocks for tens of milliseconds: call it off the cooperative pool).
    func authenticate(user: String, password: String) -> Account? {
        let key = Self.key(user, password)
        let (account, known) = state.withLock { state in
            (state.accounts.first { $0.userName == user && $0.enabled && !$0.locked }, state.verified.contains(key))
        }
        guard let account else { return nil }
        if known { return account }
        guard Bcrypt.verify(password, hash: account.passwordHash) else { return nil }
        state.withLock { state in
            // Remembered only if the account did not change meanwhile.
            if state.accounts.contains(where: { $0.id == account.id && $0.passwordHash == account.passwordHash }) {
                state.verified.insert(key)
            }
        }
        return account
    }

    /// Adds an account; its user name must be new.
    func add(userName: String, password: String, role: Role, enabled: Bool) throws(RedfishError) -> Account {
        guard !userName.isEmpty else { throw .propertyMissing("UserName") }
        try Self.check(password: password)
        let hash = Bcrypt.hash(password, cost: Self.cost)
        return try change { (state) throws(RedfishError) -> Account in
            guard !state.accounts.contains(where: { $0.userName == userName }) else {
                throw RedfishError(.badRequest, "ResourceAlreadyExists", "The requested resource already exists.",
                                   resolution: "Do not repeat the create operation as the resource has already been created.",
                                   relatedProperties: ["#/UserName"])
            }
            let account = Account(id: String(state.stored.nextID), userName: userName, roleID: role, enabled: enabled, locked: false, passwordHash: hash)
            state.stored.nextID += 1
            state.accounts.append(account)
            return account
        }
    }

    /// Changes an account; a new password or user name forgets the credentials that passed.
    func update(id: String, userName: String?, password: String?, role: Role?, enabled: Bool?, locked: Bool?) throws(RedfishError) -> Account {
        if let password { try Self.check(password: password) }
        let hash = password.map { Bcrypt.hash($0, cost: Self.cost) }
        return try change { (state) throws(RedfishError) -> Account in
            guard let index = state.accounts.firstIndex(where: { $0.id == id }) else { throw .notFound("ManagerAccount", id) }
            if let userName, state.accounts.contains(where: { $0.userName == userName && $0.id != id }) {
                throw RedfishError(.badRequest, "ResourceAlreadyExists", "The requested resource already exists.",
                                   relatedProperties: ["#/UserName"])
            }
            if state.accounts[index].userName == Self.adminUser,
               (role.map { $0 != .administrator } ?? false) || enabled == false || (userName.map { $0 != Self.adminUser } ?? false) {
                throw RedfishError.conflict("The lab's admin account stays an enabled Administrator named \(Self.adminUser).")
            }
            if let userName { state.accounts[index].userName = userName }
            if let hash { state.accounts[index].passwordHash = hash }
            // The admin's password file keeps telling the operator the password.
            if let password, state.accounts[index].userName == Self.adminUser { state.adminPassword = password }
            if let role { state.accounts[index].roleID = role }
            if let enabled { state.accounts[index].enabled = enabled }
            if let locked { state.accounts[index].locked = locked }
            if userName != nil || hash != nil || enabled == false || locked == true { state.verified.removeAll() }
            return state.accounts[index]
        }
    }

    func delete(id: String) throws(RedfishError) {
        try change { (state) throws(RedfishError) in
            guard let index = state.accounts.firstIndex(where: { $0.id == id }) else { throw .notFound("ManagerAccount", id) }
            guard state.accounts[index].userName != Self.adminUser else {
                throw RedfishError.conflict("The lab's admin account cannot be deleted.")
            }
            state.accounts.remove(at: index)
            state.verified.removeAll()
        }
    }

    static let minimumPasswordLength = 8
    static let maximumPasswordLength = 64

    static func check(password: String) throws(RedfishError) {
        guard (minimumPasswordLength...maximumPasswordLength).contains(password.count) else {
            throw RedfishError(.badRequest, "PropertyValueFormatError",
                               "The value for the property Password is of a different format than the property can accept.",
                               resolution: "Use a password of \(minimumPasswordLength) to \(maximumPasswordLength) characters.",
                               relatedProperties: ["#/Password"])
        }
    }
}
