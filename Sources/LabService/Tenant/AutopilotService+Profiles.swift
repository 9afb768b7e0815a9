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

    static func checkGroups(_ names: [String], in configuration: ServiceConfiguration) throws {
        let groups = Set(configuration.groups.map(\.displayName)).union([DeploymentProfile.allDevices])
        if let missing = names.first(where: { !groups.contains($0) }) { throw LabError.unknownGroup(missing) }
    }
}

extension AutopilotService {
    /// Where a profile is assigned, as Intune's assignment targets say it.
    public enum ProfileTarget: Sendable, Equatable, Hashable {
        /// A group, by display name.
        case group(String)
        /// A group excluded from the profile, by display name.
        case exclusion(String)
        /// Every device of the tenant.
        case allDevices
    }

    /// A profile by id.
    public func profile(id: String) throws -> DeploymentProfile {
        guard let profile = configuration.profiles.first(where: { $0.id == id }) else { throw LabError.noProfile(id: id) }
        return profile
    }

    /// Replaces a profile's settings with `profile`'s (Graph's PATCH of the whole object): its id,
    /// creation time and assignments stay; it is modified now. The display name must stay unique.
    public func replaceProfile(id: String, with profile: DeploymentProfile) throws -> DeploymentProfile {
        let now = clock()
        return try configure { configuration in
            guard let index = configuration.profiles.firstIndex(where: { $0.id == id }) else { throw LabError.noProfile(id: id) }
            guard !configuration.profiles.contains(where: { $0.id != id && $0.displayName == profile.displayName }) else {
                throw LabError.profileExists(profile.displayName)
            }
            let current = configuration.profiles[index]
            var next = profile
            next.id = id
            next.createdDateTime = current.createdDateTime
            next.lastModifiedDateTime = now
            next.assignments = current.assignments
            next.exclusions = current.exclusions
            configuration.profiles[index] = next
            return next
        }
    }

    /// Deletes a profile as Intune does: refused while it is assigned.
    public func deleteUnassignedProfile(id: String) throws {
        try configure { configuration in
            guard let profile = configuration.profiles.first(where: { $0.id == id }) else { throw LabError.noProfile(id: id) }
            guard profile.assignments.isEmpty && profile.exclusions.isEmpty else { throw LabError.profileAssigned(profile.displayName) }
            configuration.profiles.removeAll { $0.id == id }
        }
    }

    /// The profile's assignment targets, in the order they were made (exclusions after).
    public func targets(ofProfile id: String) throws -> [ProfileTarget] {
        let profile = try profile(id: id)
        return profile.assignments.map { $0 == DeploymentProfile.allDevices ? .allDevices : .group($0) }
            + profile.exclusions.map(ProfileTarget.exclusion)
    }

    /// Assigns a profile to a target (nothing changes when it is assigned there already). Only one
    /// profile may target All Devices, and a group is either included or excluded.
    public func assign(profileID id: String, to target: ProfileTarget) throws {
        try configure { configuration in
            guard let index = configuration.profiles.firstIndex(where: { $0.id == id }) else { throw LabError.noProfile(id: id) }
            var profile = configuration.profiles[index]
            switch target {
            case .allDevices:
                if let other = configuration.profiles.first(where: { $0.id != id && $0.assignments.contains(DeploymentProfile.allDevices) }) {
                    throw LabError.allDevicesTaken(byProfile: other.id)
                }
                if !profile.assignments.contains(DeploymentProfile.allDevices) { profile.assignments.append(DeploymentProfile.allDevices) }
            case .group(let name):
                try Self.checkGroups([name], in: configuration)
                guard !profile.exclusions.contains(name) else { throw LabError.groupIncludedAndExcluded(name) }
                if !profile.assignments.contains(name) { profile.assignments.append(name) }
            case .exclusion(let name):
                try Self.checkGroups([name], in: configuration)
                guard !profile.assignments.contains(name) else { throw LabError.groupIncludedAndExcluded(name) }
                if !profile.exclusions.contains(name) { profile.exclusions.append(name) }
            }
            configuration.profiles[index] = profile
        }
    }

    /// Removes one of a profile's targets. Returns whether it had it.
    @discardableResult
    public func unassign(profileID id: String, from target: ProfileTarget) throws -> Bool {
        try configure { configuration in
            guard let index = configuration.profiles.firstIndex(where: { $0.id == id }) else { throw LabError.noProfile(id: id) }
            let before = configuration.profiles[index]
            switch target {
            case .allDevices: configuration.profiles[index].assignments.removeAll { $0 == DeploymentProfile.allDevices }
            case .group(let name): configuration.profiles[index].assignments.removeAll { $0 == name }
            case .exclusion(let name): configuration.profiles[index].exclusions.removeAll { $0 == name }
            }
            return configuration.profiles[index] != before
        }
    }

    /// The registrations a profile reaches (the oldest-created profile wins where several do).
    public func assignedDevices(ofProfile id: String) throws -> [RegistrationState] {
        _ = try profile(id: id)
        return try states(of: registrations()).filter { $0.profile?.id == id }
    }
}
