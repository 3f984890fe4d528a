// Staff sign-in: the token is sent once and exchanged for an HttpOnly session cookie.
"use strict";

(async () => {
  const language = new URLSearchParams(location.search).get("lang") === "en" ? "en" : "vi";
  const t = Motcua.translator(await Motcua.loadStrings(language));
  Motcua.applyStrings(document, t);
  const form = document.getElementById("login");
  const error = document.getElementById("error");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.hidden = true;
    let response;
    try {
      response = await fetch("/counter/api/login", {
        method: "POST",
        headers: { "Content-Type": "application/json", "Accept-Language": language },
        body: JSON.stringify({ token: form.token.value.trim() }),
      });
    } catch (err) {
      error.textContent = t("Could not reach the central service. Check the network and try again.");
      error.hidden = false;
      return;
    }
    if (response.ok) {
      location.assign(`/counter${location.search}`);
      return;
    }
    const body = await response.json().catch(() => ({}));
    error.textContent = body.message || `HTTP ${response.status}`;
    error.hidden = false;
    form.token.select();
  });
})();
