// The lobby display: the number at each counter, the last calls, waiting counts and a clock, kept live
// over server-sent events. Each new call is shown large and announced (chime, then the spoken call)
// one after another, each for at least holdMs. Browsers keep sound off until someone touches the
// page once: a "tap to turn on the sound" banner stays until then. Chime and voice can be turned off
// separately; turning the voice off leaves the chime on.
"use strict";

(() => {
  const params = new URLSearchParams(location.search);
  const center = decodeURIComponent(location.pathname.split("/").filter(Boolean).pop() || "");
  const MIN_HOLD_MS = 1000;
  const ANNOUNCE_WITHIN_MS = 120 * 1000; // after a reconnection, calls older than this are not announced

  const lobby = {
    center,
    holdMs: Math.max(MIN_HOLD_MS, Number(params.get("hold")) || 6000),
    staleMs: Math.max(1000, Number(params.get("stale")) || 8000), // silence longer than this = link lost
    status: "connecting",
    statusLog: [], // [status, Date.now()] on every change
    board: null,
    seen: new Set(),
    queue: [],
    busy: false,
    announced: [], // {id, number, counter, at}: what was shown large, in order
    played: [], // {kind: "chime" | "speech", number, at}
    shownAt: {}, // ticket number -> Date.now() when it first appeared on a counter tile
    clockOffsetMs: 0,
    sound: {
      chime: localStorage.getItem("lobby.chime") !== "off",
      voice: params.get("voice") === "0" ? false : localStorage.getItem("lobby.voice") !== "off",
    },
  };
  window.lobby = lobby;

  const $ = (id) => document.getElementById(id);
  let t = (text) => text;
  let en = (text) => text;

  // --- sound -------------------------------------------------------------------------------------

  const audio = { context: null, chime: null };
  lobby.audioState = () => (audio.context ? audio.context.state : "unavailable");

  function setUpSound() {
    const Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) return;
    audio.context = new Context();
    audio.context.onstatechange = showSoundGate;
    showSoundGate();
    loadSound("/board/chime.wav").then((buffer) => { audio.chime = buffer; }, () => {});
  }

  function soundOn() {
    return audio.context !== null && audio.context.state === "running";
  }

  function showSoundGate() {
    $("sound-gate").hidden = audio.context === null || soundOn();
  }

  async function loadSound(url) {
    const response = await fetch(url);
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const bytes = await response.arrayBuffer();
    return await new Promise((resolve, reject) => audio.context.decodeAudioData(bytes, resolve, reject));
  }

  function play(buffer, kind, call) {
    return new Promise((resolve) => {
      const source = audio.context.createBufferSource();
      source.buffer = buffer;
      source.connect(audio.context.destination);
      const done = () => { clearTimeout(guard); resolve(); };
      const guard = setTimeout(done, buffer.duration * 1000 + 1000); // if "ended" never comes
      source.onended = done;
      lobby.played.push({ kind, number: call.number, at: Date.now() });
      source.start();
    });
  }

  function renderToggles() {
    for (const kind of ["chime", "voice"]) {
      const button = $(`toggle-${kind}`);
      const on = lobby.sound[kind];
      button.setAttribute("aria-pressed", String(on));
      button.textContent = `${t(kind === "chime" ? "Chime" : "Voice")}: ${t(on ? "on" : "off")}`;
    }
  }

  function toggle(kind) {
    lobby.sound[kind] = !lobby.sound[kind];
    localStorage.setItem(`lobby.${kind}`, lobby.sound[kind] ? "on" : "off");
    renderToggles();
  }

  // --- announcing calls one by one -----------------------------------------------------------------

  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  async function announce(call) {
    const started = Date.now();
    lobby.announced.push({ id: call.id, number: call.number, counter: call.counter, at: started });
    $("calling-number").textContent = call.number;
    $("calling-counter").textContent = call.counter;
    $("calling-en").textContent = `${en("Calling number")} ${call.number} ${en("to counter")} ${call.counter}`;
    $("calling").hidden = false;
    $("calling").classList.toggle("recall", Boolean(call.recall));
    flashTile(call.counter, true);
    let speech = null;
    if (soundOn() && lobby.sound.voice) {
      const url = `/board/${encodeURIComponent(center)}/calls/${encodeURIComponent(call.number)}/` +
        `${encodeURIComponent(call.counter)}.wav`;
      speech = loadSound(url).catch(() => null); // without speech the chime and the screen still call
    }
    if (soundOn() && lobby.sound.chime && audio.chime) await play(audio.chime, "chime", call);
    if (speech) {
      const buffer = await speech;
      if (buffer && soundOn()) await play(buffer, "speech", call);
    }
    const left = lobby.holdMs - (Date.now() - started);
    if (left > 0) await sleep(left);
    flashTile(call.counter, false);
  }

  async function runQueue() {
    if (lobby.busy) return;
    lobby.busy = true;
    try {
      while (lobby.queue.length) await announce(lobby.queue.shift());
    } finally {
      lobby.busy = false;
      $("calling").hidden = true;
    }
  }

  function flashTile(counter, on) {
    const tile = document.querySelector(`.counter-tile[data-counter="${CSS.escape(counter)}"]`);
    if (tile) tile.classList.toggle("flash", on);
  }

  // --- the board ---------------------------------------------------------------------------------

  function serviceName(code) {
    const entry = (lobby.board && lobby.board.waiting || []).find((w) => w.service === code);
    return entry ? entry.name.vi : code;
  }

  function renderCounters(board) {
    const grid = $("counters");
    grid.replaceChildren();
    grid.dataset.count = String(board.counters.length);
    for (const counter of board.counters) {
      const tile = Motcua.element("div", "counter-tile");
      tile.dataset.counter = counter.number;
      const head = Motcua.element("div", "tile-head");
      head.append(Motcua.element("span", "tile-label", `${t("Counter")} ${counter.number}`));
      head.append(Motcua.element("span", "tile-services", counter.services.map(serviceName).join(" · ")));
      tile.append(head);
      const ticket = counter.ticket;
      const number = Motcua.element("div", "tile-number", ticket ? ticket.number : "—");
      if (!ticket) tile.classList.add("free");
      else if (!(ticket.number in lobby.shownAt)) lobby.shownAt[ticket.number] = Date.now();
      tile.append(number);
      if (lobby.busy && !$("calling").hidden && $("calling-counter").textContent === counter.number) {
        tile.classList.add("flash");
      }
      grid.append(tile);
    }
  }

  function renderCalls(board) {
    const list = $("calls");
    list.replaceChildren();
    for (const call of board.calls) {
      const item = Motcua.element("li", call.recall ? "call recall" : "call");
      item.append(Motcua.element("span", "call-number", call.number));
      item.append(Motcua.element("span", "call-arrow", "→"));
      item.append(Motcua.element("span", "call-counter", `${t("Counter")} ${call.counter}`));
      item.append(Motcua.element("span", "call-time", Motcua.timeOf(call.at)));
      list.append(item);
    }
    $("no-calls").hidden = board.calls.length > 0;
  }

  function renderWaiting(board) {
    const list = $("waiting");
    list.replaceChildren();
    for (const entry of board.waiting) {
      const item = Motcua.element("li", entry.count ? "waiting-item" : "waiting-item none");
      item.dataset.service = entry.service;
      item.append(Motcua.element("span", "waiting-code", entry.service));
      const names = Motcua.element("span", "waiting-name", entry.name.vi);
      names.append(Motcua.element("small", null, entry.name.en));
      item.append(names);
      item.append(Motcua.element("span", "waiting-count", String(entry.count)));
      list.append(item);
    }
  }

  function onState(board) {
    const first = lobby.board === null;
    lobby.board = board;
    lobby.clockOffsetMs = Date.parse(board.now) - Date.now();
    $("center-name").textContent = board.center.name;
    document.title = board.center.name;
    const serverNow = Date.now() + lobby.clockOffsetMs;
    const fresh = [...board.calls].reverse().filter((call) => !lobby.seen.has(call.id));
    for (const call of fresh) {
      lobby.seen.add(call.id);
      if (!first && serverNow - Date.parse(call.at) < ANNOUNCE_WITHIN_MS) lobby.queue.push(call);
    }
    renderCounters(board);
    renderCalls(board);
    renderWaiting(board);
    runQueue();
  }

  function onStatus(status) {
    lobby.status = status;
    lobby.statusLog.push([status, Date.now()]);
    document.body.dataset.status = status;
    $("status").dataset.state = status;
    $("status-text").textContent = status === "live" ? t("Live") : t("Reconnecting…");
    $("offline").hidden = status !== "reconnecting";
  }

  function tick() {
    const now = Motcua.vietnamParts(Date.now() + lobby.clockOffsetMs);
    $("clock-time").firstChild.textContent = now.time;
    $("clock-seconds").textContent = `:${now.seconds}`;
    $("clock-date").textContent = new Intl.DateTimeFormat("vi-VN", {
      weekday: "long", day: "2-digit", month: "2-digit", year: "numeric", timeZone: "UTC",
    }).format(now.date);
  }

  async function start() {
    const [vi, english] = await Promise.all([Motcua.loadStrings("vi"), Motcua.loadStrings("en")]);
    t = Motcua.translator(vi);
    en = Motcua.translator(english);
    Motcua.applyStrings(document, t);
    Motcua.applyStrings(document, en, "data-t2");
    renderToggles();
    setUpSound();
    for (const kind of ["chime", "voice"]) $(`toggle-${kind}`).addEventListener("click", () => toggle(kind));
    // Any touch or key turns the sound on (browsers need one before a page may play sound).
    const unlock = () => { if (audio.context && !soundOn()) audio.context.resume().then(showSoundGate); };
    document.addEventListener("pointerdown", unlock);
    document.addEventListener("keydown", unlock);
    tick();
    setInterval(tick, 1000);
    lobby.live = new Motcua.LiveBoard(center, { onState, onStatus, staleMs: lobby.staleMs, onPing: (ping) => {
      lobby.clockOffsetMs = Date.parse(ping.now) - Date.now();
    } });
    lobby.live.start();
  }

  start();
})();
