// The counter page: the ticket at this counter, the queue of the services it serves, and the actions
// (call next, recall, served, no-show, transfer, the citizen's dossiers), each on a button and a key.
// Signed in with the staff session cookie; every write sends the session's CSRF token and its own
// Idempotency-Key, kept across retries so a retried click never calls two citizens.
"use strict";

(() => {
  const params = new URLSearchParams(location.search);
  const language = params.get("lang") === "en" ? "en" : "vi";
  const desk = { session: null, counter: null, view: null, busy: false, lastAction: null, refreshes: 0 };
  window.desk = desk;
  const $ = (id) => document.getElementById(id);
  let t = (text) => text;

  // --- talking to the service ------------------------------------------------------------------------

  async function api(method, path, body) {
    const headers = { "Accept-Language": language };
    if (method !== "GET") {
      headers["X-CSRF-Token"] = desk.session ? desk.session.csrf : "";
      headers["Idempotency-Key"] = Motcua.newKey();
      headers["Content-Type"] = "application/json";
    }
    const init = { method, headers, credentials: "same-origin", cache: "no-store" };
    if (body !== undefined) init.body = JSON.stringify(body);
    for (let attempt = 1; ; attempt += 1) {
      let response;
      try {
        response = await fetch(path, init);
      } catch (err) {
        if (attempt >= 3) {
          return { ok: false, status: 0, body: { message: t("Could not reach the central service. Check the network and try again.") } };
        }
        await new Promise((resolve) => setTimeout(resolve, 700 * attempt)); // same key: safe to repeat
        continue;
      }
      if (response.status === 401) {
        location.assign(`/counter/login${location.search}`);
        return { ok: false, status: 401, body: {} };
      }
      const data = await response.json().catch(() => ({}));
      return { ok: response.ok, status: response.status, body: data };
    }
  }

  function say(text, kind) {
    const message = $("message");
    message.textContent = text || "";
    message.dataset.kind = kind || "info";
    message.hidden = !text;
  }

  // --- choosing the counter -------------------------------------------------------------------------

  function serviceName(code) {
    const service = desk.session.services.find((s) => s.code === code);
    return service ? `${code} · ${service.name[language] || service.name.vi}` : code;
  }

  function chooseCounter() {
    const list = $("counter-list");
    list.replaceChildren();
    for (const counter of desk.session.counters) {
      const button = Motcua.element("button", "choice");
      button.type = "button";
      button.dataset.counter = counter.number;
      button.append(Motcua.element("b", null, `${t("Counter")} ${counter.number}`));
      button.append(Motcua.element("span", null, counter.services.map(serviceName).join(", ")));
      button.addEventListener("click", () => {
        $("choose-counter").close();
        useCounter(counter.number);
      });
      list.append(button);
    }
    $("choose-counter").showModal();
  }

  function useCounter(number) {
    desk.counter = number;
    localStorage.setItem("counter.number", number);
    const url = new URL(location.href);
    url.searchParams.set("counter", number);
    history.replaceState(null, "", url);
    $("counter-choice").textContent = `${t("Counter")} ${number} ▾`;
    refresh();
  }

  // --- showing the desk ------------------------------------------------------------------------------

  function tags(ticket) {
    const out = [];
    if (ticket.priority) out.push(["priority", t("Priority")]);
    if (ticket.identified) out.push(["identified", t("ID card")]);
    if (ticket.offline) out.push(["offline", t("Issued offline")]);
    if (ticket.transferred_from) out.push(["transferred", t("Transferred from {service}", { service: ticket.transferred_from })]);
    if (ticket.recalls) out.push(["recalls", t("Recalled {count} times", { count: ticket.recalls })]);
    return out.map(([kind, text]) => {
      const tag = Motcua.element("span", `tag ${kind}`, text);
      return tag;
    });
  }

  function renderCurrent(view) {
    const current = view.current;
    $("current").classList.toggle("empty", !current);
    $("current-number").textContent = current ? current.number : "—";
    $("current-service").textContent = current
      ? `${serviceName(current.service)} · ${t("Called at")} ${Motcua.timeOf(current.called_at)}` : "";
    $("current-tags").replaceChildren(...(current ? tags(current) : []));
    $("current-empty").hidden = Boolean(current);
    $("next-label").textContent = current ? t("Done, call next") : t("Call next");
    for (const id of ["act-recall", "act-served", "act-noshow", "act-transfer"]) $(id).disabled = !current;
    $("act-dossiers").disabled = !(current && current.identified);
    const open = $("open-list");
    open.replaceChildren();
    for (const ticket of view.open) {
      const item = Motcua.element("li", "open-call");
      item.append(Motcua.element("b", null, ticket.number));
      for (const [label, outcome] of [["Served", "served"], ["No-show", "no-show"]]) {
        const button = Motcua.element("button", "small", t(label));
        button.type = "button";
        button.addEventListener("click", () => act(outcome, ticket));
        item.append(button);
      }
      open.append(item);
    }
    $("open-calls").hidden = view.open.length === 0;
    $("finished").textContent = t("Finished today: {count}", { count: view.finished_today });
  }

  function renderQueue(view) {
    const columns = $("queue");
    columns.replaceChildren();
    for (const service of view.queue) {
      const column = Motcua.element("div", "queue-column");
      column.dataset.service = service.service;
      const name = service.name ? (service.name[language] || service.name.vi) : "";
      const head = Motcua.element("h3", null, `${service.service} · ${name}`);
      head.append(Motcua.element("span", "count", String(service.tickets.length)));
      column.append(head);
      const list = Motcua.element("ol", "queue-list");
      for (const ticket of service.tickets) {
        const item = Motcua.element("li", "queued");
        item.append(Motcua.element("span", "queued-number", ticket.number));
        item.append(Motcua.element("span", "queued-time", Motcua.timeOf(ticket.issued_at)));
        item.append(...tags(ticket));
        list.append(item);
      }
      if (!service.tickets.length) list.append(Motcua.element("li", "none", t("No one waiting")));
      column.append(list);
      columns.append(column);
    }
  }

  let refreshing = null;
  async function refresh() {
    if (!desk.counter) return;
    if (refreshing) return refreshing;
    refreshing = (async () => {
      const answer = await api("GET", `/counter/api/counters/${encodeURIComponent(desk.counter)}`);
      if (answer.ok) {
        desk.view = answer.body;
        desk.refreshes += 1;
        renderCurrent(answer.body);
        renderQueue(answer.body);
      } else if (answer.status === 404) {
        localStorage.removeItem("counter.number");
        say(answer.body.message, "error");
        chooseCounter();
      } else {
        say(answer.body.message, "error");
      }
    })();
    try {
      await refreshing;
    } finally {
      refreshing = null;
    }
  }

  let pending = null;
  function refreshSoon() {
    clearTimeout(pending);
    pending = setTimeout(refresh, 120);
  }

  // --- actions ----------------------------------------------------------------------------------------

  async function act(kind, ticket, body) {
    if (desk.busy) return;
    desk.busy = true;
    document.body.classList.add("busy");
    const startedAt = Date.now();
    try {
      const current = ticket || (desk.view && desk.view.current);
      let answer;
      if (kind === "next") {
        if (current) {
          answer = await api("POST", `/counter/api/tickets/${current.reference}/served`);
          if (!answer.ok) return say(answer.body.message, "error");
        }
        answer = await api("POST", `/counter/api/counters/${encodeURIComponent(desk.counter)}/call-next`);
      } else {
        if (!current) return;
        answer = await api("POST", `/counter/api/tickets/${current.reference}/${kind}`, body);
      }
      desk.lastAction = { kind, startedAt, finishedAt: Date.now(), ok: answer.ok, number: answer.body.number };
      say(answer.ok ? "" : answer.body.message, answer.ok ? "info" : "error");
    } finally {
      desk.busy = false;
      document.body.classList.remove("busy");
      await refresh();
    }
  }

  function openTransfer() {
    const current = desk.view && desk.view.current;
    if (!current) return;
    $("transfer-number").textContent = current.number;
    const list = $("transfer-list");
    list.replaceChildren();
    let index = 0;
    for (const counter of desk.session.counters) {
      if (counter.number === desk.counter) continue;
      for (const service of counter.services) {
        index += 1;
        const button = Motcua.element("button", "choice");
        button.type = "button";
        button.dataset.service = service;
        button.dataset.index = String(index);
        if (index <= 9) button.append(Motcua.element("kbd", null, String(index)));
        button.append(Motcua.element("b", null, `${t("Counter")} ${counter.number}`));
        button.append(Motcua.element("span", null, serviceName(service)));
        button.addEventListener("click", () => {
          $("transfer").close();
          act("transfer", current, { service });
        });
        list.append(button);
      }
    }
    $("transfer").showModal();
  }

  const STATUS_WORDS = ["received", "processing", "needs_supplement", "ready_for_pickup", "handed_over", "rejected"];
  const statusText = (status) => (STATUS_WORDS.includes(status) ? t(status) : status);

  async function openDossiers() {
    const current = desk.view && desk.view.current;
    if (!current || !current.identified) return;
    $("dossiers-number").textContent = current.number;
    const list = $("dossier-list");
    list.replaceChildren();
    $("dossier-detail").hidden = true;
    $("dossiers").showModal();
    const answer = await api("GET", `/counter/api/tickets/${current.reference}/dossiers`);
    if (!answer.ok) {
      list.append(Motcua.element("p", "error", answer.body.message));
      return;
    }
    if (!answer.body.length) list.append(Motcua.element("p", "none", t("No dossiers found for this citizen.")));
    for (const dossier of answer.body) {
      const button = Motcua.element("button", "choice dossier");
      button.type = "button";
      button.dataset.code = dossier.code;
      button.append(Motcua.element("b", null, dossier.code));
      const name = dossier.procedure_name ? (dossier.procedure_name[language] || dossier.procedure_name.vi) : dossier.procedure;
      button.append(Motcua.element("span", null, name));
      button.append(Motcua.element("span", `tag status-${dossier.status}`, statusText(dossier.status)));
      button.addEventListener("click", () => showDossier(dossier.code));
      list.append(button);
    }
  }

  async function showDossier(code) {
    const detail = $("dossier-detail");
    const answer = await api("GET", `/counter/api/dossiers/${encodeURIComponent(code)}`);
    detail.replaceChildren();
    detail.hidden = false;
    if (!answer.ok) {
      detail.append(Motcua.element("p", "error", answer.body.message));
      return;
    }
    const d = answer.body;
    const facts = Motcua.element("dl", "facts");
    const name = d.procedure_name ? (d.procedure_name[language] || d.procedure_name.vi) : d.procedure;
    const place = d.locker ? t("Kiosk {kiosk}, compartment {compartment}", d.locker)
      : (d.counter ? `${t("Counter")} ${d.counter}` : "");
    for (const [label, value] of [
      ["Owner", d.owner && d.owner.full_name], ["Status", statusText(d.status)],
      ["Received", d.received_at && d.received_at.slice(0, 10)], ["Expected result", d.expected_result_date],
      ["Result waits at", d.status === "ready_for_pickup" ? place : ""],
    ]) {
      facts.append(Motcua.element("dt", null, t(label)), Motcua.element("dd", null, value || "—"));
    }
    detail.append(Motcua.element("h3", null, `${d.code} · ${name}`), facts);
    if (d.documents.length) {
      detail.append(Motcua.element("h4", null, t("Documents")));
      const docs = Motcua.element("ul", "documents");
      for (const doc of d.documents) {
        const link = Motcua.element("a", null, `${doc.checklist_item} (${doc.filename})`);
        link.href = `/counter/api/documents/${encodeURIComponent(doc.document_id)}`;
        link.target = "_blank";
        link.rel = "noopener";
        const item = Motcua.element("li");
        item.append(link);
        docs.append(item);
      }
      detail.append(docs);
    }
    detail.append(Motcua.element("h4", null, t("History")));
    const history = Motcua.element("ol", "history");
    for (const step of d.history) {
      history.append(Motcua.element("li", null,
        `${step.at.slice(0, 16).replace("T", " ")} · ${statusText(step.status)}${step.message ? ` — ${step.message}` : ""}`));
    }
    detail.append(history);
    const form = statusForm(d);
    if (form) detail.append(form);
  }

  // Where a dossier may go next (the service refuses anything else); "ready" again moves the result.
  const NEXT_STATUS = {
    received: ["processing", "needs_supplement", "rejected"],
    processing: ["needs_supplement", "ready_for_pickup", "rejected"],
    needs_supplement: ["processing", "rejected"],
    ready_for_pickup: ["ready_for_pickup", "handed_over"],
  };

  function field(label, control) {
    const wrap = Motcua.element("label", "field");
    wrap.append(Motcua.element("span", null, t(label)), control);
    return wrap;
  }

  function statusForm(d) {
    const targets = NEXT_STATUS[d.status];
    if (!targets) return null;
    const form = Motcua.element("form", "status-form");
    form.id = "status-form";
    const target = Motcua.element("select");
    target.id = "status-target";
    for (const status of targets) {
      const option = Motcua.element("option", null, statusText(status));
      option.value = status;
      target.append(option);
    }
    const message = Motcua.element("textarea");
    message.id = "status-message";
    message.maxLength = 2000;
    message.rows = 2;
    const kiosk = Motcua.element("select");
    kiosk.id = "locker-kiosk";
    const none = Motcua.element("option", null, t("No locker: at the counter"));
    none.value = "";
    kiosk.append(none);
    for (const name of desk.session.kiosks || []) {
      const option = Motcua.element("option", null, name);
      option.value = name;
      kiosk.append(option);
    }
    const compartment = Motcua.element("input");
    compartment.id = "locker-compartment";
    compartment.maxLength = 20;
    compartment.pattern = "[A-Za-z0-9][A-Za-z0-9._\\-]{0,19}";
    compartment.placeholder = "A3";
    if (d.locker) {
      kiosk.value = d.locker.kiosk;
      compartment.value = d.locker.compartment;
    }
    const locker = Motcua.element("fieldset", "locker");
    locker.append(Motcua.element("legend", null, t("Result locker")), field("Locker kiosk", kiosk),
      field("Locker compartment", compartment));
    const showLocker = () => {
      locker.hidden = target.value !== "ready_for_pickup";
      compartment.required = !locker.hidden && kiosk.value !== "";
      compartment.disabled = kiosk.value === "";
    };
    target.addEventListener("change", showLocker);
    kiosk.addEventListener("change", showLocker);
    showLocker();
    const save = Motcua.element("button", "action primary", t("Save status"));
    save.type = "submit";
    save.id = "status-save";
    const note = Motcua.element("p", "error");
    note.id = "status-note";
    form.append(Motcua.element("h4", null, t("Move to")), field("Status", target),
      field("Message for the citizen", message), locker, save, note);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const body = { status: target.value, message: message.value.trim() };
      if (target.value === "ready_for_pickup") {
        body.locker = kiosk.value ? { kiosk: kiosk.value, compartment: compartment.value.trim() } : null;
      }
      save.disabled = true;
      const answer = await api("POST", `/counter/api/dossiers/${encodeURIComponent(d.code)}/status`, body);
      save.disabled = false;
      if (!answer.ok) {
        note.textContent = answer.body.message || "";
        return;
      }
      await showDossier(d.code);
    });
    return form;
  }

  // --- keys and wiring ----------------------------------------------------------------------------------

  const ACTIONS = {
    n: () => act("next"), r: () => act("recall"), s: () => act("served"), x: () => act("no-show"),
    t: openTransfer, d: openDossiers,
  };

  function onKey(event) {
    if (event.ctrlKey || event.metaKey || event.altKey || event.target.closest("input, textarea, select")) return;
    const key = event.key.toLowerCase();
    if ($("transfer").open && /^[1-9]$/.test(key)) {
      const choice = $("transfer-list").querySelector(`[data-index="${key}"]`);
      if (choice) choice.click();
      return;
    }
    if (document.querySelector("dialog[open]") || !desk.counter) return;
    if (ACTIONS[key]) {
      event.preventDefault();
      ACTIONS[key]();
    }
  }

  function onStatus(status) {
    document.body.dataset.status = status;
    $("status").dataset.state = status;
    $("status-text").textContent = status === "live" ? t("Live") : t("Connection lost. Retrying…");
    if (status === "live") refreshSoon(); // whatever happened while away
  }

  async function start() {
    t = Motcua.translator(await Motcua.loadStrings(language));
    Motcua.applyStrings(document, t);
    const answer = await api("GET", "/counter/api/session");
    if (!answer.ok) {
      if (answer.status !== 401) say(answer.body.message, "error");
      return;
    }
    desk.session = answer.body;
    $("center-name").textContent = desk.session.center.name;
    $("staff-name").textContent = desk.session.name;
    $("act-next").addEventListener("click", () => act("next"));
    $("act-recall").addEventListener("click", () => act("recall"));
    $("act-served").addEventListener("click", () => act("served"));
    $("act-noshow").addEventListener("click", () => act("no-show"));
    $("act-transfer").addEventListener("click", openTransfer);
    $("act-dossiers").addEventListener("click", openDossiers);
    $("transfer-cancel").addEventListener("click", () => $("transfer").close());
    $("dossiers-close").addEventListener("click", () => $("dossiers").close());
    $("counter-choice").addEventListener("click", chooseCounter);
    $("sign-out").addEventListener("click", async () => {
      await api("POST", "/counter/api/logout");
      location.assign(`/counter/login${location.search}`);
    });
    document.addEventListener("keydown", onKey);
    const wanted = params.get("counter") || localStorage.getItem("counter.number");
    if (wanted && desk.session.counters.some((c) => c.number === wanted)) useCounter(wanted);
    else chooseCounter();
    desk.live = new Motcua.LiveBoard(desk.session.center.code, { onState: refreshSoon, onStatus });
    desk.live.start();
    setInterval(refresh, 30000);
  }

  start();
})();
