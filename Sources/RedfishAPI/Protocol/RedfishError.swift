import Foundation
import HTTPTypes

/// A refusal in Redfish's form: `{"error": {"code", "message", "@Message.ExtendedInfo": [...]}}`
/// with a message id from DMTF's Base registry, as clients and validators read it.
struct RedfishError: Error {
    let status: HTTPResponse.Status
    /// The Base registry message, such as `ResourceNotFound`.
    let messageID: String
    let message: String
    let resolution: String
    /// What the message names (`@odata.id` or property paths).
    let relatedProperties: [String]

    init(_ status: HTTPResponse.Status, _ messageID: String, _ message: String, resolution: String = "None.",
         relatedProperties: [String] = []) {
        self.status = status
        self.messageID = messageID
        self.message = message
        self.resolution = resolution
        self.relatedProperties = relatedProperties
    }

    static let registry = "Base.1.19"

    var body: [String: Any] {
        var info: [String: Any] = [
            "@odata.type": "#Message.v1_3_0.Message", "MessageId": "\(Self.registry).\(messageID)", "Message": message,
            "Severity": status.code >= 500 ? "Critical" : "Warning", "MessageSeverity": status.code >= 500 ? "Critical" : "Warning",
            "Resolution": resolution,
        ]
        if !relatedProperties.isEmpty { info["RelatedProperties"] = relatedProperties }
        return ["error": ["code": "\(Self.registry).GeneralError", "message": message, "@Message.ExtendedInfo": [info]]]
    }

    static func notFound(_ type: String, _ id: String) -> RedfishError {
        RedfishError(.notFound, "ResourceNotFound", "The requested resource of type \(type) named '\(id)' was not found.",
                     resolution: "Provide a valid resource identifier and resubmit the request.")
    }

    static let unauthorized = RedfishError(.unauthorized, "NoValidSession",
                                           "There is no valid session established with the implementation.",
                                           resolution: "Establish a session before attempting any operations.")

    static func methodNotAllowed(_ method: String) -> RedfishError {
        RedfishError(.methodNotAllowed, "OperationNotAllowed", "The HTTP method \(method) is not allowed on this resource.",
                     resolution: "Use an HTTP method the resource's Allow header lists.")
    }

    static func malformedJSON() -> RedfishError {
        RedfishError(.badRequest, "MalformedJSON", "The request body submitted was malformed JSON and could not be parsed by the receiving service.",
                     resolution: "Ensure that the request body is valid JSON and resubmit the request.")
    }

    static func propertyUnknown(_ name: String) -> RedfishError {
        RedfishError(.badRequest, "PropertyUnknown", "The property \(name) is not in the list of valid properties for the resource.",
                     resolution: "Remove the unknown property from the request body and resubmit the request if the operation failed.",
                     relatedProperties: ["#/\(name)"])
    }

    static func propertyValueNotInList(_ value: String, _ name: String) -> RedfishError {
        RedfishError(.badRequest, "PropertyValueNotInList",
                     "The value '\(value)' for the property \(name) is not in the list of acceptable values.",
                     resolution: "Choose a value from the enumeration list that the implementation can support and resubmit the request if the operation failed.",
                     relatedProperties: ["#/\(name.replacingOccurrences(of: ".", with: "/"))"])
    }

    static func propertyValueTypeError(_ name: String) -> RedfishError {
        RedfishError(.badRequest, "PropertyValueTypeError", "The value for the property \(name) is of a different type than the property can accept.",
                     resolution: "Correct the value for the property in the request body and resubmit the request if the operation failed.",
                     relatedProperties: ["#/\(name.replacingOccurrences(of: ".", with: "/"))"])
    }

    static func propertyMissing(_ name: String) -> RedfishError {
        RedfishError(.badRequest, "PropertyMissing", "The property \(name) is a required property and must be included in the request.",
                     resolution: "Ensure that the property is in the request body and has a valid value and resubmit the request if the operation failed.",
                     relatedProperties: ["#/\(name)"])
    }

    static func actionParameterMissing(_ action: String, _ parameter: String) -> RedfishError {
        RedfishError(.badRequest, "ActionParameterMissing", "The action \(action) requires the parameter \(parameter) to be present in the request body.",
                     resolution: "Supply the action with the required parameter in the request body when the request is resubmitted.")
    }

    static func actionParameterNotSupported(_ value: String, _ parameter: String, _ action: String) -> RedfishError {
        RedfishError(.badRequest, "ActionParameterValueNotInList",
                     "The value '\(value)' for the parameter \(parameter) in the action \(action) is not in the list of acceptable values.",
                     resolution: "Choose a value from the enumeration list that the implementation can support and resubmit the request if the operation failed.")
    }

    static let preconditionFailed = RedfishError(.preconditionFailed, "PreconditionFailed",
                                                 "The ETag supplied did not match the ETag required to change this resource.",
                                                 resolution: "Try the operation again using the appropriate ETag.")

    static func conflict(_ message: String) -> RedfishError {
        RedfishError(.conflict, "ResourceInUse", message, resolution: "Remove the condition and resubmit the request if the operation failed.")
    }

    static func internalError(_ message: String) -> RedfishError {
        RedfishError(.internalServerError, "InternalError", message,
                     resolution: "Resubmit the request. If the problem persists, consider resetting the service.")
    }
}
