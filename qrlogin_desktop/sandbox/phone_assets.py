"""The phone page's markup, style and script, inline: the page loads nothing from elsewhere.

Kept apart from ``phone.py`` (which serves and fills it) so the routes read as Python. Placeholders
are ``string.Template`` names; ``phone.py`` escapes every value it puts in. The script writes every
server-sent text (app name, remark, scopes, errors) with ``textContent``, never as markup.
"""

from __future__ import annotations

from string import Template

CSS = """
*{box-sizing:border-box}
body{margin:0;font:16px/1.45 system-ui,-apple-system,"PingFang SC","Microsoft YaHei",sans-serif;
  background:#ededed;color:#111}
main{max-width:28rem;margin:0 auto;padding:1rem}
header{display:flex;justify-content:space-between;align-items:center;color:#555;font-size:.9rem}
.card{background:#fff;border-radius:.75rem;padding:1.25rem;margin-top:.75rem;text-align:center}
#app-logo{width:72px;height:72px;border-radius:.75rem}
#app-name{font-size:1.25rem;font-weight:600;margin:.5rem 0 .25rem;overflow-wrap:anywhere}
.muted{color:#666;font-size:.9rem}
dl{text-align:left;margin:1rem 0 0}dt{color:#666;font-size:.85rem}dd{margin:0 0 .5rem;overflow-wrap:anywhere}
ul{margin:0;padding-left:1.2rem}
button{display:block;width:100%;padding:.8rem;margin-top:.6rem;border:0;border-radius:.5rem;font-size:1rem}
button.primary{background:#07c160;color:#fff}button.plain{background:#f2f2f2;color:#111}
button.link{background:none;color:#576b95;width:auto;display:inline;padding:.2rem;margin:0}
button:disabled{opacity:.5}
.status{margin-top:1rem;font-weight:600}.status.error,.field-error,#form-error{color:#d93025}
.status.declined{color:#b06000}.status.confirmed,.status.registered{color:#07c160}
form{text-align:left;margin-top:1rem}label{display:block;margin-top:.6rem;font-size:.9rem}
input{width:100%;padding:.55rem;font-size:1rem;border:1px solid #ccc;border-radius:.4rem}
input:invalid{border-color:#d93025}.hint{color:#888;font-size:.8rem}.field-error{font-size:.85rem}
[hidden]{display:none!important}
"""

JS = r"""
(function () {
  "use strict";
  var cfg = JSON.parse(document.getElementById("phone-config").textContent);
  var lang = cfg.lang, violations = [];
  function $(id) { return document.getElementById(id); }
  function t(key) { return cfg.texts[lang][key] || key; }

  function translate() {
    document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
    document.querySelectorAll("[data-t]").forEach(function (el) { el.textContent = t(el.dataset.t); });
    document.querySelectorAll("[data-hint]").forEach(function (el) { el.textContent = t(el.dataset.hint); });
    showViolations();
  }

  function call(action, extra) {
    var body = {appKey: cfg.appKey, signInKey: cfg.signInKey};
    Object.keys(extra || {}).forEach(function (k) { body[k] = extra[k]; });
    var abort = new AbortController();
    var timer = setTimeout(function () { abort.abort(); }, cfg.timeoutMs);
    return fetch(cfg.api + action, {method: "POST", headers: {"Content-Type": "application/json"},
                                    body: JSON.stringify(body), signal: abort.signal, cache: "no-store",
                                    credentials: "omit"})
      .then(function (r) { return r.json(); })
      .catch(function () { return {code: 0, data: null, error: t("network")}; })
      .finally(function () { clearTimeout(timer); });
  }

  function setStatus(text, kind) {
    var s = $("status");
    s.textContent = text;
    s.className = "status " + (kind || "");
  }

  function busy(on) {
    document.querySelectorAll("button.act").forEach(function (b) { b.disabled = on; });
  }

  function finish(outcome, text) {
    $("actions").hidden = true;
    $("register-form").hidden = true;
    setStatus(text, outcome);
    document.body.dataset.outcome = outcome;
  }

  function showInfo(info) {
    $("app-name").textContent = info.name || "";
    if (info.logo) { $("app-logo").src = info.logo; $("app-logo").hidden = false; }
    var scopes = String(info.scopes || "").split(",").filter(function (s) { return s.trim(); });
    var list = $("app-scopes");
    scopes.forEach(function (s) { var li = document.createElement("li"); li.textContent = s; list.appendChild(li); });
    $("scopes-row").hidden = scopes.length === 0;
    $("app-remark").textContent = info.remark || "";
    $("remark-row").hidden = !info.remark;
    $("info").hidden = false;
    $("actions").hidden = false;
    document.body.dataset.outcome = "scanned";
  }

  function showViolations() {
    document.querySelectorAll(".field-error").forEach(function (el) { el.textContent = ""; });
    var general = [];
    violations.forEach(function (v) {
      var text = lang === "zh" ? (v.rule_zh || v.rule) : v.rule;
      var el = $("error-" + v.field);
      if (el) { el.textContent = text; } else { general.push(v.field + ": " + text); }
    });
    if (violations.length) { $("form-error").textContent = general.join("; "); }
  }

  $("lang-switch").addEventListener("click", function () { lang = lang === "zh" ? "en" : "zh"; translate(); });

  $("confirm").addEventListener("click", function () {
    busy(true);
    call("confirm").then(function (env) {
      busy(false);
      if (env.code === 200) { finish("confirmed", t("confirmed")); }
      else if (env.code === 202) { $("register-form").hidden = false; setStatus(t("registerFirst"), ""); }
      else if (env.code === 403) { finish("declined", t("declined")); }
      else { finish("error", env.error); }
    });
  });

  $("decline").addEventListener("click", function () {
    busy(true);
    call("decline").then(function (env) {
      busy(false);
      if (env.code === 200) { finish("declined", t("declined")); } else { finish("error", env.error); }
    });
  });

  $("register-open").addEventListener("click", function () { $("register-form").hidden = false; });

  $("register-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var form = event.target;
    if (!form.reportValidity()) { return; }
    var values = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (el.name && el.value !== "") { values[el.name] = el.value; }  // empty: not given
    });
    violations = [];
    showViolations();
    $("form-error").textContent = "";
    busy(true);
    call("register", values).then(function (env) {
      busy(false);
      if (env.code === 200) { finish("registered", t("registered")); return; }
      if (env.code === 400 && Array.isArray(env.violations)) { violations = env.violations; showViolations(); }
      else { $("form-error").textContent = env.error; }
      document.body.dataset.outcome = "register-refused";
    });
  });

  translate();
  call("scan").then(function (env) {
    if (env.code === 200 && env.data) { showInfo(env.data); setStatus("", ""); }
    else { finish("error", env.error); }
  });
})();
"""

PAGE = Template("""<!DOCTYPE html>
<html lang="$html_lang">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title data-t="title">$title</title>
<style nonce="$nonce">$css</style>
</head>
<body data-outcome="loading">
<main>
<header><span data-t="title">$title</span>
<button type="button" id="lang-switch" class="link" data-t="switch">$switch</button></header>
<section class="card">
<div id="info" hidden>
<img id="app-logo" alt="" hidden>
<div id="app-name"></div>
<div class="muted" data-t="requests">$requests</div>
$consent_note
<dl>
<div id="scopes-row"><dt data-t="scopes">$scopes</dt><dd><ul id="app-scopes"></ul></dd></div>
<div id="remark-row"><dt data-t="remark">$remark</dt><dd id="app-remark"></dd></div>
</dl>
</div>
<div id="actions" hidden>
<button type="button" id="confirm" class="act primary" data-t="confirm">$confirm</button>
<button type="button" id="register-open" class="act plain" data-t="register">$register</button>
<button type="button" id="decline" class="act plain" data-t="decline">$decline</button>
</div>
<form id="register-form" hidden>
<strong data-t="registerTitle">$register_title</strong>
$fields
<div id="form-error"></div>
<button type="submit" id="register-submit" class="act primary" data-t="submit">$submit</button>
</form>
<div id="status" class="status" role="status">$status</div>
</section>
</main>
<script type="application/json" id="phone-config">$config</script>
<script nonce="$nonce">$js</script>
</body>
</html>
""")

# A page that cannot start (bad or unknown appKey / signInKey): no script, just the reason.
ERROR_PAGE = Template("""<!DOCTYPE html>
<html lang="$html_lang">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>$title</title><style nonce="$nonce">$css</style></head>
<body data-outcome="error"><main><section class="card">
<div id="status" class="status error" role="status">$message</div>
</section></main></body>
</html>
""")

FIELD = Template("""<label for="field-$name" data-t="field.$name">$label</label>
<input id="field-$name" name="$name"$attributes>
<div class="hint" data-hint="hint.$name">$hint</div>
<div class="field-error" id="error-$name"></div>""")
