import LabService

/// The report's style sheet, inline in the page: the lab's vocabulary (a colour per OOBE phase and
/// outcome, as the dashboard shows them), swimlanes, tables and badges.
enum ReportStyle {
    static let css: String = Vocabulary.css + """
        :root { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1d2330; background: #f6f7f9; }
        body { margin: 0 auto; max-width: 1400px; padding: 24px; }
        header { display: flex; align-items: baseline; gap: 16px; flex-wrap: wrap; }
        h1 { margin: 0; font-size: 24px; } h2 { margin-top: 40px; border-bottom: 2px solid #d8dce3; padding-bottom: 6px; }
        h3 { margin-top: 28px; font-size: 16px; text-transform: uppercase; letter-spacing: .04em; color: #4a5366; }
        section { background: #fff; border: 1px solid #e1e4ea; border-radius: 8px; padding: 4px 20px 20px; margin-top: 24px; }
        .muted { color: #6b7384; } .pass-text { color: #1a7f37; font-weight: 600; } .fail-text { color: #c62828; font-weight: 600; }
        .verdict { padding: 4px 12px; border-radius: 999px; color: #fff; font-weight: 700; font-size: 14px; }
        .verdict.small { font-size: 12px; vertical-align: middle; } .pass { background: #1a7f37; } .fail { background: #c62828; }
        .stats { list-style: none; padding: 0; display: grid; grid-template-columns: repeat(auto-fill, minmax(260px, 1fr)); gap: 6px 24px; }
        .stats b { display: inline-block; min-width: 90px; color: #4a5366; font-weight: 600; }
        .stats span { word-break: break-all; }
        .timeline { border: 1px solid #e1e4ea; border-radius: 6px; padding: 8px 12px; background: #fbfbfc; }
        .lane { display: grid; grid-template-columns: 160px 1fr 200px; align-items: center; gap: 10px; min-height: 22px; }
        .lane .label { font-size: 13px; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
        .track { position: relative; height: 16px; background: #eef0f3; border-radius: 3px; }
        .axis .track { background: none; height: 18px; border-bottom: 1px solid #c5cad3; }
        .tick { position: absolute; transform: translateX(-50%); font-size: 11px; color: #6b7384; }
        .span { position: absolute; top: 0; height: 16px; min-width: 2px; border-radius: 2px; background: var(--ph); }
        .span:hover { outline: 2px solid #1d2330; z-index: 1; }
        .mark { position: absolute; top: -3px; width: 10px; height: 10px; margin-left: -5px; transform: rotate(45deg); border: 1px solid #fff; z-index: 2; }
        .mark-failed { background: #d00000; } .mark-info { background: #ffb703; } .mark-flow { background: #023047; }
        .outcome { font-size: 12px; white-space: nowrap; color: var(--outcome); }
        .outcome-business-ready, .outcome-failed, .outcome-boot-loop { font-weight: 600; }
        .legend { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: 6px 16px; font-size: 12px; }
        .legend li { display: flex; align-items: center; gap: 6px; }
        .swatch { display: inline-block; width: 14px; height: 10px; border-radius: 2px; background: var(--ph); }
        .mark-key { display: inline-block; width: 8px; height: 8px; transform: rotate(45deg); }
        table.summary { border-collapse: collapse; width: 100%; font-size: 13px; }
        .summary th { text-align: left; background: #eef0f3; padding: 6px 8px; }
        .summary td { padding: 5px 8px; border-top: 1px solid #e9ebef; }
        .summary tr.unexpected td { background: #fdecea; } .code { font-family: ui-monospace, Menlo, monospace; } .number { text-align: right; }
        .steps { padding-left: 28px; } .steps li { margin: 4px 0; } summary { cursor: pointer; }
        .badge { font-size: 11px; font-weight: 700; padding: 1px 6px; border-radius: 4px; color: #fff; }
        .checks { font-size: 13px; font-family: ui-monospace, Menlo, monospace; list-style: none; padding-left: 16px; }
        .check-failed { color: #c62828; } .check-ok { color: #1a7f37; } .check-note { color: #4a5366; }
        .evidence pre { background: #1d2330; color: #e7e9ee; padding: 10px; border-radius: 6px; overflow-x: auto; font-size: 12px; }
        .index { list-style: none; padding: 0; display: flex; gap: 16px; flex-wrap: wrap; }
        """
}
