// Shared by the counter page and the lobby display: translated words, the live board stream with
// reconnection, small helpers. Plain browser JavaScript, no build step, nothing loaded from outside.
"use strict";

const Motcua = (() => {
  const VIETNAM_OFFSET_MS = 7 * 3600 * 1000; // Asia/Ho_Chi_Minh has kept UTC+7, no daylight saving

  async function loadStrings(language) {
    try {
      const response = await fetch(`/web/strings/${language}.json`, { cache: "no-cache" });
      return response.ok ? await response.json() : {};
    } catch (err) {
      return {};
    }
  }

  function translator(strings) {
    return (text, values) => {
      let out = (strings && strings[text]) || text;
      for (const [key, value] of Object.entries(values || {})) out = out.split(`{${key}}`).join(String(value));
      return out;
    };
  }

  // Fill every element carrying `attribute` (default data-t) with the translation of its value.
  function applyStrings(root, t, attribute = "data-t") {
    for (const element of root.querySelectorAll(`[${attribute}]`)) {
      element.textContent = t(element.getAttribute(attribute));
    }
  }

  function element(tag, className, text) {
    const made = document.createElement(tag);
    if (className) made.className = className;
    if (text !== undefined && text !== null) made.textContent = text;
    return made;
  }

  // A random Idempotency-Key (crypto.randomUUID needs HTTPS; getRandomValues does not).
  function newKey() {
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  // Clock readings in Vietnam time, whatever zone the screen's own clock is set to.
  function vietnamParts(epochMs) {
    const shifted = new Date(epochMs + VIETNAM_OFFSET_MS);
    const pad = (n) => String(n).padStart(2, "0");
    return {
      time: `${pad(shifted.getUTCHours())}:${pad(shifted.getUTCMinutes())}`,
      seconds: pad(shifted.getUTCSeconds()),
      date: shifted,
    };
  }

  function timeOf(iso) {
    const parsed = Date.parse(iso);
    return Number.isNaN(parsed) ? "" : vietnamParts(parsed).time;
  }

  // The live board of one center over server-sent events. EventSource gives up after an HTTP error,
  // so reconnection is done here: at once after the server's "bye", with backoff after a failure.
  // The status turns "reconnecting" when no connection for graceMs, when nothing (not even a ping)
  // arrived for staleMs, or when the server says its board is not fresh.
  class LiveBoard {
    constructor(center, { onState, onStatus, onPing, staleMs = 8000, graceMs = 2000 } = {}) {
      this.url = `/board/${encodeURIComponent(center)}/events`;
      this.onState = onState || (() => {});
      this.onStatus = onStatus || (() => {});
      this.onPing = onPing || (() => {});
      this.staleMs = staleMs;
      this.graceMs = graceMs;
      this.source = null;
      this.timer = null;
      this.attempt = 0;
      this.lastMessageAt = 0;
      this.failedSince = null;
      this.fresh = true;
      this.status = "connecting";
      this.connections = 0;
    }

    start() {
      this.open();
      this.watchdog = setInterval(() => this.check(), 500);
    }

    setStatus(status) {
      if (status === this.status) return;
      this.status = status;
      this.onStatus(status);
    }

    received(data) {
      this.lastMessageAt = Date.now();
      this.failedSince = null;
      this.attempt = 0;
      this.fresh = data.fresh !== false;
      this.setStatus(this.fresh ? "live" : "reconnecting");
    }

    open() {
      this.timer = null;
      const source = new EventSource(this.url);
      this.source = source;
      this.openedAt = Date.now();
      let first = true;
      source.addEventListener("state", (event) => {
        const data = JSON.parse(event.data);
        if (first) {
          first = false;
          this.connections += 1; // every connection starts with the whole board
        }
        this.received(data);
        this.onState(data);
      });
      source.addEventListener("ping", (event) => {
        const data = JSON.parse(event.data);
        this.received(data);
        this.onPing(data);
      });
      source.addEventListener("bye", () => this.reopen(0));
      source.onerror = () => {
        if (this.failedSince === null) this.failedSince = Date.now();
        this.attempt += 1;
        const delay = Math.min(5000, 500 * 2 ** Math.min(this.attempt - 1, 4)) * (0.8 + Math.random() * 0.4);
        this.reopen(delay);
      };
    }

    reopen(delay) {
      if (this.source) {
        this.source.close();
        this.source = null;
      }
      if (this.timer === null) this.timer = setTimeout(() => this.open(), delay);
    }

    check() {
      const now = Date.now();
      if (this.failedSince !== null && now - this.failedSince > this.graceMs) this.setStatus("reconnecting");
      const quietSince = Math.max(this.lastMessageAt, this.openedAt || 0);
      if (this.source && now - quietSince > this.staleMs) {
        // Connected but silent: the link is dead without saying so. Start over.
        this.setStatus("reconnecting");
        if (this.failedSince === null) this.failedSince = now;
        this.reopen(0);
      }
    }
  }

  return { loadStrings, translator, applyStrings, element, newKey, vietnamParts, timeOf, LiveBoard };
})();
