public import Autopilot

extension AutopilotService {
    /// Adds a deployment profile, created now. Its assignments and exclusions must name groups the
    /// tenant has; its id and display name must be new.
    public func addProfile(_ profile: DeploymentProfile) throws -> DeploymentProfile {
        var profile = profile
        profile.createdDateTime = clock()
        profile.lastModifiedDateTime = profile.createdDateTime
        return try configure { configuration in
            try Self.checkGroups(profile.assignments + profile.exclusions, in: configuration)
            guard !configuration.profiles.contains(where: { $0.id == profile.id || $0.displayName == profile.displayName }) else {
                throw LabError.profileExists(profile.displayName)
            }
            configuration.profiles.append(profile)
            return profile
        }
    }

    /// Deletes a deployment profile; the devices it reached get another one, or none, at their
    /// next resolution.
    public func deleteProfile(id: String) throws {
        try configure { configuration in
            guard configuration.profiles.contains(where: { $0.id == id }) else { throw LabError.noProfile(id: id) }
            configuration.profiles.removeAll { $0.id == id }
        }
    }

    /// Assigns the profile with this display name to these groups (replacing its assignments).
    public func assign(profileNamed name: String, to groups: [String]) throws {
        try configure { configuration in
            try Self.checkGroups(groups, in: configuration)
            let indices = configuration.profiles.indices.filter { configuration.profiles[$0].displayName == name }
            guard !indices.isEmpty else { throw LabError.noProfileNamed(name) }
            for index in indices { configuration.profiles[index].assignments = groups }
        }
    }

    private static func checkGroups(_ names: [String], in configuration: ServiceConfiguration) throws {
        let groups = Set(configuration.groups.map(\.displayName)).union([DeploymentProfile.allDevices])
        if let missing = names.first(where: { !groups.contains($0) }) { throw LabError.unknownGroup(missing) }
    }
}
