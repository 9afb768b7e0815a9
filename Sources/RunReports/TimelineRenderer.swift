import Foundation
import DeviceProtocol
import LabService
import LibXML

/// Draws devices' time lines as swimlanes with HTML and CSS only: a lane per device, a bar per
/// phase placed and sized in percent of the run, a mark per failure, retry or flow step, and a
/// `title` on each with its times (shown on hover).
enum TimelineRenderer {
    static func render(_ devices: [DeviceResult], into parent: XMLElement) {
        let end = devices.flatMap { $0.timeline.spans.map(\.end) + $0.timeline.marks.map(\.time) }.max() ?? 0
        let start = min(0, devices.flatMap { $0.timeline.spans.map(\.start) }.min() ?? 0)
        let length = max(end - start, 0.001)
        func percent(_ time: Double) -> String { String(format: "%.3f%%", (time - start) / length * 100) }

        let chart = parent.append("div", attributes: ["class": "timeline"])
        let axis = chart.append("div", attributes: ["class": "lane axis"])
        axis.append("div", text: "seconds", attributes: ["class": "label muted"])
        let scale = axis.append("div", attributes: ["class": "track"])
        for tick in ticks(upTo: end, from: start) {
            scale.append("span", text: tick == tick.rounded() ? String(Int(tick)) : String(format: "%g", tick),
                         attributes: ["class": "tick", "style": "left:\(percent(tick))"])
        }
        for device in devices {
            let lane = chart.append("div", attributes: ["class": "lane"])
            lane.append("div", text: device.device, attributes: ["class": "label", "title": "\(device.device): \(device.result.displayName)"])
            let track = lane.append("div", attributes: ["class": "track"])
            for span in device.timeline.spans {
                let title = String(format: "%@: %.2f s (%.2f to %.2f s)", span.phase.displayName, span.end - span.start, span.start, span.end)
                track.append("div", attributes: ["class": "span ph-\(span.phase.rawValue)", "title": title,
                                                 "style": "left:\(percent(span.start));width:\(String(format: "%.3f%%", (span.end - span.start) / length * 100))"])
            }
            for mark in device.timeline.marks {
                let title = String(format: "%.2f s ", mark.time) + "\(mark.phase.rawValue)/\(mark.step)" + (mark.errorCode.map { " \($0)" } ?? "")
                    + (mark.message.map { ": \($0)" } ?? "")
                track.append("div", attributes: ["class": "mark mark-\(mark.kind.rawValue)", "title": title, "style": "left:\(percent(mark.time))"])
            }
            lane.append("div", text: device.result.displayName + (device.errorCode.map { " \($0)" } ?? ""),
                        attributes: ["class": "outcome outcome-\(device.result.rawValue)"])
        }
        let legend = parent.append("ul", attributes: ["class": "legend"])
        let phases = Set(devices.flatMap { $0.timeline.spans.map(\.phase) })
        for phase in OOBEPhase.allCases where phases.contains(phase) {
            let item = legend.append("li")
            item.append("span", attributes: ["class": "swatch ph-\(phase.rawValue)"])
            item.append("span", text: phase.displayName)
        }
        for kind in DeviceTimeline.MarkKind.allCases {
            let label = switch kind {
            case .failed: "failed step (error code)"
            case .info: "retry, reboot, notice"
            case .flow: "lifecycle flow"
            }
            let item = legend.append("li")
            item.append("span", attributes: ["class": "mark-key mark-\(kind.rawValue)"])
            item.append("span", text: label)
        }
    }

    /// Round tick values (1, 2 or 5 times a power of ten apart), about eight of them.
    static func ticks(upTo end: Double, from start: Double = 0) -> [Double] {
        let length = max(end - start, 0.001)
        let raw = length / 8
        let magnitude = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? raw
        let first = Int((start / step).rounded(.up))
        let last = Int((end / step + 1e-9).rounded(.down))
        return first <= last ? (first...last).map { Double($0) * step } : []
    }
}
