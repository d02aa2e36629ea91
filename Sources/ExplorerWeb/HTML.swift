/// Small helpers for building HTML as strings. Every piece of text that reaches a page goes through `HTML.escape`
/// (or a helper that calls it), so chain data such as job descriptions and API URLs cannot inject markup.
public enum HTML {
    /// Escapes `& < > " '` so that `text` is inert inside element content and quoted attribute values.
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for c in text.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    /// Percent-encodes a path segment or query value (RFC 3986 unreserved characters pass through).
    public static func urlComponent(_ text: String) -> String {
        var out = ""
        for b in text.utf8 {
            switch b {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                 UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(b))
            default:
                out += "%" + (b < 16 ? "0" : "") + String(b, radix: 16, uppercase: true)
            }
        }
        return out
    }

    /// `<a href="href">text</a>`, both escaped.
    public static func link(_ href: String, _ text: String, title: String? = nil) -> String {
        let t = title.map { " title=\"\(escape($0))\"" } ?? ""
        return "<a href=\"\(escape(href))\"\(t)>\(escape(text))</a>"
    }

    /// A table; `rows` hold HTML fragments already escaped by the caller (use `escape` or `link`).
    public static func table(_ headers: [String], _ rows: [[String]], cssClass: String = "grid") -> String {
        var s = "<table class=\"\(escape(cssClass))\"><thead><tr>"
        for h in headers { s += "<th>\(escape(h))</th>" }
        s += "</tr></thead><tbody>"
        for r in rows { s += "<tr>" + r.map { "<td>\($0)</td>" }.joined() + "</tr>" }
        if rows.isEmpty { s += "<tr><td colspan=\"\(max(1, headers.count))\" class=\"muted\">none</td></tr>" }
        return s + "</tbody></table>"
    }

    /// A two-column key/value table; values are HTML fragments already escaped by the caller.
    public static func fields(_ rows: [(String, String)]) -> String {
        "<table class=\"fields\"><tbody>"
            + rows.map { "<tr><th>\(escape($0.0))</th><td>\($0.1)</td></tr>" }.joined()
            + "</tbody></table>"
    }

    /// Escaped text in a monospace span.
    public static func mono(_ text: String) -> String { "<code>\(escape(text))</code>" }

    /// A full document: header with navigation and search box, then `body` (an HTML fragment).
    public static func page(title: String, body: String, showJobs: Bool) -> String {
        let jobs = showJobs ? " · <a href=\"/jobs\">GFL jobs</a>" : ""
        return """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(escape(title)) · GFL explorer</title>
        <style>\(css)</style></head>
        <body><header><a class="brand" href="/">GFL explorer</a><nav><a href="/">blocks</a>\(jobs)</nav>
        <form action="/search" method="get"><input name="q" size="48" placeholder="block number or hash, tx hash, address, job N" aria-label="search">
        <button type="submit">search</button></form></header>
        <main><h1>\(escape(title))</h1>
        \(body)
        </main></body></html>
        """
    }

    static let css = """
    body{font-family:system-ui,sans-serif;margin:0;color:#1d2430;background:#f7f8fa}
    header{display:flex;gap:1.5em;align-items:center;flex-wrap:wrap;padding:.6em 1.2em;background:#1d2430;color:#fff}
    header a{color:#cfe3ff;text-decoration:none}.brand{font-weight:700;color:#fff!important}
    header form{margin-left:auto}header input{padding:.3em;font-family:monospace}
    main{padding:1em 1.5em;max-width:1200px}h1{font-size:1.3em}h2{font-size:1.1em;margin-top:1.6em}
    h3{font-size:1em}a{color:#0b5cad}code{font-family:ui-monospace,monospace;font-size:.92em;word-break:break-all}
    table{border-collapse:collapse;margin:.4em 0;background:#fff}
    th,td{border:1px solid #dde2ea;padding:.25em .55em;text-align:left;vertical-align:top;font-size:.92em}
    table.fields th{background:#eef1f5;white-space:nowrap}table.grid th{background:#eef1f5}
    .muted{color:#7a8594}.ok{color:#17803d;font-weight:600}.bad{color:#b42318;font-weight:600}
    .error{background:#fff1f0;border:1px solid #f4c7c3;padding:.8em 1em}
    .trusted{color:#17803d}.untrusted{color:#35598f}.down{color:#b42318}
    svg text{font-family:ui-monospace,monospace;font-size:11px}
    """
}
