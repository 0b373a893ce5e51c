import Mustache

/// The dashboard's pages as Mustache templates (swift-mustache; `{{x}}` is HTML-escaped,
/// which every value from the config or the network goes through). Kept in the binary
/// rather than in files beside it: the appliance has one file to install, and a template
/// that does not parse fails the unit tests, not a login.
enum DashboardTemplates {
    static let library: MustacheLibrary = {
        var library = MustacheLibrary()
        // Each is a literal that the tests render; a parse error is a programming error.
        for (name, text) in [("page", page), ("login", login), ("widgets", widgets)] {
            try! library.register(text, named: name)
        }
        return library
    }()

    static let head = """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <link rel="stylesheet" href="/tandem.css">
        """

    static let login = head + """
        <title>{{hostname}} - Login</title>
        </head>
        <body class="login">
        <main class="login-box">
        <h1><span class="mark">&#9670;</span> Tandem</h1>
        <p class="host">{{hostname}}</p>
        {{#message}}<p class="flash bad" id="login-message">{{message}}</p>{{/message}}
        <form method="post" action="/index.php" autocomplete="off">
        <input type="hidden" name="__csrf_magic" value="{{csrf}}">
        <label for="usernamefld">Username</label>
        <input type="text" name="usernamefld" id="usernamefld" autofocus required>
        <label for="passwordfld">Password</label>
        <input type="password" name="passwordfld" id="passwordfld" required>
        <button type="submit" name="login" value="Sign In" id="login">Sign In</button>
        </form>
        </main>
        </body>
        </html>
        """

    static let page = head + """
        <title>{{view.hostname}} - Tandem</title>
        <script src="/tandem.js" defer></script>
        </head>
        <body data-poll="{{pollMilliseconds}}">
        <header class="top">
        <div class="brand"><span class="mark">&#9670;</span> Tandem</div>
        <div class="host">{{view.hostname}} <span class="role">{{view.role}}</span></div>
        <form method="post" action="/index.php?logout" class="logout">
        <span class="user">{{view.user}}</span>
        <input type="hidden" name="__csrf_magic" value="{{view.csrf}}">
        <button type="submit" name="logout" value="1" id="logout">Logout</button>
        </form>
        </header>
        {{#view.message}}<div class="flash {{view.messageClass}}" id="flash">{{view.message}}</div>{{/view.message}}
        <main id="widgets">
        {{#view}}{{> widgets}}{{/view}}
        </main>
        <footer>Updated <span id="updated">{{view.updated}}</span>, every {{pollSeconds}} s without reloading the page.
        <span class="stale-note">Connection to the node lost; retrying.</span></footer>
        </body>
        </html>
        """

    /// The part the page polls (`GET /widgets`) and swaps in place.
    static let widgets = """
        <section class="widget wide" id="w-carp">
        <h2>CARP</h2>
        <table>
        <thead><tr><th>Interface</th><th>VHID</th><th>Virtual IP</th><th>State</th><th>advskew</th><th>Last transition</th><th>Why</th></tr></thead>
        <tbody>
        {{#carp}}<tr data-vhid="{{vhid}}"><td>{{interface}}</td><td>{{vhid}}</td><td class="mono">{{address}}</td><td><span class="badge {{badge}}">{{state}}</span></td><td>{{advskew}}</td><td>{{transition}}</td><td>{{reason}}</td></tr>
        {{/carp}}
        {{#carpEmpty}}<tr><td colspan="7" class="muted">No CARP virtual IPs configured.</td></tr>{{/carpEmpty}}
        </tbody>
        </table>
        <p class="muted">{{carpCounters}}</p>
        </section>

        <section class="widget" id="w-node">
        <h2>Node</h2>
        <dl>
        <dt>Maintenance</dt><dd id="maintenance-state">{{#maintenance}}<span class="badge warn">ON</span> every VIP advertises advskew 254{{/maintenance}}{{^maintenance}}<span class="badge ok">off</span>{{/maintenance}}</dd>
        <dt>Config loaded</dt><dd>{{configLoaded}}</dd>
        {{#configError}}<dt>Config error</dt><dd class="bad-text">{{configError}}</dd>{{/configError}}
        <dt>Applies</dt><dd>{{applies}}</dd>
        </dl>
        <div class="actions">
        <form method="post" action="/action/maintenance">
        <input type="hidden" name="__csrf_magic" value="{{csrf}}">
        <input type="hidden" name="on" value="{{maintenanceNext}}">
        <button type="submit" id="maintenance-toggle">{{#maintenance}}Leave maintenance mode{{/maintenance}}{{^maintenance}}Enter maintenance mode{{/maintenance}}</button>
        </form>
        <form method="post" action="/action/sync">
        <input type="hidden" name="__csrf_magic" value="{{csrf}}">
        <button type="submit" id="sync-now"{{^pushPeer}} disabled title="this node does not push its config"{{/pushPeer}}>Sync now</button>
        </form>
        </div>
        </section>

        <section class="widget" id="w-statesync">
        <h2>State sync</h2>
        {{#sync}}
        <dl>
        <dt>Peer</dt><dd class="mono">{{peer}} via {{interface}} <span class="badge {{badge}}">{{state}}</span></dd>
        <dt>Flows</dt><dd>{{localFlows}} local, {{remoteFlows}} from the peer</dd>
        <dt>Agreement</dt><dd><span class="dot {{agreementBadge}}"></span>{{agreement}}</dd>
        </dl>
        {{/sync}}
        {{^sync}}<p class="muted">State sync is not configured (hasync/pfsyncenabled).</p>{{/sync}}
        </section>

        <section class="widget" id="w-configsync">
        <h2>Config sync</h2>
        <dl>
        <dt>Pushes to</dt><dd class="mono">{{#pushPeer}}{{pushPeer}}{{/pushPeer}}{{^pushPeer}}none (secondary){{/pushPeer}}</dd>
        <dt>Last push</dt><dd><span class="dot {{lastPushBadge}}"></span>{{lastPush}}</dd>
        {{#pushNotice}}<dt>Notice</dt><dd class="bad-text">{{pushNotice}}</dd>{{/pushNotice}}
        <dt>Last received</dt><dd>{{lastReceived}}</dd>
        </dl>
        </section>

        <section class="widget" id="w-interfaces">
        <h2>Interfaces</h2>
        <table>
        <thead><tr><th>Name</th><th>Device</th><th>Addresses</th><th>Link</th></tr></thead>
        <tbody>
        {{#interfaces}}<tr><td>{{name}}</td><td class="mono">{{device}}</td><td class="mono">{{addresses}}</td><td><span class="badge {{badge}}">{{link}}</span></td></tr>
        {{/interfaces}}
        </tbody>
        </table>
        </section>

        <section class="widget" id="w-services">
        <h2>Services and routes</h2>
        <table>
        <tbody>
        {{#services}}<tr><td>{{name}}</td><td><span class="badge {{badge}}">{{status}}</span></td><td class="muted">{{detail}}</td></tr>
        {{/services}}
        {{#servicesEmpty}}<tr><td class="muted">No services or routes configured.</td></tr>{{/servicesEmpty}}
        </tbody>
        </table>
        </section>

        <section class="widget" id="w-rules">
        <h2>Top rules</h2>
        <table>
        <thead><tr><th>Tracker</th><th>Description</th><th class="num">Packets</th><th class="num">Bytes</th></tr></thead>
        <tbody>
        {{#rules}}<tr><td class="mono">{{tracker}}</td><td>{{description}}</td><td class="num">{{packets}}</td><td class="num">{{bytes}}</td></tr>
        {{/rules}}
        {{#rulesEmpty}}<tr><td colspan="4" class="muted">No rule has matched a packet yet.</td></tr>{{/rulesEmpty}}
        </tbody>
        </table>
        </section>

        <section class="widget wide" id="w-revisions">
        <h2>Revisions</h2>
        <table>
        <thead><tr><th>#</th><th>Time</th><th>User</th><th>Description</th><th>Changed</th><th></th></tr></thead>
        <tbody>
        {{#revisions}}<tr><td>{{number}}</td><td>{{time}}</td><td>{{user}}</td><td>{{description}}</td><td class="muted">{{changes}}</td><td>{{#current}}<span class="badge ok">running</span>{{/current}}{{^current}}{{#canRollback}}<form method="post" action="/action/rollback" data-confirm="Commit revision {{number}} again as a new revision?"><input type="hidden" name="__csrf_magic" value="{{csrf}}"><input type="hidden" name="revision" value="{{number}}"><button type="submit" class="small">Roll back</button></form>{{/canRollback}}{{/current}}</td></tr>
        {{/revisions}}
        {{#revisionsEmpty}}<tr><td colspan="6" class="muted">No revisions recorded.</td></tr>{{/revisionsEmpty}}
        </tbody>
        </table>
        </section>
        """
}
