// Schakel: the WebAuthn ceremonies of the pages. A form with data-passkey ("inschrijven", "aanmelden" or
// "bevestigen") asks data-begin for the options, lets the browser create or use a passkey, puts the answer in the
// form's hidden "credential" field and submits the form. No inline script: the CSP allows only this file.
"use strict";
(function () {
  function toBytes(b64url) {
    var b64 = b64url.replace(/-/g, "+").replace(/_/g, "/");
    while (b64.length % 4) b64 += "=";
    var raw = atob(b64);
    var out = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
    return out.buffer;
  }
  function toB64url(buffer) {
    var bytes = new Uint8Array(buffer);
    var s = "";
    for (var i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]);
    return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }
  function creationOptions(o) {
    o.challenge = toBytes(o.challenge);
    o.user.id = toBytes(o.user.id);
    (o.excludeCredentials || []).forEach(function (c) { c.id = toBytes(c.id); });
    return o;
  }
  function requestOptions(o) {
    o.challenge = toBytes(o.challenge);
    (o.allowCredentials || []).forEach(function (c) { c.id = toBytes(c.id); });
    return o;
  }
  function created(c) {
    return {
      id: c.id, rawId: toB64url(c.rawId), type: c.type,
      response: {
        clientDataJSON: toB64url(c.response.clientDataJSON),
        attestationObject: toB64url(c.response.attestationObject),
        transports: c.response.getTransports ? c.response.getTransports() : []
      },
      clientExtensionResults: c.getClientExtensionResults(),
      authenticatorAttachment: c.authenticatorAttachment
    };
  }
  function asserted(c) {
    return {
      id: c.id, rawId: toB64url(c.rawId), type: c.type,
      response: {
        clientDataJSON: toB64url(c.response.clientDataJSON),
        authenticatorData: toB64url(c.response.authenticatorData),
        signature: toB64url(c.response.signature),
        userHandle: c.response.userHandle ? toB64url(c.response.userHandle) : null
      },
      clientExtensionResults: c.getClientExtensionResults(),
      authenticatorAttachment: c.authenticatorAttachment
    };
  }
  function say(form, text) {
    var status = form.querySelector(".schakel-status");
    if (status) status.textContent = text;
  }
  async function ceremony(form) {
    if (!window.PublicKeyCredential) {
      say(form, "Deze browser kan geen passkeys gebruiken. Gebruik een recente browser.");
      return;
    }
    say(form, "Een ogenblik: uw browser vraagt zo om uw passkey.");
    var answer = await fetch(form.dataset.begin, {
      method: "POST", body: new FormData(form), credentials: "same-origin", headers: { "Accept": "application/json" }
    });
    if (!answer.ok) {
      var problem = null;
      try { problem = await answer.json(); } catch (e) { problem = null; }
      say(form, (problem && problem.detail) ? problem.detail : "Het starten lukte niet. Laad de pagina opnieuw.");
      return;
    }
    var options = await answer.json();
    var credential;
    try {
      if (form.dataset.passkey === "inschrijven") {
        credential = created(await navigator.credentials.create({ publicKey: creationOptions(options) }));
      } else {
        credential = asserted(await navigator.credentials.get({ publicKey: requestOptions(options) }));
      }
    } catch (error) {
      say(form, "De passkey is niet gebruikt (afgebroken of niet beschikbaar). Probeer het opnieuw.");
      return;
    }
    form.querySelector("input[name=credential]").value = JSON.stringify(credential);
    say(form, "Passkey ontvangen, bezig met versturen.");
    HTMLFormElement.prototype.submit.call(form);
  }
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.dataset.passkey) return;
    event.preventDefault();
    ceremony(form).catch(function () { say(form, "Er ging iets mis. Laad de pagina opnieuw."); });
  });
})();
