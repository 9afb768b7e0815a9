import Foundation
import HTTPTypes

/// `SessionService` (login, sessions, logout, the idle timeout), `AccountService` (accounts and
/// roles) and `TaskService` (what a reset started).
extension RedfishService {
    static let sessionsPath = "/redfish/v1/SessionService/Sessions"
    static let accountsPath = "/redfish/v1/AccountService/Accounts"
    static let rolesPath = "/redfish/v1/AccountService/Roles"
    static let tasksPath = "/redfish/v1/TaskService/Tasks"

    /// A POST to a collection's `Members` is a POST to the collection, as Redfish has it.
    static func membersAsCollection(_ path: [String], _ request: RedfishRequest) -> [String] {
        request.method == .post && path.count == 2 && path[1] == "Members" ? [path[0]] : path
    }

    // MARK: Sessions

    func sessionService(_ request: RedfishRequest, _ path: [String], caller: Caller?) throws -> Reply {
        let path = Self.membersAsCollection(path, request)
        switch path {
        case []:
            switch request.method {
            case .get, .head: return Reply(sessionServiceBody(), allow: [.get, .head, .patch])
            case .patch:
                try caller?.requires("ConfigureManager")
                let body = try request.object()
                for key in body.keys where key != "SessionTimeout" && !key.hasPrefix("@") { throw RedfishError.propertyUnknown(key) }
                if let value = body["SessionTimeout"] {
                    guard let seconds = value as? Int, !(value is Bool) else { throw RedfishError.propertyValueTypeError("SessionTimeout") }
                    guard RedfishSessions.timeoutRange.contains(seconds) else {
                        throw RedfishError(.badRequest, "PropertyValueOutOfRange",
                                           "The value '\(seconds)' for the property SessionTimeout is not in the supported range of acceptable values.",
                                           relatedProperties: ["#/SessionTimeout"])
                    }
                    sessions.setTimeout(seconds)
                }
                return Reply(sessionServiceBody(), allow: [.get, .head, .patch])
            default: throw MethodNotAllowed(allowed: [.get, .head, .patch])
            }
        case ["Sessions"]:
            switch request.method {
            case .get, .head:
                guard caller != nil else { throw RedfishError.unauthorized }
                return Reply(Self.collection(Self.sessionsPath, type: "SessionCollection", name: "Session Collection",
                                             members: sessions.all.map { Self.sessionsPath + "/" + $0.id }), allow: [.get, .head, .post])
            case .post:
                return try login(request.object())
            default: throw MethodNotAllowed(allowed: [.get, .head, .post])
            }
        case _ where path.count == 2 && path[0] == "Sessions":
            let id = path[1]
            guard let session = sessions.session(id: id) else { throw RedfishError.notFound("Session", id) }
            switch request.method {
            case .get, .head: return Reply(sessionBody(session), allow: [.get, .head, .delete])
            case .delete:
                if caller?.sessionID != id { try caller?.requires("ConfigureManager") }
                sessions.close(id: id)
                return Reply(status: .noContent, nil)
            default: throw MethodNotAllowed(allowed: [.get, .head, .delete])
            }
        default:
            throw RedfishError.notFound("Resource", "/redfish/v1/SessionService/" + path.joined(separator: "/"))
        }
    }

    func sessionServiceBody() -> [String: Any] {
        ["@odata.id": "/redfish/v1/SessionService", "@odata.type": "#SessionService.v1_2_0.SessionService", "Id": "SessionService",
         "Name": "Session Service", "ServiceEnabled": true, "SessionTimeout": sessions.timeout, "Status": Self.enabled,
         "Sessions": Self.link(Self.sessionsPath)]
    }

    func sessionBody(_ session: RedfishSessions.Session) -> [String: Any] {
        ["@odata.id": Self.sessionsPath + "/" + session.id, "@odata.type": "#Session.v1_8_0.Session", "Id": session.id,
         "Name": "Session of \(session.userName)", "UserName": session.userName, "CreatedTime": Self.dateTime(session.created)]
    }

    /// A login: 201 with the session, its `X-Auth-Token` and `Location`. The password is checked
    /// with bcrypt once; the session's requests are checked by their token.
    func login(_ body: [String: Any]) throws -> Reply {
        guard let user = body["UserName"] as? String else { throw RedfishError.propertyMissing("UserName") }
        guard let password = body["Password"] as? String else { throw RedfishError.propertyMissing("Password") }
        guard let account = accounts.authenticate(user: user, password: password) else {
            throw RedfishError(.unauthorized, "NoValidSession", "The user name or password is not valid.",
                               resolution: "Log in with valid credentials.")
        }
        let session = sessions.open(for: account)
        var reply = Reply(status: .created, sessionBody(session), allow: [.get, .head, .delete])
        reply.headers[RedfishHeaders.authToken] = session.token
        reply.headers[.location] = Self.sessionsPath + "/" + session.id
        return reply
    }

    // MARK: Accounts

    func accountService(_ request: RedfishRequest, _ path: [String], caller: Caller?) throws -> Reply {
        let path = Self.membersAsCollection(path, request)
        switch path {
        case []:
            return try only(request, [.get, .head]) {
                Reply(["@odata.id": "/redfish/v1/AccountService", "@odata.type": "#AccountService.v1_18_1.AccountService",
                       "Id": "AccountService", "Name": "Account Service", "ServiceEnabled": true, "Status": Self.enabled,
                       "MinPasswordLength": RedfishAccounts.minimumPasswordLength, "MaxPasswordLength": RedfishAccounts.maximumPasswordLength,
                       "AccountLockoutThreshold": 0, "AuthFailureLoggingThreshold": 0,
                       "Accounts": Self.link(Self.accountsPath), "Roles": Self.link(Self.rolesPath)])
            }
        case ["Accounts"]:
            switch request.method {
            case .get, .head:
                return Reply(Self.collection(Self.accountsPath, type: "ManagerAccountCollection", name: "Accounts Collection",
                                             members: accounts.all.map { Self.accountsPath + "/" + $0.id }), allow: [.get, .head, .post])
            case .post:
                try caller?.requires("ConfigureUsers")
                let body = try request.object()
                for key in body.keys where !["UserName", "Password", "RoleId", "Enabled", "Locked"].contains(key) && !key.hasPrefix("@") {
                    throw RedfishError.propertyUnknown(key)
                }
                guard let user = body["UserName"] as? String else { throw RedfishError.propertyMissing("UserName") }
                guard let password = body["Password"] as? String else { throw RedfishError.propertyMissing("Password") }
                let role = try Self.role(body["RoleId"] ?? "ReadOnly")
                let account = try accounts.add(userName: user, password: password, role: role, enabled: (body["Enabled"] as? Bool) ?? true)
                var reply = Reply(status: .created, accountBody(account), allow: [.get, .head, .patch, .delete])
                reply.headers[.location] = Self.accountsPath + "/" + account.id
                return reply
            default: throw MethodNotAllowed(allowed: [.get, .head, .post])
            }
        case _ where path.count == 2 && path[0] == "Accounts":
            let id = path[1]
            guard let account = accounts.account(id: id) else { throw RedfishError.notFound("ManagerAccount", id) }
            switch request.method {
            case .get, .head: return Reply(accountBody(account), allow: [.get, .head, .patch, .delete])
            case .patch:
                let body = try request.object()
                let changesOthers = body.keys.contains { $0 != "Password" && !$0.hasPrefix("@") }
                if caller?.account.id != id || changesOthers { try caller?.requires("ConfigureUsers") }
                try Self.checkIfMatch(request, accountBody(account))
                for key in body.keys where !["UserName", "Password", "RoleId", "Enabled", "Locked"].contains(key) && !key.hasPrefix("@") {
                    throw RedfishError.propertyUnknown(key)
                }
                func text(_ key: String) throws(RedfishError) -> String? {
                    guard let value = body[key] else { return nil }
                    guard let text = value as? String else { throw .propertyValueTypeError(key) }
                    return text
                }
                func flag(_ key: String) throws(RedfishError) -> Bool? {
                    guard let value = body[key] else { return nil }
                    guard let flag = value as? Bool else { throw .propertyValueTypeError(key) }
                    return flag
                }
                let changed = try accounts.update(id: id, userName: text("UserName"), password: text("Password"),
                                                  role: try body["RoleId"].map(Self.role), enabled: flag("Enabled"), locked: flag("Locked"))
                if body["Password"] != nil || body["Enabled"] as? Bool == false { sessions.close(accountID: id) }
                return Reply(accountBody(changed), allow: [.get, .head, .patch, .delete])
            case .delete:
                try caller?.requires("ConfigureUsers")
                try accounts.delete(id: id)
                sessions.close(accountID: id)
                return Reply(status: .noContent, nil)
            default: throw MethodNotAllowed(allowed: [.get, .head, .patch, .delete])
            }
        case ["Roles"]:
            return try only(request, [.get, .head]) {
                Reply(Self.collection(Self.rolesPath, type: "RoleCollection", name: "Roles Collection",
                                      members: RedfishAccounts.Role.allCases.map { Self.rolesPath + "/" + $0.rawValue }))
            }
        case _ where path.count == 2 && path[0] == "Roles":
            let id = path[1]
            guard let role = RedfishAccounts.Role(rawValue: id) else { throw RedfishError.notFound("Role", id) }
            return try only(request, [.get, .head]) {
                Reply(["@odata.id": Self.rolesPath + "/" + id, "@odata.type": "#Role.v1_3_3.Role", "Id": id, "Name": "\(id) role",
                       "RoleId": id, "IsPredefined": true, "AssignedPrivileges": role.privileges])
            }
        default:
            throw RedfishError.notFound("Resource", "/redfish/v1/AccountService/" + path.joined(separator: "/"))
        }
    }

    static func role(_ value: Any) throws(RedfishError) -> RedfishAccounts.Role {
        guard let text = value as? String else { throw .propertyValueTypeError("RoleId") }
        guard let role = RedfishAccounts.Role(rawValue: text) else { throw .propertyValueNotInList(text, "RoleId") }
        return role
    }

    func accountBody(_ account: RedfishAccounts.Account) -> [String: Any] {
        ["@odata.id": Self.accountsPath + "/" + account.id, "@odata.type": "#ManagerAccount.v1_14_1.ManagerAccount",
         "Id": account.id, "Name": "User Account", "UserName": account.userName, "RoleId": account.roleID.rawValue,
         "Enabled": account.enabled, "Locked": account.locked, "Password": NSNull(), "AccountTypes": ["Redfish"],
         "Links": ["Role": Self.link(Self.rolesPath + "/" + account.roleID.rawValue)]]
    }

    // MARK: Tasks

    static func taskMonitorPath(_ id: String) -> String { tasksPath + "/\(id)/Monitor" }

    func taskService(_ request: RedfishRequest, _ path: [String]) throws -> Reply {
        switch path {
        case []:
            return try only(request, [.get, .head]) {
                Reply(["@odata.id": "/redfish/v1/TaskService", "@odata.type": "#TaskService.v1_3_0.TaskService", "Id": "TaskService",
                       "Name": "Task Service", "ServiceEnabled": true, "CompletedTaskOverWritePolicy": "Oldest",
                       "LifeCycleEventOnTaskStateChange": false, "Status": Self.enabled, "Tasks": Self.link(Self.tasksPath)])
            }
        case ["Tasks"]:
            return try only(request, [.get, .head]) {
                Reply(Self.collection(Self.tasksPath, type: "TaskCollection", name: "Task Collection",
                                      members: tasks.all.map { Self.tasksPath + "/" + $0.id }))
            }
        case _ where path.count == 2 && path[0] == "Tasks":
            let id = path[1]
            guard let task = tasks.task(id) else { throw RedfishError.notFound("Task", id) }
            return try only(request, [.get, .head]) { Reply(taskBody(task)) }
        case _ where path.count == 3 && path[0] == "Tasks" && path[2] == "Monitor":
            let id = path[1]
            guard let task = tasks.task(id) else { throw RedfishError.notFound("Task", id) }
            return try only(request, [.get, .head]) {
                guard task.end != nil else {
                    var reply = Reply(status: .accepted, taskBody(task))
                    reply.headers[.location] = Self.taskMonitorPath(id)
                    reply.headers[.retryAfter] = "1"
                    return reply
                }
                if let message = task.message { throw RedfishError(.internalServerError, "GeneralError", message) }
                return Reply(status: .noContent, nil)
            }
        default:
            throw RedfishError.notFound("Resource", "/redfish/v1/TaskService/" + path.joined(separator: "/"))
        }
    }

    func taskBody(_ task: RedfishTasks.Task) -> [String: Any] {
        var body: [String: Any] = [
            "@odata.id": Self.tasksPath + "/" + task.id, "@odata.type": "#Task.v1_7_4.Task", "Id": task.id, "Name": task.name,
            "TaskState": task.state, "TaskStatus": task.status, "StartTime": Self.dateTime(task.start),
            "TaskMonitor": Self.taskMonitorPath(task.id), "PercentComplete": task.end == nil ? 0 : 100,
            "Messages": task.message.map { [["@odata.type": "#Message.v1_3_0.Message", "MessageId": "\(RedfishError.registry).GeneralError",
                                             "Message": $0, "Severity": "Critical", "MessageSeverity": "Critical", "Resolution": "None."]] } ?? [],
        ]
        if let end = task.end { body["EndTime"] = Self.dateTime(end) }
        return body
    }

    static func dateTime(_ date: Date) -> String {
        date.formatted(.iso8601.year().month().day().dateSeparator(.dash).time(includingFractionalSeconds: false).timeSeparator(.colon)) + "+00:00"
    }
}
