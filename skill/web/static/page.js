// The page: a device that shows, says and hears the skill's answers. Every word on it
// comes from the server (the page's labels from web.toml, everything else from the
// skill); what the runner types is only ever set as text, never as markup.
"use strict";

(() => {
  const data = JSON.parse(document.getElementById("page-data").textContent);
  const words = data.words;
  const locale = data.locale;
  const language = locale.split("-")[0].toLowerCase();
  const byId = (id) => document.getElementById(id);
  const log = byId("log");
  const screenBody = byId("screen-body");
  const input = byId("say");
  const talk = byId("talk");
  const micOpen = byId("mic-open");
  const micNote = byId("mic-note");
  const muteButton = byId("mute");
  const voiceChoice = byId("voice-choice");
  const voiceStatus = byId("voice-status");

  let page = null;
  let screenShown = false;
  let queue = Promise.resolve();
  let answered = 0;

  // Talking to the server, one request at a time, in order ------------------------------

  function inTurn(work) {
    // `data-answered` counts the requests done, for anyone waiting on the page.
    queue = queue
      .then(work)
      .catch(() => note(words.trouble))
      .then(() => { document.body.dataset.answered = String(++answered); });
    return queue;
  }

  async function post(path, body) {
    const response = await fetch(path, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
      credentials: "same-origin",
    });
    if (response.status === 410) {
      note(words.expired);
      return null;
    }
    if (!response.ok) throw new Error(`${path}: ${response.status}`);
    return response.json();
  }

  // The log ----------------------------------------------------------------------------

  function element(tag, className, text) {
    const made = document.createElement(tag);
    if (className) made.className = className;
    if (text !== undefined && text !== null) made.textContent = String(text);
    return made;
  }

  function entry(kind, who, text) {
    const item = element("p", `entry ${kind}`);
    if (who) item.append(element("span", "who", who));
    item.append(element("span", "said", text));
    log.append(item);
    log.scrollTop = log.scrollHeight;
    return item;
  }

  function note(text) {
    entry("note", "", text);
  }

  function show(turn) {
    if (!turn) return;
    if (turn.speech) entry("coach", words.coach, turn.speech);
    if (turn.card) {
      entry("card", words.card, [turn.card.title, turn.card.text].filter(Boolean).join("\n"));
    }
    if (turn.screen) drawScreen(turn.screen);
    const ended = turn.end_session !== false;
    if (ended) {
      note(words.session_ended);
      drawIdle();
    }
    if (turn.speech) speak(turn.speech, "speech");
  }

  // The screen: HTML drawn from the data the skill binds into its APL documents ---------

  function tapButton(className, label, argumentsSent, field) {
    const button = element("button", className, label);
    button.type = "button";
    if (field) button.dataset.field = field;
    // The UserEvent the APL documents' SendEvent commands send (responses/apl/*.json).
    button.addEventListener("click", () => inTurn(async () => {
      const answer = await post("/api/tap", { page, arguments: argumentsSent });
      if (answer) show(answer.turn);
    }));
    return button;
  }

  function field(tag, className, name, text) {
    const made = element(tag, className, text);
    made.dataset.field = name;
    return made;
  }

  function drawIdle() {
    screenShown = false;
    screenBody.dataset.screen = "idle";
    screenBody.replaceChildren(element("p", "wordmark", words.skill_name));
  }

  function drawScreen(screen) {
    const shown = screen.data;
    const parts = [];
    if (screen.name === "step") {
      const bar = element("div", "progress");
      bar.setAttribute("role", "progressbar");
      bar.setAttribute("aria-valuemin", "0");
      bar.setAttribute("aria-valuemax", String(shown.total));
      bar.setAttribute("aria-valuenow", String(shown.number));
      bar.setAttribute("aria-label", shown.label);
      const fill = element("div", "fill");
      fill.style.width = shown.progress;
      bar.append(fill);
      const buttons = element("div", "buttons");
      buttons.append(
        tapButton("back", shown.back, ["previous"], "back"),
        tapButton("next", shown.next, ["next"], "next"),
      );
      const foot = element("div", "foot");
      foot.append(field("p", "hint", "hint", shown.hint), buttons);
      parts.push(
        field("p", "label", "label", shown.label),
        bar,
        field("h2", "title", "title", shown.title),
        field("p", "text", "text", shown.text),
        foot,
      );
    } else if (screen.name === "why") {
      const foot = element("div", "foot");
      const buttons = element("div", "buttons");
      buttons.append(tapButton("next", shown.next, ["next"], "next"));
      foot.append(buttons);
      parts.push(
        field("p", "label", "label", shown.label),
        field("h2", "title", "title", shown.title),
        field("p", "text", "text", shown.text),
        foot,
      );
    } else if (screen.name === "overview") {
      const list = element("ol", "items");
      for (const item of shown.items) {
        const row = element("li", "item");
        const button = tapButton("row", null, ["goto", item.number]);
        button.append(
          element("span", "mark", item.mark),
          element("span", "name", `${item.number}. ${item.title}`),
        );
        row.append(button);
        list.append(row);
      }
      parts.push(
        field("h2", "title", "title", shown.title),
        list,
        field("p", "hint", "hint", shown.hint),
      );
    } else {
      return;
    }
    screenShown = true;
    screenBody.dataset.screen = screen.name;
    screenBody.replaceChildren(...parts);
  }

  // Voice out ---------------------------------------------------------------------------

  const synth = "speechSynthesis" in window ? window.speechSynthesis : null;
  let muted = false;
  let chosen = null; // the voice the runner picked, if any
  let pending = null; // what a browser that wants a click first has not said yet
  let audioContext = null;
  let playing = null;

  function browserVoice() {
    if (!synth) return null;
    const voices = synth.getVoices() || [];
    const lower = (voice) => String(voice.lang || "").toLowerCase().replace("_", "-");
    return (
      voices.find((voice) => lower(voice) === locale.toLowerCase()) ||
      voices.find((voice) => lower(voice).startsWith(language)) ||
      null
    );
  }

  function voiceMode() {
    if (chosen) return chosen;
    if (synth && (browserVoice() || !data.offlineVoice)) return "browser";
    return data.offlineVoice ? "offline" : "none";
  }

  function showVoice() {
    const mode = voiceMode();
    let which = words.voice_none;
    if (mode === "browser" && synth) {
      const voice = browserVoice();
      which = voice && voice.name ? `${words.voice_browser} (${voice.name})` : words.voice_browser;
    } else if (mode === "offline") {
      which = words.voice_server;
    }
    if (muted) which = `${which}, ${words.voice_muted}`;
    voiceStatus.textContent = which;
    voiceChoice.hidden = !(synth && data.offlineVoice);
    // With the choice shown, it already says which voice speaks; the status adds "muted".
    voiceStatus.hidden = !voiceChoice.hidden && !muted;
    voiceChoice.value = mode === "offline" ? "offline" : "browser";
  }

  function speak(text, part) {
    if (muted || !text) return;
    const mode = voiceMode();
    if (mode === "browser" && synth) {
      synth.cancel();
      const utterance = new SpeechSynthesisUtterance(text);
      utterance.lang = locale;
      const voice = browserVoice();
      if (voice && typeof SpeechSynthesisVoice !== "undefined" && voice instanceof SpeechSynthesisVoice) {
        utterance.voice = voice;
      }
      utterance.onerror = (event) => {
        if (event.error === "not-allowed") pending = { text, part };
      };
      synth.speak(utterance);
    } else if (mode === "offline") {
      playOffline(part);
    }
  }

  async function playOffline(part) {
    const response = await fetch("/api/voice", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ page, part }),
      credentials: "same-origin",
    });
    if (!response.ok) return;
    const audio = await response.arrayBuffer();
    audioContext = audioContext || new AudioContext();
    const decoded = await audioContext.decodeAudioData(audio);
    if (playing) playing.stop();
    playing = audioContext.createBufferSource();
    playing.buffer = decoded;
    playing.connect(audioContext.destination);
    playing.start();
  }

  function silence() {
    if (synth) synth.cancel();
    if (playing) playing.stop();
    playing = null;
  }

  // Browsers hold back sound until the page is first touched: say then what was missed.
  function firstTouch() {
    if (audioContext) audioContext.resume();
    if (pending) {
      const missed = pending;
      pending = null;
      speak(missed.text, missed.part);
    }
  }
  document.addEventListener("pointerdown", firstTouch);
  document.addEventListener("keydown", firstTouch);

  muteButton.addEventListener("click", () => {
    muted = !muted;
    muteButton.setAttribute("aria-pressed", String(muted));
    muteButton.textContent = muted ? words.unmute : words.mute;
    if (muted) silence();
    showVoice();
  });
  voiceChoice.addEventListener("change", () => {
    silence();
    chosen = voiceChoice.value;
    showVoice();
  });
  if (synth) synth.addEventListener?.("voiceschanged", showVoice);

  // Voice in: the browser's recognizer, where it works ----------------------------------

  const Recognition = window.SpeechRecognition || window.webkitSpeechRecognition;
  let recognizer = null;

  function recognitionFailed() {
    talk.hidden = true;
    micNote.hidden = true;
    micOpen.hidden = true;
    recognizer = null;
    note(words.mic_failed);
  }

  function listen() {
    if (recognizer) return;
    silence();
    try {
      recognizer = new Recognition();
      recognizer.lang = locale;
      recognizer.interimResults = false;
      recognizer.maxAlternatives = 1;
      recognizer.onstart = () => { micOpen.hidden = false; };
      recognizer.onresult = (event) => {
        const heard = event.results[0] && event.results[0][0] && event.results[0][0].transcript;
        if (heard) say(heard);
      };
      recognizer.onerror = (event) => {
        if (event.error !== "no-speech" && event.error !== "aborted") recognitionFailed();
      };
      recognizer.onend = () => {
        micOpen.hidden = true;
        recognizer = null;
      };
      recognizer.start();
    } catch (error) {
      recognitionFailed();
    }
  }

  function stopListening() {
    if (recognizer) recognizer.stop();
  }

  if (Recognition) {
    talk.hidden = false;
    micNote.hidden = false;
    talk.addEventListener("pointerdown", (event) => { event.preventDefault(); listen(); });
    for (const end of ["pointerup", "pointerleave", "pointercancel"]) {
      talk.addEventListener(end, stopListening);
    }
    talk.addEventListener("keydown", (event) => {
      if ((event.key === " " || event.key === "Enter") && !event.repeat) listen();
    });
    talk.addEventListener("keyup", (event) => {
      if (event.key === " " || event.key === "Enter") stopListening();
    });
  }

  // Typing, silence, forgetting, the locale ----------------------------------------------

  function say(text) {
    const line = text.trim();
    if (!line || !page) return;
    entry("runner", words.you, line);
    inTurn(async () => {
      const answer = await post("/api/say", { page, text: line });
      if (answer) show(answer.turn);
    });
  }

  byId("say-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const line = input.value;
    input.value = "";
    say(line);
  });

  byId("quiet").addEventListener("click", () => inTurn(async () => {
    const answer = await post("/api/quiet", { page });
    if (!answer) return;
    if (answer.reprompt) {
      entry("reprompt", words.reprompt, answer.reprompt);
      speak(answer.reprompt, "reprompt");
    } else if (answer.turn) {
      show(answer.turn);
    }
  }));

  byId("forget").addEventListener("click", () => inTurn(async () => {
    const answer = await post("/api/forget", { page });
    if (answer) show(answer.turn);
  }));

  const localeForm = byId("locale-form");
  byId("locale-change").hidden = true;
  byId("locale").addEventListener("change", () => localeForm.submit());

  // Opening the page opens the skill, in a new session ----------------------------------

  drawIdle();
  showVoice();
  inTurn(async () => {
    const answer = await post("/api/open", { locale });
    if (!answer) return;
    page = answer.page;
    document.body.dataset.ready = "true";
    show(answer.turn);
  });
})();
