import ArgumentParser

@main
struct PXELab: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pxelab",
        abstract: "A network-boot lab for Windows Autopilot-style deployments.",
        discussion: """
        pxelab stands up a fleet of virtual devices, each with its own synthetic hardware identity \
        (SMBIOS serial, manufacturer, model, SKU, UUID, MAC), boots them from the network, walks them \
        through the out-of-box experience against an emulated Autopilot service, and then resets, \
        repurposes and recovers them - again and again, without a cloud tenant.

        A lab is one YAML file (see Topologies/demo.yaml): libvirt hosts, device models, the fleet, \
        and the Autopilot tenant, groups, profiles, ESP and apps it deploys against. Devices run on \
        the embedded default (libvirt's in-process test driver: fast, no daemon) or as real QEMU VMs \
        through libvirt (qemu:///system).

        Start with:
          pxelab validate Topologies/demo.yaml
          pxelab up Topologies/demo.yaml
          pxelab devices
          pxelab registry --lab Topologies/demo.yaml
        """,
        subcommands: [Validate.self, Up.self, Down.self, Devices.self, Serve.self, Run.self, HashCommand.self, ImportCSV.self, ExportCSV.self,
                      CloneDevice.self, Registry.self, ProfileCommand.self, Reset.self, Repurpose.self, Recover.self,
                      Break.self, Retire.self, Snapshot.self, Revert.self, Screenshot.self]
    )
}
