import PkgtrailCommandLine
import PkgtrailCore

/// Plain-text renderings of events for people.
public enum EventText {
    /// `14  2026-03-24T10:45:03Z  alice@build-7  pip ok  /srv/app/.venv  ~litellm 1.82.6→1.82.8 !startup-hook`
    /// `local`: the `--local` clock; nil keeps the RFC 3339 UTC form.
    public static func line(_ e: Event, local: TimeText? = nil) -> String {
        let time = local?.show(e.finished) ?? String(e.finished.prefix(19)) + "Z"
        let who = e.actor.sudoUser.map { "\(e.actor.user)(\($0))" } ?? e.actor.user
        // Each part escaped first, then painted: data never brings an escape of its own.
        var tool = Terminal.safe(
            e.command.map { "\($0.tool) \($0.outcome.rawValue)" }
                ?? (e.drift?.firstSeen == true ? "first-seen" : e.kind.rawValue))
        if e.kind == .drift && e.drift?.firstSeen != true {
            tool = Colour.paint(tool, .drift)
        } else if let outcome = e.command?.outcome, outcome != .ok {
            tool = Colour.paint(tool, .warning)
        }
        var parts = [String(e.seq).leftPad(5, " "), time, "\(who)@\(e.actor.host)"].map(Terminal.safe)
        parts += [tool, Terminal.safe(e.environment.prefix)]
        parts.append(
            e.changes.isEmpty
                ? "(no changes)"
                : e.changes.map { c in
                    let text = Terminal.safe(change(c))
                    return c.action == .downgrade ? Colour.paint(text, .warning) : text
                }.joined(separator: ", "))
        if HookKnowledge.unknownExecutable(e) {
            parts.append(Colour.paint("!! STARTUP HOOK", .alarm))
        } else if HookKnowledge.anyExecutable(e) {
            parts.append("startup hook (known)")
        }
        return parts.joined(separator: "  ")
    }

    public static func change(_ c: Change) -> String {
        switch c.action {
        case .install: return "+\(c.name) \(c.toVersion ?? "?")"
        case .remove: return "-\(c.name) \(c.fromVersion ?? "?")"
        case .reinstall: return "=\(c.name) \(c.toVersion ?? "?")"
        case .upgrade, .downgrade: return "~\(c.name) \(c.fromVersion ?? "?")→\(c.toVersion ?? "?")"
        }
    }

    public static func full(_ e: Event, hash: [UInt8], local: TimeText? = nil) -> String {
        var out: [String] = []
        func field(_ k: String, _ v: String?) { out.append("\(k.rightPad(14)) \(v ?? "-")") }
        field("seq", String(e.seq))
        field("id", e.id)
        field("kind", e.kind.rawValue)
        field("started", local?.show(e.started) ?? e.started)
        field("finished", local?.show(e.finished) ?? e.finished)
        let a = e.actor
        field("user", "\(a.user) (uid \(a.uid))" + (a.sudoUser.map { ", via sudo by \($0)" } ?? ""))
        field("host", a.host)
        if let ci = a.ci {
            field("ci", ActorText.ci(ci))
        }
        if let c = e.command {
            field("command", c.argv.joined(separator: " "))
            field("tool", "\(c.tool) \(c.toolVersion ?? "?")")
            field("cwd", c.cwd)
            field("exit", "\(c.exitStatus) (\(c.outcome.rawValue))")
        }
        let env = e.environment
        field("environment", env.prefix + (env.isVenv ? " (venv)" : ""))
        field("python", [env.python, env.pythonVersion, env.platform].compactMap { $0 }.joined(separator: " "))
        field("site dirs", env.siteDirs.joined(separator: " "))
        for s in e.sources { field("source", "\(s.kind) \(s.url ?? "") [\(s.origin)]") }
        if let d = e.drift {
            field(
                "drift",
                d.firstSeen
                    ? "first seen: what the environment already held"
                    : ActorText.changedOutside(
                        between: "\(d.lastSeen ?? "?") (seq \(d.lastSeenSeq.map(String.init) ?? "?"))", and: e.started)
            )
        }
        if let l = e.lockfile {
            field(
                "lockfile",
                "\(l.path) \(l.sha256Before.map { String($0.prefix(12)) } ?? "(none)") → "
                    + "\(l.sha256After.map { String($0.prefix(12)) } ?? "(none)")"
            )
        }
        if let t = e.tool {
            field(
                "tool env",
                "\(t.name), receipt \(t.receiptSHA256.map { String($0.prefix(12)) } ?? "(gone)")"
                    + (t.executables.isEmpty ? "" : ", exposes \(t.executables.joined(separator: " "))"))
        }
        field("state", "\(e.stateBefore.prefix(12)) → \(e.stateAfter.prefix(12))")
        field("hash", Hex.encode(hash))
        field("prev hash", e.prevHash)
        out.append("changes:")
        if e.changes.isEmpty { out.append("  (none)") }
        for c in e.changes {
            let arrow = c.fromVersion != nil && c.toVersion != nil ? " → " : ""
            var l = "  \(c.action.rawValue.rightPad(9)) \(c.name) \(c.fromVersion ?? "")\(arrow)\(c.toVersion ?? "")"
            if let r = c.requested {
                l +=
                    r
                    ? "  (requested)"
                    : "  (pulled in" + (c.requiredBy.isEmpty ? ")" : " by \(c.requiredBy.joined(separator: ", ")))")
            }
            out.append(l)
            if let art = c.artifact {
                out.append("            artifact \(art.filename ?? "?") sha256 \(art.sha256 ?? "unknown")")
                if let url = art.url { out.append("            from \(url)") }
            }
            if let inst = c.installer {
                out.append("            installer \(inst), RECORD sha256 \(c.recordSHA256 ?? "-")")
            }
            for h in c.startupHooks { out.append(hookLine(h)) }
        }
        for h in e.startupHooks { out.append(hookLine(h)) }
        for n in e.notes { out.append("note: \(n)") }
        return out.map(Terminal.safe).map(paintHook).joined(separator: "\n")
    }

    /// An escaped line with its `!! STARTUP HOOK` painted.
    static func paintHook(_ line: String) -> String {
        // Unpainted, the search (Foundation's) was a sixth of a text audit's time.
        guard Colour.enabled else { return line }
        return line.replacingOccurrences(of: "!! STARTUP HOOK", with: Colour.paint("!! STARTUP HOOK", .alarm))
    }

    static func hookLine(_ h: StartupHook) -> String {
        let loud: String
        if let known = HookKnowledge.known(h) {
            loud = "startup hook, known: \(known) (these bytes; what it imports is not checked)"
        } else {
            loud =
                h.executableImport ? "!! STARTUP HOOK (runs code at every Python start)" : "startup file (paths only)"
        }
        return "            \(loud): \(h.status) \(h.path) sha256 \(h.sha256 ?? "-")"
    }
}
