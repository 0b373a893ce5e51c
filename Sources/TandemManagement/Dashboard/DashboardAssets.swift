/// The stylesheet and the script the pages load, served by the node itself (nothing from
/// outside the appliance; the Content-Security-Policy allows only this origin).
enum DashboardAssets {
    static let stylesheet = """
        :root { --bg:#f3f5f7; --card:#fff; --ink:#1d2733; --muted:#66717d; --line:#dde2e7; --brand:#1f4e79;
                --ok:#1e7d3b; --okbg:#e3f4e8; --bad:#b42318; --badbg:#fde8e6; --warn:#8a5a00; --warnbg:#fff3d6;
                --master:#1e7d3b; --backup:#1f4e79; --backupbg:#e4edf7; }
        * { box-sizing:border-box; }
        body { margin:0; background:var(--bg); color:var(--ink); font:14px/1.45 "DejaVu Sans", system-ui, sans-serif; }
        .mono { font-family:"DejaVu Sans Mono", ui-monospace, monospace; font-size:13px; }
        header.top { display:flex; align-items:center; gap:24px; padding:10px 20px; background:var(--brand); color:#fff; }
        .brand { font-weight:bold; font-size:18px; letter-spacing:.5px; }
        .mark { color:#8fc1ea; }
        header .host { font-size:16px; flex:1; }
        header .role { font-size:12px; opacity:.8; margin-left:8px; }
        header .user { margin-right:8px; opacity:.9; }
        header button { background:transparent; color:#fff; border:1px solid rgba(255,255,255,.6); }
        main#widgets { display:grid; grid-template-columns:repeat(auto-fill, minmax(420px, 1fr)); gap:16px; padding:16px 20px; }
        .widget { background:var(--card); border:1px solid var(--line); border-radius:6px; padding:12px 16px; overflow:auto; }
        .widget.wide { grid-column:1 / -1; }
        .widget h2 { margin:0 0 8px; font-size:15px; color:var(--brand); border-bottom:1px solid var(--line); padding-bottom:6px; }
        table { width:100%; border-collapse:collapse; }
        th { text-align:left; font-weight:600; color:var(--muted); font-size:12px; text-transform:uppercase; letter-spacing:.3px; }
        th, td { padding:5px 8px; border-bottom:1px solid var(--line); vertical-align:middle; }
        tr:last-child td { border-bottom:none; }
        td.num, th.num { text-align:right; font-variant-numeric:tabular-nums; white-space:nowrap; }
        dl { display:grid; grid-template-columns:max-content 1fr; gap:4px 16px; margin:0 0 10px; }
        dt { color:var(--muted); }
        dd { margin:0; }
        .muted { color:var(--muted); }
        .bad-text { color:var(--bad); }
        .badge { display:inline-block; min-width:14px; padding:1px 8px; border-radius:10px; font-size:12px; font-weight:600; margin-right:6px; }
        .badge.master, .badge.ok { background:var(--okbg); color:var(--master); }
        .badge.backup { background:var(--backupbg); color:var(--backup); }
        .badge.init, .badge.bad { background:var(--badbg); color:var(--bad); }
        .badge.warn { background:var(--warnbg); color:var(--warn); }
        .badge.idle { background:var(--line); color:var(--muted); }
        .dot { display:inline-block; width:10px; height:10px; border-radius:50%; margin-right:8px; background:var(--line); }
        .dot.ok { background:var(--ok); } .dot.bad { background:var(--bad); } .dot.warn { background:#d99a00; }
        .actions { display:flex; gap:8px; }
        button { font:inherit; padding:5px 12px; border-radius:4px; border:1px solid var(--brand); background:var(--brand); color:#fff; cursor:pointer; }
        button:disabled { opacity:.45; cursor:default; }
        button.small { padding:2px 8px; font-size:12px; background:#fff; color:var(--brand); }
        form { margin:0; }
        form.logout { display:flex; align-items:center; }
        .flash { margin:12px 20px 0; padding:8px 12px; border-radius:4px; }
        .flash.ok { background:var(--okbg); color:var(--ok); }
        .flash.bad { background:var(--badbg); color:var(--bad); }
        footer { padding:4px 20px 16px; color:var(--muted); font-size:12px; }
        .stale-note { display:none; color:var(--bad); }
        body.stale .stale-note { display:inline; }
        body.stale main#widgets { opacity:.6; }
        body.login { display:flex; min-height:100vh; align-items:center; justify-content:center; background:var(--brand); }
        .login-box { background:var(--card); padding:28px 32px; border-radius:8px; width:320px; box-shadow:0 8px 24px rgba(0,0,0,.25); }
        .login-box h1 { margin:0; font-size:22px; color:var(--brand); }
        .login-box .host { color:var(--muted); margin:2px 0 16px; }
        .login-box label { display:block; margin:10px 0 4px; color:var(--muted); font-size:13px; }
        .login-box input[type=text], .login-box input[type=password] { width:100%; padding:7px 9px; border:1px solid var(--line); border-radius:4px; font:inherit; }
        .login-box button { width:100%; margin-top:18px; padding:8px; }
        .login-box .flash { margin:0 0 8px; }
        """

    /// Polls `/widgets` and swaps the widgets in place; asks before a rollback. A 401
    /// (session ended) goes back to the login page.
    static let script = """
        (function () {
          "use strict";
          document.addEventListener("submit", function (e) {
            var q = e.target.getAttribute("data-confirm");
            if (q && !window.confirm(q)) { e.preventDefault(); }
          });
          var box = document.getElementById("widgets");
          if (!box) { return; }
          var every = parseInt(document.body.getAttribute("data-poll"), 10) || 2000;
          function tick() {
            fetch("/widgets", { credentials: "same-origin", cache: "no-store" }).then(function (r) {
              if (r.status === 401) { window.location.assign("/"); return null; }
              if (!r.ok) { throw new Error("HTTP " + r.status); }
              return r.text();
            }).then(function (html) {
              if (html === null) { return; }
              box.innerHTML = html;
              document.body.classList.remove("stale");
              var u = document.getElementById("updated");
              if (u) { u.textContent = new Date().toISOString().substring(11, 19) + " UTC"; }
            }).catch(function () {
              document.body.classList.add("stale");
            }).then(function () { window.setTimeout(tick, every); });
          }
          window.setTimeout(tick, every);
        })();
        """
}
