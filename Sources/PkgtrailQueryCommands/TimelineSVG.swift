import PkgtrailCore

/// The HTML export's picture: per environment, an inline SVG with a lane
/// per changed package and a bar per version, placed on one time axis for
/// the whole export (so environments line up), in `<details>` that collapse.
/// No script, nothing fetched: the export's content security policy holds.
/// Every bar carries its times (`data-from`, `data-until`) for checks and a
/// `<title>` for a pointer; every text is escaped as the table's cells are.
struct TimelineSVG {
    static let labelWidth = 230.0
    static let chartWidth = 930.0
    static let width = labelWidth + chartWidth + 20
    static let row = 16.0
    static let axis = 22.0
    /// More environments than this and only those with something to see
    /// (a flagged version, an unknown hook) start open.
    static let openAll = 40

    let timeline: Timeline
    let t0: Int64
    let t1: Int64

    init(_ timeline: Timeline) {
        self.timeline = timeline
        t0 = timeline.start ?? 0
        t1 = max(timeline.end ?? t0, t0 + 1)
    }

    func x(_ t: Int64) -> Double { Self.labelWidth + Double(t - t0) * Self.chartWidth / Double(t1 - t0) }

    /// Whole units: the picture is 1,180 wide, and a large export has tens of thousands of numbers.
    static func number(_ v: Double) -> String { String(Int(v.rounded())) }

    var html: String {
        guard !timeline.places.isEmpty else { return "" }
        let flagged = timeline.places.reduce(0) { n, p in n + p.lanes.reduce(0) { $0 + $1.bars.filter(\.flagged).count }
        }
        var out = """
            <section id="picture"><h2>Who held what, when</h2>
            <p class="legend"><span class="key bar"></span> a version, from the command that brought it to the one \
            that replaced or removed it <span class="key bar open"></span> still there at the end of this export \
            <span class="key bar flagged"></span> matched by --highlight or --osv (\(flagged)) \
            <span class="key bar drift"></span> found by a scan (drift) <span class="key mark-hook"></span> \
            a startup hook that runs code <span class="key mark-failed"></span> a failed command</p>

            """
        // One axis for every environment, drawn by reference (its lines run
        // long; each picture's own height cuts them).
        out +=
            "<svg class=\"defs\" width=\"0\" height=\"0\" aria-hidden=\"true\"><defs>"
            + "<g id=\"axis\" fill=\"#666\" font-size=\"10\" text-anchor=\"middle\">\n"
            + axis() + "</g></defs></svg>\n"
        let many = timeline.places.count > Self.openAll
        // What matters first (a flagged version, an unknown hook), then by host and path.
        let places = timeline.places.map { p in
            (
                p, p.lanes,
                p.marks.contains { $0.kind == .hook } || p.lanes.contains { $0.bars.contains(where: \.flagged) }
            )
        }.sorted { a, b in
            a.2 != b.2 ? a.2 : (a.0.key.host, a.0.key.prefix) < (b.0.key.host, b.0.key.prefix)
        }
        let hotCount = places.filter(\.2).count
        out +=
            "<p id=\"overview\">\(places.count) environment\(places.count == 1 ? "" : "s")"
            + (hotCount > 0
                ? ", <strong>\(hotCount) with a flagged version or a startup hook</strong> (first, open)" : "")
            + (many ? "; the others start closed" : "") + ".</p>\n"
        for (place, lanes, hot) in places {
            let bars = lanes.reduce(0) { $0 + $1.bars.count }
            let open = !many || hot
            out +=
                "<details class=\"env\(hot ? " hot" : "")\"\(open ? " open" : "")><summary><span class=\"mono\">"
                + HTMLExport.escape(place.key.prefix) + "</span> on " + HTMLExport.escape(place.key.host)
                + " — \(lanes.count) package\(lanes.count == 1 ? "" : "s"), \(bars) version\(bars == 1 ? "" : "s")"
                + (lanes.contains { $0.bars.contains(where: \.flagged) }
                    ? " <span class=\"tag hook\">FLAGGED</span>" : "")
                + (place.marks.contains { $0.kind == .hook } ? " <span class=\"tag hook\">STARTUP HOOK</span>" : "")
                + "</summary>\n"
            out += svg(place, lanes)
            out += "</details>\n"
        }
        return out + "</section>\n"
    }

    func svg(_ place: Timeline.Place, _ lanes: [Timeline.Lane]) -> String {
        // The first row holds the moments worth a mark, when there are any.
        let first = place.marks.isEmpty ? 0 : 1
        let height = Self.axis + Double(lanes.count + first) * Self.row + 4
        var out =
            "<svg class=\"lanes\" viewBox=\"0 0 \(Self.number(Self.width)) \(Self.number(height))\">"
            + "<use href=\"#axis\"/>\n"
        let marksY = Self.axis + Self.row / 2
        if first == 1 { out += "<text x=\"4\" y=\"\(Self.number(marksY + 4))\">events</text>\n" }
        for m in place.marks {
            let cx = x(m.at)
            let shape =
                m.kind == .drift
                ? "<circle cx=\"\(Self.number(cx))\" cy=\"\(Self.number(marksY))\" r=\"4\""
                : "<path d=\"M\(Self.number(cx - 5)) \(Self.number(marksY + 5))h10l-5 -10z\""
            out +=
                shape + " class=\"mark mark-\(m.kind.rawValue)\" data-seq=\"\(m.seq)\" data-at=\""
                + Timestamp.format(millisecondsSinceEpoch: m.at) + "\"><title>event \(m.seq): "
                + Self.markText(m.kind) + "</title></\(m.kind == .drift ? "circle" : "path")>\n"
        }
        for (i, lane) in lanes.enumerated() {
            let top = Self.axis + Double(i + first) * Self.row
            let name = HTMLExport.escape(lane.name)
            let long = lane.name.count > 32
            out +=
                "<g data-name=\"\(name)\"><text x=\"4\" y=\"\(Self.number(top + 12))\">"
                + (long ? HTMLExport.escape(String(lane.name.prefix(31))) + "…<title>\(name)</title>" : name)
                + "</text>\n"
            for bar in lane.bars { out += self.bar(bar, top: top) }
            out += "</g>\n"
        }
        return out + "</svg>\n"
    }

    /// A version's bar, its window (to the minute) in its title: a large
    /// export holds tens of thousands, so nothing more.
    func bar(_ b: Timeline.Bar, top: Double) -> String {
        let x0 = b.from.map(x) ?? Self.labelWidth
        let x1 = b.until.map(x) ?? (Self.labelWidth + Self.chartWidth)
        let w = max(2, x1 - x0)
        var classes: [String] = []
        if b.flagged { classes.append("flagged") }
        if b.drift { classes.append("drift") }
        if b.until == nil { classes.append("open") }
        if b.from == nil { classes.append("before") }
        func time(_ t: Int64?, _ otherwise: String) -> String {
            t.map { String(Timestamp.format(millisecondsSinceEpoch: $0).prefix(16)).replacingT() } ?? otherwise
        }
        let version = HTMLExport.escape(b.version)
        var out =
            "<rect" + (classes.isEmpty ? "" : " class=\"\(classes.joined(separator: " "))\"")
            + " x=\"\(Self.number(x0))\" y=\"\(Self.number(top + 3))\" "
            + "width=\"\(Self.number(w))\" height=\"10\"><title>\(version): "
            + time(b.from, "before this export") + " → " + time(b.until, "now")
            + (b.flagged ? " (flagged)" : "") + "</title></rect>\n"
        if b.hook {
            out +=
                "<path class=\"mark mark-hook\" d=\"M\(Self.number(x0)) \(Self.number(top + 13))"
                + "l5 -10l5 10z\"><title>\(version) added a startup hook that runs code</title></path>\n"
        }
        // The version's text, when the bar has room for it.
        if w >= Double(b.version.count) * 6 + 6 {
            out +=
                "<text x=\"\(Self.number(x0 + 3 + (b.hook ? 10 : 0)))\" y=\"\(Self.number(top + 11))\">"
                + version + "</text>\n"
        }
        return out
    }

    /// Gridlines and times at a round step, 3 to 8 of them across. Styled
    /// by attributes: a `<use>` copy does not take the page's style rules.
    func axis() -> String {
        let second: Int64 = 1000
        let steps: [Int64] = [1, 5, 15, 60, 300, 900, 3600, 21600, 86400, 604_800, 2_592_000, 7_776_000, 31_536_000]
            .map { $0 * second }
        let span = t1 - t0
        let step: Int64 = steps.first(where: { span / $0 <= 8 }) ?? 31_536_000 * second
        // 2026-03-24T10:45:00.000Z as 2026-03-24, 03-24 10:45 or 10:45:00.
        func label(_ text: String) -> String {
            if step >= 86400 * second { return String(text.prefix(10)) }
            if step >= 60 * second { return String(text.dropFirst(5).prefix(11)).replacingT() }
            return String(text.dropFirst(11).prefix(8))
        }
        var out = ""
        var t = (t0 / step + 1) * step
        while t < t1 {
            let gx = Self.number(x(t))
            let tick = label(Timestamp.format(millisecondsSinceEpoch: t))
            out +=
                "<line stroke=\"#ddd\" x1=\"\(gx)\" y1=\"\(Self.number(Self.axis - 4))\" x2=\"\(gx)\" "
                + "y2=\"100000\"/><text x=\"\(gx)\" y=\"12\">\(tick)</text>\n"
            t += step
        }
        return out
    }

    static func markText(_ k: Timeline.Mark.Kind) -> String {
        switch k {
        case .hook: "a startup hook that runs code at every Python start"
        case .failed: "the command failed or was interrupted"
        case .drift: "changes found by a scan, made outside pkgtrail"
        }
    }

    static let style = """
        #picture h2{font-size:1.1em} .legend{font-size:12px}
        .key{display:inline-block;width:18px;height:10px;margin:0 4px 0 10px;vertical-align:middle}
        .key.bar{background:#4a78b0} .key.bar.open{background:linear-gradient(90deg,#4a78b0,#9cb8dc)}
        .key.bar.flagged{background:#d40000} .key.bar.drift{background:#fff;outline:2px dashed #36c}
        .key.mark-hook{width:0;height:0;border:6px solid transparent;border-bottom:10px solid #c00;border-top:0}
        .key.mark-failed{width:0;height:0;border:6px solid transparent;border-bottom:10px solid #b60;border-top:0}
        details.env{margin:4px 0;border:1px solid #ddd;border-radius:4px;padding:2px 6px}
        details.env.hot{border-color:#d40000} summary{cursor:pointer;font-size:13px}
        svg.defs{position:absolute}
        svg.lanes{display:block;width:100%;max-width:1180px;font:11px ui-monospace,monospace}
        svg.lanes>text,svg g text{fill:#222}
        svg rect{fill:#4a78b0} svg rect.open{fill:#7a9fce} svg rect.flagged{fill:#d40000}
        svg rect.drift{fill:#fff;stroke:#36c;stroke-width:1.5;stroke-dasharray:3 2}
        svg rect.flagged.drift{fill:#fbb} svg g text+rect~text{fill:#fff;font-size:9px;pointer-events:none}
        svg g rect.drift+text{fill:#123}
        svg .mark-hook{fill:#c00;stroke:#fff;stroke-width:1.5} svg .mark-failed{fill:#b60} svg .mark-drift{fill:#36c}
        @media print{th{position:static} details.env{break-inside:avoid} #picture{break-after:page}
        *{-webkit-print-color-adjust:exact;print-color-adjust:exact}}
        """
}

extension String {
    /// "03-24T10:45" → "03-24 10:45".
    fileprivate func replacingT() -> String { String(map { $0 == "T" ? " " : $0 }) }
}
