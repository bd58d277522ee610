/* FlexSDK, as served by flexshopper-sandbox: a local stand-in for FlexShopper's
 * Payment Plugin script (https://pp3.flexshopper.com/sdk/js?authKey=AUTH_KEY).
 * Documented surface (seed 004): FlexSDK.Button({createOrder, onSign}).render(selector),
 * actions.transaction.create(options), onSign({leaseNumber, transactionId}).
 * Sandbox extensions, not FlexShopper's: the Button options `authCode` (the waterfall's
 * auth code: the modal opens signed in as that customer) and `onError(error)`.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  var src = new URL(script.src, window.location.href);
  var ORIGIN = src.origin;
  var AUTH_KEY = src.searchParams.get("authKey") || "";

  function sdkError(message, field) {
    var e = new Error(message);
    e.name = "FlexSDKError";
    if (field) e.field = field;
    return e;
  }

  // Dates become ISO strings, as JSON.stringify would make them; everything else as given.
  function plain(value) {
    return JSON.parse(JSON.stringify(value === undefined ? null : value));
  }

  function openModal(checkout, transactionId, onSign) {
    var overlay = document.createElement("div");
    overlay.id = "flexsdk-overlay";
    overlay.setAttribute("style",
      "position:fixed;inset:0;z-index:2147483646;background:rgba(15,23,42,.55);" +
      "display:flex;align-items:center;justify-content:center");
    var frame = document.createElement("iframe");
    frame.id = "flexsdk-modal";
    frame.title = "FlexShopper";
    frame.src = ORIGIN + "/sdk/modal/" + encodeURIComponent(checkout);
    frame.setAttribute("style",
      "width:min(480px,96vw);height:min(720px,94vh);border:0;border-radius:12px;background:#fff;" +
      "box-shadow:0 20px 60px rgba(0,0,0,.35)");
    overlay.appendChild(frame);
    document.body.appendChild(overlay);

    function close() {
      window.removeEventListener("message", listener);
      if (overlay.parentNode) overlay.parentNode.removeChild(overlay);
    }
    function listener(event) {
      if (event.origin !== ORIGIN || event.source !== frame.contentWindow) return;
      var msg = event.data || {};
      if (msg.checkout !== checkout) return;
      if (msg.type === "flexsdk:close") {
        close();
      } else if (msg.type === "flexsdk:signed") {
        close();
        if (typeof onSign === "function") {
          onSign({ leaseNumber: String(msg.leaseNumber), transactionId: String(msg.transactionId) });
        }
      }
    }
    window.addEventListener("message", listener);
  }

  function createTransaction(options, button) {
    if (options === null || typeof options !== "object" || Array.isArray(options)) {
      return Promise.reject(sdkError("options: expected an object with cost, transactionId and items", "options"));
    }
    var body = { authKey: AUTH_KEY, order: plain(options) };
    if (button.authCode) body.authCode = String(button.authCode);
    return fetch(ORIGIN + "/sdk/transactions", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body)
    }).then(function (resp) {
      return resp.json().then(function (json) {
        if (!resp.ok) {
          var err = (json && json.error) || {};
          throw sdkError(err.message || ("createOrder failed with HTTP " + resp.status), err.data && err.data.field);
        }
        openModal(json.checkout, json.transactionId, button.onSign);
        return { transactionId: json.transactionId };
      });
    });
  }

  function Button(options) {
    if (!(this instanceof Button)) return new Button(options);
    options = options || {};
    if (typeof options.createOrder !== "function") {
      throw sdkError("createOrder: a function is required", "createOrder");
    }
    if (typeof options.onSign !== "function") {
      throw sdkError("onSign: a function is required", "onSign");
    }
    this.options = options;
  }

  Button.prototype.render = function (target) {
    var container = typeof target === "string" ? document.querySelector(target) : target;
    if (!container) throw sdkError("render: no element matches " + String(target), "selector");
    var opts = this.options;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "flexsdk-button";
    button.setAttribute("data-flexsdk", "button");
    button.textContent = "Lease with FlexShopper";
    button.setAttribute("style",
      "background:#0a58ca;color:#fff;border:0;border-radius:6px;padding:12px 20px;" +
      "font:600 16px system-ui,sans-serif;cursor:pointer");
    button.addEventListener("click", function () {
      var actions = {
        transaction: {
          create: function (order) { return createTransaction(order, opts); }
        }
      };
      Promise.resolve()
        .then(function () { return opts.createOrder({}, actions); })
        .catch(function (err) {
          console.error("FlexSDK: createOrder failed:", err && err.message ? err.message : err);
          if (typeof opts.onError === "function") opts.onError(err);
        });
    });
    container.appendChild(button);
    return button;
  };

  window.FlexSDK = { Button: Button, version: "sandbox" };
})();
